"""Render time of the procedural backend, per archetype, on one core: the image and its ground truth.

    python bench/render_speed.py [--repeats 3]

Prints the median seconds per scene (render, the image's PNG, depth, instances, layout.json and scene.usda
written, as the backend stages them) for each archetype and over all of them, against the 1.2 s target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from scenegen.backends.local.procedural import MODEL, draw_scene
from scenegen.catalogue import load_archetype_config
from scenegen.engine.memory import keep_large_buffers
from scenegen.planning.prompts import LocalPromptWriter

TARGET_SECONDS = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="specs rendered per archetype")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    keep_large_buffers()  # as a worker process's heap is set
    config = load_archetype_config()
    slots = [name for name in config.names for _ in range(args.repeats)]
    specs = LocalPromptWriter(config, MODEL).write(slots, [], seed=2026).specs
    times: dict[str, list[float]] = {name: [] for name in config.names}
    with tempfile.TemporaryDirectory() as folder:
        for spec in specs:
            started = time.perf_counter()
            draw_scene(spec, Path(folder) / f"{spec.scene_id}.png")
            times[spec.archetype].append(time.perf_counter() - started)
    print(f"{'archetype':<14} median s  max s   ({args.repeats} scenes each, 2752x1536 + truth, 1 core)")
    for name, seconds in times.items():
        print(f"{name:<14} {statistics.median(seconds):8.3f} {max(seconds):6.3f}")
    overall = statistics.median([s for seconds in times.values() for s in seconds])
    verdict = "within" if overall <= TARGET_SECONDS else "OVER"
    print(f"overall median {overall:.3f} s per scene: {verdict} the {TARGET_SECONDS} s target")


if __name__ == "__main__":
    main()
