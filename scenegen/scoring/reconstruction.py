"""A reconstruction handed back for scoring, read into boxes: a USD stage (any up axis and metersPerUnit,
meshes or boxes; class labels from UsdSemantics' SemanticsLabelsAPI, from the older Semantics schema's
semanticType/semanticData, or from prim names like `chair_12`) or a JSON file in layout.json's object schema
(other fields of an object are ignored).

A reconstruction's frame is placed in the twin's world by a `Placement`: its axes turned and shifted after its
units are made metres. A stage's up axis is honoured except in the camera frame, whose axes are OpenCV's (x
right, y down, z forward) whatever the stage says; there a JSON box's yaw turns it about the camera's up (-y).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scenegen.engine.usd import USD_LOCK, first_use
from scenegen.errors import InputError
from scenegen.render.geometry import turn_about_z
from scenegen.scoring.metrics import Box

NAMED = re.compile(r"^([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)_\d+$")  # chair_12 -> chair
# A quarter turn about x, (x, y, z) -> (x, -z, y): a Y-up stage's axes made Z up, and a Z-up box's axes
# made the camera's (its up along the camera's -y)
QUARTER_TURN_ABOUT_X = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True)
class Placement:
    """Where a reconstruction's frame sits in the twin's world: world = rotation @ (metres) + translation."""

    rotation: np.ndarray = field(default_factory=lambda: np.eye(3))
    translation: np.ndarray = field(default_factory=lambda: np.zeros(3))
    camera_axes: bool = False  # the camera frame: OpenCV axes, whatever a stage's up axis says


def camera_placement(position_m: list[float], world_from_camera: list[list[float]]) -> Placement:
    return Placement(np.asarray(world_from_camera, float), np.asarray(position_m, float), camera_axes=True)


def reconstruction_format(path: Path) -> str:
    """ "usd" or "json"; InputError for any other file."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".usd", ".usda", ".usdc", ".usdz"):
        return "usd"
    raise InputError(f"{path}: not a reconstruction (a USD stage or a JSON file of layout.json's objects)")


def read_reconstruction(
    path: Path, placement: Placement | None = None, paths: list[str] | None = None
) -> list[Box]:
    """The reconstruction's objects as boxes in metres, Z up, placed by `placement` (default: where they
    are); InputError (one line) for what is not one. `paths` gets each box's prim path (a stage's)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    placement = placement or Placement()
    if reconstruction_format(path) == "json":
        return _checked([_placed_box(box, placement) for box in _json_boxes(path)], path)
    return _checked(_usd_boxes(path, placement, paths if paths is not None else []), path)


def up_turn(path: Path, placement: Placement) -> np.ndarray:
    """What makes a reconstruction's own axes Z up: a quarter turn for a Y-up stage (not in the camera
    frame, whose axes are OpenCV's whatever the stage says), else none."""
    if reconstruction_format(path) == "json" or placement.camera_axes:
        return np.eye(3)
    with USD_LOCK:
        from pxr import Usd, UsdGeom

        stage = Usd.Stage.Open(str(path))
        return QUARTER_TURN_ABOUT_X if UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.y else np.eye(3)


def _placed_box(box: Box, placement: Placement) -> Box:
    if not placement.camera_axes and np.allclose(placement.rotation, np.eye(3)):
        return Box(box.category, tuple(np.add(box.center, placement.translation)), box.size, box.yaw_deg)
    turn = turn_about_z(box.yaw_deg)
    if placement.camera_axes:  # its own z (up) is the camera's -y, its y the camera's z
        turn = QUARTER_TURN_ABOUT_X @ turn
    edges = (turn * np.asarray(box.size)).T  # its three edges, as rows
    origin = np.asarray(box.center) - edges.sum(axis=0) / 2
    corners = np.vstack([origin, origin + edges])
    return _box_from_corners(box.category, corners @ placement.rotation.T + placement.translation)


def layout_boxes(objects: list[dict]) -> list[Box]:
    """Boxes of objects in layout.json's schema (KeyError, TypeError or ValueError for what is not)."""
    return [
        Box(
            str(o["category"]),
            tuple(map(float, o["center_m"])),
            tuple(map(float, o["size_m"])),
            float(o.get("yaw_deg", 0.0)),
        )
        for o in objects
    ]


