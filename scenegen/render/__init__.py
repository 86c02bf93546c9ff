"""The procedural renderer: a furnished 3D room of an archetype, seen from a corner, and its ground truth."""

from scenegen.render.procedural import Rendering, render_scene

__all__ = ["Rendering", "render_scene"]
