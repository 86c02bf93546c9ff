"""The scorer's core on reconstructions made from a twin's own layout: itself, jittered, with objects
dropped, in an unknown frame and scale, and another room altogether."""

import math
from pathlib import Path

import numpy as np
import pytest

from scenegen.render import render_scene
from scenegen.render.ground_truth import layout_document
from scenegen.scoring.alignment import Similarity, ransac_similarity
from scenegen.scoring.metrics import Box, box_iou, chamfer, detection_scores, match, pair_errors

SIZE = (688, 384)
SHELL = {"floor", "wall", "ceiling"}


def boxes_of(archetype: str, seed: int) -> tuple[list[Box], set[int]]:
    layout = layout_document(render_scene(archetype, ("midday_light", "moderate_clutter"), seed, SIZE))
    objects = [o for o in layout["objects"] if o["category"] not in SHELL]
    boxes = [Box(o["category"], tuple(o["center_m"]), tuple(o["size_m"]), o["yaw_deg"]) for o in objects]
    visible = {index for index, o in enumerate(objects) if o["pixels"] >= 50}
    return boxes, visible


@pytest.fixture(scope="module")
def office():
    return boxes_of("office", 5)


def f1(twin, reconstruction, counted, threshold="0.25"):
    pairs = match(twin, reconstruction)
    return detection_scores(pairs, counted, len(reconstruction))[threshold]


def test_box_iou_of_known_overlaps():
    a = Box("crate", (0, 0, 0.5), (1, 1, 1))
    assert box_iou(a, a) == pytest.approx(1.0)
    assert box_iou(a, Box("crate", (0.5, 0, 0.5), (1, 1, 1))) == pytest.approx(1 / 3)
    turned = Box("crate", (0, 0, 0.5), (1, 1, 1), 45)  # a square turned: an octagon of area 2(sqrt2 - 1)
    overlap = 2 * (math.sqrt(2) - 1)
    assert box_iou(a, turned) == pytest.approx(overlap / (2 - overlap), rel=1e-6)
    assert box_iou(a, Box("crate", (0, 0, 3), (1, 1, 1))) == 0.0


def test_the_twin_itself_scores_perfectly(office):
    twin, visible = office
    for threshold in ("0.25", "0.5"):
        scores = f1(twin, twin, visible, threshold)
        assert scores["f1"] == pytest.approx(1.0) and scores["matched"] == len(visible)
    distance, fscore = chamfer(twin, twin)
    assert distance == pytest.approx(0.0, abs=1e-6) and fscore == 1.0  # float32 distances
    assert pair_errors(match(twin, twin), twin, twin)["centre_error_cm"] == pytest.approx(0.0)


def test_small_moves_and_turns_still_match_every_object(office):
    twin, visible = office
    rng = np.random.default_rng(3)
    jittered = []
    for box in twin:
        reach = min(0.08 * min(box.size), 0.05)
        direction = rng.normal(size=3)
        offset = direction / np.linalg.norm(direction) * rng.uniform(0, reach)
        jittered.append(
            Box(box.category, tuple(np.add(box.center, offset)), box.size, box.yaw_deg + rng.uniform(-3, 3))
        )
    assert f1(twin, jittered, visible)["f1"] == pytest.approx(1.0)
    errors = pair_errors(match(twin, jittered), twin, jittered)
    assert 0 < errors["centre_error_cm"] <= 5 and 0 < errors["yaw_error_deg"] <= 3


def test_two_visible_objects_dropped_cost_exactly_their_share_of_recall(office):
    twin, visible = office
    dropped = sorted(visible)[:2]
    kept = [box for index, box in enumerate(twin) if index not in dropped]
    scores = f1(twin, kept, visible)
    assert scores["recall"] == pytest.approx((len(visible) - 2) / len(visible))
    assert scores["precision"] == pytest.approx(1.0)


