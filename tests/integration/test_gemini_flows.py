"""Whole runs on the Gemini backends (fake server on 127.0.0.1) through a real Prefect API: what is stored,
recorded, retried, stopped and reported, and that the key shows up nowhere."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

from flows.generate_scenes import generate_scenes
from flows.rerun_failed_scenes import rerun_failed_scenes
from scenegen.storage import IMAGE_NAME, MARKER, SCENE_JSON
from tasks.render import render_scene
from tests.conftest import TEST_KEY
from tests.integration.test_flows import history, scene_folders
from tests.integration.test_gemini_backends import IMAGE_COST, IMAGE_MODEL, REVIEW_COST, TEXT_MODEL

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def quick_backoff(monkeypatch):
    """Prefect's own backoff shortened, so that a wait seen is the server's, not ours."""
    monkeypatch.setattr(render_scene, "retry_delay_seconds", [0.1, 0.1, 0.1])


def test_a_run_on_gemini_stores_complete_scenes_with_their_cost(clean_environment, gemini):
    state = generate_scenes(scenes=3, seed=7, return_state=True)
    assert state.is_completed(), state.message
    folders = scene_folders(clean_environment)
    assert len(folders) == 3
    records = history(clean_environment)
    for scene_id, folder in folders.items():
        assert {p.name for p in folder.iterdir()} == {IMAGE_NAME, SCENE_JSON, MARKER}
        document = json.loads((folder / SCENE_JSON).read_text())
        assert (
            document["spec"]["prompt_model"] == TEXT_MODEL and document["spec"]["image_model"] == IMAGE_MODEL
        )
        assert document["result"]["backend"] == "gemini" and document["result"]["model"] == IMAGE_MODEL
        assert (document["result"]["width"], document["result"]["height"]) == (2752, 1536)
        # the scene's cost: its image and its review
        assert document["result"]["cost_usd"] == pytest.approx(IMAGE_COST + REVIEW_COST)
        assert records[scene_id].success
        assert records[scene_id].cost_usd == pytest.approx(IMAGE_COST + REVIEW_COST)
    # one prompt batch and three reviews by the text model, three images
    assert len(gemini.requests(TEXT_MODEL)) == 4 and len(gemini.requests(IMAGE_MODEL)) == 3

    from prefect.artifacts import Artifact

    summary = Artifact.get("scenegen-summary").data
    assert f"images online ${3 * IMAGE_COST:.2f}, images in batch jobs $0.00" in summary
    assert f"reviews ${3 * REVIEW_COST:.2f}" in summary

    # A rerun of stored scenes pays for nothing: the renders come from the cache.
    assert rerun_failed_scenes(scene_ids=sorted(folders), return_state=True).is_completed()
    assert len(gemini.requests(IMAGE_MODEL)) == 3 and len(gemini.requests(TEXT_MODEL)) == 4  # reviews too
    assert "Estimated spend: $0.00" in Artifact.get("scenegen-summary").data


def test_a_quota_error_is_retried_no_sooner_than_the_server_asked(clean_environment, gemini, quick_backoff):
    gemini.script(**{IMAGE_MODEL: ["quota:2", "image"]})
    state = generate_scenes(scenes=1, seed=3, return_state=True)
    assert state.is_completed(), state.message
    first, second = gemini.requests(IMAGE_MODEL)
    assert second["time"] - first["time"] >= 2.0


def test_overloads_and_timeouts_are_retried_until_an_image_comes(
    clean_environment, gemini, quick_backoff, monkeypatch
):
    monkeypatch.setenv("GEMINI_TIMEOUT_SECONDS", "1")
    gemini.script(**{IMAGE_MODEL: ["overloaded", "slow:2", "overloaded", "image"]})
    state = generate_scenes(scenes=1, seed=3, return_state=True)
    assert state.is_completed(), state.message
    assert len(gemini.requests(IMAGE_MODEL)) == 4
    assert len(scene_folders(clean_environment)) == 1


def test_blocked_and_imageless_answers_are_recorded_and_not_retried(clean_environment, gemini, monkeypatch):
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    gemini.script(**{IMAGE_MODEL: ["prompt_blocked", "image_blocked", "text_only", "empty"]})
    state = generate_scenes(scenes=4, seed=5, return_state=True)
    assert state.is_failed()
    assert len(gemini.requests(IMAGE_MODEL)) == 4  # one call each: the same prompt is not sent again
    assert scene_folders(clean_environment) == {}
    records = history(clean_environment).values()
    assert sorted(r.status for r in records) == ["blocked", "blocked", "no_image", "no_image"]
    reasons = " ".join(r.failure_reason or "" for r in records)
    for words in ("PROHIBITED_CONTENT", "IMAGE_SAFETY", "rather describe this kitchen", "no candidates"):
        assert words in reasons
    blocked_cost = [r.cost_usd for r in records if "PROHIBITED_CONTENT" in (r.failure_reason or "")]
    assert blocked_cost == [pytest.approx(350 * 2 / 1e6)]

    # rerun-failed takes the imageless scenes again, not the refused ones
    assert rerun_failed_scenes(return_state=True).is_completed()
    assert len(gemini.requests(IMAGE_MODEL)) == 6
    assert sorted(r.status for r in history(clean_environment).values()) == [
        "blocked",
        "blocked",
        "succeeded",
        "succeeded",
    ]


def test_an_invalid_key_stops_the_run_before_it_pays_for_every_scene(clean_environment, gemini, monkeypatch):
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    monkeypatch.setenv("MAX_CONCURRENCY", "2")
    gemini.script(**{IMAGE_MODEL: ["invalid_key"] * 10})
    state = generate_scenes(scenes=8, seed=2, return_state=True)
    assert state.is_failed()
    assert "API key not valid" in state.message and "not started" in state.message
    assert len(gemini.requests(IMAGE_MODEL)) == 1  # the first paid call goes alone
    statuses = sorted(r.status for r in history(clean_environment).values())
    assert statuses == ["failed"] + ["skipped"] * 7


def test_an_invalid_key_at_the_prompt_stage_fails_the_run_before_any_image(clean_environment, gemini):
    gemini.script(**{TEXT_MODEL: ["invalid_key"]})
    state = generate_scenes(scenes=3, seed=2, return_state=True)
    assert state.is_failed() and "API key not valid" in state.message
    assert len(gemini.requests(TEXT_MODEL)) == 1 and gemini.requests(IMAGE_MODEL) == []


def test_max_cost_stops_new_renders_at_the_scene_that_reaches_it(clean_environment, gemini, monkeypatch):
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    monkeypatch.setenv("MAX_COST_USD", "0.40")  # 0.1453 a scene, image and review: the third crosses it
    monkeypatch.setenv("MAX_CONCURRENCY", "2")
    state = generate_scenes(scenes=5, seed=6, return_state=True)
    assert state.is_failed() and "MAX_COST_USD ($0.40)" in state.message
    assert len(gemini.requests(IMAGE_MODEL)) == 3
    assert len(gemini.requests(TEXT_MODEL)) == 3  # the reviews: none for the scenes the budget stopped
    assert len(scene_folders(clean_environment)) == 3
    statuses = sorted(r.status for r in history(clean_environment).values())
    assert statuses == ["skipped", "skipped", "succeeded", "succeeded", "succeeded"]


def test_the_key_can_come_from_a_prefect_secret_block(clean_environment, gemini, monkeypatch):
    from prefect.blocks.system import Secret

    from scenegen.errors import InputError
    from tasks.resources import prepare_run

    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.setenv("IMAGE_BACKEND", "gemini")
    with pytest.raises(InputError, match="no Prefect Secret block named gemini-api-key"):
        prepare_run()
    Secret(value="key-from-the-block").save("gemini-api-key", overwrite=True)
    try:
        state = generate_scenes(scenes=1, seed=1, return_state=True)
    finally:
        Secret.delete("gemini-api-key")
    assert state.is_completed(), state.message
    # the key found, prompts and the review go to Gemini too, as with GEMINI_API_KEY set
    assert [(r["model"], r["headers"]["x-goog-api-key"]) for r in gemini.requests()] == [
        (TEXT_MODEL, "key-from-the-block"),
        (IMAGE_MODEL, "key-from-the-block"),
        (TEXT_MODEL, "key-from-the-block"),
    ]


def test_the_key_is_in_no_log_artifact_record_or_file(clean_environment, gemini, monkeypatch, capfd):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    monkeypatch.setenv("MAX_CONCURRENCY", "1")
    gemini.script(**{IMAGE_MODEL: ["image", "quota:0", "image_blocked", "overloaded", "echo_key"]})
    state = generate_scenes(scenes=4, seed=11, return_state=True)
    assert state.is_failed()
    run_id = state.state_details.flow_run_id
    APILogWorker.drain_all(timeout=10)  # logs reach the API in batches: send what is queued
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
        flow_run = client.read_flow_run(run_id)
    assert any("Key [redacted] is suspended" in log.message for log in logs)  # this run's logs, with the echo
    texts = [log.message for log in logs] + [json.dumps(a.data) for a in artifacts]
    texts += [json.dumps(flow_run.parameters), state.message or "", str(capfd.readouterr())]
    texts += [p.read_bytes().decode("latin-1") for p in clean_environment.rglob("*") if p.is_file()]
    assert all(TEST_KEY not in text for text in texts)
    assert len(artifacts) >= 4 and (clean_environment / "history.sqlite3").is_file()


def test_a_gemini_image_concurrency_limit_is_shared_when_it_exists(clean_environment, gemini, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    monkeypatch.setenv("PROMPT_BACKEND", "local")
    monkeypatch.setenv("MAX_CONCURRENCY", "3")
    gemini.script(**{IMAGE_MODEL: ["slow:1", "slow:1", "slow:1"]})
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name="gemini-image", limit=1))
        try:
            state = generate_scenes(scenes=3, seed=9, return_state=True)
        finally:
            client.delete_global_concurrency_limit_by_name("gemini-image")
    assert state.is_completed(), state.message
    starts = sorted(r["time"] for r in gemini.requests(IMAGE_MODEL))
    assert len(starts) == 3 and all(b - a >= 0.9 for a, b in pairwise(starts))
