"""Twins in whole runs: the real google-genai client against the fake Gemini server, which answers a request
carrying a reference with a restyled copy of it (or, scripted, with one that does not follow it), through a
real Prefect API, on the local storage and on the GCS and Firestore emulators, online and in batch jobs."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from cli.main import main
from flows.collect_batches import collect_batches
from flows.generate_scenes import generate_scenes
from scenegen.backends.google.gemini_review import REFERENCE_MARKER
from scenegen.images import PREVIEW_SIZE, sha256_file
from scenegen.storage import (
    GROUND_TRUTH,
    IMAGE_NAME,
    LAYOUT,
    MARKER,
    PARTS,
    REFERENCE,
    SCENE_JSON,
    STAGE,
    VIEW_MAPS,
)
from scenegen.twins.photograph import INSTRUCTIONS, VIEW_INSTRUCTIONS
from tests.fake_answers import inline_images
from tests.helpers import events_named, note_uploads
from tests.integration.test_flows import history, scene_folders
from tests.integration.test_gemini_backends import IMAGE_COST, IMAGE_MODEL, REVIEW_COST, TEXT_MODEL

pytestmark = pytest.mark.usefixtures("prefect_api")
REFERENCE_COST = round(
    1120 * 2 / 1e6, 6
)  # the reference's 1120 input tokens at the image model's input price
TWIN_FILES = {IMAGE_NAME, SCENE_JSON, MARKER, *GROUND_TRUTH, REFERENCE}


@pytest.fixture
def twins(gemini, monkeypatch):
    """Prompts written locally, so every request to the text model is a review."""
    monkeypatch.setenv("PROMPT_BACKEND", "local")
    return gemini


def text_of(body: dict) -> str:
    return "\n".join(p.get("text", "") for c in body["contents"] for p in c["parts"])


def difference(shown: Image.Image, stored: Image.Image) -> float:
    """Mean absolute difference, in grey levels, between a request's image and a stored one at its size."""
    resized = stored.convert("RGB").resize(shown.size, Image.Resampling.BILINEAR)
    return float(np.abs(np.asarray(shown, np.int16) - np.asarray(resized, np.int16)).mean())


def test_a_twin_is_stored_with_its_rooms_ground_truth_and_how_well_the_photo_follows_it(
    clean_environment, twins
):
    started = datetime.now(UTC)
    state = generate_scenes(scenes=2, seed=5, twins=True, return_state=True)
    assert state.is_completed(), state.message
    folders = scene_folders(clean_environment)
    records = history(clean_environment)
    assert len(folders) == 2
    requests = twins.requests(IMAGE_MODEL)
    assert len(requests) == 2
    for scene_id, folder in folders.items():
        assert {p.name for p in folder.iterdir()} == TWIN_FILES
        document = json.loads((folder / SCENE_JSON).read_text())
        truth = document["ground_truth"]
        assert truth["kind"] == "twin" and document["spec"]["twin"] is True
        assert set(truth["files"]) == {*GROUND_TRUTH, REFERENCE}
        agreement = truth["agreement"]
        assert agreement["passed"] and agreement["frame"] >= agreement["thresholds"]["min_frame"]
        layout = json.loads((folder / LAYOUT).read_text())
        objects = layout["objects"]
        assert all("photo_agreement" in entry for entry in objects)
        # the reference's moving parts: its joints, the pixels of each part, and the stage's joints
        joint_ids = {joint["id"] for joint in layout["joints"]}
        with Image.open(folder / PARTS) as parts:
            assert joint_ids and set(np.unique(np.asarray(parts)).tolist()) - {0} <= joint_ids
        stage = (folder / STAGE).read_text()
        assert stage.count("def PhysicsRevoluteJoint") + stage.count("def PhysicsPrismaticJoint") == len(
            joint_ids
        )
        scored = [entry["photo_agreement"] for entry in objects if entry["photo_agreement"] is not None]
        assert len(scored) >= 5 and statistics.median(scored) > 0.5
        # the photograph's cost: its image with the reference's input tokens, and its review
        assert document["result"]["cost_usd"] == pytest.approx(IMAGE_COST + REFERENCE_COST + REVIEW_COST)
        record = records[scene_id]
        assert record.success and record.twin and record.agreement["frame"] == agreement["frame"]
        assert record.cost_usd == pytest.approx(IMAGE_COST + REFERENCE_COST + REVIEW_COST)
        assert document["review"]["rubric"]["matches_reference"] is True
        # the request for this scene carried its reference, as the stored reference.png, at half size
        with Image.open(folder / REFERENCE) as stored:
            closest = min(
                (difference(image, stored), request)
                for request in requests
                for image in inline_images(request["body"])
            )
        assert closest[0] < 3.0, closest[0]
        body = closest[1]["body"]
        assert inline_images(body)[0].size == PREVIEW_SIZE
        assert document["spec"]["prompt"] in text_of(body) and INSTRUCTIONS.splitlines()[0] in text_of(body)
    # every review saw the photograph and its reference
    reviews = twins.requests(TEXT_MODEL)
    assert len(reviews) == 2
    for review in reviews:
        assert REFERENCE_MARKER in text_of(review["body"]) and len(inline_images(review["body"])) == 2

    from prefect.artifacts import Artifact

    assert "following their reference: 2 of 2 (100%)" in Artifact.get("scenegen-summary").data
    events = events_named("scenegen.scene.completed", started, expected=2)
    assert sorted(e.payload["agreement"]["frame"] for e in events) == sorted(
        r.agreement["frame"] for r in records.values()
    )