def test_a_room_scaled_turned_and_moved_is_brought_back(office):
    twin, visible = office
    turn = math.radians(35)
    rotation = np.array(
        [[math.cos(turn), -math.sin(turn), 0], [math.sin(turn), math.cos(turn), 0], [0, 0, 1]]
    )
    unknown = Similarity(1.7, rotation, np.array([4.0, -2.0, 0.3]))
    reconstruction = [unknown.apply_box(box) for box in twin]
    found, inliers = ransac_similarity(twin, reconstruction)
    assert found.scale == pytest.approx(1 / 1.7, rel=1e-3) and inliers >= len(twin) * 0.9
    back = [found.apply_box(box) for box in reconstruction]
    assert f1(twin, back, visible, "0.5")["f1"] == pytest.approx(1.0)


def test_another_room_scores_near_nothing(office):
    twin, visible = office
    other, _ = boxes_of("office", 77)
    assert f1(twin, other, visible)["f1"] < 0.2


def test_a_twins_own_stage_and_layout_read_back_as_its_boxes(tmp_path):
    import json

    from scenegen.backends.local.procedural import draw_scene
    from scenegen.models import SceneSpec
    from scenegen.scoring.reconstruction import read_reconstruction

    spec = SceneSpec(
        scene_id="office-score",
        archetype="office",
        prompt="p",
        variation_tags=("midday_light",),
        seed=5,
        prompt_hash="0" * 64,
        image_model="procedural-v2",
        prompt_model="local",
    )
    rendered = draw_scene(spec, tmp_path / "office.png", SIZE)
    files = {staged.name: staged.path for staged in rendered.ground_truth}
    layout = json.loads(Path(files["layout.json"]).read_text())
    twin = [
        Box(o["category"], tuple(o["center_m"]), tuple(o["size_m"]), o["yaw_deg"]) for o in layout["objects"]
    ]
    everything = set(range(len(twin)))
    from_json = read_reconstruction(tmp_path / "office.layout.json")
    assert f1(twin, from_json, everything, "0.5")["f1"] == pytest.approx(1.0)
    from_stage = read_reconstruction(tmp_path / "office.scene.usda")
    assert len(from_stage) == len(twin)
    assert f1(twin, from_stage, everything, "0.5")["f1"] == pytest.approx(1.0)


def test_a_y_up_centimetre_stage_with_the_older_semantics_reads_in_metres_z_up(tmp_path):
    from pxr import Gf, Sdf, Usd, UsdGeom

    from scenegen.scoring.reconstruction import read_reconstruction

    path = tmp_path / "recon.usda"
    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 0.01)
    cube = UsdGeom.Cube.Define(stage, "/World/thing")
    cube.CreateSizeAttr(1.0)
    xform = UsdGeom.Xformable(cube)
    xform.AddTranslateOp().Set(Gf.Vec3d(100, 50, -200))  # metres (1, -2, 0.5) in Z up
    xform.AddRotateYOp().Set(30.0)  # about the up axis
    xform.AddScaleOp().Set(Gf.Vec3f(80, 100, 40))
    prim = cube.GetPrim()
    prim.CreateAttribute("semantic:Semantics:params:semanticType", Sdf.ValueTypeNames.String).Set("class")
    prim.CreateAttribute("semantic:Semantics:params:semanticData", Sdf.ValueTypeNames.String).Set("crate")
    stage.Save()
    [box] = read_reconstruction(path)
    assert box.category == "crate"
    assert box.center == pytest.approx((1.0, 2.0, 0.5))
    assert sorted(box.size[:2]) == pytest.approx([0.4, 0.8]) and box.size[2] == pytest.approx(1.0)


def test_what_the_image_does_not_show_counts_against_neither_precision_nor_recall():
    # twin 0 is hidden and found loosely, twin 1 shown and found well, twin 2 shown and missed; reconstructed
    # object 2 matches nothing
    pairs = [(0, 0, 0.3), (1, 1, 0.9)]
    scores = detection_scores(pairs, counted={1, 2}, reconstructed=3)
    for threshold in ("0.25", "0.5"):
        assert scores[threshold]["precision"] == 0.5 and scores[threshold]["recall"] == 0.5
