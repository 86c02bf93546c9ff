"""`scenegen score` as a user runs it: a stored scene's reconstructions scored through the flow on a temporary
Prefect API, each stored beside the scene under its own digest, in `scenegen report`; bad input refused in one
line before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from scenegen.backends.local.folder import LocalSceneStorage
from scenegen.images import sha256_file
from scenegen.storage import LAYOUT
from tests.helpers import stored_scene


def scores(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in folder.glob("score-*.json")}


def test_scores_are_printed_stored_by_digest_and_reported(clean_environment, capsys, tmp_path):
    scene_id = stored_scene(clean_environment, "grocery", 3)
    folder = LocalSceneStorage(clean_environment).folder(scene_id)
    itself = folder / LAYOUT
    assert main(["score", str(itself), "--scene", scene_id, "--frame", "world"]) == 0
    out = capsys.readouterr().out
    assert "| 0.5 | 1.000 | 1.000 | 1.000 |" in out and "frame world" in out
    [(name, text)] = scores(folder).items()
    assert name == f"score-{sha256_file(itself)[:12]}.json" and name in out
    document = json.loads(text)
    assert set(document) == {
        "scene_id", "reconstruction", "frame", "transform", "counted_objects", "at_iou", "centre_error_cm",
        "size_error_pct", "yaw_error_deg", "chamfer_m", "fscore_5cm", "per_category", "articulation", "views",
    }  # fmt: skip
    assert document["views"] == [0]  # a one-view scene: its image's objects count
    # the layout carries its joints: scored against themselves
    assert document["articulation"]["precision"] == document["articulation"]["recall"] == 1.0
    expected = {"uri": itself.as_uri(), "sha256": sha256_file(itself), "format": "json"}
    assert document["reconstruction"] == expected

    # another reconstruction, by the scene's folder URI: a second score, the first left as it was
    layout = json.loads(itself.read_text())
    half = tmp_path / "half.json"
    half.write_text(json.dumps({"objects": layout["objects"][::2]}))
    assert main(["score", half.as_uri(), "--scene", folder.as_uri()]) == 0
    capsys.readouterr()
    both = scores(folder)
    assert len(both) == 2 and both[name] == text
    assert "articulation" not in json.loads(both[f"score-{sha256_file(half)[:12]}.json"])  # no joints given
    recall = json.loads(both[f"score-{sha256_file(half)[:12]}.json"])["at_iou"]["0.25"]["recall"]
    assert 0.3 < recall < 0.7

    from scenegen.backends.local.sqlite import SqliteHistoryStore
    from tests.helpers import record

    SqliteHistoryStore(clean_environment / "history.sqlite3").save(record("grocery", scene_id=scene_id))
    assert main(["report"]) == 0
    report = capsys.readouterr().out
    assert "## Reconstruction quality, last 30 days" in report and "| grocery | 2 | " in report


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown scene", "scene grocery-never-made: not stored"),
        ("plain scene", "no known room to score against"),
        ("text file", "not a reconstruction"),
        ("missing file", "no such file"),
        ("empty stage", "no labelled objects"),
        ("kilometres", "make no sense in metres"),
        ("bad frame", "argument --frame: invalid choice: 'sideways'"),
        ("no scene", "the following arguments are required: --scene"),
    ],
)
def test_what_cannot_be_scored_is_refused_before_anything_is_written(
    case, expected, clean_environment, tmp_path, capsys
):
    scene_id = stored_scene(clean_environment, "lab", 2, size=(688, 384))  # only there to be named
    storage = LocalSceneStorage(clean_environment)
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"not even a png")
    storage.put_scene("lab-plain", plain, sha256_file(plain), {"ground_truth": {"available": False}})
    good = storage.folder(scene_id) / LAYOUT
    text = tmp_path / "notes.txt"
    text.write_text("a reconstruction, honestly")
    empty = tmp_path / "empty.usda"
    empty.write_text('#usda 1.0\ndef Xform "World" {}\n')
    huge = tmp_path / "huge.usda"  # a stage in centimetres that says it is in kilometres
    huge.write_text(
        '#usda 1.0\n(\n    metersPerUnit = 1000\n    upAxis = "Z"\n)\n'
        'def Cube "desk_1"\n{\n    double size = 80\n}\n'
    )
    argv = {
        "unknown scene": ["score", str(good), "--scene", "grocery-never-made"],
        "plain scene": ["score", str(good), "--scene", "lab-plain"],
        "text file": ["score", str(text), "--scene", scene_id],
        "missing file": ["score", str(tmp_path / "gone.usd"), "--scene", scene_id],
        "empty stage": ["score", str(empty), "--scene", scene_id],
        "kilometres": ["score", str(huge), "--scene", scene_id],
        "bad frame": ["score", str(good), "--scene", scene_id, "--frame", "sideways"],
        "no scene": ["score", str(good)],
    }[case]
    before = sorted(p.relative_to(clean_environment) for p in clean_environment.rglob("*"))
    with pytest.raises(SystemExit) as caught:
        raise SystemExit(main(argv))
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and err.startswith("scenegen: error:"), err
    assert sorted(p.relative_to(clean_environment) for p in clean_environment.rglob("*")) == before


@pytest.mark.usefixtures("prefect_api")
def test_the_flow_shows_the_score_as_an_artifact_of_its_run(clean_environment):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.score_reconstruction import score_reconstruction

    scene_id = stored_scene(clean_environment, "kitchen", 2)
    layout = LocalSceneStorage(clean_environment).folder(scene_id) / LAYOUT
    state = score_reconstruction(scene=scene_id, usd_uri=str(layout), frame="world", return_state=True)
    assert state.is_completed() and state.result()["at_iou"]["0.25"]["f1"] == 1.0
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])
            )
        )
    assert artifact.type == "markdown" and f"# Reconstruction of {scene_id}" in artifact.data
    assert "| 0.25 | 1.000 | 1.000 | 1.000 |" in artifact.data

    missing = score_reconstruction(scene="kitchen-not-here", usd_uri=str(layout), return_state=True)
    assert missing.is_failed() and "not stored" in str(missing.message)
