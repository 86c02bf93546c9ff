"""Writes a reconstruction of a stored scene as a single-image pipeline might hand one back, to try
`scenegen score` on: a USD stage, Y up, in centimetres, in a frame and at a scale of its own (half size,
turned 20 degrees and moved), each object a labelled Cube whose centre is off by up to --jitter-cm, and a
share of the objects (--missed) not found at all.

    python docs/example_reconstruction.py SCENE_FOLDER OUT.usda [--jitter-cm 5] [--missed 0.1] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenegen.engine.usd import USD_LOCK, first_use
from scenegen.render.geometry import turn_about_z
from scenegen.scoring.metrics import Box

Y_UP_CENTIMETRES = np.array([[100.0, 0, 0, 0], [0, 0, 100.0, 0], [0, -100.0, 0, 0], [0, 0, 0, 1]])


def write_cube_stage(
    path: Path, boxes: list[Box], to_stage: np.ndarray, metres_per_unit: float, up: str
) -> Path:
    """Each box as a Cube labelled with its category (SemanticsLabelsAPI's attribute), placed by one matrix:
    `to_stage` (4x4) takes a point of the boxes' frame into the stage's axes and units."""
    with USD_LOCK:
        first_use()
        from pxr import Gf, Sdf, Usd, UsdGeom

        stage = Usd.Stage.CreateNew(str(path))
        UsdGeom.SetStageUpAxis(stage, up)
        UsdGeom.SetStageMetersPerUnit(stage, metres_per_unit)
        for index, box in enumerate(boxes):
            placed = np.eye(4)  # the unit cube, stretched and turned
            placed[:3, :3] = turn_about_z(box.yaw_deg) * np.maximum(box.size, 1e-4)
            placed[:3, 3] = box.center
            cube = UsdGeom.Cube.Define(stage, f"/World/{box.category}_{index}")
            cube.CreateSizeAttr(1.0)
            matrix = (to_stage @ placed).T  # USD matrices act on row vectors
            UsdGeom.Xformable(cube).AddTransformOp().Set(Gf.Matrix4d(matrix.tolist()))
            labels = cube.GetPrim().CreateAttribute("semantics:labels:class", Sdf.ValueTypeNames.TokenArray)
            labels.Set([box.category])
        stage.Save()
    return path


def reconstructed(boxes: list[Box], jitter_m: float, missed: float, rng: np.random.Generator) -> list[Box]:
    kept = []
    for box in boxes:
        if box.category not in ("floor", "wall", "ceiling") and rng.random() < missed:
            continue
        direction = rng.normal(size=3)
        shift = direction / np.linalg.norm(direction) * rng.uniform(0, jitter_m)
        kept.append(Box(box.category, tuple(np.add(box.center, shift)), box.size, box.yaw_deg))
    return kept


def own_frame(scale: float = 0.5, turn_deg: float = 20.0, shift_m: tuple = (3.0, -1.0, 0.2)) -> np.ndarray:
    """The reconstruction's own frame: the room scaled, turned about the up axis and moved."""
    frame = np.eye(4)
    frame[:3, :3] = scale * turn_about_z(turn_deg)
    frame[:3, 3] = shift_m
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scene", type=Path, help="a stored scene's folder (scenes/<id>)")
    parser.add_argument("output", type=Path, help="the stage to write (.usda)")
    parser.add_argument("--jitter-cm", type=float, default=5.0)
    parser.add_argument("--missed", type=float, default=0.1, help="the share of objects left out")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    layout = json.loads((args.scene / "layout.json").read_text())
    boxes = [
        Box(o["category"], tuple(o["center_m"]), tuple(o["size_m"]), o["yaw_deg"]) for o in layout["objects"]
    ]
    found = reconstructed(boxes, args.jitter_cm / 100, args.missed, np.random.default_rng(args.seed))
    write_cube_stage(args.output, found, Y_UP_CENTIMETRES @ own_frame(), 0.01, "Y")
    print(f"{args.output}: {len(found)} of {len(boxes)} objects, Y up, centimetres, a frame of its own")


if __name__ == "__main__":
    main()
