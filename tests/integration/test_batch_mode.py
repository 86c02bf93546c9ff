"""Batch mode through the real google-genai client against the fake Gemini server's Batch API, on a real
Prefect API: submit, collect before and after the jobs end, failed items and jobs, a crash between create
and record, the budget, and the key kept out of everything."""

from __future__ import annotations

import json

import pytest

from flows.collect_batches import collect_batches
from flows.generate_scenes import generate_scenes
from flows.rerun_failed_scenes import rerun_failed_scenes
from scenegen.backends.google.gemini_batch import GeminiBatches
from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.run.batches import job_display_name, submit_job
from scenegen.storage import IMAGE_NAME, MARKER, SCENE_JSON
from tests.conftest import TEST_KEY
from tests.integration.test_flows import history, scene_folders
from tests.integration.test_gemini_backends import IMAGE_COST, IMAGE_MODEL, REVIEW_COST, TEXT_MODEL

pytestmark = pytest.mark.usefixtures("prefect_api")
BATCH_COST = round(IMAGE_COST / 2, 6)


@pytest.fixture
def batch(gemini, monkeypatch):
    monkeypatch.setenv("PROMPT_BACKEND", "local")  # the image calls are what this is about
    return gemini


def creates(gemini) -> list[dict]:
    return [r for r in gemini.requests(IMAGE_MODEL) if r["path"].endswith(":batchGenerateContent")]


def test_submitted_scenes_wait_for_their_job_then_are_stored_once_at_half_the_online_price(
    clean_environment, batch, capsys
):
    state = generate_scenes(scenes=5, seed=11, batch=True, return_state=True)
    assert state.is_completed(), state.message
    assert "submitted in batch jobs batches/" in state.message
    records = history(clean_environment)
    assert {r.status for r in records.values()} == {"submitted"} and len(records) == 5
    [job] = {r.batch_job for r in records.values()}
    assert job.startswith("batches/") and not scene_folders(clean_environment)
    assert len(batch.requests(IMAGE_MODEL)) == 1  # one create, no online image call
    from prefect.artifacts import Artifact

    rows = [
        line.split("|")
        for line in Artifact.get("scenegen-summary").data.splitlines()
        if line.startswith("| ")
    ]
    assert sum(int(row[3]) for row in rows[1:]) == 5 and all(row[5].strip() == "0" for row in rows[1:])

    # The job has not ended: nothing is stored, every scene still waits.
    state = collect_batches(return_state=True)
    assert state.is_completed() and "5 scenes still waiting" in state.message
    assert {r.status for r in history(clean_environment).values()} == {"submitted"}
    assert not scene_folders(clean_environment)

    batch.finish_batches("SUCCEEDED")
    state = collect_batches(return_state=True)
    assert state.is_completed(), state.message
    folders = scene_folders(clean_environment)
    assert set(folders) == set(records)
    for scene_id, folder in folders.items():
        assert {p.name for p in folder.iterdir()} == {IMAGE_NAME, SCENE_JSON, MARKER}
        document = json.loads((folder / SCENE_JSON).read_text())
        assert document["result"]["backend"] == "gemini-batch"
        assert document["result"]["cost_usd"] == pytest.approx(BATCH_COST + REVIEW_COST)  # reviewed online
        record = history(clean_environment)[scene_id]
        assert (
            record.success
            and record.batch_job == job
            and record.cost_usd == pytest.approx(BATCH_COST + REVIEW_COST)
        )

    summary = Artifact.get("scenegen-summary").data
    assert f"images in batch jobs ${5 * BATCH_COST:.2f}" in summary and "images online $0.00" in summary
    jobs_table = Artifact.get("scenegen-batch-jobs").data
    assert job in jobs_table and "SUCCEEDED" in jobs_table
    from cli.main import main

    assert main(["report"]) == 0
    assert f"$0.00 online, ${5 * BATCH_COST:.2f} in batch jobs" in capsys.readouterr().out

    # Collecting again stores nothing twice and asks the API for nothing.
    stamps = {p: p.stat().st_mtime_ns for p in clean_environment.joinpath("scenes").rglob("*")}
    asked = len(batch.requests())
    state = collect_batches(return_state=True)
    assert state.is_completed() and "0 scenes still waiting" in state.message
    assert {p: p.stat().st_mtime_ns for p in clean_environment.joinpath("scenes").rglob("*")} == stamps
    assert len(batch.requests()) == asked and len(creates(batch)) == 1


