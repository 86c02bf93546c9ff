"""Views, measured: what a procedural room shows from the seed's own pose, from the chosen pose, and from the
union of K = 2, 4 and 8 chosen views (the local prompt writer's specs, every archetype).

Prints per archetype, seed's pose -> chosen pose -> K views: the share of the room's objects visible (at
least 200 pixels of the 2K frame, counted on half-size instance maps: 50 pixels) and the share of the
floor's area in frame (target: objects +25% relative in warehouses and groceries, no archetype lower); the
ground-truth review's pass rate with each pose (target: unchanged); and the time to choose a pose, against
the whole scene's render with its ground truth on one core (target 10%).

    python bench/coverage.py [--per 10] [--archetypes warehouse,grocery] [--seed 2026]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench.sampling import sample_arguments, sampled_specs  # noqa: E402
from scenegen.backends.local.ground_truth_review import ground_truth_rubric  # noqa: E402
from scenegen.backends.local.procedural import draw_scene  # noqa: E402
from scenegen.catalogue import load_archetype_config  # noqa: E402
from scenegen.engine.memory import keep_large_buffers  # noqa: E402
from scenegen.quality.review import judge  # noqa: E402
from scenegen.render.procedural import RenderOptions, World, describe_camera, furnished_world  # noqa: E402
from scenegen.render.raster import rasterize  # noqa: E402
from scenegen.render.views import Pose, choose_views  # noqa: E402
from scenegen.render.views import floor_samples as floor_samples  # noqa: E402

HALF = (1376, 768)
SEEN_PIXELS = 50  # 200 pixels of the 2K frame, at half size
KS = (2, 4, 8)


def shows(world: World, pose: Pose) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """The objects a pose shows (by thing index), the floor samples in its frame, and pixels by id."""
    camera = pose.camera(HALF)
    faces = world.faces.outlines(np.asarray(camera.position))
    face, _ = rasterize(faces, camera)
    owner = faces.things[face[face >= 0]]
    pixels = np.bincount(owner, minlength=len(world.things))
    in_camera = camera.to_camera(floor_samples(world.size_m))
    z = np.maximum(in_camera[:, 2], 1e-6)
    u = camera.centre[0] + camera.focal * in_camera[:, 0] / z
    v = camera.centre[1] + camera.focal * in_camera[:, 1] / z
    floor = (in_camera[:, 2] > 1e-6) & (u >= 0) & (u <= HALF[0]) & (v >= 0) & (v <= HALF[1])
    by_id = {thing.id: int(pixels[k]) for k, thing in enumerate(world.things)}
    return pixels >= SEEN_PIXELS, floor, by_id


def passes(world: World, pose: Pose, pixels: dict[int, int], archetype: str, options: RenderOptions) -> bool:
    layout = {
        "room": {"size_m": list(world.size_m), "floor_id": world.surfaces["floor"][0]},
        "objects": [{"id": t.id, "category": t.category} for t in world.things],
    }
    rubric = ground_truth_rubric(
        pixels, layout, describe_camera(pose.camera(HALF)), archetype, options.review
    )
    return judge(rubric, archetype, options.review, "ground-truth", 0.0).verdict == "suitable"


def main() -> None:
    args = sample_arguments(__doc__.splitlines()[0])
    config = load_archetype_config()
    options = RenderOptions.of(config)
    names, specs = sampled_specs(args, config)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as a worker draws
    keep_large_buffers()
    rows: dict[str, dict[str, list]] = {n: {} for n in names}
    with tempfile.TemporaryDirectory() as folder:
        for spec in specs:
            row = rows[spec.archetype]
            world = furnished_world(spec.archetype, spec.variation_tags, spec.seed, options.articulation)
            subject = world.subject()
            tie = f"{spec.archetype}:{spec.seed}:views"
            started = time.perf_counter()
            choose_views(
                subject,
                world.seed_pose,
                1,
                spec.variation_tags,
                options.views,
                options.review,
                random.Random(tie),
            )
            choose_s = time.perf_counter() - started
            poses = choose_views(
                subject,
                world.seed_pose,
                max(KS),
                spec.variation_tags,
                options.views,
                options.review,
                random.Random(tie),
            )
            started = time.perf_counter()
            draw_scene(spec, Path(folder) / f"{spec.scene_id}.png", options=options)
            render_s = time.perf_counter() - started
            objects = np.array([t.category not in ("floor", "wall", "ceiling") for t in world.things])
            seen = [shows(world, pose) for pose in [world.seed_pose, *poses]]
            for key, (visible, floor, _) in (("seed", seen[0]), ("chosen", seen[1])):
                row.setdefault(f"{key} objects", []).append(
                    np.count_nonzero(visible & objects) / objects.sum()
                )
                row.setdefault(f"{key} floor", []).append(floor.mean())
            for k in KS:
                union = np.any([s[0] for s in seen[1 : k + 1]], axis=0)
                floor = np.any([s[1] for s in seen[1 : k + 1]], axis=0)
                row.setdefault(f"K={k} objects", []).append(np.count_nonzero(union & objects) / objects.sum())
                row.setdefault(f"K={k} floor", []).append(floor.mean())
            row.setdefault("seed review", []).append(
                passes(world, world.seed_pose, seen[0][2], spec.archetype, options)
            )
            row.setdefault("chosen review", []).append(
                passes(world, poses[0], seen[1][2], spec.archetype, options)
            )
            row.setdefault("choose", []).append(choose_s)
            row.setdefault("share", []).append(choose_s / render_s)
            print(
                f"{spec.scene_id}: objects {row['seed objects'][-1]:.0%} -> "
                f"{row['chosen objects'][-1]:.0%} (8 views {row['K=8 objects'][-1]:.0%}), "
                f"choose {choose_s * 1000:.0f} ms of {render_s:.2f} s",
                flush=True,
            )
    header = (
        "archetype      objects seed -> chosen (change)   K=2   K=4   K=8"
        " | floor seed -> chosen   K=2   K=4   K=8 | review seed / chosen | choose ms, share of render"
    )
    print("\n" + header)
    every: dict[str, list] = {}
    for name, row in rows.items():
        for key, values in row.items():
            every.setdefault(key, []).extend(values)
        print(_line(name, row))
    print(_line("all", every))


def _line(name: str, row: dict[str, list]) -> str:
    mean = {key: statistics.mean(values) for key, values in row.items()}
    change = mean["chosen objects"] / max(mean["seed objects"], 1e-9) - 1
    return (
        f"{name:<14} {mean['seed objects']:11.0%} -> {mean['chosen objects']:4.0%} ({change:+6.0%})  "
        + "  ".join(f"{mean[f'K={k} objects']:4.0%}" for k in KS)
        + f" | {mean['seed floor']:10.0%} -> {mean['chosen floor']:4.0%}  "
        + "  ".join(f"{mean[f'K={k} floor']:4.0%}" for k in KS)
        + f" | {mean['seed review']:11.0%} / {mean['chosen review']:4.0%}"
        + f" | {statistics.median(row['choose']) * 1000:5.0f} ms, {statistics.median(row['share']):4.1%}"
    )


if __name__ == "__main__":
    main()
