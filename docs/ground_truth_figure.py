"""Draws docs/ground_truth.png: one procedural scene's image beside its depth and its instance mask.

    python docs/ground_truth_figure.py [--archetype office] [--seed 7]

The scene goes through the embedded backend exactly as a run stages it; the picture only puts its files
side by side (depth in a colour scale, near bright; each instance id a colour of its own).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from example_scene import staged_example
from PIL import Image, ImageDraw

from scenegen.storage import DEPTH, INSTANCES

PANEL = (688, 384)


def main() -> None:
    with staged_example(__doc__.splitlines()[0]) as (spec, rendered, files):
        image = Image.open(rendered.path).convert("RGB").resize(PANEL, Image.Resampling.LANCZOS)
        depth = np.asarray(Image.open(files[DEPTH]), np.float32)
        instances = np.asarray(Image.open(files[INSTANCES]), np.int64)
    near = 1.0 - depth / depth.max()
    coloured = (matplotlib.colormaps["turbo"](near)[..., :3] * 255).astype(np.uint8)
    palette = np.random.default_rng(3).integers(40, 256, (instances.max() + 1, 3), dtype=np.uint8)
    panels = [
        image,
        Image.fromarray(coloured).resize(PANEL, Image.Resampling.BILINEAR),
        Image.fromarray(palette[instances]).resize(PANEL, Image.Resampling.NEAREST),
    ]
    figure = Image.new("RGB", (PANEL[0] * 3 + 16, PANEL[1] + 28), "white")
    draw = ImageDraw.Draw(figure)
    for index, (panel, title) in enumerate(
        zip(panels, ["source_image.png", "depth.png (near: warm)", "instances.png"], strict=True)
    ):
        figure.paste(panel, (index * (PANEL[0] + 8), 28))
        draw.text((index * (PANEL[0] + 8) + 4, 8), title, fill="black")
    target = Path(__file__).with_name("ground_truth.png")
    figure.save(target, optimize=True)
    print(f"{target}: {spec.scene_id} {spec.variation_tags}")


if __name__ == "__main__":
    main()