def test_photographs_that_do_not_follow_their_reference_are_rejected_and_replaced_once(
    clean_environment, twins
):
    twins.script(**{IMAGE_MODEL: ["twin_moved", "twin_unrelated"]})
    state = generate_scenes(scenes=1, archetypes=["warehouse"], seed=6, twins=True, return_state=True)
    assert not state.is_completed()
    assert not scene_folders(clean_environment)
    records = list(history(clean_environment).values())
    assert sorted(r.status for r in records) == ["rejected", "rejected"]
    for record in records:
        assert "does not follow its reference: " in record.failure_reason, record.failure_reason
        assert record.twin and record.agreement and not record.agreement["passed"], record.failure_reason
        assert record.cost_usd == pytest.approx(IMAGE_COST + REFERENCE_COST)  # paid for, never reviewed
    reasons = " ".join(r.failure_reason for r in records)
    assert "camera moved" in reasons
    assert len(twins.requests(IMAGE_MODEL)) == 2 and not twins.requests(TEXT_MODEL)


def test_twins_in_gcs_have_every_file_stored_before_the_marker(cloud, twins, monkeypatch, capsys):
    order = note_uploads(monkeypatch)
    assert main(["generate", "--twins", "--scenes", "1", "--seed", "8"]) == 0, capsys.readouterr()
    objects = cloud.objects()
    [scene_id] = {name.split("/")[1] for name in objects if name.startswith("scenes/")}
    assert {name.split("/")[-1] for name in objects if name.startswith(f"scenes/{scene_id}/")} == TWIN_FILES
    stored = [name for name in order if name in TWIN_FILES]  # the run's cache records are stored there too
    assert stored[-1] == MARKER and set(stored[:-1]) == TWIN_FILES - {MARKER}
    scene = json.loads(objects[f"scenes/{scene_id}/{SCENE_JSON}"].download_as_bytes())
    for name, listed in scene["ground_truth"]["files"].items():
        assert objects[f"scenes/{scene_id}/{name}"].metadata == {"sha256": listed["sha256"]}
    layout = json.loads(objects[f"scenes/{scene_id}/{LAYOUT}"].download_as_bytes())
    assert any(entry["photo_agreement"] for entry in layout["objects"])
    document = cloud.firestore().collection("scene_generation_history").document(scene_id).get().to_dict()
    assert document["twin"] and document["agreement"]["frame"] == scene["ground_truth"]["agreement"]["frame"]


def test_twins_go_through_batch_jobs_with_their_references_inline_and_their_further_views_online(
    clean_environment, twins, caplog
):
    state = generate_scenes(scenes=2, seed=9, twins=True, batch=True, views=2, return_state=True)
    assert state.is_completed(), state.message
    [create] = [r for r in twins.requests(IMAGE_MODEL) if r["path"].endswith(":batchGenerateContent")]
    inlined = create["body"]["batch"]["inputConfig"]["requests"]["requests"]
    assert len(inlined) == 2  # view 0 of each scene
    assert all(len(inline_images(item["request"])) == 1 for item in inlined)
    assert {r.status for r in history(clean_environment).values()} == {"submitted"}

    twins.finish_batches("SUCCEEDED")
    state = collect_batches(return_state=True)
    assert state.is_completed(), state.message
    folders = scene_folders(clean_environment)
    assert len(folders) == 2
    # once view 0 is collected, view 1 is asked online, with its reference and the first photograph
    online = [r for r in twins.requests(IMAGE_MODEL) if r["path"].endswith(":generateContent")]
    assert len(online) == 2 and all(len(inline_images(r["body"])) == 2 for r in online)
    assert caplog.text.count("view 0 collected from its batch job; views 1 to 1 are asked online now") == 2
    for scene_id, folder in folders.items():
        assert {p.name for p in folder.iterdir()} == TWIN_FILES | {"views"}
        assert {p.name for p in (folder / "views" / "1").iterdir()} == {IMAGE_NAME, *VIEW_MAPS, REFERENCE}
        document = json.loads((folder / SCENE_JSON).read_text())
        assert document["result"]["backend"] == "gemini-batch" and document["ground_truth"]["kind"] == "twin"
        assert document["ground_truth"]["agreement"]["passed"]
        # view 0 at half the online price, the reference's tokens too; view 1 online; both reviewed online
        expected = round((IMAGE_COST + REFERENCE_COST) / 2, 6) + IMAGE_COST + REFERENCE_COST + 2 * REVIEW_COST
        assert document["result"]["cost_usd"] == pytest.approx(expected)
        assert history(clean_environment)[scene_id].success


