"""The ground truth of a procedural scene, as files beside its image: depth, instances, layout and a USD stage.

Formats (the interface contract, DESIGN.md section 2):
- depth.png: 16-bit grey, millimetres along the optical axis, 0 where nothing is hit, the image's pixel grid;
- instances.png: 16-bit grey, the id of the object seen at each pixel (0: nothing), as in layout.json;
- layout.json: the room and every object with its oriented box (metres, the world frame of scene.json's
  camera pose, z up);
- scene.usda: the same room and objects as a USD stage (metres, Z up), each object labelled with its
  category, and the camera with the same intrinsics and pose.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from scenegen.models import Camera
from scenegen.render.geometry import Thing
from scenegen.render.procedural import Rendering
from scenegen.storage import DEPTH, GROUND_TRUTH, INSTANCES, LAYOUT, STAGE
APERTURE_MM = 20.955  # USD's default horizontal aperture; only its ratio to the focal length matters


def write_ground_truth(rendering: Rendering, folder: Path, stem: str) -> dict[str, Path]:
    """Write the four files as `{stem}.{name}` in `folder`, each whole or not at all; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{stem}.{name}" for name in GROUND_TRUTH}
    layout = layout_document(rendering)
    _write(paths[DEPTH], lambda path: _save_16_bit(rendering.depth_mm, path))
    _write(paths[INSTANCES], lambda path: _save_16_bit(rendering.instances, path))
    _write(paths[LAYOUT], lambda path: path.write_text(json.dumps(layout, indent=1), encoding="utf-8"))
    _write(paths[STAGE], lambda path: write_stage(layout, rendering.things, rendering.camera, path))
    return paths


def _write(target: Path, write) -> None:
    partial = target.with_name(target.name + ".part")
    write(partial)
    os.replace(partial, target)


def _save_16_bit(values: np.ndarray, path: Path) -> None:
    Image.fromarray(np.ascontiguousarray(values, np.uint16)).save(path, format="PNG", compress_level=1)


def layout_document(rendering: Rendering) -> dict[str, Any]:
    pixels = np.bincount(rendering.instances.reshape(-1), minlength=len(rendering.things) + 1)
    objects = []
    for thing in rendering.things:
        centre, size, yaw = thing.oriented_box()
        objects.append(
            {
                "id": thing.id,
                "category": thing.category,
                "fixture": thing.fixture,
                "center_m": [round(value, 4) for value in centre],
                "size_m": [round(value, 4) for value in size],
                "yaw_deg": round(yaw, 3),
                "pixels": int(pixels[thing.id]) if thing.id < len(pixels) else 0,
            }
        )
    width, depth, height = rendering.room_size_m
    return {
        "units": "metres",
        "up_axis": "z",
        "frame": "the world frame of scene.json's camera pose; the room spans [0, size_m]",
        "room": {
            "size_m": [width, depth, height],
            "floor_id": rendering.surfaces["floor"][0],
            "ceiling_id": rendering.surfaces["ceiling"][0],
            "wall_ids": rendering.surfaces["wall"],
        },
        "objects": objects,
    }


def write_stage(layout: dict[str, Any], things: list[Thing], camera: Camera, path: Path) -> None:
    """scene.usda: /World/Room and /World/Objects/<category>_<id>, each an Xform at its box's centre turned by
    its yaw, holding the box (a guide Cube scaled to its size) and its parts (a Mesh); /World/Camera."""
    from pxr import Gf, Sdf, Usd, UsdGeom, UsdSemantics, Vt  # a heavy import, needed only here

    stage = Usd.Stage.CreateInMemory()
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    world = UsdGeom.Xform.Define(stage, "/World")
    stage.SetDefaultPrim(world.GetPrim())
    UsdGeom.Scope.Define(stage, "/World/Objects")
    by_id = {thing.id: thing for thing in things}
    for entry in layout["objects"]:
        thing = by_id[entry["id"]]
        prim_path = f"/World/Objects/{entry['category']}_{entry['id']}"
        holder = UsdGeom.Xform.Define(stage, prim_path)
        holder.AddTranslateOp().Set(Gf.Vec3d(*entry["center_m"]))
        holder.AddRotateZOp().Set(float(entry["yaw_deg"]))
        prim = holder.GetPrim()
        labels = UsdSemantics.LabelsAPI.Apply(prim, "class")
        labels.CreateLabelsAttr().Set(Vt.TokenArray([entry["category"]]))
        prim.CreateAttribute("scenegen:id", Sdf.ValueTypeNames.Int).Set(entry["id"])
        prim.CreateAttribute("scenegen:fixture", Sdf.ValueTypeNames.String).Set(entry["fixture"] or "")
        box = UsdGeom.Cube.Define(stage, f"{prim_path}/bounds")
        box.CreateSizeAttr(1.0)
        box.CreatePurposeAttr(UsdGeom.Tokens.guide)
        box.AddScaleOp().Set(Gf.Vec3f(*(max(value, 1e-4) for value in entry["size_m"])))
        _parts_mesh(stage, f"{prim_path}/geometry", thing, entry)
    _camera(stage, camera)
    path.write_text(stage.GetRootLayer().ExportToString(), encoding="utf-8")


