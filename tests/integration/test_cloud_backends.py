"""Firestore history and GCS storage on the real Google clients, against the emulators on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from google.cloud import storage
from PIL import Image

from cli.main import main
from scenegen.backends.google.firestore import FirestoreHistory
from scenegen.backends.google.gcs import GcsSceneStorage
from scenegen.errors import InputError, TransientError
from scenegen.models import StagedFile, utcnow
from scenegen.planning.history import recent_history
from scenegen.planning.reruns import RunJudge, select_reruns
from scenegen.records import HistoryRecord
from scenegen.storage import GROUND_TRUTH, IMAGE_NAME, MARKER, SCENE_JSON
from tasks.gcp_blocks import CACHE_FOLDER
from tests import leases
from tests.helpers import note_uploads, record, stored_scene

NOW = datetime.fromisoformat("2026-11-24T08:00:00+00:00")


def test_the_lookback_is_a_server_side_range_on_generated_at(cloud):
    store = FirestoreHistory(cloud.project)
    inside = record(
        "lab", ["busy_state"], when=NOW - timedelta(days=30) + timedelta(seconds=1), scene_id="in"
    )
    edge = record("lab", when=NOW - timedelta(days=30), scene_id="edge")
    outside = record("lab", when=NOW - timedelta(days=30, seconds=1), scene_id="out")
    for each in (outside, edge, inside):
        store.save(each)
    found = recent_history(store, 30, now=NOW)
    assert [r.scene_id for r in found] == ["edge", "in"]
    assert found[1].variation_tags == ["busy_state"] and found[1].prompt_hash == inside.prompt_hash
    assert found[1].seed == 0 and found[1].image_model == ""  # a lookback reads only the summary fields
    whole = store.get("in")
    assert whole is not None and whole.prompt == inside.prompt and whole.image_model == inside.image_model
    stored = cloud.firestore().collection("scene_generation_history").document("in").get().to_dict()
    assert isinstance(stored["generated_at"], datetime)  # a Firestore timestamp, not text


def test_a_new_scene_is_created_and_a_rerun_updates_it(cloud):
    store = FirestoreHistory(cloud.project)
    first = record("office", success=False, scene_id="office-1")
    store.save(first)
    store.save(first.model_copy(update={"success": True, "status": "succeeded", "failure_reason": None}))
    again = store.get("office-1")
    assert again is not None and again.success and again.attempts == 2 and again.failure_reason is None
    assert store.get("office-2") is None


def test_planned_records_are_written_ahead_in_batches_and_replaced_by_how_each_scene_ended(cloud):
    store = FirestoreHistory(cloud.project)
    specs = [record("lab", scene_id=f"lab-{i:04d}").to_spec() for i in range(501)]  # two batches
    until = utcnow() + timedelta(hours=1)
    store.save_all([HistoryRecord.planned(spec, "run-1", until) for spec in specs])
    planned = recent_history(store, 1)  # a lookback read: the summary fields
    assert len(planned) == 501 and {r.status for r in planned} == {"planned"}
    assert all(r.flow_run_id == "run-1" and r.planned_until == until and not r.success for r in planned)
    store.save(HistoryRecord.of(specs[0], failure="boom", flow_run_id="run-1"))
    ended = store.get(specs[0].scene_id)
    assert ended.status == "failed" and ended.attempts == 1 and ended.planned_until is None
    assert ended.prompt == specs[0].prompt and ended.failure_reason == "boom"
    # rerun-failed takes the failed scene, and the planned ones once their run has ended
    going = select_reruns(store, [], 1, RunJudge(store))
    assert [s.scene_id for s in going.specs] == [specs[0].scene_id] and going.left[0].run_id == "run-1"
    ended = select_reruns(store, [], 1, RunJudge(store, lambda run_id: run_id == "run-1"))
    assert len(ended.specs) == 501 and not ended.left


def test_the_scenes_waiting_in_batch_jobs_are_one_query_with_their_whole_records(cloud):
    store = FirestoreHistory(cloud.project)
    for n, status in enumerate(["submitted", "succeeded", "submitted", "failed"]):
        each = record(
            "lab", scene_id=f"lab-{n}", when=NOW + timedelta(minutes=n), success=status == "succeeded"
        )
        store.save(each.model_copy(update={"status": status, "batch_job": f"batches/{n}"}))
    waiting = store.submitted()
    assert [(r.scene_id, r.batch_job) for r in waiting] == [("lab-0", "batches/0"), ("lab-2", "batches/2")]
    assert waiting[0].to_spec().prompt == store.get("lab-0").prompt  # whole: a collect rebuilds the spec
    assert {r.batch_job for r in recent_history(store, 30, now=NOW + timedelta(days=1))} >= {"batches/1"}


def test_five_thousand_records_load_in_one_lookback(cloud):
    client = cloud.firestore()
    records = [record("warehouse", ["night_light"], scene_id=f"w-{i:05d}") for i in range(5000)]
    for start in range(0, len(records), 500):
        batch = client.batch()
        for each in records[start : start + 500]:
            batch.set(
                client.collection("scene_generation_history").document(each.scene_id), each.model_dump()
            )
        batch.commit()
    found = recent_history(FirestoreHistory(cloud.project), 30)
    assert len(found) == 5000 and {r.archetype for r in found} == {"warehouse"}


def png(path, colour: tuple[int, int, int]) -> tuple[str, str]:
    Image.new("RGB", (64, 36), colour).save(path)
    return str(path), hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_stored_identical_image_is_not_uploaded_again_and_a_new_one_replaces_it(cloud, tmp_path):
    gcs = GcsSceneStorage(cloud.bucket)
    _, digest = png(tmp_path / "a.png", (10, 20, 30))
    stored = gcs.put_scene("kitchen-1", tmp_path / "a.png", digest, {"n": 1})
    assert stored.image_uri == f"gs://{cloud.bucket}/scenes/kitchen-1/{IMAGE_NAME}"
    generation = cloud.objects()[f"scenes/kitchen-1/{IMAGE_NAME}"].generation
    gcs.put_scene("kitchen-1", tmp_path / "a.png", digest, {"n": 2})
    objects = cloud.objects()
    assert objects[f"scenes/kitchen-1/{IMAGE_NAME}"].generation == generation
    assert json.loads(objects[f"scenes/kitchen-1/{SCENE_JSON}"].download_as_bytes()) == {"n": 2}
    _, other = png(tmp_path / "b.png", (200, 20, 30))
    gcs.put_scene("kitchen-1", tmp_path / "b.png", other, {"n": 3})
    replaced = cloud.objects()[f"scenes/kitchen-1/{IMAGE_NAME}"]
    assert replaced.generation != generation and replaced.metadata == {"sha256": other}
    assert gcs.is_complete("kitchen-1")


def test_a_writer_racing_the_create_only_upload_is_not_overwritten(cloud, tmp_path, monkeypatch):
    gcs = GcsSceneStorage(cloud.bucket)
    _, digest = png(tmp_path / "a.png", (1, 2, 3))
    real_upload = storage.Blob.upload_from_filename

    def racing_upload(blob, filename, **options):
        storage.Client().bucket(cloud.bucket).blob(blob.name).upload_from_string(b"someone else's")
        return real_upload(blob, filename, **options)

    monkeypatch.setattr(storage.Blob, "upload_from_filename", racing_upload)
    with pytest.raises(TransientError, match="changed while it was being stored"):
        gcs.put_scene("lab-1", tmp_path / "a.png", digest, {})
    assert cloud.objects()[f"scenes/lab-1/{IMAGE_NAME}"].download_as_bytes() == b"someone else's"
    assert not gcs.is_complete("lab-1")


def test_a_stored_copy_that_does_not_match_gets_no_marker(cloud, tmp_path, monkeypatch):
    gcs = GcsSceneStorage(cloud.bucket)
    _, digest = png(tmp_path / "a.png", (9, 9, 9))

    def truncating_upload(blob, filename, **options):
        with open(filename, "rb") as handle:
            blob.upload_from_string(handle.read()[:-10], if_generation_match=options["if_generation_match"])

    monkeypatch.setattr(storage.Blob, "upload_from_filename", truncating_upload)
    with pytest.raises(TransientError, match="MD5"):
        gcs.put_scene("lab-2", tmp_path / "a.png", digest, {})
    assert not any(name.startswith("scenes/lab-2/") for name in cloud.objects())  # the bad copy went too


def test_the_ground_truth_is_in_the_bucket_before_the_marker(cloud, tmp_path, monkeypatch):
    gcs = GcsSceneStorage(cloud.bucket)
    _, digest = png(tmp_path / "a.png", (4, 5, 6))
    truth = []
    for name in GROUND_TRUTH:
        path = tmp_path / f"staged.{name}"
        path.write_bytes(f"{name} of the scene".encode())
        truth.append(
            StagedFile(name=name, path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        )
    order = note_uploads(monkeypatch)
    gcs.put_scene("warehouse-1", tmp_path / "a.png", digest, {"n": 1}, truth)
    objects = cloud.objects()
    for staged in truth:
        stored = objects[f"scenes/warehouse-1/{staged.name}"]
        assert stored.download_as_bytes() == Path(staged.path).read_bytes()
        assert stored.metadata == {"sha256": staged.sha256}
    assert objects["scenes/warehouse-1/depth.png"].content_type == "image/png"
    assert order == [IMAGE_NAME, *GROUND_TRUTH, SCENE_JSON, MARKER]
    # a ground-truth file that cannot be stored: no scene.json, no marker
    broken = [*truth[:-1], truth[-1].model_copy(update={"path": str(tmp_path / "gone.usda")})]
    with pytest.raises(FileNotFoundError):
        gcs.put_scene("warehouse-2", tmp_path / "a.png", digest, {}, broken)
    names = {name.split("/")[-1] for name in cloud.objects() if name.startswith("scenes/warehouse-2/")}
    assert SCENE_JSON not in names and MARKER not in names
    gcs.remove_scene("warehouse-1")
    assert not any(name.startswith("scenes/warehouse-1/") for name in cloud.objects())


@pytest.mark.usefixtures("prefect_api")
def test_generate_on_firestore_and_gcs_leaves_the_contracts_objects_and_documents(cloud, capsys):
    assert main(["generate", "--scenes", "3", "--seed", "12"]) == 0
    assert f"gs://{cloud.bucket}/scenes" in capsys.readouterr().out
    objects = cloud.objects()
    scenes = {name.split("/")[1] for name in objects if name.startswith("scenes/")}
    assert len(scenes) == 3
    for scene_id in scenes:
        for name in (IMAGE_NAME, SCENE_JSON, MARKER, *GROUND_TRUTH):
            assert f"scenes/{scene_id}/{name}" in objects
        scene = json.loads(objects[f"scenes/{scene_id}/{SCENE_JSON}"].download_as_bytes())
        sha = scene["result"]["sha256"]
        for name, listed in scene["ground_truth"]["files"].items():
            assert objects[f"scenes/{scene_id}/{name}"].metadata == {"sha256": listed["sha256"]}
        assert objects[f"scenes/{scene_id}/{IMAGE_NAME}"].metadata == {"sha256": sha}
    assert any(name.startswith(f"{CACHE_FOLDER}/") for name in objects)  # Prefect's cache is in the bucket
    documents = {d.id: d.to_dict() for d in cloud.firestore().collection("scene_generation_history").stream()}
    # a procedural image a check refused is replaced by a fresh spec's, and its record says so
    assert all(d["status"] == "rejected" for i, d in documents.items() if i not in scenes)
    assert scenes <= set(documents)
    for scene_id, document in ((i, documents[i]) for i in scenes):
        assert (
            document["success"]
            and document["image_uri"] == f"gs://{cloud.bucket}/scenes/{scene_id}/{IMAGE_NAME}"
        )
        assert isinstance(document["generated_at"], datetime) and len(document["prompt_summary"]) <= 200
        assert document["attempts"] == 1 and document["planned_until"] is None  # planned, then ended
        assert (
            document["review"]["verdict"] == "suitable" and document["review"]["reviewer"] == "ground-truth"
        )
    reviews = [r.review for r in recent_history(FirestoreHistory(cloud.project), 30) if r.success]
    assert all(r and r.rubric and r.rubric.distinct_objects >= 6 for r in reviews) and len(reviews) == 3


@pytest.mark.usefixtures("prefect_api")
def test_a_failure_between_image_and_marker_leaves_no_marker_and_rerun_failed_completes_it(
    cloud, monkeypatch, capsys
):
    real_put = GcsSceneStorage._put

    def failing_put(storage_, path, text, create_only=False):
        if path.endswith(SCENE_JSON):
            raise PermissionError("scene.json refused")
        return real_put(storage_, path, text, create_only)

    monkeypatch.setattr(GcsSceneStorage, "_put", failing_put)
    assert main(["generate", "--scenes", "1", "--seed", "4"]) == 1
    [image] = [blob for name, blob in cloud.objects().items() if name.endswith(IMAGE_NAME)]
    scene_id = image.name.split("/")[1]
    assert f"scenes/{scene_id}/{MARKER}" not in cloud.objects()
    record_ = FirestoreHistory(cloud.project).get(scene_id)
    assert record_ is not None and not record_.success and "scene.json refused" in record_.failure_reason

    monkeypatch.setattr(GcsSceneStorage, "_put", real_put)
    assert main(["rerun-failed"]) == 0
    objects = cloud.objects()
    assert f"scenes/{scene_id}/{MARKER}" in objects
    assert objects[f"scenes/{scene_id}/{IMAGE_NAME}"].generation == image.generation  # not uploaded again
    assert FirestoreHistory(cloud.project).get(scene_id).success


@pytest.mark.usefixtures("prefect_api")
def test_a_new_process_with_a_fresh_disk_finds_the_cache_in_the_bucket(cloud, prefect_api, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    def scenegen(output: str, *argv: str) -> str:
        env = {**os.environ, "PREFECT_API_URL": prefect_api, "OUTPUT_DIR": str(tmp_path / output)}
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    scenegen("first-job", "generate", "--scenes", "1", "--seed", "8")
    [scene_id] = {name.split("/")[1] for name in cloud.objects() if name.startswith("scenes/")}
    scenegen("second-job", "rerun-failed", "--scene-id", scene_id)
    assert not (tmp_path / "second-job" / ".staging").exists()  # nothing was rendered in the second job
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(sort="START_TIME_DESC", limit=1)
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[runs[0].id])))
    states = {task.name.rsplit("-", 1)[0]: task.state.name for task in tasks}
    assert states["render-scene"] == "Cached" and states["upload-scene"] == "Cached"


@pytest.mark.usefixtures("prefect_api")
def test_bucket_may_name_a_saved_gcs_bucket_block(cloud, monkeypatch, capsys):
    from prefect_gcp.cloud_storage import GcsBucket

    from tasks.gcp_blocks import ScenegenGcpCredentials

    monkeypatch.setenv("BUCKET", "gcs-bucket/no-such-block")
    assert main(["generate", "--scenes", "1"]) == 2
    assert "no saved GcsBucket block 'gcs-bucket/no-such-block'" in capsys.readouterr().err
    block_name = f"scenes-{cloud.bucket}"
    GcsBucket(bucket=cloud.bucket, gcp_credentials=ScenegenGcpCredentials()).save(block_name)
    monkeypatch.setenv("BUCKET", f"gcs-bucket/{block_name}")
    assert main(["generate", "--scenes", "1", "--seed", "3"]) == 0
    assert f"gs://{cloud.bucket}/scenes" in capsys.readouterr().out
    assert len([name for name in cloud.objects() if name.endswith(MARKER)]) == 1


def test_a_reconstruction_in_the_bucket_is_scored_and_its_score_stored_beside_the_scene(cloud, tmp_path):
    from scenegen.backends.local.folder import LocalSceneStorage
    from scenegen.scoring.scorecard import (
        fetch_reconstruction,
        known_room,
        locate_scene,
        reconstruction_quality,
        score,
        score_name,
    )

    gcs = GcsSceneStorage(cloud.bucket)
    scene_id = stored_scene(tmp_path / "staging", "utility_room", 3, gcs)
    layout = gcs.read_text(scene_id, "layout.json")
    uri = f"gs://{cloud.bucket}/reconstructions/{scene_id}.json"
    storage.Client().bucket(cloud.bucket).blob(f"reconstructions/{scene_id}.json").upload_from_string(layout)

    holder, found = locate_scene(gcs, f"{gcs.root_uri}/scenes/{scene_id}/", LocalSceneStorage)
    assert found == scene_id
    path, given = fetch_reconstruction(holder, uri, tmp_path)
    document = score(known_room(holder, scene_id), path, given, "world")
    assert document["at_iou"]["0.5"]["f1"] == 1.0 and document["reconstruction"]["uri"] == uri
    name = score_name(document["reconstruction"]["sha256"])
    assert gcs.put_text(scene_id, name, json.dumps(document)) == f"{gcs.root_uri}/scenes/{scene_id}/{name}"
    assert gcs.find("score-") == [(scene_id, name)]
    assert reconstruction_quality(gcs, {scene_id: "utility_room"})["utility_room"]["f1_0.5"] == 1.0
    with pytest.raises(InputError, match="not found"):
        fetch_reconstruction(holder, f"gs://{cloud.bucket}/reconstructions/none.json", tmp_path)
    with pytest.raises(InputError, match="not a scene folder of this run's bucket"):
        locate_scene(gcs, f"gs://another-bucket/scenes/{scene_id}", LocalSceneStorage)


def test_a_run_holds_its_scenes_under_a_lease_it_renews_and_ends(cloud):
    leases.a_run_holds_its_scenes_under_a_lease_it_renews_and_ends(FirestoreHistory(cloud.project))


def test_two_runs_taking_the_same_scenes_take_each_once(cloud):
    """Two machines sharing a Firestore: each scene is taken in a transaction that reads it first."""
    leases.two_runs_taking_the_same_scenes_take_each_once(FirestoreHistory(cloud.project))