def test_the_requests_carry_the_online_image_config_the_search_tool_and_each_scene_id(
    clean_environment, batch
):
    assert generate_scenes(scenes=3, seed=5, batch=True, return_state=True).is_completed()
    [create] = creates(batch)
    assert create["path"] == f"/v1beta/models/{IMAGE_MODEL}:batchGenerateContent"
    assert create["headers"]["x-goog-api-key"] == TEST_KEY
    body = create["body"]["batch"]
    assert body["displayName"] == job_display_name(history(clean_environment))
    items = body["inputConfig"]["requests"]["requests"]
    assert sorted(item["metadata"]["scene_id"] for item in items) == sorted(history(clean_environment))
    for item in items:
        request = item["request"]
        config = request["generationConfig"]
        assert config["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}
        assert config["responseModalities"] == ["TEXT", "IMAGE"]
        assert request["tools"] == [{"googleSearch": {}}]
        prompt = request["contents"][0]["parts"][0]["text"]
        assert prompt == history(clean_environment)[item["metadata"]["scene_id"]].prompt


def test_failed_items_and_expired_jobs_become_failed_scenes_that_rerun_failed_makes_online(
    clean_environment, batch
):
    batch.script(**{IMAGE_MODEL: ["image", "item_error", "image"]})
    assert generate_scenes(scenes=3, seed=1, batch=True, return_state=True).is_completed()
    batch.finish_batches("SUCCEEDED")
    state = collect_batches(return_state=True)
    assert state.is_failed() and "1 of 3 scenes failed" in state.message
    records = history(clean_environment)
    [failed] = [r for r in records.values() if not r.success]
    assert failed.status == "failed" and "failed: 13 Internal error" in failed.failure_reason
    assert sum(r.success for r in records.values()) == 2

    assert generate_scenes(scenes=2, seed=2, batch=True, return_state=True).is_completed()
    expired = {r.batch_job for r in history(clean_environment).values() if r.status == "submitted"}
    [expired_job] = expired
    batch.finish_batches("EXPIRED", name=expired_job)
    state = collect_batches(return_state=True)
    assert state.is_failed()
    ended = [r for r in history(clean_environment).values() if r.batch_job == expired_job]
    assert len(ended) == 2 and all("ended EXPIRED without answers" in r.failure_reason for r in ended)

    online_before = len(batch.requests(IMAGE_MODEL))
    state = rerun_failed_scenes(return_state=True)
    assert state.is_completed(), state.message
    assert len(batch.requests(IMAGE_MODEL)) - online_before == 3  # the three failed scenes, online
    assert all(r.success for r in history(clean_environment).values())
    assert len(scene_folders(clean_environment)) == 5


def test_a_crash_between_create_and_record_never_creates_a_second_job(clean_environment, batch, monkeypatch):
    real_create = GeminiBatches.create

    def create_then_crash(self, specs, display_name, references=None):
        real_create(self, specs, display_name, references)
        raise RuntimeError("the process died here")

    monkeypatch.setattr(GeminiBatches, "create", create_then_crash)
    generate_scenes(scenes=3, seed=8, batch=True, return_state=True)
    records = history(clean_environment)
    display_name = job_display_name(records)
    assert {(r.status, r.batch_job) for r in records.values()} == {("submitted", display_name)}
    assert len(creates(batch)) == 1

    # The same submission again (a retry) finds the job instead of paying for another.
    monkeypatch.setattr(GeminiBatches, "create", real_create)
    from tasks.resources import prepare_run

    run = prepare_run(batch=True)
    specs = [record.to_spec() for record in records.values()]
    name = submit_job(
        specs, run.resources.batches, SqliteHistoryStore(clean_environment / "history.sqlite3"), None
    )
    assert len(creates(batch)) == 1 and name.startswith("batches/")

    # And collect finds it by its display name, whatever the records say.
    batch.finish_batches("SUCCEEDED")
    assert collect_batches(return_state=True).is_completed()
    assert all(r.success and r.batch_job == name for r in history(clean_environment).values())
    assert len(scene_folders(clean_environment)) == 3 and len(creates(batch)) == 1


def test_max_cost_counts_each_submission_at_the_batch_price(clean_environment, batch, monkeypatch):
    # a batch image and its review are held at $0.12: three fit in $0.30 (online, at $0.19, two would)
    monkeypatch.setenv("MAX_COST_USD", "0.30")
    state = generate_scenes(scenes=5, seed=4, batch=True, return_state=True)
    assert state.is_failed() and "MAX_COST_USD" in state.message
    statuses = sorted(r.status for r in history(clean_environment).values())
    assert statuses == ["skipped", "skipped", "submitted", "submitted", "submitted"]
    [create] = creates(batch)
    assert len(create["body"]["batch"]["inputConfig"]["requests"]["requests"]) == 3


def test_a_scene_waiting_in_a_job_is_not_rerun(clean_environment, batch):
    assert generate_scenes(scenes=2, seed=6, batch=True, return_state=True).is_completed()
    assert rerun_failed_scenes(return_state=True).message == "no failed scenes to rerun"
    waiting = next(iter(history(clean_environment)))
    state = rerun_failed_scenes(scene_ids=[waiting], return_state=True)
    assert state.is_failed() and "scenegen collect" in str(state.message)


def test_the_key_is_in_no_log_artifact_record_or_file_of_a_batch(clean_environment, batch, capfd):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    batch.script(**{IMAGE_MODEL: ["image", "item_error"]})
    runs = [generate_scenes(scenes=2, seed=9, batch=True, return_state=True)]
    batch.finish_batches("SUCCEEDED")
    runs.append(collect_batches(return_state=True))
    APILogWorker.drain_all(timeout=10)
    texts = [str(capfd.readouterr())]
    with get_client(sync_client=True) as client:
        for state in runs:
            run_id = state.state_details.flow_run_id
            texts += [
                log.message
                for log in client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            ]
            texts += [
                json.dumps(a.data)
                for a in client.read_artifacts(
                    artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
                )
            ]
            texts += [json.dumps(client.read_flow_run(run_id).parameters), state.message or ""]
    texts += [p.read_bytes().decode("latin-1") for p in clean_environment.rglob("*") if p.is_file()]
    assert len(texts) > 10 and all(TEST_KEY not in text for text in texts)


def test_a_collected_image_judged_unsuitable_is_recorded_not_replaced(clean_environment, batch):
    people = {"people_present": True, "verdict": "unsuitable", "reasons": ["a picker in the aisle"]}
    batch.script(**{TEXT_MODEL: [f"review:{json.dumps(people)}"]})  # the first review; the rest: suitable
    assert generate_scenes(scenes=3, seed=12, batch=True, return_state=True).is_completed()
    batch.finish_batches("SUCCEEDED")
    state = collect_batches(return_state=True)
    assert state.is_failed()
    records = history(clean_environment).values()
    [rejected] = [r for r in records if r.status == "rejected"]
    assert "people in frame" in rejected.failure_reason and rejected.review.verdict == "unsuitable"
    assert rejected.cost_usd == pytest.approx(BATCH_COST + REVIEW_COST) and rejected.batch_job
    assert (
        rejected.scene_id not in scene_folders(clean_environment)
        and len(scene_folders(clean_environment)) == 2
    )
    assert len(batch.requests(IMAGE_MODEL)) == 1 and len(batch.requests(TEXT_MODEL)) == 3  # no new image
