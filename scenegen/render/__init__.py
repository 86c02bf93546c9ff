"""The procedural renderer: the embedded image backend."""

from scenegen.render.procedural import ProceduralRenderer, render_image

__all__ = ["ProceduralRenderer", "render_image"]
