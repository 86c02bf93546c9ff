"""The procedural renderer: a furnished 3D room of an archetype, drawn from an elevated corner, and its truth."""

from scenegen.render.procedural import Rendering, render_scene

__all__ = ["Rendering", "render_scene"]
