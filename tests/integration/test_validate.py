"""`scenegen validate` through the console script: stored twins rest in Newton, and a stage with a floating
box or two boxes cut into each other fails with the objects named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pxr import Gf, Sdf, Usd, UsdGeom

from scenegen.storage import STAGE
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