def test_a_twin_with_two_views_asks_again_for_a_view_whose_colours_stray_and_holds_both_views_cost(
    clean_environment, twins, monkeypatch
):
    # view 1's first photograph is recoloured: refused by the cross-view check, asked again, then restyled
    twins.script(**{IMAGE_MODEL: ["twin", "twin_recoloured", "twin"]})
    state = generate_scenes(scenes=1, archetypes=["kitchen"], seed=5, twins=True, views=2, return_state=True)
    assert state.is_completed(), state.message
    [(scene_id, folder)] = scene_folders(clean_environment).items()
    requests = twins.requests(IMAGE_MODEL)
    assert len(requests) == 3
    # views 1's requests: its own reference, then the first photograph as the appearance reference
    first_photo = Image.open(folder / IMAGE_NAME)
    for request in requests[1:]:
        shown = inline_images(request["body"])
        assert len(shown) == 2 and VIEW_INSTRUCTIONS.splitlines()[0] in text_of(request["body"])
        with Image.open(folder / "views" / "1" / REFERENCE) as reference:
            assert difference(shown[0], reference) < 3.0
        assert difference(shown[1], first_photo) < 3.0
    assert {p.name for p in (folder / "views" / "1").iterdir()} == {IMAGE_NAME, *VIEW_MAPS, REFERENCE}
    document = json.loads((folder / SCENE_JSON).read_text())
    views = document["result"]["views"]
    assert [v["index"] for v in views] == [0, 1] and views[0]["camera"] == document["result"]["camera"]
    for view in views:
        for name, sha256 in view["files"].items():
            assert sha256_file(folder / name) == sha256, name
    # three photographs (each with a reference; views 1's with the first photograph too) and two reviews
    paid = 3 * (IMAGE_COST + REFERENCE_COST) + 2 * REVIEW_COST
    assert document["result"]["cost_usd"] == pytest.approx(paid)
    assert history(clean_environment)[scene_id].cost_usd == pytest.approx(paid)
    assert len(twins.requests(TEXT_MODEL)) == 2  # every view reviewed

    # A budget that one scene's two views and their reviews reach: the next scene is not started.
    monkeypatch.setenv("MAX_COST_USD", "0.25")  # one view and its review are held at 0.19, two at 0.39
    monkeypatch.setenv("MAX_CONCURRENCY", "2")
    twins.script(**{IMAGE_MODEL: []})
    state = generate_scenes(scenes=2, archetypes=["office"], seed=9, twins=True, views=2, return_state=True)
    assert not state.is_completed() and "MAX_COST_USD ($0.25)" in state.message
    assert len(twins.requests(IMAGE_MODEL)) == 2  # the first scene's two views, and nothing else


def test_a_twin_view_refused_twice_fails_its_scene_with_the_reason(clean_environment, twins):
    twins.script(**{IMAGE_MODEL: ["twin", "twin_recoloured", "twin_recoloured"]})
    state = generate_scenes(scenes=1, archetypes=["kitchen"], seed=8, twins=True, views=2, return_state=True)
    records = sorted(history(clean_environment).values(), key=lambda r: r.attempts)
    refused = [r for r in records if r.status == "rejected"]
    assert len(refused) == 1, [(r.status, r.failure_reason) for r in records]
    assert "view 1: its objects' colours differ from view 0's" in refused[0].failure_reason
    assert "asked 2 times" in refused[0].failure_reason
    assert refused[0].cost_usd == pytest.approx(3 * (IMAGE_COST + REFERENCE_COST))  # all paid, never reviewed
    assert state is not None
