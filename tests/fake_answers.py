"""What the fake Gemini server (tests/fake_gemini.py) answers: for each scripted step, the status and the
JSON body the real API would send, with the usage it would bill."""

from __future__ import annotations

import base64
import io
import itertools
import json
import os
import random
import time
from typing import Any

from PIL import Image, ImageDraw

from scenegen.backends.google.gemini_prompts import INPUT_MARKER
from scenegen.backends.google.gemini_review import PLAN_MARKER, REFERENCE_MARKER
from tests import restyle

WIDTH, HEIGHT = 2752, 1536
IMAGE_USAGE = {
    "promptTokenCount": 350,
    "candidatesTokenCount": 1140,
    "candidatesTokensDetails": [
        {"modality": "IMAGE", "tokenCount": 1120},
        {"modality": "TEXT", "tokenCount": 20},
    ],
    "thoughtsTokenCount": 180,
    "totalTokenCount": 1670,
}
TEXT_USAGE = {"promptTokenCount": 4000, "candidatesTokenCount": 1500, "thoughtsTokenCount": 500}
REFERENCE_TOKENS = 1120  # what the model bills for a reference image in a twin's request
TWIN_USAGE = IMAGE_USAGE | {
    "promptTokenCount": IMAGE_USAGE["promptTokenCount"] + REFERENCE_TOKENS,
    "totalTokenCount": IMAGE_USAGE["totalTokenCount"] + REFERENCE_TOKENS,
}
REVIEW_USAGE = {"promptTokenCount": 1500, "candidatesTokenCount": 150, "thoughtsTokenCount": 250}

_counter = itertools.count(1)
DETAILS = (
    "a dented step stool",
    "coiled extension cords",
    "a wall clock",
    "laminated safety posters",
    "a mop bucket",
    "stacked plastic crates",
    "a fire extinguisher",
    "a first aid kit",
    "cardboard boxes",
    "a hand truck",
    "a whiteboard",
    "a recycling bin",
    "a wet floor sign",
    "ceiling sprinklers",
    "a floor drain",
    "an eyewash station",
    "a label printer",
    "bins of spare parts",
    "a rolling cart",
    "a supply cabinet",
    "a ladder",
    "pallet wrap",
    "a time clock",
    "a broom",
    "a water cooler",
    "a sink",
    "a desk fan",
    "shrink-wrapped stock",
    "a toolbox",
)


