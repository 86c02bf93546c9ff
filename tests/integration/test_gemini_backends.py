"""The Gemini backends on the real google-genai client, against the fake Gemini server on 127.0.0.1."""

from __future__ import annotations

import json
import time

import pytest
from PIL import Image

from scenegen.backends.google.gemini_image import GeminiImageGenerator
from scenegen.backends.google.gemini_prompts import MAX_RECENT_CHARS, GeminiPromptWriter, request_text
from scenegen.catalogue import load_archetype_config
from scenegen.engine.pool import WorkerPool, warm_up
from scenegen.errors import FatalError, NoImage, SceneBlocked, SceneFailed, TransientError
from scenegen.images import PNG_MAGIC
from scenegen.planning.prompts import CAMERA_BRIEF, LocalPromptWriter
from scenegen.prices import load_price_table
from scenegen.run.resources import WORKER_PRELOAD
from scenegen.settings import load_settings
from tests.conftest import TEST_KEY
from tests.helpers import record

IMAGE_MODEL, TEXT_MODEL = "gemini-3-pro-image", "gemini-3.1-pro-preview"
CONFIG = load_archetype_config()
PRICES = load_price_table()
# The fake's usage for one image: 350 input, 20 text + 180 thought output, 1120 image tokens.
IMAGE_COST = round((350 * 2 + 200 * 12 + 1120 * 120) / 1e6, 6)
# and for one review by the text model: 1500 input, 150 text + 250 thought output tokens.
REVIEW_COST = round((1500 * 2 + 400 * 12) / 1e6, 6)


def spec_for(archetype: str = "kitchen", seed: int = 1):
    [spec] = LocalPromptWriter(CONFIG, IMAGE_MODEL).write([archetype], [], seed=seed).specs
    return spec


@pytest.fixture(scope="module")
def workers():
    """The worker process that converts answers which are not PNGs."""
    pool = WorkerPool(1, warm_up, WORKER_PRELOAD)
    yield pool
    pool.close()


@pytest.fixture
def generate(workers):
    def generate(tmp_path, steps: list[str], gemini, **env):
        gemini.script(**{IMAGE_MODEL: steps})
        generator = GeminiImageGenerator(load_settings(**env), PRICES, workers)
        return generator.generate(spec_for(), tmp_path / "staged.png")

    return generate


def test_the_final_image_is_taken_after_the_thought_parts_and_the_request_is_right(
    tmp_path, gemini, generate
):
    rendered = generate(tmp_path, ["image"], gemini)
    assert (rendered.width, rendered.height) == (2752, 1536)
    assert Image.open(rendered.path).size == (2752, 1536)  # not the 64x36 thought image
    assert rendered.backend == "gemini" and rendered.model == IMAGE_MODEL
    assert rendered.cost_usd == pytest.approx(IMAGE_COST)
    [request] = gemini.requests(IMAGE_MODEL)
    assert request["path"] == f"/v1beta/models/{IMAGE_MODEL}:generateContent"
    assert request["headers"]["x-goog-api-key"] == TEST_KEY
    body = request["body"]
    assert body["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}
    assert body["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
    assert body["tools"] == [{"googleSearch": {}}]
    assert body["contents"][0]["parts"][0]["text"] == spec_for().prompt


def test_a_jpeg_labelled_png_is_stored_as_a_real_png(tmp_path, gemini, generate):
    rendered = generate(tmp_path, ["jpeg_as_png"], gemini)
    with open(rendered.path, "rb") as stored:
        assert stored.read(8) == PNG_MAGIC
    assert Image.open(rendered.path).format == "PNG" and (rendered.width, rendered.height) == (2752, 1536)


def test_an_image_of_the_wrong_size_fails_the_scene_and_keeps_its_cost(tmp_path, gemini, generate):
    with pytest.raises(SceneFailed, match="1024x576") as caught:
        generate(tmp_path, ["small_image"], gemini)
    assert caught.value.cost_usd == pytest.approx(IMAGE_COST)
    assert not (tmp_path / "staged.png").exists()


def test_quota_errors_carry_the_servers_retry_delay(tmp_path, gemini, generate):
    with pytest.raises(TransientError, match="429 RESOURCE_EXHAUSTED") as caught:
        generate(tmp_path, ["quota:17"], gemini)
    assert caught.value.retry_after == 17.0


def test_an_overloaded_model_is_transient(tmp_path, gemini, generate):
    with pytest.raises(TransientError, match="503 UNAVAILABLE") as caught:
        generate(tmp_path, ["overloaded"], gemini)
    assert caught.value.retry_after is None


def test_a_request_past_the_timeout_is_transient(tmp_path, gemini, generate):
    started = time.monotonic()
    with pytest.raises(TransientError, match="timeout"):
        generate(tmp_path, ["slow:4"], gemini, gemini_timeout_seconds=1)
    assert time.monotonic() - started < 3.5


@pytest.mark.parametrize(
    ("step", "error", "words"),
    [
        ("prompt_blocked", SceneBlocked, ["prompt blocked", "PROHIBITED_CONTENT"]),
        ("image_blocked", SceneBlocked, ["image blocked", "IMAGE_SAFETY"]),
        ("text_only", NoImage, ["no image", "STOP", "rather describe this kitchen"]),
        ("empty", NoImage, ["no candidates"]),
    ],
)
def test_answers_without_an_image_say_why(step, error, words, tmp_path, gemini, generate):
    with pytest.raises(error) as caught:
        generate(tmp_path, [step], gemini)
    assert all(word in str(caught.value) for word in words), str(caught.value)
    assert caught.value.status == ("blocked" if error is SceneBlocked else "no_image")
    assert not (tmp_path / "staged.png").exists()


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ("invalid_key", "API key not valid"),
        ("echo_key", r"403 PERMISSION_DENIED: Key \[redacted\] is suspended"),
        ("not_found", "404"),
    ],
)
def test_a_refused_key_or_unknown_model_is_fatal_and_never_shows_the_key(
    step, words, tmp_path, gemini, generate
):
    with pytest.raises(FatalError, match=words) as caught:
        generate(tmp_path, [step], gemini)
    assert TEST_KEY not in str(caught.value) and caught.value.__cause__ is None


