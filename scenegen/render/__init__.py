"""The procedural renderer: a furnished 3D room of an archetype, seen from a corner, with its ground truth
(depth, instances, normals, categories, layout.json), its sim-ready USD stage and the PNG writer they share.

May import the core, and sim.physical (the stage carries each category's mass and materials, and loose
things are set down by their density).
"""

from scenegen.render.procedural import Rendering, render_scene

__all__ = ["Rendering", "render_scene"]