def _parts_mesh(stage, prim_path: str, thing: Thing, entry: dict[str, Any]) -> None:
    """The thing's boxes as one mesh, in the frame of its oriented box (centre at the origin, unturned)."""
    from pxr import Gf, UsdGeom, Vt

    lo, hi = thing.bounds()
    centre = (lo + hi) / 2
    points, counts, indices, colours = [], [], [], []
    for part in thing.parts:
        a, b = np.asarray(part.lo) - centre, np.asarray(part.hi) - centre
        base = len(points)
        points += [(x, y, z) for z in (a[2], b[2]) for y in (a[1], b[1]) for x in (a[0], b[0])]
        for quad in ((0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)):
            counts.append(4)
            indices += [base + corner for corner in quad]
        colours.append(tuple(channel / 255 for channel in part.color))
    mesh = UsdGeom.Mesh.Define(stage, prim_path)
    mesh.CreatePointsAttr(Vt.Vec3fArray([Gf.Vec3f(*point) for point in points]))
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray(counts))
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray(indices))
    colour = mesh.CreateDisplayColorPrimvar(UsdGeom.Tokens.uniform)
    colour.Set(Vt.Vec3fArray([Gf.Vec3f(*c) for c in colours for _ in range(6)]))


def _camera(stage, camera: Camera) -> None:
    """OpenCV axes (x right, y down, z forward) to USD's (x right, y up, looking down -z)."""
    from pxr import Gf, UsdGeom

    usd = UsdGeom.Camera.Define(stage, "/World/Camera")
    usd.CreateProjectionAttr(UsdGeom.Tokens.perspective)
    usd.CreateHorizontalApertureAttr(APERTURE_MM)
    usd.CreateVerticalApertureAttr(APERTURE_MM * camera.height / camera.width)
    usd.CreateFocalLengthAttr(camera.fx * APERTURE_MM / camera.width)
    usd.CreateHorizontalApertureOffsetAttr((camera.cx - camera.width / 2) * APERTURE_MM / camera.width)
    usd.CreateVerticalApertureOffsetAttr(-(camera.cy - camera.height / 2) * APERTURE_MM / camera.width)
    usd.CreateClippingRangeAttr(Gf.Vec2f(0.05, 1000.0))
    rotation = np.asarray(camera.world_from_camera) @ np.diag([1.0, -1.0, -1.0])
    matrix = np.eye(4)
    matrix[:3, :3] = rotation.T  # USD matrices act on row vectors
    matrix[3, :3] = camera.position_m
    usd.AddTransformOp().Set(Gf.Matrix4d(matrix.tolist()))
    prim = usd.GetPrim()
    for name, value in (("fx", camera.fx), ("fy", camera.fy), ("cx", camera.cx), ("cy", camera.cy)):
        prim.CreateAttribute(f"scenegen:{name}", _double()).Set(value)
    prim.CreateAttribute("scenegen:horizontalFovDeg", _double()).Set(
        math.degrees(2 * math.atan(camera.width / 2 / camera.fx))
    )


def _double():
    from pxr import Sdf

    return Sdf.ValueTypeNames.Double
