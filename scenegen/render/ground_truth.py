"""The ground truth of a procedural scene, beside its image: depth, instances, layout, a USD stage.

Formats (the interface contract, DESIGN.md section 2):
- depth.png: 16-bit grey, millimetres along the optical axis, 0 where nothing is hit, the image's pixel grid;
- instances.png: 16-bit grey, the id of the object seen at each pixel (0: nothing), as in layout.json;
- normals.png: 8-bit RGB, the camera-frame unit normal n seen at each pixel as round((n + 1) / 2 * 255),
  (0, 0, 0) where nothing is hit;
- semantic.png: 16-bit grey, the category id of each pixel (0: nothing), legend in layout.json's categories;
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
from scenegen.storage import DEPTH, GROUND_TRUTH, INSTANCES, LAYOUT, NORMALS, SEMANTIC, STAGE
from scenegen.usd import USD_LOCK, first_use

APERTURE_MM = 20.955  # USD's default horizontal aperture; only its ratio to the focal length matters


def write_ground_truth(rendering: Rendering, folder: Path, stem: str) -> dict[str, Path]:
    """Write the ground-truth files as `{stem}.{name}` in `folder`, each whole or not at all; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{stem}.{name}" for name in GROUND_TRUTH}
    layout = layout_document(rendering)
    category_ids = {name: int(key) for key, name in layout["categories"].items()}
    by_instance = np.zeros(max(t.id for t in rendering.things) + 1, np.uint16)
    for thing in rendering.things:
        by_instance[thing.id] = category_ids[thing.category]
    _write(paths[DEPTH], lambda path: _save_16_bit(rendering.depth_mm, path))
    _write(paths[INSTANCES], lambda path: _save_16_bit(rendering.instances, path))
    _write(paths[NORMALS], lambda path: _save_png(Image.fromarray(rendering.normals, "RGB"), path))
    _write(paths[SEMANTIC], lambda path: _save_16_bit(by_instance[rendering.instances], path))
    _write(paths[LAYOUT], lambda path: path.write_text(json.dumps(layout, indent=1), encoding="utf-8"))
    _write(paths[STAGE], lambda path: write_stage(layout, rendering.things, rendering.camera, path))
    return paths


def _write(target: Path, write) -> None:
    partial = target.with_name(target.name + ".part")
    write(partial)
    os.replace(partial, target)


def _save_16_bit(values: np.ndarray, path: Path) -> None:
    _save_png(Image.fromarray(np.ascontiguousarray(values, np.uint16)), path)


def _save_png(image: Image.Image, path: Path) -> None:
    image.save(path, format="PNG", compress_level=1)


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
        # semantic.png's legend: category ids in name order, 0 for nothing
        "categories": {
            str(number): name
            for number, name in enumerate(sorted({t.category for t in rendering.things}), start=1)
        },
    }


def write_stage(layout: dict[str, Any], things: list[Thing], camera: Camera, path: Path) -> None:
    """scene.usda: /World/Objects/<category>_<id>, each an Xform at its box's centre turned by its yaw,
    labelled with its category, holding its box (a guide Cube scaled to its size) and its parts (a Mesh);
    and /World/Camera. Authored on the layer directly (Sdf), in one change block: the stage-level API
    takes seconds for a few hundred objects. Under scenegen.usd's lock, whichever thread calls it."""
    with USD_LOCK:
        first_use()
        from pxr import Sdf  # a heavy import, needed only here

        layer = Sdf.Layer.CreateAnonymous(".usda")
        with Sdf.ChangeBlock():
            layer.pseudoRoot.SetInfo("upAxis", "Z")
            layer.pseudoRoot.SetInfo("metersPerUnit", 1.0)
            layer.defaultPrim = "World"
            world = Sdf.PrimSpec(layer, "World", Sdf.SpecifierDef, "Xform")
            objects = Sdf.PrimSpec(world, "Objects", Sdf.SpecifierDef, "Scope")
            by_id = {thing.id: thing for thing in things}
            for entry in layout["objects"]:
                _object(objects, entry, by_id[entry["id"]])
            _camera(world, camera)
        text = layer.ExportToString()
    path.write_text(text, encoding="utf-8")


def _attribute(prim, name: str, kind, value, *, uniform: bool = False, custom: bool = False):
    from pxr import Sdf

    variability = Sdf.VariabilityUniform if uniform else Sdf.VariabilityVarying
    spec = Sdf.AttributeSpec(prim, name, kind, variability, custom)
    spec.default = value
    return spec