def busy_image(seed: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    """Rectangles laid out by `seed`, so that no two pictures share a perceptual hash."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        box = [x, y, x + rng.randrange(width // 45, width // 3), y + rng.randrange(height // 38, height // 2)]
        draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def encoded(image: Image.Image, fmt: str) -> str:
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {"compress_level": 1}))
    return base64.b64encode(out.getvalue()).decode()


PREMADE = [
    encoded(busy_image(seed), "PNG") for seed in range(int(os.environ.get("FAKE_GEMINI_PREMADE", "0")))
]
_premade_turn = itertools.count()


def picture(size: tuple[int, int], fmt: str) -> str:
    """A distinct picture each call, base64-encoded as the API sends inline data."""
    if PREMADE and size == (WIDTH, HEIGHT) and fmt == "PNG":
        return PREMADE[next(_premade_turn) % len(PREMADE)]
    return encoded(busy_image(next(_counter), size), fmt)


def image_answer(
    mime: str,
    fmt: str,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    data: str | None = None,
    usage: dict[str, Any] = IMAGE_USAGE,
) -> dict[str, Any]:
    parts = [
        {"text": "Planning the room layout and the light.", "thought": True},
        {"inlineData": {"mimeType": "image/png", "data": picture((64, 36), "PNG")}, "thought": True},
        {"text": "Here is the room."},
        {"inlineData": {"mimeType": mime, "data": data or picture(size, fmt)}},
    ]
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": usage,
    }


def inline_images(body: dict[str, Any]) -> list[Image.Image]:
    """The images a request carries, in order, decoded."""
    found = []
    for content in body["contents"]:
        for part in content["parts"]:
            if "inlineData" in part:
                data = part["inlineData"]["data"].replace("+", "-").replace("/", "_")  # URL-safe or not
                raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
                with Image.open(io.BytesIO(raw)) as image:
                    found.append(image.convert("RGB"))
    return found


def twin_answer(kind: str, arg: str, body: dict[str, Any]) -> dict[str, Any]:
    """A photograph of the request's reference: restyled, or one of the copies that do not follow it."""
    reference = inline_images(body)[0]  # the reference a twin's request carries
    seed = next(_counter)
    if kind == "twin_moved":
        photo = restyle.moved_camera(reference, seed)
    elif kind == "twin_painted":
        box = tuple(float(value) for value in arg.split(","))
        photo = restyle.painted_out(reference, box, seed)  # type: ignore[arg-type]
    elif kind == "twin_recoloured":
        photo = restyle.recoloured(reference, seed)
    elif kind == "twin_unrelated":
        photo = restyle.unrelated(reference.transpose(Image.Transpose.FLIP_LEFT_RIGHT), seed)
    else:
        photo = restyle.restyled(reference, seed)
    return image_answer("image/png", "PNG", data=encoded(photo, "PNG"), usage=TWIN_USAGE)


def error(code: int, status: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


def prompts_answer(body: dict[str, Any], bad: bool = False) -> dict[str, Any]:
    """A valid structured answer for the plan in the request (or one with some slots wrong)."""
    text = body["contents"][0]["parts"][0]["text"]
    plan = json.loads(text.split(INPUT_MARKER, 1)[1])
    scenes = []
    for slot in plan["slots"]:
        name = slot["archetype"]
        archetype = plan["archetypes"][name]
        coverage = plan["coverage"][name]
        n = next(_counter)
        tags = [
            sorted(tags, key=lambda t: (coverage.get(t, 0), t))[(slot["slot"] + n) % len(tags)]
            for tags in archetype["dimensions"].values()
        ]
        details = random.Random(n).sample(DETAILS, 8)  # as a model would, each prompt in its own words
        prompt = (
            f"A {archetype['description'].lower()} with {', '.join(archetype['fixtures'][n % 3 :][:3])}; "
            f"conditions: {', '.join(tags).replace('_', ' ')}. Around the room: {', '.join(details)}."
        )
        if bad and slot["slot"] == 0:
            tags[-1] = "glitter_style"
        if bad and slot["slot"] == 1:
            prompt = "Too short."
        scenes.append({"slot": slot["slot"], "archetype": name, "variation_tags": tags, "prompt": prompt})
    return text_answer(json.dumps({"scenes": scenes}))


def text_answer(text: str, usage: dict[str, Any] = TEXT_USAGE) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": usage,
    }


def carries_image(body: dict[str, Any]) -> bool:
    """Whether a generateContent request shows the model an image: a review."""
    return any("inlineData" in part for content in body.get("contents", []) for part in content["parts"])


def review_answer(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A rubric that finds the image suitable, of the planned archetype and, when a reference is shown
    beside it, the reference's room; with `changes` applied."""
    text = next(p["text"] for c in body["contents"] for p in c["parts"] if PLAN_MARKER in p.get("text", ""))
    plan = json.loads(text.split(PLAN_MARKER, 1)[1])
    rubric = {
        "archetype_seen": plan["planned_archetype"],
        "archetype_matches": True,
        "whole_room_in_view": True,
        "floor_visible": True,
        "elevated_corner_view": True,
        "rectilinear_lens": True,
        "people_present": False,
        "text_or_watermark": False,
        "distinct_objects": 24,
        "matches_reference": True if REFERENCE_MARKER in json.dumps(body) else None,
        "verdict": "suitable",
        "reasons": [],
    }
    return text_answer(json.dumps(rubric | changes), REVIEW_USAGE)


def answer(step: str, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    kind, _, arg = step.partition(":")
    if kind.startswith("twin"):
        return 200, twin_answer(kind, arg, body)
    if kind == "image":
        return 200, image_answer("image/png", "PNG")
    if kind == "jpeg_as_png":
        return 200, image_answer("image/png", "JPEG")
    if kind == "small_image":
        return 200, image_answer("image/png", "PNG", (1024, 576))
    if kind == "slow":
        time.sleep(float(arg))
        return 200, image_answer("image/png", "PNG")
    if kind == "png_file":
        with open(arg, "rb") as handle:
            return 200, image_answer("image/png", "PNG", data=base64.b64encode(handle.read()).decode())
    if kind == "quota":
        retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{arg}s"}
        return 429, error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", [retry])
    if kind == "overloaded":
        return 503, error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
    if kind == "invalid_key":
        info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
        return 400, error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [info])
    if kind == "echo_key":  # as some proxies do: the refused key quoted back in the message
        return 403, error(403, "PERMISSION_DENIED", f"Key {key} is suspended. Ask the project owner.")
    if kind == "not_found":
        return 404, error(404, "NOT_FOUND", "models/unknown is not found for API version v1beta.")
    if kind == "prompt_blocked":
        feedback = {"blockReason": "PROHIBITED_CONTENT"}
        return 200, {"promptFeedback": feedback, "usageMetadata": {"promptTokenCount": 350}}
    if kind == "image_blocked":
        candidate = {"finishReason": "IMAGE_SAFETY", "finishMessage": "The image was flagged.", "index": 0}
        return 200, {"candidates": [candidate], "usageMetadata": {"promptTokenCount": 350}}
    if kind == "text_only":
        return 200, text_answer("I would rather describe this kitchen in words than draw it.")
    if kind == "empty":
        return 200, {}
    if kind == "answer":
        return 200, text_answer(arg, REVIEW_USAGE if carries_image(body) else TEXT_USAGE)
    if kind == "review":
        return 200, review_answer(body, json.loads(arg) if arg else {})
    if kind == "prompts":
        return 200, prompts_answer(body)
    if kind == "prompts_partly_bad":
        return 200, prompts_answer(body, bad=True)
    if kind == "truncated_prompts":
        whole = prompts_answer(body)
        text = whole["candidates"][0]["content"]["parts"][0]["text"]
        whole["candidates"][0]["content"]["parts"][0]["text"] = text[: len(text) // 2]
        whole["candidates"][0]["finishReason"] = "MAX_TOKENS"
        return 200, whole
    raise ValueError(f"unknown step {step!r}")
