"""`scenegen validate` through the console script: stored twins rest in Newton, and a stage with a floating
box or two boxes cut into each other fails with the objects named."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pxr import Gf, Sdf, Usd, UsdGeom

from scenegen.storage import LAYOUT, STAGE
from tests.helpers import stored_scene

SCENEGEN = str(Path(sys.executable).with_name("scenegen"))
# The first call compiles Newton's kernels into Warp's cache: about a minute on two cores.
TIMEOUT_SECONDS = 600
SMALL = (344, 192)


def validate(target: str, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OUTPUT_DIR": str(root)}
    return subprocess.run(
        [SCENEGEN, "validate", target], env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
    )


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("validate")
    return root, {
        archetype: stored_scene(root, archetype, 4, size=SMALL) for archetype in ("office", "grocery")
    }


def test_stored_twins_rest_in_newton_by_folder_and_by_id(stored):
    root, scenes = stored
    by_folder = validate(str(root / "scenes" / scenes["office"]), root)
    by_id = validate(scenes["grocery"], root)
    for done in (by_folder, by_id):
        assert done.returncode == 0, done.stdout + done.stderr
        assert ": passed;" in done.stdout and done.stderr == ""
    assert "0 loose object(s)" not in by_folder.stdout  # its chairs and boxes were simulated


def moved_copy(stage: Usd.Stage, original: Usd.Prim, name: str, offset: tuple[float, float, float]) -> str:
    """A copy of a loose object, moved by `offset`: its path."""
    path = original.GetPath().GetParentPath().AppendChild(name)
    layer = stage.GetRootLayer()
    Sdf.CopySpec(layer, original.GetPath(), layer, path)
    translate = stage.GetPrimAtPath(path).GetAttribute("xformOp:translate")
    translate.Set(translate.Get() + Gf.Vec3d(*offset))
    return str(path)


def loose_items(stage: Usd.Stage) -> list[Usd.Prim]:
    return [
        p for p in stage.GetPrimAtPath("/World/Objects").GetChildren() if p.GetName().startswith("loose_item")
    ]


def test_a_floating_box_and_two_boxes_cut_into_each_other_fail_with_the_objects_named(stored, tmp_path):
    root, scenes = stored
    source = root / "scenes" / scenes["office"] / STAGE

    floating = tmp_path / "floating.usda"
    stage = Usd.Stage.Open(str(source))
    box = loose_items(stage)[0]
    lifted = moved_copy(stage, box, "loose_item_900", (0.0, 0.0, 0.6))
    box.SetActive(False)  # the copy hangs where nothing else is
    stage.GetRootLayer().Export(str(floating))

    overlapping = tmp_path / "overlapping.usda"
    stage = Usd.Stage.Open(str(source))
    box = loose_items(stage)[0]
    width = (
        UsdGeom.Imageable(box).ComputeLocalBound(0, UsdGeom.Tokens.default_).ComputeAlignedRange().GetSize()
    )
    cutting = moved_copy(stage, box, "loose_item_901", (0.0, 0.0, width[2] - 0.05))  # 5 cm into it
    stage.GetRootLayer().Export(str(overlapping))

    done = validate(str(floating), root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"at rest: {lifted}: moved" in done.stdout
    done = validate(str(overlapping), root)
    assert done.returncode == 1, done.stdout + done.stderr
    pair = ", ".join(sorted((str(box.GetPath()), cutting)))
    assert f"overlap: {pair}: overlap by 50 mm" in done.stdout


HIDE_NEWTON = """
import sys
class Uninstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("newton", "warp"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Uninstalled())
from cli.main import main
raise SystemExit(main(["validate", sys.argv[1]]))
"""


def test_without_newton_it_says_in_one_line_how_to_install_it_and_refuses_what_is_no_scene(stored):
    root, scenes = stored
    done = subprocess.run(
        [sys.executable, "-c", HIDE_NEWTON, str(root / "scenes" / scenes["office"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "pip install" in done.stderr and "[sim]" in done.stderr
    done = validate("no-such-scene", root)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "no-such-scene" in done.stderr


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A stored kitchen (its counters full of doors and drawers): its root, stage and layout."""
    root = tmp_path_factory.mktemp("kitchen")
    scene_id = stored_scene(root, "kitchen", 8, size=SMALL)
    folder = root / "scenes" / scene_id
    return root, folder / STAGE, json.loads((folder / LAYOUT).read_text())


def closed(layout: dict, kind: str, vertical: bool, away_from: dict | None = None) -> dict:
    """A closed part of a counter: a drawer (sliding level), or a door on an upright hinge (the one
    furthest from `away_from`)."""
    objects = {o["id"]: o for o in layout["objects"]}
    found = [
        j
        for j in layout["joints"]
        if j["type"] == kind
        and j["position"] == 0
        and objects[j["object_id"]]["category"] in ("counter", "dish_pit")
        and (abs(j["axis"][2]) > 0.99) == vertical
    ]
    if away_from is None:
        return found[0]
    there = np.asarray(away_from["part_box"]["center_m"])
    return max(found, key=lambda j: float(np.linalg.norm(np.asarray(j["part_box"]["center_m"]) - there)))