def _object(parent, entry: dict[str, Any], thing: Thing) -> None:
    from pxr import Gf, Sdf, Vt

    names = Sdf.ValueTypeNames
    prim = Sdf.PrimSpec(parent, f"{entry['category']}_{entry['id']}", Sdf.SpecifierDef, "Xform")
    prim.SetInfo("apiSchemas", Sdf.TokenListOp.Create(prependedItems=["SemanticsLabelsAPI:class"]))
    _attribute(prim, "semantics:labels:class", names.TokenArray, Vt.TokenArray([entry["category"]]))
    _attribute(prim, "scenegen:id", names.Int, entry["id"], custom=True)
    _attribute(prim, "scenegen:fixture", names.String, entry["fixture"] or "", custom=True)
    _attribute(prim, "xformOp:translate", names.Double3, Gf.Vec3d(*entry["center_m"]))
    _attribute(prim, "xformOp:rotateZ", names.Float, float(entry["yaw_deg"]))
    _attribute(
        prim,
        "xformOpOrder",
        names.TokenArray,
        Vt.TokenArray(["xformOp:translate", "xformOp:rotateZ"]),
        uniform=True,
    )

    bounds = Sdf.PrimSpec(prim, "bounds", Sdf.SpecifierDef, "Cube")
    _attribute(bounds, "size", names.Double, 1.0)
    _attribute(bounds, "purpose", names.Token, "guide", uniform=True)
    _attribute(
        bounds, "xformOp:scale", names.Float3, Gf.Vec3f(*(max(value, 1e-4) for value in entry["size_m"]))
    )
    _attribute(bounds, "xformOpOrder", names.TokenArray, Vt.TokenArray(["xformOp:scale"]), uniform=True)

    lo, hi = thing.bounds()
    centre = (lo + hi) / 2
    low = np.array([part.lo for part in thing.parts]) - centre
    high = np.array([part.hi for part in thing.parts]) - centre
    pick = np.array([[x, y, z] for z in (0, 1) for y in (0, 1) for x in (0, 1)], bool)  # the 8 corners
    points = np.where(pick[None, :, :], high[:, None, :], low[:, None, :]).reshape(-1, 3)
    quads = np.array([(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)])
    indices = (quads[None, :, :] + 8 * np.arange(len(thing.parts))[:, None, None]).reshape(-1)
    colours = np.repeat(np.array([part.color for part in thing.parts], np.float32) / 255, 6, axis=0)
    mesh = Sdf.PrimSpec(prim, "geometry", Sdf.SpecifierDef, "Mesh")
    _attribute(mesh, "points", names.Point3fArray, Vt.Vec3fArray.FromNumpy(points.astype(np.float32)))
    _attribute(
        mesh,
        "faceVertexCounts",
        names.IntArray,
        Vt.IntArray.FromNumpy(np.full(len(indices) // 4, 4, np.int32)),
    )
    _attribute(mesh, "faceVertexIndices", names.IntArray, Vt.IntArray.FromNumpy(indices.astype(np.int32)))
    colour = _attribute(mesh, "primvars:displayColor", names.Color3fArray, Vt.Vec3fArray.FromNumpy(colours))
    colour.SetInfo("interpolation", "uniform")


def _camera(world, camera: Camera) -> None:
    """OpenCV axes (x right, y down, z forward) to USD's (x right, y up, looking down -z)."""
    from pxr import Gf, Sdf, Vt

    names = Sdf.ValueTypeNames
    prim = Sdf.PrimSpec(world, "Camera", Sdf.SpecifierDef, "Camera")
    _attribute(prim, "projection", names.Token, "perspective")
    _attribute(prim, "horizontalAperture", names.Float, APERTURE_MM)
    _attribute(prim, "verticalAperture", names.Float, APERTURE_MM * camera.height / camera.width)
    _attribute(prim, "focalLength", names.Float, camera.fx * APERTURE_MM / camera.width)
    _attribute(
        prim,
        "horizontalApertureOffset",
        names.Float,
        (camera.cx - camera.width / 2) * APERTURE_MM / camera.width,
    )
    _attribute(
        prim,
        "verticalApertureOffset",
        names.Float,
        -(camera.cy - camera.height / 2) * APERTURE_MM / camera.width,
    )
    _attribute(prim, "clippingRange", names.Float2, Gf.Vec2f(0.05, 1000.0))
    rotation = np.asarray(camera.world_from_camera) @ np.diag([1.0, -1.0, -1.0])
    matrix = np.eye(4)
    matrix[:3, :3] = rotation.T  # USD matrices act on row vectors
    matrix[3, :3] = camera.position_m
    _attribute(prim, "xformOp:transform", names.Matrix4d, Gf.Matrix4d(matrix.tolist()))
    _attribute(prim, "xformOpOrder", names.TokenArray, Vt.TokenArray(["xformOp:transform"]), uniform=True)
    for name, value in (("fx", camera.fx), ("fy", camera.fy), ("cx", camera.cx), ("cy", camera.cy)):
        _attribute(prim, f"scenegen:{name}", names.Double, value, custom=True)
    fov = math.degrees(2 * math.atan(camera.width / 2 / camera.fx))
    _attribute(prim, "scenegen:horizontalFovDeg", names.Double, fov, custom=True)
