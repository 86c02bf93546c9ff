"""Draws docs/views.png: one procedural room seen from the four views the renderer's next-best-view chooser
picks, each labelled with what it adds to the views before it, the objects it is the first to show tinted
magenta (view 0 shows everything first, so it is left as drawn).

    python docs/views_figure.py [--archetype warehouse] [--seed 2] [--views 4]

Each view is the renderer's own (render_scene with views=K, view=k), drawn at a quarter of the 2K frame each
way. An object (anything but the floor, walls and ceiling) counts as seen in a view when its instance map
holds at least the catalogue's min_object_pixels scaled to the quarter-size frame (200 / 16, so 12 px).
Floor seen: every floor pixel is lifted back onto the floor with its depth and binned into the chooser's cells
(floor_cell_m, 0.25 m a side); the area is the cells with at least one floor pixel, times a cell's area.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenegen.backends.local.procedural import MODEL
from scenegen.catalogue import load_archetype_config
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.render import Rendering, render_scene
from scenegen.render.procedural import RenderOptions
from scenegen.render.views import FULL_SIZE
from scenegen.storage import ROOM_SURFACES

SIZE = (688, 384)  # a quarter of the 2K frame each way
GAP, TITLE, FOOTER = 8, 30, 34
TINT = np.array((255, 0, 200), np.float32)  # magenta: the racking's beams are orange already


def labeller(draw: ImageDraw.ImageDraw, size: int) -> Callable[[tuple[int, int], str], None]:
    """Draws text in DejaVu Sans where the system has it (PIL's own font has no ²), else in PIL's own."""
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", size)
        return lambda spot, text: draw.text(spot, text, fill="black", font=font)
    except OSError:
        font = ImageFont.load_default(size=size)
        return lambda spot, text: draw.text(spot, text.replace("²", "2"), fill="black", font=font)


def objects_of(rendering: Rendering) -> set[int]:
    """Ids of the room's objects: everything but the floor, walls and ceiling."""
    return {thing.id for thing in rendering.things if thing.category not in ROOM_SURFACES}


def seen_objects(rendering: Rendering, least_px: int) -> set[int]:
    """The objects the view shows at least `least_px` pixels of."""
    counts = np.bincount(rendering.instances.reshape(-1))
    return objects_of(rendering) & {int(i) for i in np.flatnonzero(counts >= least_px)}


def floor_cells(rendering: Rendering, cell_m: float) -> set[tuple[int, int]]:
    """The floor cells (column, row) with at least one floor pixel in the view."""
    camera = rendering.camera
    v, u = np.nonzero(np.isin(rendering.instances, rendering.surfaces["floor"]) & (rendering.depth_mm > 0))
    z = rendering.depth_mm[v, u] / 1000.0
    local = np.stack([(u + 0.5 - camera.cx) / camera.fx * z, (v + 0.5 - camera.cy) / camera.fy * z, z], 1)
    world = np.asarray(camera.position_m) + local @ np.asarray(camera.world_from_camera).T
    last = np.ceil(np.asarray(rendering.room_size_m[:2]) / cell_m).astype(int) - 1
    cells = np.clip((world[:, :2] / cell_m).astype(int), 0, last)
    return set(map(tuple, cells.tolist()))


def tinted(rendering: Rendering, new: set[int]) -> Image.Image:
    """The picture with the pixels of the `new` objects under a translucent magenta."""
    image = np.asarray(rendering.image, np.float32).copy()
    mask = np.isin(rendering.instances, sorted(new))
    image[mask] = 0.5 * image[mask] + 0.5 * TINT
    return Image.fromarray(image.astype(np.uint8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archetype", default="warehouse")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--views", type=int, default=4)
    args = parser.parse_args()
    config = load_archetype_config()
    options = RenderOptions.of(config)
    [spec] = LocalPromptWriter(config, MODEL).write([args.archetype], [], args.seed).specs
    share = SIZE[0] * SIZE[1] / (FULL_SIZE[0] * FULL_SIZE[1])
    least_px = max(1, round(options.views.min_object_pixels * share))
    cell_area = options.views.floor_cell_m**2
    objects: set[int] = set()
    cells: set[tuple[int, int]] = set()
    panels: list[tuple[Image.Image, str]] = []
    for k in range(args.views):
        rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed, SIZE, options, args.views, k)
        shown, floor = seen_objects(rendering, least_px), floor_cells(rendering, options.views.floor_cell_m)
        new_objects, new_floor = shown - objects, floor - cells
        plus = "+" if k else ""
        title = f"view {k}: {plus}{len(new_objects)} objects, {plus}{len(new_floor) * cell_area:.0f} m² floor"
        print(f"{title}  (alone: {len(shown)} objects, {len(floor) * cell_area:.0f} m² floor)")
        panels.append((tinted(rendering, new_objects) if k else rendering.image, title))
        objects, cells = objects | shown, cells | floor
    width, depth, _ = rendering.room_size_m
    footer = (
        f"{args.archetype} (--seed {args.seed}): the {args.views} views together show {len(objects)} of "
        f"{len(objects_of(rendering))} objects and {len(cells) * cell_area:.0f} of {width * depth:.0f} m² "
        f"of floor. Magenta: objects a view is the first to show."
    )
    print(footer)
    columns = 2 if args.views == 4 else args.views
    rows = -(-args.views // columns)
    figure = Image.new(
        "RGB", (SIZE[0] * columns + GAP * (columns - 1), (SIZE[1] + TITLE + GAP) * rows + FOOTER), "white"
    )
    draw = ImageDraw.Draw(figure)
    title_text, footer_text = labeller(draw, 19), labeller(draw, 16)
    for index, (panel, title) in enumerate(panels):
        left, top = (index % columns) * (SIZE[0] + GAP), (index // columns) * (SIZE[1] + TITLE + GAP)
        figure.paste(panel, (left, top + TITLE))
        title_text((left + 4, top + 5), title)
    footer_text((4, figure.height - FOOTER + 8), footer)
    target = Path(__file__).with_name("views.png")
    figure.save(target, optimize=True)
    print(f"{target}: {spec.scene_id} {spec.variation_tags}")


if __name__ == "__main__":
    main()
