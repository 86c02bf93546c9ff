"""Draws docs/articulation.png: one kitchen with every door and drawer closed, and the same room with its
doors on upright hinges and its level drawers 70% open, each hinge's axis (yellow) and slide (cyan) marked;
below, the open room's parts.png, each moving part in a colour of its own.

    python docs/articulation_figure.py [--seed 6]

Both pictures are the renderer's own, from the same spec: only the joints' poses differ (the catalogue's
share of scenes left partly open, set to all of them for the second).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from scenegen.catalogue import ArticulationConfig
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.render import render_scene
from scenegen.render.ground_truth import layout_document
from scenegen.render.procedural import RenderOptions

SIZE = (1376, 768)
CLOSED = RenderOptions(ArticulationConfig(open_scene_share=0.0))
OPEN = RenderOptions(
    ArticulationConfig(open_scene_share=1.0, open_part_share=1.0, min_open=0.7, max_open=0.7)
)


def project(camera, points: np.ndarray) -> np.ndarray:
    """World points to pixels (behind the camera: NaN)."""
    local = (np.asarray(points) - np.asarray(camera.position_m)) @ np.asarray(camera.world_from_camera)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = local[:, 0] / local[:, 2] * camera.fx + camera.cx
        v = local[:, 1] / local[:, 2] * camera.fy + camera.cy
    return np.where(local[:, 2:3] > 0.1, np.stack([u, v], axis=1), np.nan)


def marked(rendering, layout: dict) -> Image.Image:
    """The picture with each joint's axis: a hinge's as a line along it, a slide's as its travel."""
    image = rendering.image.copy()
    draw = ImageDraw.Draw(image)
    for joint in layout["joints"]:
        axis, origin = np.asarray(joint["axis"]), np.asarray(joint["origin_m"])
        if joint["type"] == "revolute":
            half = max(joint["part_box"]["size_m"]) / 2
            ends, colour = [origin - 0.1 * axis, origin + (2 * half + 0.1) * axis], (255, 220, 0)
            if abs(axis[2]) < 0.5:  # a hinge along the bottom edge: centred on the part
                centre = np.asarray(joint["part_box"]["center_m"])
                along = (centre - origin) @ axis
                ends = [origin + (along - half) * axis, origin + (along + half) * axis]
        else:
            closed = origin - axis * joint["position"]
            ends, colour = [closed, closed + axis * joint["upper"]], (0, 230, 255)
        (u0, v0), (u1, v1) = project(rendering.camera, np.array(ends))
        if np.isfinite([u0, v0, u1, v1]).all():
            draw.line([(u0, v0), (u1, v1)], fill=colour, width=4)
            draw.ellipse([u1 - 5, v1 - 5, u1 + 5, v1 + 5], fill=colour)
    return image


def parts_picture(parts: np.ndarray) -> Image.Image:
    palette = np.random.default_rng(5).integers(60, 256, (int(parts.max()) + 1, 3), dtype=np.uint8)
    palette[0] = (24, 24, 24)
    return Image.fromarray(palette[parts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    from scenegen.catalogue import load_archetype_config

    [spec] = (
        LocalPromptWriter(load_archetype_config(), "procedural-v2").write(["kitchen"], [], args.seed).specs
    )
    panels, titles = [], []
    for config, title in ((CLOSED, "closed"), (OPEN, "doors and drawers 70% open")):
        rendering = render_scene("kitchen", spec.variation_tags, spec.seed, SIZE, config)
        layout = layout_document(rendering)
        panels.append(marked(rendering, layout))
        titles.append(f"{title}: {len(layout['joints'])} joints (hinges yellow, slides cyan)")
    panels.append(parts_picture(rendering.parts))
    titles.append("parts.png of the open room: the joint id of each moving part")
    half = (SIZE[0] // 2, SIZE[1] // 2)
    figure = Image.new("RGB", (half[0] * 2 + 8, half[1] * 2 + 64), "white")
    draw = ImageDraw.Draw(figure)
    spots = [(0, 28), (half[0] + 8, 28), (half[0] // 2 + 4, half[1] + 64)]
    for panel, title, (x, y) in zip(panels, titles, spots, strict=True):
        figure.paste(panel.resize(half, Image.Resampling.LANCZOS), (x, y))
        draw.text((x + 4, y - 20), title, fill="black")
    target = Path(__file__).with_name("articulation.png")
    figure.save(target, optimize=True)
    print(f"{target}: {spec.scene_id} {spec.variation_tags}")


if __name__ == "__main__":
    main()
