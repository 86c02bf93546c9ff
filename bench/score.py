"""The scorer's speed and how its figures answer to error: a room of about 600 objects scored on one core, and
reconstructions of a procedural room with every object's centre jittered by growing amounts.

    python bench/score.py [--objects 600] [--repeats 3]

Prints the seconds to score the large room against itself in an unknown frame (read, align, match,
Chamfer; target <= 2 s), then a table of the figures at 0, 2, 5, 10 and 20 cm of jitter (each object moved
that far in a random direction and turned by up to 3 degrees; the twin's world frame).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenegen.backends.local.folder import LocalSceneStorage
from scenegen.scoring.metrics import Box
from scenegen.scoring.scorecard import KnownRoom, known_room, score
from tests.helpers import stored_scene

TARGET_SECONDS = 2.0
JITTER_CM = (0, 2, 5, 10, 20)


def large_room(base: KnownRoom, objects: int) -> KnownRoom:
    """Copies of a warehouse's objects side by side along x, room after room, until there are `objects`."""
    boxes, pixels = [], []
    width = max(box.center[0] + box.size[0] / 2 for box in base.boxes) + 1.0
    copy = 0
    while len(boxes) < objects:
        for box, seen in zip(base.boxes, base.pixels, strict=True):
            centre = (box.center[0] + copy * width, box.center[1], box.center[2])
            boxes.append(Box(box.category, centre, box.size, box.yaw_deg))
            pixels.append(seen)
        copy += 1
    return KnownRoom(base.scene_id, base.archetype, boxes[:objects], pixels[:objects], base.camera)


def as_json(boxes: list[Box], path: Path) -> Path:
    objects = [
        {"category": b.category, "center_m": list(b.center), "size_m": list(b.size), "yaw_deg": b.yaw_deg}
        for b in boxes
    ]
    path.write_text(json.dumps({"objects": objects}))
    return path


def jittered(boxes: list[Box], metres: float, rng: np.random.Generator) -> list[Box]:
    moved = []
    for box in boxes:
        direction = rng.normal(size=3)
        shift = direction / np.linalg.norm(direction) * metres
        turn = rng.uniform(-3, 3) if metres else 0.0
        moved.append(Box(box.category, tuple(np.add(box.center, shift)), box.size, box.yaw_deg + turn))
    return moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    folder = Path(tempfile.mkdtemp(prefix="scenegen-bench-score-"))
    storage = LocalSceneStorage(folder)
    warehouse = known_room(storage, stored_scene(folder, "warehouse", 4))
    big = large_room(warehouse, args.objects)
    reconstruction = as_json(big.boxes, folder / "large.json")
    seconds = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        document = score(big, reconstruction, reconstruction.as_uri(), "unknown")
        seconds.append(time.perf_counter() - started)
    assert document["at_iou"]["0.5"]["f1"] == 1.0, document["at_iou"]
    median = statistics.median(seconds)
    verdict = "within" if median <= TARGET_SECONDS else "OVER"
    print(
        f"score a {len(big.boxes)}-object room (unknown frame, itself): median {median:.2f} s over "
        f"{args.repeats}, 1 core: {verdict} the {TARGET_SECONDS:.0f} s target"
    )

    office = known_room(storage, stored_scene(folder, "office", 5))
    rng = np.random.default_rng(2026)
    print(
        f"\njitter on {office.scene_id} ({len(office.boxes)} objects, each moved that far, turned <= 3 deg)"
    )
    print("jitter  F1@0.25  F1@0.5  centre cm  size %  yaw deg  Chamfer cm  F@5cm")
    for centimetres in JITTER_CM:
        path = as_json(jittered(office.boxes, centimetres / 100, rng), folder / f"jitter-{centimetres}.json")
        row = score(office, path, path.as_uri(), "world")
        at = row["at_iou"]
        print(
            f"{centimetres:4d} cm  {at['0.25']['f1']:7.3f} {at['0.5']['f1']:7.3f} "
            f"{row['centre_error_cm']:10.1f} {row['size_error_pct']:7.1f} {row['yaw_error_deg']:8.1f} "
            f"{row['chamfer_m'] * 100:11.1f} {row['fscore_5cm']:6.3f}"
        )


if __name__ == "__main__":
    main()
