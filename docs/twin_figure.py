"""Draws docs/twins.png: a twin's reference, the loopback Gemini server's photograph of it, and the agreement
check drawn over that photograph and over one taken from a moved camera.

    python docs/twin_figure.py [--archetype kitchen] [--seed 4]

The reference is drawn as a run draws it; the photographs are what tests/fake_gemini.py answers a twin's
request with (made from the half-size JPEG the request carries). Over each photograph, the reference's
geometric edges: green where the photograph has an edge near, red where it has none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenegen.backends.local.procedural import MODEL
from scenegen.catalogue import load_archetype_config
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.render import render_scene
from scenegen.twins.agreement import GRID, measure_agreement, photo_edges, reference_edges
from tests import restyle

PANEL = (688, 384)  # the agreement's grid: a quarter of the frame each way


def drawn_over(photo: Image.Image, edges: np.ndarray, match_px: float, config) -> Image.Image:
    """The photograph, dimmed, with the reference's edges: green where followed, red where not."""
    near = ndimage.distance_transform_edt(~photo_edges(photo, config)) <= match_px
    canvas = np.asarray(photo.convert("L").reduce(GRID).convert("RGB"), np.float32) * 0.55
    canvas[edges & near] = (60, 230, 90)
    canvas[edges & ~near] = (255, 60, 50)
    return Image.fromarray(canvas.astype(np.uint8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archetype", default="kitchen")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    config = load_archetype_config()
    checks = config.agreement
    [spec] = LocalPromptWriter(config, MODEL).write([args.archetype], [], args.seed).specs
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed)
    shown = restyle.as_shown(rendering.image)  # what the request carries
    photo = restyle.restyled(shown, 1)
    moved = restyle.moved_camera(shown, 2)
    edges, _ = reference_edges(rendering.depth_mm, rendering.instances, checks)
    followed = measure_agreement(photo, rendering.depth_mm, rendering.instances, checks)
    strayed = measure_agreement(moved, rendering.depth_mm, rendering.instances, checks)
    panels = [
        (rendering.image.resize(PANEL, Image.Resampling.LANCZOS), "reference.png (the procedural render)"),
        (
            photo.resize(PANEL, Image.Resampling.LANCZOS),
            "source_image.png (the loopback server's photograph)",
        ),
        (
            drawn_over(photo, edges, checks.match_px, checks),
            f"agreement {followed.frame:.2f}: passed (green: followed, red: not)",
        ),
        (
            drawn_over(moved, edges, checks.match_px, checks),
            f"a moved camera: agreement {strayed.frame:.2f}, rejected ({strayed.reasons[-1]})",
        ),
    ]
    figure = Image.new("RGB", (PANEL[0] * 2 + 8, (PANEL[1] + 28) * 2), "white")
    draw = ImageDraw.Draw(figure)
    for index, (panel, title) in enumerate(panels):
        left, top = (index % 2) * (PANEL[0] + 8), (index // 2) * (PANEL[1] + 28)
        figure.paste(panel, (left, top + 24))
        draw.text((left + 4, top + 6), title, fill="black")
    target = Path(__file__).with_name("twins.png")
    figure.save(target, optimize=True)
    print(f"{target}: {spec.scene_id} {spec.variation_tags}; {followed.frame:.2f} and {strayed.frame:.2f}")


if __name__ == "__main__":
    main()