def _json_boxes(path: Path) -> list[Box]:
    try:
        return layout_boxes(json.loads(path.read_text(encoding="utf-8"))["objects"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not layout.json's object schema ({exc})") from exc


def _usd_boxes(path: Path, placement: Placement, paths: list[str]) -> list[Box]:
    with USD_LOCK:
        first_use()
        from pxr import Usd, UsdGeom

        try:
            stage = Usd.Stage.Open(str(path))
        except Exception:  # pxr.Tf.ErrorException, with a multi-line C++ message
            stage = None
        if stage is None:
            raise InputError(f"{path}: not a USD stage")
        metres = UsdGeom.GetStageMetersPerUnit(stage)
        y_up = UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.y and not placement.camera_axes
        turn = placement.rotation @ (QUARTER_TURN_ABOUT_X if y_up else np.eye(3)) * metres
        cache = UsdGeom.BBoxCache(Usd.TimeCode.Default(), [UsdGeom.Tokens.default_, UsdGeom.Tokens.render])
        boxes = []
        prims = iter(Usd.PrimRange(stage.GetPseudoRoot()))
        for prim in prims:
            category = _category(prim)
            if category is None:
                continue
            prims.PruneChildren()  # an object's parts are the object
            bound = cache.ComputeWorldBound(prim)
            if bound.GetRange().IsEmpty():
                continue
            boxes.append(_box(category, bound, turn, placement.translation))
            paths.append(str(prim.GetPath()))
    return boxes


def _category(prim) -> str | None:
    from pxr import UsdGeom

    labels = prim.GetAttribute("semantics:labels:class")
    if labels and labels.Get():
        return str(labels.Get()[0])
    for attribute in prim.GetAttributes():  # the older Semantics schema: semantic:<name>:params:...
        name = attribute.GetName()
        if (
            name.startswith("semantic:")
            and name.endswith(":params:semanticType")
            and attribute.Get() == "class"
        ):
            data = prim.GetAttribute(name.replace("semanticType", "semanticData")).Get()
            if data:
                return str(data)
    if prim.IsA(UsdGeom.Gprim) or prim.GetTypeName() == "Xform":
        found = NAMED.match(prim.GetName())
        if found and prim.GetParent() and not _category_of_ancestor(prim):
            return found.group(1)
    return None


def _category_of_ancestor(prim) -> bool:
    parent = prim.GetParent()
    while parent and not parent.IsPseudoRoot():
        if NAMED.match(parent.GetName()):
            return True
        parent = parent.GetParent()
    return False


def _box(category: str, bound, turn: np.ndarray, shift: np.ndarray) -> Box:
    """An oriented box from a USD bound (a range in its own frame and the matrix to the stage's world)."""
    box_range, matrix = bound.GetRange(), np.array(bound.GetMatrix())
    low, high = np.array(box_range.GetMin()), np.array(box_range.GetMax())
    corner = np.array([low, [high[0], low[1], low[2]], [low[0], high[1], low[2]], [low[0], low[1], high[2]]])
    world = (np.c_[corner, np.ones(4)] @ matrix)[:, :3] @ turn.T + shift  # USD matrices act on rows
    return _box_from_corners(category, world)


def _box_from_corners(category: str, world: np.ndarray) -> Box:
    """The upright box of a corner and its three neighbours (4, 3), in the twin's world."""
    origin, edges = world[0], world[1:] - world[0]
    lengths = np.linalg.norm(edges, axis=1)
    leaning = np.abs(edges[:, 2]) / np.maximum(lengths, 1e-12)
    # the edge along Z; a flat box (a floor) has none, and its missing edge is its height
    upright = int(np.argmax(leaning)) if leaning.max() > 0.5 else int(np.argmin(lengths))
    flat = [edge for k, edge in enumerate(edges) if k != upright]
    size = (
        float(np.linalg.norm(flat[0])),
        float(np.linalg.norm(flat[1])),
        float(np.linalg.norm(edges[upright])),
    )
    centre = origin + edges.sum(axis=0) / 2
    yaw = math.degrees(math.atan2(flat[0][1], flat[0][0]))
    return Box(category, tuple(float(v) for v in centre), size, yaw)


def _checked(boxes: list[Box], path: Path) -> list[Box]:
    if not boxes:
        raise InputError(f"{path}: no labelled objects")
    sizes = np.array([box.size for box in boxes])
    if not np.isfinite(sizes).all() or sizes.max() > 500 or np.median(sizes.max(axis=1)) < 1e-3:
        raise InputError(f"{path}: object sizes make no sense in metres (check metersPerUnit)")
    return boxes
