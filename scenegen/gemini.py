"""Gemini through google-genai: the client, the image backend, and how every answer or error becomes one
of scenegen's outcomes (an image, a blocked or imageless scene, a transient error, or a fatal one)."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
from google import genai
from google.genai import errors, types
from PIL import Image, UnidentifiedImageError

from scenegen.costs import PriceTable
from scenegen.errors import FatalError, InputError, NoImage, SceneBlocked, SceneFailed, TransientError
from scenegen.imaging import sha256_file
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, SceneSpec
from scenegen.settings import Settings

# v1beta serves both the stable image model and preview text models, with imageConfig and responseSchema.
API_VERSION = "v1beta"
# Codes that say nothing about this one request: the next call would fail the same way.
FATAL_CODES = {400, 401, 403, 404}
TRANSIENT_CODES = {408, 429}
# Finish reasons that mean the model refused, as opposed to merely not drawing.
BLOCK_REASONS = {
    "SAFETY",
    "IMAGE_SAFETY",
    "PROHIBITED_CONTENT",
    "IMAGE_PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "RECITATION",
    "IMAGE_RECITATION",
}
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF"}
TEXT_SHOWN = 300  # characters of a model's text kept in a failure reason


def api_key(settings: Settings) -> str:
    if settings.gemini_api_key is None:
        raise InputError("the Gemini backends need GEMINI_API_KEY (or a Prefect Secret block gemini-api-key)")
    return settings.gemini_api_key.get_secret_value()


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "[redacted]") if secret else text


def retry_delay(exc: errors.APIError) -> float | None:
    """The wait the server asked for: google.rpc.RetryInfo's retryDelay, or a Retry-After header."""
    details = exc.details.get("error", exc.details) if isinstance(exc.details, dict) else {}
    for detail in details.get("details", []) if isinstance(details, dict) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = re.fullmatch(r"\s*([\d.]+)s\s*", str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return float(headers.get("retry-after", ""))
    except ValueError:
        return None


def classify(exc: Exception, what: str, secret: str | None) -> Exception:
    """The scenegen error for a google-genai or transport error; its message never holds the key."""
    if isinstance(exc, errors.APIError):
        message = f"{what}: {exc.code} {exc.status or ''}: {exc.message or ''}".replace(" :", ":")
        message = redact(" ".join(message.split()), secret)
        if exc.code in TRANSIENT_CODES or exc.code >= 500:
            return TransientError(message, retry_after=retry_delay(exc))
        if exc.code in FATAL_CODES:
            return FatalError(message)
        return SceneFailed(message)
    if isinstance(exc, httpx2.TimeoutException):
        return TransientError(f"{what}: no answer within the timeout ({type(exc).__name__})")
    return TransientError(redact(f"{what}: {type(exc).__name__}: {exc}", secret))


@contextmanager
def gemini_call(what: str, settings: Settings) -> Iterator[genai.Client]:
    """A client for one call; whatever the call raises leaves as TransientError, FatalError or SceneFailed.

    The SDK's own retries stay off: the tasks retry, and wait as long as the server asks.
    """
    key = api_key(settings)
    options = types.HttpOptions(
        api_version=API_VERSION,
        base_url=settings.gemini_base_url,
        timeout=int(settings.gemini_timeout_seconds * 1000),
    )
    try:
        with genai.Client(api_key=key, http_options=options) as client:
            yield client
    except (errors.APIError, httpx2.TransportError, OSError) as exc:
        # `from None`: the original's traceback and repr may carry request headers, so it stays behind.
        raise classify(exc, what, key) from None


def _text_of(parts: list[types.Part]) -> str:
    text = " ".join(p.text.strip() for p in parts if p.text and not p.thought)
    text = " ".join(text.split())
    return f"; the model said: {text[:TEXT_SHOWN]!r}" if text else ""


def final_image(response: types.GenerateContentResponse, cost_usd: float = 0.0) -> bytes:
    """The last non-thought image of the answer, or SceneBlocked / NoImage saying why there is none."""
    feedback = response.prompt_feedback
    if feedback and feedback.block_reason:
        why = f": {feedback.block_reason_message}" if feedback.block_reason_message else ""
        raise SceneBlocked(f"prompt blocked ({_name(feedback.block_reason)}){why}", cost_usd)
    if not response.candidates:
        raise NoImage("the answer has no candidates", cost_usd)
    candidate = response.candidates[0]
    parts = (candidate.content.parts if candidate.content else None) or []
    images = [p.inline_data.data for p in parts if p.inline_data and p.inline_data.data and not p.thought]
    if images:
        return images[-1]
    reason = _name(candidate.finish_reason) if candidate.finish_reason else "none given"
    said = f": {candidate.finish_message}" if candidate.finish_message else ""
    if reason in BLOCK_REASONS:
        raise SceneBlocked(f"image blocked (finish reason {reason}){said}{_text_of(parts)}", cost_usd)
    raise NoImage(f"no image in the answer (finish reason {reason}){said}{_text_of(parts)}", cost_usd)


def _name(value: Any) -> str:
    return str(getattr(value, "value", value))


def save_png(data: bytes, destination: Path) -> tuple[int, int]:
    """Decode the bytes whatever their label says, and write them as a PNG; returns the pixel size."""
    kind = next((name for magic, name in IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "WEBP"
    if kind is None:
        raise SceneFailed(f"the returned image is not PNG, JPEG, WEBP or GIF (starts {data[:8].hex()})")
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            image.load()
            rgb = image.convert("RGB")
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise SceneFailed(f"the returned {kind} image cannot be decoded: {exc}") from None
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    rgb.save(partial, format="PNG")
    os.replace(partial, destination)  # a staged image is whole or absent
    return rgb.size


def image_request(prompt: str) -> dict[str, Any]:
    return {
        "contents": prompt,
        "config": types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=types.ImageConfig(aspect_ratio="16:9", image_size="2K"),
            tools=[types.Tool(google_search=types.GoogleSearch())],
        ),
    }


class GeminiImageGenerator:
    """The ImageGenerator on Gemini's image model: 2K at 16:9, grounded in Google Search."""

    name = "gemini"

    def __init__(self, settings: Settings, prices: PriceTable) -> None:
        self.settings = settings
        self.prices = prices
        self.model = settings.gemini_image_model
        self.expected_cost_usd = prices.price(self.model, image=True).typical_request_usd

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        started = time.perf_counter()
        with gemini_call(f"Gemini image model {self.model}", self.settings) as client:
            response = client.models.generate_content(model=self.model, **image_request(spec.prompt))
        cost = self.prices.cost(self.model, response.usage_metadata, image=True)
        width, height = save_png(final_image(response, cost), destination)
        if (width, height) != (IMAGE_WIDTH, IMAGE_HEIGHT):
            destination.unlink(missing_ok=True)
            raise SceneFailed(
                f"Gemini returned a {width}x{height} image; the pipeline needs {IMAGE_WIDTH}x{IMAGE_HEIGHT}",
                cost,
            )
        return RenderedImage(
            path=str(destination),
            sha256=sha256_file(destination),
            width=width,
            height=height,
            backend=self.name,
            model=self.model,
            seconds=round(time.perf_counter() - started, 3),
            cost_usd=cost,
        )
