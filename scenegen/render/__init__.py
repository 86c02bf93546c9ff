"""The procedural renderer: a furnished 3D room of an archetype, drawn from an elevated corner."""

from scenegen.render.procedural import render_image

__all__ = ["render_image"]
