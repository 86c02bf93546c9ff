"""Scoring reconstructions made from a stored scene's own room: itself, its stage, jittered, with objects
dropped, scaled and turned into an unknown frame, in the camera's frame, as a Y-up centimetre stage, and
another room; and what is refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from docs.example_reconstruction import Y_UP_CENTIMETRES, own_frame, reconstructed, write_cube_stage
from scenegen.backends.local.folder import LocalSceneStorage
from scenegen.errors import InputError
from scenegen.images import sha256_file
from scenegen.scoring.scorecard import (
    MIN_PIXELS,
    ROOM_SURFACES,
    KnownRoom,
    known_room,
    locate_scene,
    reconstruction_quality,
    score,
    score_name,
)
from scenegen.scoring.tables import quality_markdown, score_markdown
from scenegen.storage import LAYOUT
from tests.helpers import stored_scene


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalSceneStorage, str, str]:
    root = tmp_path_factory.mktemp("scored")
    return LocalSceneStorage(root), stored_scene(root, "office", 5), stored_scene(root, "office", 77)


@pytest.fixture(scope="module")
def room(stored) -> KnownRoom:
    storage, scene_id, _ = stored
    return known_room(storage, scene_id)


def objects(storage: LocalSceneStorage, scene_id: str) -> list[dict]:
    return json.loads(storage.read_text(scene_id, LAYOUT))["objects"]


def write_json(path: Path, boxes: list[dict]) -> Path:
    path.write_text(json.dumps({"objects": boxes}))
    return path


def visible(room: KnownRoom) -> int:
    return sum(
        pixels >= MIN_PIXELS and box.category not in ROOM_SURFACES
        for box, pixels in zip(room.boxes, room.pixels, strict=True)
    )


def test_the_twin_itself_scores_perfectly_as_json_and_as_its_stage(stored, room, tmp_path):
    storage, scene_id, _ = stored
    layout = storage.folder(scene_id) / LAYOUT
    document = score(room, layout, layout.as_uri(), "world")
    assert document["counted_objects"] == visible(room) > 10
    for threshold in ("0.25", "0.5"):
        assert document["at_iou"][threshold]["f1"] == 1.0
    assert document["chamfer_m"] == 0.0 and document["fscore_5cm"] == 1.0
    assert document["centre_error_cm"] == pytest.approx(0, abs=0.1)
    assert all(row["recall"] == 1.0 for row in document["per_category"].values())
    assert sum(row["twin"] for row in document["per_category"].values()) == document["counted_objects"]
    assert document["reconstruction"]["format"] == "json" and len(document["reconstruction"]["sha256"]) == 64

    stage = storage.folder(scene_id) / "scene.usda"
    from_stage = score(room, stage, stage.as_uri(), "unknown")
    assert from_stage["at_iou"]["0.5"]["f1"] == 1.0
    assert from_stage["transform"]["scale"] == pytest.approx(1.0, abs=1e-3)
    assert from_stage["reconstruction"]["format"] == "usd"
    assert "| 0.5 | 1.000 | 1.000 | 1.000 |" in score_markdown(from_stage)


def test_small_moves_and_turns_keep_every_object_at_iou_a_quarter(stored, room, tmp_path):
    storage, scene_id, _ = stored
    rng = np.random.default_rng(8)
    moved = []
    for entry in objects(storage, scene_id):
        reach = min(0.08 * min(entry["size_m"]), 0.05)
        direction = rng.normal(size=3)
        shift = direction / np.linalg.norm(direction) * reach
        moved.append(
            entry
            | {
                "center_m": list(np.add(entry["center_m"], shift)),
                "yaw_deg": entry["yaw_deg"] + rng.choice([-3.0, 3.0]),
            }
        )
    path = write_json(tmp_path / "moved.json", moved)
    document = score(room, path, path.as_uri(), "world")
    assert document["at_iou"]["0.25"]["f1"] == 1.0
    assert 0 < document["centre_error_cm"] <= 5 and document["yaw_error_deg"] == pytest.approx(3.0)


def test_two_visible_objects_dropped_cost_exactly_two_of_the_recall(stored, room, tmp_path):
    storage, scene_id, _ = stored
    entries = objects(storage, scene_id)
    shown = [e for e in entries if e["pixels"] >= MIN_PIXELS and e["category"] not in ROOM_SURFACES]
    dropped = {shown[0]["id"], shown[-1]["id"]}
    path = write_json(tmp_path / "dropped.json", [e for e in entries if e["id"] not in dropped])
    document = score(room, path, path.as_uri(), "world")
    n = document["counted_objects"]
    assert document["at_iou"]["0.5"]["recall"] == (n - 2) / n
    assert document["at_iou"]["0.5"]["precision"] == 1.0


def test_a_room_scaled_turned_and_moved_is_found_in_an_unknown_frame(stored, room, tmp_path):
    storage, scene_id, _ = stored
    turn, scale, shift = math.radians(35), 1.7, np.array([4.0, -2.0, 0.3])
    rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    unknown = []
    for entry in objects(storage, scene_id):
        centre = np.asarray(entry["center_m"])
        moved = np.r_[rotation @ centre[:2], centre[2]] * scale + shift
        size = [value * scale for value in entry["size_m"]]
        unknown.append(entry | {"center_m": list(moved), "size_m": size, "yaw_deg": entry["yaw_deg"] + 35})
    path = write_json(tmp_path / "unknown.json", unknown)
    document = score(room, path, path.as_uri(), "unknown")
    assert document["transform"]["scale"] == pytest.approx(1 / scale, rel=1e-3)
    assert document["at_iou"]["0.25"]["f1"] == 1.0 and document["at_iou"]["0.5"]["f1"] == 1.0
    assert document["chamfer_m"] < 0.01
    assert score(room, path, path.as_uri(), "world")["at_iou"]["0.25"]["f1"] < 0.2  # taken as it is


def test_a_y_up_centimetre_stage_and_a_camera_frame_stage_read_into_the_world(room, tmp_path):
    path = write_cube_stage(tmp_path / "y_up.usda", room.boxes, Y_UP_CENTIMETRES, 0.01, "Y")
    for frame in ("world", "unknown"):
        document = score(room, path, path.as_uri(), frame)
        assert document["at_iou"]["0.5"]["f1"] == 1.0, frame

    camera = room.camera
    camera_from_world = np.eye(4)
    rotation = np.asarray(camera["world_from_camera"])
    camera_from_world[:3, :3] = rotation.T
    camera_from_world[:3, 3] = -rotation.T @ np.asarray(camera["position_m"])
    path = write_cube_stage(tmp_path / "camera.usda", room.boxes, camera_from_world, 1.0, "Z")
    document = score(room, path, path.as_uri(), "camera")
    assert document["at_iou"]["0.5"]["f1"] == 1.0
    assert document["transform"]["translation_m"] == pytest.approx(camera["position_m"], abs=1e-4)
    assert score(room, path, path.as_uri(), "world")["at_iou"]["0.25"]["f1"] < 0.2


def test_another_room_scores_near_nothing(stored, room):
    storage, _, other = stored
    layout = storage.folder(other) / LAYOUT
    document = score(room, layout, layout.as_uri(), "world")
    assert document["at_iou"]["0.25"]["f1"] < 0.2


def test_what_cannot_be_scored_is_refused_in_one_line(stored, room, tmp_path):
    storage, scene_id, _ = stored
    with pytest.raises(InputError, match="not stored"):
        known_room(storage, "office-never-made")
    gemini = tmp_path / "gemini"
    plain = LocalSceneStorage(gemini)
    (gemini / "image.png").parent.mkdir(parents=True)
    (gemini / "image.png").write_bytes(b"png")
    document = {"ground_truth": {"available": False, "reason": "the gemini backend gives no ground truth"}}
    plain.put_scene("lab-plain", gemini / "image.png", sha256_file(gemini / "image.png"), document)
    with pytest.raises(InputError, match=r"no known room.*gemini backend gives no ground truth"):
        known_room(plain, "lab-plain")
    with pytest.raises(InputError, match=r"not a scene id|no such scene"):
        locate_scene(storage, str(tmp_path / "nowhere"), LocalSceneStorage)
    folder_storage, found = locate_scene(storage, storage.folder(scene_id).as_uri(), LocalSceneStorage)
    assert found == scene_id and folder_storage.root_uri == storage.root_uri

    text = tmp_path / "notes.txt"
    text.write_text("hello")
    empty = write_json(tmp_path / "empty.json", [])
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    huge = write_json(
        tmp_path / "huge.json", [{"category": "desk", "center_m": [0, 0, 0], "size_m": [900, 500, 700]}]
    )
    no_objects = tmp_path / "bare.usda"
    no_objects.write_text('#usda 1.0\ndef Xform "World" {}\n')
    not_usd = tmp_path / "fake.usd"
    not_usd.write_text("this is not a stage")
    for path, reason in [
        (text, "not a reconstruction"),
        (empty, "no labelled objects"),
        (broken, "not layout.json's object schema"),
        (huge, "make no sense in metres"),
        (no_objects, "no labelled objects"),
        (not_usd, "not a USD stage"),
        (tmp_path / "missing.json", "no such file"),
    ]:
        with pytest.raises(InputError, match=reason) as refused:
            score(room, path, path.as_uri(), "world")
        assert "\n" not in str(refused.value)


def test_scores_are_named_by_digest_found_again_and_summed_per_archetype(stored, room, tmp_path):
    storage, scene_id, other = stored
    layout = storage.folder(scene_id) / LAYOUT
    perfect = score(room, layout, layout.as_uri(), "world")
    poor_path = storage.folder(other) / LAYOUT
    poor = score(room, poor_path, poor_path.as_uri(), "world")
    for document in (perfect, poor):
        name = score_name(document["reconstruction"]["sha256"])
        assert name == f"score-{document['reconstruction']['sha256'][:12]}.json"
        storage.put_text(scene_id, name, json.dumps(document))
    assert len([name for sid, name in storage.find("score-") if sid == scene_id]) == 2
    quality = reconstruction_quality(storage, {scene_id: "office"})
    row = quality["office"]
    assert row["reconstructions"] == 2
    assert row["f1_0.25"] == pytest.approx((1.0 + poor["at_iou"]["0.25"]["f1"]) / 2)
    assert "| office | 2 |" in quality_markdown(quality, 30)
    assert reconstruction_quality(storage, {}) == {}
    for name in [name for sid, name in storage.find("score-") if sid == scene_id]:
        (storage.folder(scene_id) / name).unlink()


def test_the_documented_example_reconstruction_is_found_in_its_own_frame(stored, room, tmp_path):
    """docs/example_reconstruction.py: half size, turned and moved, Y up in centimetres, 5 cm of jitter and
    a tenth of the objects missed, as the README's worked example."""
    found = reconstructed(room.boxes, 0.05, 0.1, np.random.default_rng(1))
    path = write_cube_stage(tmp_path / "example.usda", found, Y_UP_CENTIMETRES @ own_frame(), 0.01, "Y")
    document = score(room, path, path.as_uri(), "unknown")
    assert document["transform"]["scale"] == pytest.approx(2.0, rel=0.02)
    missed = 1 - document["at_iou"]["0.25"]["recall"]
    assert 0.02 < missed < 0.3 and document["at_iou"]["0.25"]["precision"] > 0.85  # small things jitter out


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalSceneStorage, str]:
    root = tmp_path_factory.mktemp("articulated")
    return LocalSceneStorage(root), stored_scene(root, "kitchen", 8, size=(688, 384))


