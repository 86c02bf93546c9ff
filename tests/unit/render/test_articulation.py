"""Moving parts in the ground truth: layout.json's joints, parts.png and the stage's articulations say the
same thing, and the picture shows parts at the pose the joints record."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pxr import Usd, UsdPhysics

from scenegen.catalogue import ArticulationConfig, load_archetype_config
from scenegen.render import render_scene
from scenegen.render.geometry import rotation_about
from scenegen.render.ground_truth import layout_document
from scenegen.render.procedural import RenderOptions
from scenegen.render.stage import write_stage

SIZE = (688, 384)
TAGS = ("midday_light", "busy_state", "large_space", "moderate_clutter", "modern_style")
LEFT_OPEN = RenderOptions(ArticulationConfig(open_scene_share=1.0, open_part_share=0.6))  # most parts


@pytest.fixture(scope="module")
def kitchen():
    rendering = render_scene("kitchen", TAGS, 12, SIZE, LEFT_OPEN)
    return rendering, layout_document(rendering)


def world_points(rendering, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
    camera = rendering.camera
    depth = rendering.depth_mm[vs, us] / 1000.0
    local = np.stack(
        [(us + 0.5 - camera.cx) * depth / camera.fx, (vs + 0.5 - camera.cy) * depth / camera.fy, depth]
    )
    return np.asarray(camera.position_m) + (np.asarray(camera.world_from_camera) @ local).T


def inside_posed_part(joint: dict, points: np.ndarray, margin: float) -> np.ndarray:
    """Which points lie in the joint's moving part, at the pose shown (its closed box, moved by the joint)."""
    box = joint["part_box"]
    if joint["type"] == "revolute":
        turn = rotation_about(np.asarray(joint["axis"]), joint["position"])
        origin = np.asarray(joint["origin_m"])
        closed = (points - origin) @ turn + origin  # undo the turn: R^T (p - o) + o
    else:
        closed = points - np.asarray(joint["axis"]) * joint["position"]
    yaw = math.radians(box["yaw_deg"])
    along = np.array([[math.cos(yaw), math.sin(yaw), 0.0], [-math.sin(yaw), math.cos(yaw), 0.0], [0, 0, 1]])
    local = (closed - np.asarray(box["center_m"])) @ along.T
    return np.all(np.abs(local) <= np.asarray(box["size_m"]) / 2 + margin, axis=1)


def test_parts_png_labels_each_moving_part_where_the_picture_shows_it_posed_and_nothing_else(kitchen):
    rendering, layout = kitchen
    joints = {joint["id"]: joint for joint in layout["joints"]}
    assert sum(joint["position"] > 0 for joint in joints.values()) >= 3  # some parts are shown open
    parts = rendering.parts
    shown = {int(j) for j in np.unique(parts) if j}
    assert shown <= set(joints) and len(shown) >= 10
    for joint_id in shown:
        joint = joints[joint_id]
        vs, us = np.nonzero(parts == joint_id)
        assert set(np.unique(rendering.instances[vs, us])) == {joint["object_id"]}
        inside = inside_posed_part(joint, world_points(rendering, us, vs), margin=0.01)
        assert inside.mean() > 0.99, (joint["part"], inside.mean())
    # and where the picture shows a point inside a door of its object, the door's id is there (a door is a
    # solid panel; a drawer's box is hollow, and what shows through it is not the drawer)
    for joint in (j for j in joints.values() if j["type"] == "revolute"):
        vs, us = np.nonzero(rendering.instances == joint["object_id"])
        within = inside_posed_part(joint, world_points(rendering, us, vs), margin=-0.005)
        labelled = parts[vs[within], us[within]]
        if within.any():
            assert (labelled == joint["id"]).mean() > 0.99, joint["part"]


def test_every_archetype_has_joints_and_a_kitchen_many():
    counts = {
        name: [len(layout_document(render_scene(name, TAGS, seed, (96, 54)))["joints"]) for seed in (1, 2)]
        for name in load_archetype_config().names
    }
    assert all(min(found) >= 4 for found in counts.values()), counts
    assert min(counts["kitchen"]) >= 12, counts


def test_each_fixture_is_an_articulation_fixed_to_the_world_with_its_joints_from_carcass_to_part(
    kitchen, tmp_path
):
    rendering, layout = kitchen
    path = tmp_path / "scene.usda"
    write_stage(layout, rendering.things, rendering.camera, rendering.lights, path)
    stage = Usd.Stage.Open(str(path))
    roots = [p for p in stage.Traverse() if p.HasAPI(UsdPhysics.ArticulationRootAPI)]
    assert len(roots) == len({j["object_id"] for j in layout["joints"]})
    seen = 0
    for root in roots:
        assert not any(p.HasAPI(UsdPhysics.ArticulationRootAPI) for p in Usd.PrimRange(root) if p != root)
        anchors = [p for p in root.GetChildren() if p.IsA(UsdPhysics.FixedJoint)]
        assert len(anchors) == 1 and not UsdPhysics.Joint(anchors[0]).GetBody0Rel().GetTargets()
        [carcass] = UsdPhysics.Joint(anchors[0]).GetBody1Rel().GetTargets()
        carcass_prim = stage.GetPrimAtPath(carcass)
        assert (
            carcass_prim.HasAPI(UsdPhysics.RigidBodyAPI)
            and carcass_prim.GetAttribute("physics:mass").Get() > 0
        )
        filtered = set(UsdPhysics.FilteredPairsAPI(carcass_prim).GetFilteredPairsRel().GetTargets())
        for prim in root.GetChildren():
            revolute = prim.IsA(UsdPhysics.RevoluteJoint)
            if not (revolute or prim.IsA(UsdPhysics.PrismaticJoint)):
                continue
            seen += 1
            joint = UsdPhysics.Joint(prim)
            assert joint.GetBody0Rel().GetTargets() == [carcass]  # never reversed
            [part] = joint.GetBody1Rel().GetTargets()
            assert part in filtered and stage.GetPrimAtPath(part).GetAttribute("physics:mass").Get() > 0
            kind = "angular" if revolute else "linear"
            drive = UsdPhysics.DriveAPI(prim, kind)
            assert prim.HasAPI(UsdPhysics.DriveAPI, kind) and drive.GetStiffnessAttr().Get() == 0
            assert drive.GetDampingAttr().Get() > 0
            entry = next(
                j for j in layout["joints"] if j["id"] == prim.GetAttribute("scenegen:jointId").Get()
            )
            typed = UsdPhysics.RevoluteJoint(prim) if revolute else UsdPhysics.PrismaticJoint(prim)
            assert typed.GetLowerLimitAttr().Get() == 0
            assert typed.GetUpperLimitAttr().Get() == pytest.approx(entry["upper"], abs=1e-3)
            assert entry["type"] == ("revolute" if revolute else "prismatic")
    assert seen == len(layout["joints"])
