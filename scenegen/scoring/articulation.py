"""How well a reconstruction got a room's moving parts: its joints (UsdPhysics joints of a stage, or `joints`
in layout.json's schema) against the twin's, over the objects the two have matched.

On each matched pair of objects their joints are paired one to one (Hungarian, on the angle between their
axes and the distance between them, within a gate). Then: detection precision and recall over the matched
objects' joints, the share of pairs of the same type, the mean angle between axes (an axis is a line: its
direction's sign is not held against it), the mean distance between a pair of hinges' axis lines, and the
mean error of the range, as a share of the twin's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from scenegen.engine.usd import USD_LOCK, first_use
from scenegen.errors import InputError

GATE_DEG, GATE_M = 30.0, 0.3  # a pair of joints further apart than this is two different joints
ANGLE_SCALE_DEG, DISTANCE_SCALE_M = 10.0, 0.1  # what makes one degree and one centimetre of cost compare
UNPAIRED = 1e6  # the cost of a pair outside the gate, which is never kept


@dataclass(frozen=True)
class ObjectJoint:
    """A joint of an object, in the twin's world: its type, axis (unit), a point on it (a slide's: its part's
    centre), and its range (degrees or metres)."""

    owner: int  # the index of its object among the room's (or the reconstruction's) boxes
    kind: str  # "revolute" or "prismatic"
    axis: np.ndarray
    origin: np.ndarray
    range: float


def layout_joints(document: dict) -> list[ObjectJoint]:
    """layout.json's joints (its `objects` give each joint's object by id; KeyError, ValueError or
    TypeError for what is not the schema)."""
    index = {int(entry["id"]): k for k, entry in enumerate(document["objects"]) if "id" in entry}
    joints = []
    for joint in document.get("joints", []):
        axis = np.asarray(joint["axis"], float)
        joints.append(
            ObjectJoint(
                index[int(joint["object_id"])],
                str(joint["type"]),
                axis / np.linalg.norm(axis),
                np.asarray(joint["origin_m"], float),
                float(joint["upper"]) - float(joint.get("lower", 0.0)),
            )
        )
    return joints


def read_joints(path: Path, owners: list[str], up_turn: np.ndarray) -> list[ObjectJoint]:
    """A reconstruction's joints in its own frame, in metres: `joints` of a JSON file, or a stage's revolute
    and prismatic joints, each given to the object its moving body is under (`owners`: the labelled prims'
    paths, in the order of the reconstruction's boxes), turned by `up_turn` (a Y-up stage's axes made Z
    up)."""
    if path.suffix.lower() == ".json":
        try:
            return layout_joints(json.loads(path.read_text(encoding="utf-8")))
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"{path}: its joints are not layout.json's joint schema ({exc})") from None
    index = {owner: k for k, owner in enumerate(owners)}
    with USD_LOCK:
        first_use()
        from pxr import Usd, UsdGeom, UsdPhysics

        stage = Usd.Stage.Open(str(path))
        metres = UsdGeom.GetStageMetersPerUnit(stage)
        cache = UsdGeom.XformCache()
        joints = []
        for prim in stage.Traverse():
            revolute = prim.IsA(UsdPhysics.RevoluteJoint)
            if not (revolute or prim.IsA(UsdPhysics.PrismaticJoint)):
                continue
            owner = _owner(prim, index)
            typed = UsdPhysics.RevoluteJoint(prim) if revolute else UsdPhysics.PrismaticJoint(prim)
            joint = UsdPhysics.Joint(prim)
            targets = joint.GetBody0Rel().GetTargets()
            frame = np.eye(4)
            if targets:
                frame = np.array(cache.GetLocalToWorldTransform(stage.GetPrimAtPath(targets[0])), float)
            turn = _rotation(joint.GetLocalRot0Attr().Get())
            local_axis = turn[:, "XYZ".index(typed.GetAxisAttr().Get())]
            axis = local_axis @ frame[:3, :3]  # USD's matrices act on rows
            origin = np.array(joint.GetLocalPos0Attr().Get(), float) @ frame[:3, :3] + frame[3, :3]
            lower, upper = typed.GetLowerLimitAttr().Get(), typed.GetUpperLimitAttr().Get()
            span = float(upper) - float(lower) if lower is not None and upper is not None else 0.0
            if owner is None:
                continue
            kind = "revolute" if revolute else "prismatic"
            axis = up_turn @ (axis / np.linalg.norm(axis))
            reach = span * (1.0 if revolute else metres)
            joints.append(ObjectJoint(owner, kind, axis, up_turn @ origin * metres, reach))
        return joints


def _owner(prim, owners: dict[str, int]) -> int | None:
    """The object a joint moves: its body1's (or its own) nearest labelled ancestor."""
    from pxr import UsdPhysics

    targets = UsdPhysics.Joint(prim).GetBody1Rel().GetTargets()
    path = str(targets[0]) if targets else str(prim.GetPath())
    while path not in owners and path.count("/") > 1:
        path = path.rsplit("/", 1)[0]
    return owners.get(path)


