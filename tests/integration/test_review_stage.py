"""The review stage in whole runs: Gemini's review model (the real client against the fake server on
127.0.0.1) and the ground-truth review of procedural scenes, through a real Prefect API."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

import pytest
from PIL import Image

from flows.generate_scenes import generate_scenes
from flows.rerun_failed_scenes import rerun_failed_scenes
from scenegen.backends.google.gemini_review import PLAN_MARKER
from scenegen.storage import MARKER, SCENE_JSON
from tasks.review import review_image
from tests.conftest import TEST_KEY
from tests.helpers import events_named
from tests.integration.test_flows import history, scene_folders
from tests.integration.test_gemini_backends import IMAGE_COST, IMAGE_MODEL, REVIEW_COST, TEXT_MODEL

pytestmark = pytest.mark.usefixtures("prefect_api")
PEOPLE = {"people_present": True, "verdict": "unsuitable", "reasons": ["a cook stands at the pass"]}
WRONG_ROOM = {"archetype_seen": "office", "archetype_matches": False, "verdict": "unsuitable"}


def review(changes: dict | None = None) -> str:
    return f"review:{json.dumps(changes)}" if changes else "review"


@pytest.fixture
def reviews(gemini, monkeypatch):
    """Prompts written locally, so every request to the text model is a review."""
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    monkeypatch.setenv("MAX_CONCURRENCY", "1")
    monkeypatch.setattr(review_image, "retry_delay_seconds", [0.1, 0.1, 0.1])
    return gemini


def scene_document(folder) -> dict:
    return json.loads((folder / SCENE_JSON).read_text())


def test_a_suitable_image_is_stored_with_its_rubric_cost_and_verdict(clean_environment, reviews):
    started = datetime.now(UTC)
    state = generate_scenes(scenes=1, archetypes=["lab"], seed=2, return_state=True)
    assert state.is_completed(), state.message
    [(scene_id, folder)] = scene_folders(clean_environment).items()
    document = scene_document(folder)
    assert document["review"]["mode"] == "required" and document["review"]["verdict"] == "suitable"
    assert document["review"]["reviewer"] == TEXT_MODEL  # GEMINI_REVIEW_MODEL unset: the text model
    assert document["review"]["rubric"]["archetype_seen"] == "lab"
    assert document["review"]["cost_usd"] == pytest.approx(REVIEW_COST)
    assert document["result"]["cost_usd"] == pytest.approx(IMAGE_COST + REVIEW_COST)
    record = history(clean_environment)[scene_id]
    assert (
        record.review and record.review.verdict == "suitable" and record.review.rubric.distinct_objects == 24
    )
    [event] = events_named("scenegen.scene.completed", started, expected=1)
    assert event.payload["review"] == {
        "mode": "required",
        "verdict": "suitable",
        "reasons": [],
        "reviewer": TEXT_MODEL,
    }

    # the request: the image, the plan, and the rubric's schema for a JSON answer
    [request] = reviews.requests(TEXT_MODEL)
    image_part, text_part = request["body"]["contents"][0]["parts"]
    inline = image_part["inlineData"]
    assert (inline.get("mimeType") or inline.get("mime_type")) == "image/jpeg"
    shown = Image.open(io.BytesIO(base64.urlsafe_b64decode(inline["data"])))  # as google-genai sends bytes
    assert shown.format == "JPEG" and shown.size == (1376, 768)
    plan = json.loads(text_part["text"].split(PLAN_MARKER, 1)[1])
    assert plan["planned_archetype"] == "lab" and "office" in plan["archetypes"]
    config = request["body"]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config.get("responseSchema") or config.get("responseJsonSchema")
    assert {"people_present", "archetype_seen", "distinct_objects", "verdict"} <= set(schema["properties"])
    assert "systemInstruction" in request["body"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(PEOPLE, "people in frame"), (WRONG_ROOM, "wrong archetype (office, planned kitchen)")],
    ids=["people", "wrong-archetype"],
)
def test_an_unsuitable_image_is_rejected_unmarked_and_replaced(clean_environment, reviews, answer, reason):
    reviews.script(**{TEXT_MODEL: [review(answer)]})  # the next review: suitable
    state = generate_scenes(scenes=1, archetypes=["kitchen"], seed=3, return_state=True)
    assert state.is_completed(), state.message
    records = history(clean_environment)
    [rejected] = [r for r in records.values() if r.status == "rejected"]
    assert f"unsuitable for reconstruction: {reason}" in rejected.failure_reason
    assert rejected.review.verdict == "unsuitable" and rejected.review.reasons[0] == reason
    assert rejected.cost_usd == pytest.approx(IMAGE_COST + REVIEW_COST)  # paid, and counted
    folders = scene_folders(clean_environment)
    assert rejected.scene_id not in folders and len(folders) == 1  # the replacement
    [stored] = folders.values()
    assert (stored / MARKER).is_file() and scene_document(stored)["review"]["verdict"] == "suitable"
    assert len(reviews.requests(IMAGE_MODEL)) == 2 and len(reviews.requests(TEXT_MODEL)) == 2

    from prefect.artifacts import Artifact

    summary = Artifact.get("scenegen-summary").data
    assert (
        "1 of 2 suitable (50%)" in summary
        and f"| kitchen | 2 | 1 | 50% | {reason.split(' (')[0]} 1 |" in summary
    )


def test_a_malformed_answer_leaves_the_image_unreviewed_not_passed(clean_environment, reviews):
    reviews.script(**{TEXT_MODEL: ["answer:The room looks fine to me.", 'answer:{"verdict": "suitable"}']})
    state = generate_scenes(scenes=1, archetypes=["office"], seed=4, return_state=True)
    assert state.is_failed()  # the replacement's answer is unusable too
    records = list(history(clean_environment).values())
    assert [r.status for r in records] == ["unreviewed", "unreviewed"] and not scene_folders(
        clean_environment
    )
    assert all(r.review.verdict == "unreviewed" and r.review.rubric is None for r in records)
    assert all("does not fit the rubric" in r.failure_reason for r in records)
    assert any("The room looks fine to me." in r.failure_reason for r in records)


def test_advisory_stores_every_image_with_its_verdict_and_off_skips_the_review(
    clean_environment, reviews, monkeypatch
):
    monkeypatch.setenv("REVIEW", "advisory")
    reviews.script(**{TEXT_MODEL: [review(PEOPLE), "answer:not json"]})
    started = datetime.now(UTC)
    assert generate_scenes(scenes=2, archetypes=["kitchen"], seed=5, return_state=True).is_completed()
    verdicts = sorted(
        scene_document(f)["review"]["verdict"] for f in scene_folders(clean_environment).values()
    )
    assert verdicts == ["unreviewed", "unsuitable"]
    assert all((folder / MARKER).is_file() for folder in scene_folders(clean_environment).values())
    announced = events_named("scenegen.scene.completed", started, expected=2)
    assert sorted(event.payload["review"]["verdict"] for event in announced) == verdicts

    monkeypatch.setenv("REVIEW", "off")
    reviews.script()
    assert generate_scenes(scenes=1, archetypes=["lab"], seed=6, return_state=True).is_completed()
    assert not reviews.requests(TEXT_MODEL) and len(reviews.requests(IMAGE_MODEL)) == 1
    newest = [f for f in scene_folders(clean_environment).values() if f.name.startswith("lab")]
    assert scene_document(newest[0])["review"] == {
        "mode": "off",
        "verdict": "unreviewed",
        "reasons": ["review off"],
    }


def test_a_quota_error_on_a_review_is_retried_no_sooner_than_asked(clean_environment, reviews):
    reviews.script(**{TEXT_MODEL: ["quota:2", "review"]})
    state = generate_scenes(scenes=1, seed=7, return_state=True)
    assert state.is_completed(), state.message
    first, second = reviews.requests(TEXT_MODEL)
    assert second["time"] - first["time"] >= 2.0
    assert len(reviews.requests(IMAGE_MODEL)) == 1  # the image was not made again


def test_a_refused_key_on_the_review_stops_the_run_and_is_never_written(clean_environment, reviews, capfd):
    # images take a second: the first scene's review is refused while the second scene's image is made
    reviews.script(**{TEXT_MODEL: ["echo_key"] * 3, IMAGE_MODEL: ["slow:1"] * 3})
    state = generate_scenes(scenes=3, seed=8, return_state=True)
    assert state.is_failed() and "the run stopped after Gemini review model" in state.message
    assert not scene_folders(clean_environment) and len(reviews.requests(IMAGE_MODEL)) == 2
    records = history(clean_environment)
    assert sorted(r.status for r in records.values()) == ["failed", "failed", "skipped"]
    assert all("Key [redacted] is suspended" in r.failure_reason for r in records.values())
    files = [p.read_bytes().decode("latin-1") for p in clean_environment.rglob("*") if p.is_file()]
    assert all(TEST_KEY not in text for text in [*files, str(capfd.readouterr()), state.message or ""])

    # once the key is good again, rerun-failed reviews the images made before: none is paid for twice
    reviews.script()
    assert rerun_failed_scenes(return_state=True).is_completed()
    assert len(reviews.requests(IMAGE_MODEL)) == 1 and len(reviews.requests(TEXT_MODEL)) == 3
    assert len(scene_folders(clean_environment)) == 3


def test_the_budget_holds_each_scene_s_review_with_its_image(clean_environment, reviews, monkeypatch):
    # $0.1375 an image: three would start under $0.28; with its review a scene costs $0.1453, so two do
    monkeypatch.setenv("MAX_COST_USD", "0.28")
    state = generate_scenes(scenes=4, seed=9, return_state=True)
    assert state.is_failed() and "MAX_COST_USD" in state.message
    assert len(reviews.requests(IMAGE_MODEL)) == 2 and len(reviews.requests(TEXT_MODEL)) == 2
    records = history(clean_environment).values()
    assert sorted(r.status for r in records) == ["skipped", "skipped", "succeeded", "succeeded"]
    assert sum(r.cost_usd for r in records) == pytest.approx(2 * (IMAGE_COST + REVIEW_COST))


def test_one_image_in_three_unsuitable_ends_replaced_or_recorded_never_marked(
    clean_environment, reviews, monkeypatch
):
    monkeypatch.setenv("MAX_CONCURRENCY", "3")
    reviews.script(**{TEXT_MODEL: [review(), review(), review(PEOPLE)] * 3})
    state = generate_scenes(scenes=6, seed=10, return_state=True)
    records = history(clean_environment)
    reviewed = [r for r in records.values() if r.review]
    unsuitable = [r for r in reviewed if r.review.verdict == "unsuitable"]
    # every third review says no: two of the six scenes, or one and, if it came early, its replacement
    assert len(reviewed) in (7, 8) and len(unsuitable) == len(reviewed) // 3
    folders = scene_folders(clean_environment)
    assert all(r.status == "rejected" and r.scene_id not in folders for r in unsuitable)
    assert all((f / MARKER).is_file() for f in folders.values())
    assert all(scene_document(f)["review"]["verdict"] == "suitable" for f in folders.values())
    # a paid image is replaced once: a scene whose replacement is unsuitable too ends rejected
    assert len(folders) == 6 if state.is_completed() else (len(folders) == 5 and len(reviewed) == 7)


def test_procedural_scenes_are_reviewed_from_their_ground_truth(clean_environment, capsys):
    from cli.main import main

    state = generate_scenes(scenes=3, seed=11, return_state=True)
    assert state.is_completed(), state.message
    for folder in scene_folders(clean_environment).values():
        document = scene_document(folder)
        assert document["review"]["reviewer"] == "ground-truth"
        assert document["review"]["verdict"] == "suitable", document["review"]["reasons"]
        layout = json.loads((folder / "layout.json").read_text())
        surfaces = {"floor", "wall", "ceiling"}
        seen = [
            o
            for o in layout["objects"]
            if o["category"] not in surfaces and o["pixels"] >= 0.0002 * 2752 * 1536
        ]
        assert document["review"]["rubric"]["distinct_objects"] == len(seen)
    from prefect.artifacts import Artifact

    assert "3 of 3 suitable (100%)" in Artifact.get("scenegen-summary").data
    assert main(["report"]) == 0
    assert "Images reviewed for reconstruction (REVIEW=required): 3 of 3 suitable (100%)." in (
        capsys.readouterr().out
    )