def placed_box(stage: Usd.Stage, name: str, centre, size, mass: float | None) -> str:
    """A labelled box standing in the room: fixed, or a loose rigid body of `mass` kg."""
    from pxr import UsdPhysics

    prim = UsdGeom.Xform.Define(stage, f"/World/Objects/{name}")
    prim.AddTranslateOp().Set(Gf.Vec3d(*centre))
    prim.GetPrim().CreateAttribute("semantics:labels:class", Sdf.ValueTypeNames.TokenArray).Set([name])
    cube = UsdGeom.Cube.Define(stage, f"/World/Objects/{name}/part")
    cube.CreateSizeAttr(1.0)
    cube.AddScaleOp().Set(Gf.Vec3f(*size))
    UsdPhysics.CollisionAPI.Apply(cube.GetPrim())
    if mass is not None:
        UsdPhysics.RigidBodyAPI.Apply(prim.GetPrim())
        UsdPhysics.MassAPI.Apply(prim.GetPrim()).CreateMassAttr(mass)
    return str(prim.GetPath())


def in_front(joint: dict, distance: float, depth: float, width: float, height: float) -> tuple[list, tuple]:
    """The centre and size of a box `depth` deep, `width` wide and `height` high, standing on the floor
    `distance` in front of a part's closed front."""
    outward = np.asarray(joint["axis"]) if joint["type"] == "prismatic" else None
    box = joint["part_box"]
    if outward is None:  # a door on an upright hinge swings out of its front, away from its carcass
        centre = np.asarray(box["center_m"])
        hinge = np.asarray(joint["origin_m"])
        outward = np.cross(np.asarray(joint["axis"]), centre - hinge)
        outward[2] = 0
        outward /= np.linalg.norm(outward)
    half_depth = 0.5 * abs(np.dot(outward, box["size_m"]))
    spot = np.asarray(box["center_m"]) + outward * (half_depth + distance + depth / 2)
    size = (depth, width, height) if abs(outward[0]) > abs(outward[1]) else (width, depth, height)
    return [float(spot[0]), float(spot[1]), height / 2], size


def test_a_reversed_joint_a_blocked_drawer_and_a_door_swinging_into_a_chair_fail_with_the_part_named(
    kitchen, tmp_path
):
    root, source, layout = kitchen
    done = validate(str(source), root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\d+ joint\(s\) opened and closed .* least opened (9\d|100)% of its range", done.stdout)

    stage = Usd.Stage.Open(str(source))
    joints = [
        p
        for p in stage.Traverse()
        if p.GetName().endswith("_joint") and p.GetTypeName() != "PhysicsFixedJoint"
    ]
    backwards = joints[0]
    body0 = backwards.GetRelationship("physics:body0").GetTargets()
    body1 = backwards.GetRelationship("physics:body1").GetTargets()
    backwards.GetRelationship("physics:body0").SetTargets(body1)
    backwards.GetRelationship("physics:body1").SetTargets(body0)
    reversed_stage = tmp_path / "reversed.usda"
    stage.GetRootLayer().Export(str(reversed_stage))
    done = validate(str(reversed_stage), root)
    fixture, part = str(backwards.GetParent().GetPath()), backwards.GetName().removesuffix("_joint")
    assert done.returncode == 1 and f"joint: {fixture}, {part}: authored backwards" in done.stdout, (
        done.stdout
    )

    drawer = closed(layout, "prismatic", False)
    door = closed(layout, "revolute", True, away_from=drawer)
    stage = Usd.Stage.Open(str(shutil.copy(source, tmp_path / "blocked-source.usda")))
    placed_box(stage, "blocker_900", *in_front(drawer, 0.08, 0.1, 0.3, 1.5), None)
    chair = placed_box(stage, "chair_901", *in_front(door, 0.1, 0.4, 0.4, 0.9), 8.0)
    blocked = tmp_path / "blocked.usda"
    stage.GetRootLayer().Export(str(blocked))
    done = validate(str(blocked), root)
    assert done.returncode == 1, done.stdout + done.stderr
    objects = {o["id"]: o for o in layout["objects"]}

    def named(joint: dict) -> str:
        entry = objects[joint["object_id"]]
        return f"joint: /World/Objects/{entry['category']}_{entry['id']}, {joint['part']}:"

    lines = done.stdout.splitlines()
    assert any(named(drawer) in line and "something blocks it" in line for line in lines), done.stdout
    assert any(
        named(door) in line and f"moved {chair} by" in line and "not clear" in line for line in lines
    ), done.stdout


def test_every_archetypes_stage_passes_nvidias_asset_validator(tmp_path):
    """The SimReady capabilities (units, hierarchy, geometry, rigid bodies, joints, materials): no error,
    failure or warning on any archetype's stage."""
    from scenegen.catalogue import load_archetype_config
    from scenegen.sim.simready import simready_findings
    from scenegen.sim.stage_checks import open_stage

    for archetype in load_archetype_config().names:
        scene_id = stored_scene(tmp_path, archetype, 3, size=SMALL)
        findings = simready_findings(open_stage(tmp_path / "scenes" / scene_id / STAGE))
        assert not findings, f"{archetype}: " + "; ".join(f.line() for f in findings[:5])