def test_a_twins_own_stage_and_joints_score_one_and_a_reconstruction_without_joints_says_nothing_of_them(
    kitchen, tmp_path
):
    storage, scene_id = kitchen
    room = known_room(storage, scene_id)
    stage = storage.folder(scene_id) / "scene.usda"
    articulation = score(room, stage, stage.as_uri(), "world")["articulation"]
    assert articulation["twin_joints"] > 10 and articulation["matched"] == articulation["twin_joints"]
    assert articulation["precision"] == articulation["recall"] == articulation["type_accuracy"] == 1.0
    assert articulation["axis_error_deg"] == 0.0 and articulation["axis_position_error_cm"] < 0.1
    assert articulation["range_error_pct"] < 0.1
    plain = write_json(tmp_path / "plain.json", objects(storage, scene_id))
    assert "articulation" not in score(room, plain, plain.as_uri(), "world")
    assert "| joints | matched |" in score_markdown(score(room, stage, stage.as_uri(), "world"))


def test_dropped_joints_cost_recall_and_a_tilted_axis_shows_its_angle_in_an_unknown_frame(kitchen, tmp_path):
    storage, scene_id = kitchen
    room = known_room(storage, scene_id)
    layout = json.loads(storage.read_text(scene_id, LAYOUT))
    whole = score(room, _with_joints(tmp_path / "whole.json", layout, layout["joints"]), "whole", "world")
    counted = whole["articulation"]["twin_joints"]
    seen = {o["id"] for o in layout["objects"] if o["pixels"] >= MIN_PIXELS}
    dropped = {j["id"] for j in layout["joints"] if j["object_id"] in seen}
    dropped = set(sorted(dropped)[:3])
    fewer = [j for j in layout["joints"] if j["id"] not in dropped]
    partial = score(room, _with_joints(tmp_path / "fewer.json", layout, fewer), "fewer", "world")[
        "articulation"
    ]
    assert whole["articulation"]["recall"] == 1.0 and partial["precision"] == 1.0
    assert partial["recall"] == pytest.approx((counted - 3) / counted, abs=1e-4)
    for degrees in (4.0, 9.0):
        tilted = [dict(j, axis=_tilted(j["axis"], degrees)) for j in layout["joints"]]
        # the same room, half size, turned and moved: an unknown frame the scorer finds again
        moved = _moved_room(layout["objects"], tilted)
        path = _with_joints(tmp_path / f"tilt{degrees}.json", *moved)
        articulation = score(room, path, "tilt", "unknown")["articulation"]
        assert articulation["axis_error_deg"] == pytest.approx(degrees, abs=0.5)
        assert articulation["recall"] > 0.9 and articulation["range_error_pct"] < 1.0


