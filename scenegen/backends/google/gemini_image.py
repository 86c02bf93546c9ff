"""The image backend on Gemini's image model: 2K at 16:9, grounded in Google Search."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from google import genai
from google.genai import types
from PIL import Image, UnidentifiedImageError

from scenegen.backends.google.gemini_client import api_key, bounded, enum_name, gemini_client, gemini_errors
from scenegen.backends.google.gemini_views import photograph_views
from scenegen.catalogue import ViewsConfig
from scenegen.engine.pool import WorkerPool
from scenegen.errors import NoImage, SceneBlocked, SceneFailed
from scenegen.images import (
    PNG_MAGIC,
    RGB_8_BIT,
    png_header,
    preview_bytes,
    preview_path,
    sha256_file,
    write_atomically,
)
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, ImageMeasures, RenderedImage, RenderedView, SceneSpec
from scenegen.prices import PriceTable
from scenegen.quality.checks import measure
from scenegen.settings import Settings
from scenegen.twins.photograph import INSTRUCTIONS, VIEW_INSTRUCTIONS, as_twin

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
IMAGE_MAGIC = {PNG_MAGIC: "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF"}
TEXT_SHOWN = 300  # characters of a model's text kept in a failure reason
GEMINI_SCENE_BYTES = 12_000_000
# Input tokens of a twin's reference as the model reads an image (it bills every image at this count);
# the price comes from each answer's usage, this only holds the budget while a call is under way.
REFERENCE_TOKENS = 1_120


def _text_of(parts: list[types.Part]) -> str:
    text = " ".join(p.text.strip() for p in parts if p.text and not p.thought)
    text = " ".join(text.split())
    return f"; the model said: {text[:TEXT_SHOWN]!r}" if text else ""


def final_image(response: types.GenerateContentResponse, cost_usd: float = 0.0) -> bytes:
    """The last non-thought image of the answer, or SceneBlocked / NoImage saying why there is none."""
    feedback = response.prompt_feedback
    if feedback and feedback.block_reason:
        why = f": {feedback.block_reason_message}" if feedback.block_reason_message else ""
        raise SceneBlocked(f"prompt blocked ({enum_name(feedback.block_reason)}){why}", cost_usd)
    if not response.candidates:
        raise NoImage("the answer has no candidates", cost_usd)
    candidate = response.candidates[0]
    parts = (candidate.content.parts if candidate.content else None) or []
    images = [p.inline_data.data for p in parts if p.inline_data and p.inline_data.data and not p.thought]
    if images:
        return images[-1]
    reason = enum_name(candidate.finish_reason) if candidate.finish_reason else "none given"
    said = f": {candidate.finish_message}" if candidate.finish_message else ""
    if reason in BLOCK_REASONS:
        raise SceneBlocked(f"image blocked (finish reason {reason}){said}{_text_of(parts)}", cost_usd)
    raise NoImage(f"no image in the answer (finish reason {reason}){said}{_text_of(parts)}", cost_usd)


def stage_image(
    data: bytes, destination: Path, cost_usd: float, workers: WorkerPool, timeout_seconds: float
) -> ImageMeasures | None:
    """Write the answer's image to `destination` as a PNG of the pipeline's size, or raise SceneFailed.

    An 8-bit RGB PNG of the right size is written as it came: its header is read, its pixels are not (the
    check decodes it, once, in a worker). Anything else is decoded whatever its label says and converted
    in a worker, which measures the pixels for the checks while it holds them.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    header = png_header(data)
    if header is None or header[2:] != RGB_8_BIT:
        answer = destination.with_name(destination.stem + ".answer")
        write_atomically(answer, data)
        try:
            return workers.call(
                "image conversion", convert_answer, answer, destination, cost_usd, timeout=timeout_seconds
            )
        finally:
            answer.unlink(missing_ok=True)
    _check_size(header[:2], cost_usd)
    write_atomically(destination, data)  # a staged image is whole or absent
    return None


def convert_answer(answer: Path, destination: Path, cost_usd: float) -> ImageMeasures:
    """An answer that is not an 8-bit RGB PNG, as one at `destination`, with the reviewer's copy and the
    checks' measures taken from the same pixels. Run in a worker."""
    pixels = _decode(answer.read_bytes(), cost_usd)
    _check_size(pixels.size, cost_usd)
    buffer = io.BytesIO()
    pixels.save(buffer, format="PNG")
    write_atomically(destination, buffer.getvalue())
    write_atomically(preview_path(destination), preview_bytes(pixels))
    return measure(pixels)


def _check_size(size: tuple[int, int], cost_usd: float) -> None:
    if size != (IMAGE_WIDTH, IMAGE_HEIGHT):
        raise SceneFailed(
            f"Gemini returned a {size[0]}x{size[1]} image; the pipeline needs {IMAGE_WIDTH}x{IMAGE_HEIGHT}",
            cost_usd,
        )


