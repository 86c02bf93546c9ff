"""The ground truth of a procedural scene, beside its image: depth, instances, layout, a USD stage.

Formats (the interface contract, DESIGN.md section 2):
- depth.png: 16-bit grey, millimetres along the optical axis, 0 where nothing is hit, the image's pixel grid;
- instances.png: 16-bit grey, the id of the object seen at each pixel (0: nothing), as in layout.json;
- normals.png: 8-bit RGB, the camera-frame unit normal n seen at each pixel as round((n + 1) / 2 * 255),
  (0, 0, 0) where nothing is hit;
- semantic.png: 16-bit grey, the category id of each pixel (0: nothing), legend in layout.json's categories;
- parts.png: 16-bit grey, the id of the joint whose moving part is seen at each pixel (0: none), as in
  layout.json's joints;
- layout.json: the room and every object with its oriented box (metres, the world frame of scene.json's
  camera pose, z up), and every joint: its type, axis, a point on it, limits, the pose shown and the moving
  part's box when closed;
- scene.usda: the same room and objects as a USD stage (metres, Z up), each object labelled with its
  category, and the camera with the same intrinsics and pose (and each further view's).

A scene of several views has the maps of each view (VIEW_MAPS) in the view's folder; layout.json and the
stage are the room's, once, and layout.json's objects say the views each is seen in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from scenegen.render.faces import joint_ids
from scenegen.render.geometry import Thing, turn_about_z
from scenegen.render.png import write_png
from scenegen.render.procedural import Rendering
from scenegen.render.stage import write_stage
from scenegen.storage import DEPTH, INSTANCES, LAYOUT, NORMALS, PARTS, SEMANTIC, STAGE, VIEW_MAPS


def write_ground_truth(rendering: Rendering, folder: Path, stem: str, seen_pixels: int) -> dict[str, Path]:
    """Write the ground-truth files as `{stem}.{name}` in `folder`, each whole or not at all; name -> path.
    View 0 has them all; a further view has its maps (VIEW_MAPS). `seen_pixels`: how many pixels of this
    view's size make an object seen in it."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_view_maps(rendering, folder, stem)
    if rendering.index:
        return paths
    layout = layout_document(rendering, seen_pixels)
    paths |= {name: folder / f"{stem}.{name}" for name in (LAYOUT, STAGE)}
    _write(paths[LAYOUT], lambda path: path.write_text(json.dumps(layout, indent=1), encoding="utf-8"))
    further = rendering.views[1:]
    _write(
        paths[STAGE],
        lambda path: write_stage(layout, rendering.things, rendering.camera, rendering.lights, path, further),
    )
    return paths


def write_view_maps(rendering: Rendering, folder: Path, stem: str) -> dict[str, Path]:
    """The maps of one view: depth, instances, normals, categories, moving parts."""
    paths = {name: folder / f"{stem}.{name}" for name in VIEW_MAPS}
    category_ids = {name: int(key) for key, name in categories(rendering.things).items()}
    by_instance = np.zeros(max(t.id for t in rendering.things) + 1, np.uint16)
    for thing in rendering.things:
        by_instance[thing.id] = category_ids[thing.category]
    _write(paths[DEPTH], lambda path: write_png(rendering.depth_mm, path, runs=False))
    _write(paths[INSTANCES], lambda path: write_png(rendering.instances, path))
    _write(paths[NORMALS], lambda path: write_png(rendering.normals, path))
    _write(paths[SEMANTIC], lambda path: write_png(by_instance[rendering.instances], path))
    _write(paths[PARTS], lambda path: write_png(rendering.parts, path))
    return paths


def object_pixels(rendering: Rendering) -> dict[int, int]:
    """The pixels of each object the view shows at all, by id."""
    counts = np.bincount(rendering.instances.reshape(-1))
    return {int(i): int(counts[i]) for i in np.nonzero(counts)[0] if i}


def with_views(layout: dict[str, Any], seen: list[set[int]]) -> dict[str, Any]:
    """layout.json with each object's `views`: those of `seen` (ids per view) that show it."""
    objects = [{**o, "views": [k for k, ids in enumerate(seen) if o["id"] in ids]} for o in layout["objects"]]
    return {**layout, "objects": objects}


def categories(things: list[Thing]) -> dict[str, str]:
    """semantic.png's legend: category ids in name order, 0 for nothing."""
    return {str(number): name for number, name in enumerate(sorted({t.category for t in things}), start=1)}


def _write(target: Path, write) -> None:
    partial = target.with_name(target.name + ".part")
    write(partial)
    os.replace(partial, target)


def layout_document(rendering: Rendering, seen_pixels: int = 1) -> dict[str, Any]:
    """The room, its objects (with the pixels this view shows of each, and `views`: [0] for those it shows
    at least `seen_pixels` of) and joints."""
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
                "views": [0] if thing.id < len(pixels) and pixels[thing.id] >= seen_pixels else [],
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
        "joints": joints_document(rendering.things),
        "categories": categories(rendering.things),
    }


def joints_document(things: list[Thing]) -> list[dict[str, Any]]:
    """layout.json's joints: for each moving part, its joint in the world frame (axis unit; a hinge's
    origin on its axis, a slide's the part's centre closed), its limits and pose (degrees for a hinge,
    metres for a slide; 0 closed) and the part's box when closed."""
    joints = []
    for thing, first in zip(things, joint_ids(things), strict=True):
        turn = turn_about_z(thing.yaw_deg)
        for number, joint in enumerate(thing.joints, start=1):
            parts = [part for part in thing.parts if part.joint == number]
            lo = np.min([part.lo for part in parts], axis=0)
            hi = np.max([part.hi for part in parts], axis=0)
            centre = thing.to_world(((lo + hi) / 2)[None, :])[0]
            hinge = thing.to_world(np.asarray([joint.origin], float))[0]
            origin = hinge if joint.kind == "revolute" else centre
            joints.append(
                {
                    "id": first + number,
                    "object_id": thing.id,
                    "part": joint.part,
                    "type": joint.kind,
                    "axis": [round(float(c), 6) + 0.0 for c in turn @ np.asarray(joint.axis, float)],
                    "origin_m": [round(float(c), 4) for c in origin],
                    "lower": 0.0,
                    "upper": round(joint.upper, 4),
                    "position": round(joint.position, 4),
                    "part_box": {
                        "center_m": [round(float(c), 4) for c in centre],
                        "size_m": [round(float(c), 4) for c in hi - lo],
                        "yaw_deg": round(thing.yaw_deg, 3),
                    },
                }
            )
    return joints