def _with_joints(path: Path, layout_or_objects, joints: list[dict]) -> Path:
    objects = layout_or_objects["objects"] if isinstance(layout_or_objects, dict) else layout_or_objects
    path.write_text(json.dumps({"objects": objects, "joints": joints}))
    return path


def _tilted(axis: list[float], degrees: float) -> list[float]:
    """The axis turned by `degrees` towards a direction across it."""
    axis = np.asarray(axis, float)
    across = np.cross(axis, [0.0, 0.0, 1.0]) if abs(axis[2]) < 0.9 else np.cross(axis, [1.0, 0.0, 0.0])
    across /= np.linalg.norm(across)
    angle = math.radians(degrees)
    return (math.cos(angle) * axis + math.sin(angle) * across).tolist()


def _moved_room(objects_: list[dict], joints: list[dict]) -> tuple[list[dict], list[dict]]:
    """Objects and joints at half size, turned 30 degrees about Z and moved: an unknown frame."""
    scale, yaw, shift = 0.5, 30.0, np.array([2.0, -1.0, 0.5])
    c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    turn = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])

    def point(p):
        return (scale * turn @ np.asarray(p, float) + shift).tolist()

    moved_objects = [
        dict(
            o,
            center_m=point(o["center_m"]),
            size_m=[scale * s for s in o["size_m"]],
            yaw_deg=o["yaw_deg"] + yaw,
        )
        for o in objects_
    ]
    moved_joints = [
        dict(
            j,
            axis=(turn @ np.asarray(j["axis"], float)).tolist(),
            origin_m=point(j["origin_m"]),
            upper=j["upper"] * (scale if j["type"] == "prismatic" else 1.0),
        )
        for j in joints
    ]
    return moved_objects, moved_joints