def _decode(data: bytes, cost_usd: float) -> Image.Image:
    kind = next((name for magic, name in IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "WEBP"
    if kind is None:
        raise SceneFailed(
            f"the returned image is not PNG, JPEG, WEBP or GIF (starts {data[:8].hex()})", cost_usd
        )
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            image.load()
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise SceneFailed(f"the returned {kind} image cannot be decoded: {exc}", cost_usd) from None


def image_request(
    spec: SceneSpec, reference: RenderedImage | RenderedView | None = None, appearance: Path | None = None
) -> dict[str, Any]:
    """The spec's request: its prompt; for a twin, the reference's copy (a half-size JPEG, inline) before
    the prompt and the instruction to keep the reference's geometry; for a twin's further view, the first
    view's photograph (its reviewer's copy, `appearance`) after the reference, to keep its look."""
    contents: Any = spec.prompt
    if reference is not None:
        shown = [preview_path(Path(reference.path)), *([appearance] if appearance else [])]
        text = f"{spec.prompt}\n\n{INSTRUCTIONS}" + (f"\n\n{VIEW_INSTRUCTIONS}" if appearance else "")
        contents = [
            *(types.Part.from_bytes(data=path.read_bytes(), mime_type="image/jpeg") for path in shown),
            types.Part.from_text(text=text),
        ]
    return {
        "contents": contents,
        "config": types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=types.ImageConfig(aspect_ratio="16:9", image_size="2K"),
            tools=[types.Tool(google_search=types.GoogleSearch())],
        ),
    }


class GeminiImageGenerator:
    """The ImageGenerator on Gemini's image model."""

    name = "gemini"
    replacements = 1
    # A 2K PNG answer is 6-9 MB, its review copy 0.2 MB; with a margin: what the disk check counts.
    scene_bytes = GEMINI_SCENE_BYTES

    def __init__(
        self,
        settings: Settings,
        prices: PriceTable,
        workers: WorkerPool,
        client: genai.Client | None = None,
        views: ViewsConfig | None = None,
    ) -> None:
        self.key = api_key(settings)
        self.views = views or ViewsConfig()  # how far a twin's further views may stray from its first
        self.client = client or gemini_client(settings)
        self.prices = prices
        self.workers = workers
        self.call_seconds = settings.gemini_timeout_seconds
        self.convert_seconds = settings.render_timeout_seconds
        self.model = settings.gemini_image_model
        self.expected_cost_usd = prices.expected(self.model, image=True)
        # a twin's request also carries its reference: about REFERENCE_TOKENS more input
        self.reference_cost_usd = prices.input_cost(self.model, REFERENCE_TOKENS, image=True)

    def generate(
        self, spec: SceneSpec, destination: Path, reference: RenderedImage | None = None
    ) -> RenderedImage:
        """The spec's image, staged; for a twin, a photograph of `reference` carrying its ground truth,
        and one of each further view of it (scenegen.backends.google.gemini_views)."""
        photo = self.ask(image_request(spec, reference), destination, reference)
        if reference is None or not reference.views:
            return photo
        return self.further_views(spec, photo, reference)

    def further_views(self, spec: SceneSpec, photo: RenderedImage, reference: RenderedImage) -> RenderedImage:
        """The first view's photograph with one of each further view of `reference`, asked now."""

        def ask(view: RenderedView, appearance: Path, target: Path) -> RenderedImage:
            return self.ask(image_request(spec, view, appearance), target)

        return photograph_views(
            photo, reference, ask, self.workers, self.views, self.convert_seconds, spec.scene_id
        )

    def ask(
        self, request: dict[str, Any], destination: Path, reference: RenderedImage | None = None
    ) -> RenderedImage:
        """One image call, its answer staged at `destination`."""
        started = time.perf_counter()
        with gemini_errors(f"Gemini image model {self.model}", self.key):
            response = self.client.models.generate_content(
                model=self.model,
                contents=request["contents"],
                config=bounded(request["config"], self.call_seconds),
            )
        cost = self.prices.cost(self.model, response.usage_metadata, image=True)
        return stage_answer(response, cost, destination, self, started, reference)


def stage_answer(
    response: types.GenerateContentResponse,
    cost_usd: float,
    destination: Path,
    generator: GeminiImageGenerator | Any,
    started: float,
    reference: RenderedImage | None = None,
) -> RenderedImage:
    """An answer's image staged at `destination` and described, or why there is none (SceneFailed); for
    a twin, with its reference's ground truth."""
    image = final_image(response, cost_usd)
    measures = stage_image(image, destination, cost_usd, generator.workers, generator.convert_seconds)
    photo = RenderedImage(
        path=str(destination),
        sha256=sha256_file(destination),
        width=IMAGE_WIDTH,
        height=IMAGE_HEIGHT,
        backend=generator.name,
        model=generator.model,
        seconds=round(time.perf_counter() - started, 3),
        cost_usd=cost_usd,
        measures=measures,
    )
    return photo if reference is None else as_twin(photo, reference)