def moved(
    joints: list[ObjectJoint], rotation: np.ndarray, shift: np.ndarray, scale: float = 1.0
) -> list[ObjectJoint]:
    """The joints taken into another frame: p -> scale * rotation @ p + shift (a slide's range scaled too)."""
    return [
        ObjectJoint(
            joint.owner,
            joint.kind,
            rotation @ joint.axis,
            scale * rotation @ joint.origin + shift,
            joint.range * (scale if joint.kind == "prismatic" else 1.0),
        )
        for joint in joints
    ]


def articulation_scores(
    twin: list[ObjectJoint], found: list[ObjectJoint], pairs: list[tuple[int, int, float]]
) -> dict[str, float | int | None]:
    """The articulation of a score document, over the matched objects (`pairs`: twin index, reconstruction
    index, IoU)."""
    partner = {i: j for i, j, _ in pairs}
    counted_twin = [t for t in twin if t.owner in partner]
    counted_found = [f for f in found if f.owner in set(partner.values())]
    matched: list[tuple[ObjectJoint, ObjectJoint]] = []
    for i, j in partner.items():
        ours = [t for t in counted_twin if t.owner == i]
        theirs = [f for f in counted_found if f.owner == j]
        if not ours or not theirs:
            continue
        cost = np.array([[_cost(a, b) for b in theirs] for a in ours])
        gated = np.where(np.isfinite(cost), cost, UNPAIRED)  # the assignment needs finite costs
        for a, b in zip(*linear_sum_assignment(gated), strict=True):
            if np.isfinite(cost[a, b]):
                matched.append((ours[a], theirs[b]))
    same = [(a, b) for a, b in matched if a.kind == b.kind]
    hinges = [(a, b) for a, b in same if a.kind == "revolute"]
    ranged = [(a, b) for a, b in same if a.range > 0]
    return {
        "twin_joints": len(counted_twin),
        "matched": len(matched),
        "precision": _share(len(matched), len(counted_found)),
        "recall": _share(len(matched), len(counted_twin)),
        "type_accuracy": _share(len(same), len(matched)),
        "axis_error_deg": _mean([_angle(a.axis, b.axis) for a, b in matched], 2),
        "axis_position_error_cm": _mean([100 * _line_distance(a, b) for a, b in hinges], 2),
        "range_error_pct": _mean([100 * abs(b.range - a.range) / a.range for a, b in ranged], 1),
    }


def _cost(a: ObjectJoint, b: ObjectJoint) -> float:
    angle = _angle(a.axis, b.axis)
    distance = (
        _line_distance(a, b) if a.kind == b.kind == "revolute" else float(np.linalg.norm(a.origin - b.origin))
    )
    if angle > GATE_DEG or distance > GATE_M:
        return np.inf
    return angle / ANGLE_SCALE_DEG + distance / DISTANCE_SCALE_M


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    """Between two axes as lines (0-90 degrees)."""
    return math.degrees(math.acos(min(1.0, abs(float(u @ v)))))


def _line_distance(a: ObjectJoint, b: ObjectJoint) -> float:
    """The distance between two axis lines (skew: along their common normal; parallel: between them)."""
    between = b.origin - a.origin
    normal = np.cross(a.axis, b.axis)
    if np.linalg.norm(normal) < 1e-6:
        return float(np.linalg.norm(between - (between @ a.axis) * a.axis))
    return float(abs(between @ normal) / np.linalg.norm(normal))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: list[float], digits: int) -> float | None:
    return round(float(np.mean(values)), digits) if values else None


def _rotation(quaternion) -> np.ndarray:
    from scipy.spatial.transform import Rotation

    if quaternion is None:
        return np.eye(3)
    imaginary = quaternion.GetImaginary()
    return Rotation.from_quat([imaginary[0], imaginary[1], imaginary[2], quaternion.GetReal()]).as_matrix()