def prompt_writer() -> GeminiPromptWriter:
    return GeminiPromptWriter(load_settings(), CONFIG, PRICES, IMAGE_MODEL)


SLOTS = ["kitchen", "lab", "lab", "warehouse"]


def test_structured_prompts_are_checked_and_used(gemini):
    history = [record("lab", ["overcast_light"], prompt=f"lab {i}") for i in range(3)]
    batch = prompt_writer().write(SLOTS, history, seed=4)
    assert [s.archetype for s in batch.specs] == SLOTS
    assert all(s.prompt_model == TEXT_MODEL and s.image_model == IMAGE_MODEL for s in batch.specs)
    assert all(s.prompt.endswith(CAMERA_BRIEF) for s in batch.specs) and batch.notes == []
    for spec in batch.specs:
        variations = CONFIG.archetypes[spec.archetype].variations
        assert len(spec.variation_tags) == len(variations)
        assert all(tag in CONFIG.archetypes[spec.archetype].tags for tag in spec.variation_tags)
    assert batch.cost_usd == pytest.approx((4000 * 2 + 2000 * 12) / 1e6)
    [request] = gemini.requests(TEXT_MODEL)
    assert request["path"] == f"/v1beta/models/{TEXT_MODEL}:generateContent"
    config = request["body"]["generationConfig"]
    assert config["responseMimeType"] == "application/json" and config["seed"] == 4
    assert config["responseSchema"]["properties"]["scenes"]["type"] == "ARRAY"
    assert "systemInstruction" in request["body"]
    sent = request["body"]["contents"][0]["parts"][0]["text"]
    assert '"overcast_light": 3' in sent  # the history's coverage reached the model


def test_truncated_json_falls_back_to_the_local_diversifier(gemini):
    gemini.script(**{TEXT_MODEL: ["truncated_prompts"]})
    batch = prompt_writer().write(SLOTS, [], seed=4)
    assert [s.archetype for s in batch.specs] == SLOTS
    assert all(s.prompt_model == "local-diversifier-v1" for s in batch.specs)
    assert "does not match the schema" in batch.notes[0]
    assert batch.cost_usd > 0  # the broken answer was billed all the same


def test_only_the_answers_that_fail_a_check_are_replaced(gemini):
    gemini.script(**{TEXT_MODEL: ["prompts_partly_bad"]})
    batch = prompt_writer().write(SLOTS, [], seed=4)
    models = [s.prompt_model for s in batch.specs]
    assert models == ["local-diversifier-v1", "local-diversifier-v1", TEXT_MODEL, TEXT_MODEL]
    assert any("slot 0: unknown tag(s) glitter_style" in note for note in batch.notes)
    assert any("slot 1: a prompt of 10 characters" in note for note in batch.notes)
    assert len({s.prompt_hash for s in batch.specs}) == 4


def test_a_prompt_already_in_the_history_is_replaced(gemini):
    tags = [next(iter(tags)) for tags in CONFIG.archetypes["lab"].variations.values()]
    text = "A compact teaching lab with benches, fume hoods and shelves of glassware. " * 3
    answer = {"scenes": [{"slot": 0, "archetype": "lab", "variation_tags": tags, "prompt": text}]}
    made_before = record("lab", tags, prompt=f"{' '.join(text.split())} {CAMERA_BRIEF}")
    gemini.script(**{TEXT_MODEL: [f"answer:{json.dumps(answer)}"] * 2})
    [fresh] = prompt_writer().write(["lab"], [], seed=1).specs
    assert fresh.prompt_model == TEXT_MODEL and fresh.prompt_hash == made_before.prompt_hash
    batch = prompt_writer().write(["lab"], [made_before], seed=1)
    assert batch.specs[0].prompt_model == "local-diversifier-v1"
    assert batch.specs[0].prompt_hash != made_before.prompt_hash
    assert "slot 0: the prompt repeats one already made" in batch.notes


def test_the_history_sent_to_the_model_stays_bounded():
    history = [
        record(name, ["busy_state"], prompt=f"{name} prompt {i} " * 20)
        for name in CONFIG.names
        for i in range(600)
    ]
    text = request_text(CONFIG.names, history, CONFIG)
    sent = json.loads(text.split("\n", 1)[1])
    assert len(json.dumps(sent["recent_prompts"])) <= MAX_RECENT_CHARS
    assert sent["coverage"]["lab"]["busy_state"] == 600
    assert len(text) < 40_000


def test_a_near_copy_from_the_model_is_replaced(gemini):
    tags = [next(iter(tags)) for tags in CONFIG.archetypes["lab"].variations.values()]
    text = "A compact teaching lab with benches, fume hoods and shelves of glassware under cool light. " * 3
    answer = {"scenes": [{"slot": 0, "archetype": "lab", "variation_tags": tags, "prompt": text}]}
    made_before = record("lab", [], prompt=text.replace("cool light", "cold light", 1))
    gemini.script(**{TEXT_MODEL: [f"answer:{json.dumps(answer)}"]})
    batch = prompt_writer().write(["lab"], [made_before], seed=1)
    assert batch.specs[0].prompt_model == "local-diversifier-v1"
    assert batch.near_duplicates_rewritten == 1
    assert any("slot 0: a near-duplicate of a recent prompt" in note for note in batch.notes)
