"""Twins at rest in Newton: procedural scenes of every archetype (the local prompt writer's specs, tags and
all), each stage validated as `scenegen validate` does it (usd-core's validators, overlaps at the start,
2 s in Newton).

    python bench/physics.py [--per-archetype 10] [--workers 2] [--small]

Prints, per archetype and over all: the share of scenes whose stage passes (target 100%), the largest
displacement and turn of a loose object and the largest overlap found, the median seconds to write the
stage, and the median seconds of the whole scene as the backend makes it (render, image, every
ground-truth file) on one core with nothing beside it (target 1.2 s). Scenes are drawn at full size unless
--small (the stage does not depend on the size). Every finding of a failing scene is printed. Scenes are
made in one process, then validated in `--workers` processes (spawned: Warp starts itself lazily), each
loading Newton's kernels once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenegen.backends.local.procedural import MODEL
from scenegen.catalogue import load_archetype_config
from scenegen.engine.memory import keep_large_buffers
from scenegen.engine.usd import first_use
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, SceneSpec
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.storage import STAGE

SMALL = (344, 192)


def make(job: tuple[SceneSpec, str, bool]) -> tuple[SceneSpec, Path, float, float]:
    """One scene as the backend makes it, and again its stage alone: its stage and both times."""
    from scenegen.backends.local.procedural import draw_scene
    from scenegen.render.ground_truth import layout_document
    from scenegen.render.procedural import render_scene
    from scenegen.render.stage import write_stage

    spec, folder, small = job
    size = SMALL if small else (IMAGE_WIDTH, IMAGE_HEIGHT)
    image = Path(folder) / spec.scene_id / "source_image.png"
    started = time.perf_counter()
    draw_scene(spec, image, size)
    whole = time.perf_counter() - started
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed, SMALL)
    started = time.perf_counter()
    write_stage(
        layout_document(rendering),
        rendering.things,
        rendering.camera,
        rendering.lights,
        image.parent / "again.usda",
    )
    return spec, image.with_name(f"{image.stem}.{STAGE}"), time.perf_counter() - started, whole


def check(made: tuple[SceneSpec, Path, float, float]):
    from scenegen.sim.validate import validate

    spec, stage, *seconds = made
    return spec, seconds, validate(stage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-archetype", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--small", action="store_true", help="render small images (the stage is the same)")
    parser.add_argument("--only", nargs="*", help="these archetypes only")
    args = parser.parse_args()
    first_use()
    config = load_archetype_config()
    slots = [name for name in args.only or config.names for _ in range(args.per_archetype)]
    specs = LocalPromptWriter(config, MODEL).write(slots, [], seed=2026).specs
    folder = tempfile.mkdtemp(prefix="physics-")
    by_archetype = defaultdict(list)
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, initializer=_one_core) as alone:  # timed on one core, nothing beside it
        made = alone.map(make, [(spec, folder, args.small) for spec in specs])
    with context.Pool(args.workers, initializer=_one_core) as pool:
        for spec, seconds, result in pool.imap_unordered(check, made):
            by_archetype[spec.archetype].append((seconds, result))
            if not result.passed:
                print(f"{spec.archetype} {spec.scene_id} {spec.variation_tags}: {result.summary()}")
                for finding in result.findings[:12]:
                    print("   ", finding.line())
    print()
    print("| archetype | scenes | at rest | largest move cm | largest turn deg | largest overlap mm ", end="")
    print("| stage s | scene s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [*sorted(by_archetype.items()), ("all", [r for rs in by_archetype.values() for r in rs])]
    for name, results in rows:
        passed = sum(result.passed for _, result in results)
        print(
            f"| {name} | {len(results)} | {passed / len(results):.0%} "
            f"| {max(r.largest_move_m for _, r in results) * 100:.2f} "
            f"| {max(r.largest_turn_deg for _, r in results):.2f} "
            f"| {max(r.largest_overlap_m for _, r in results) * 1000:.1f} "
            f"| {statistics.median(stage for (stage, _), _ in results):.3f} "
            f"| {statistics.median(whole for (_, whole), _ in results):.3f} |"
        )


def _one_core() -> None:
    """Each worker on a core of its own, usd-core started before anything else, its heap set as a run's
    worker process sets it."""
    first_use()
    keep_large_buffers()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {multiprocessing.current_process()._identity[0] % (os.cpu_count() or 1)})


if __name__ == "__main__":
    main()
