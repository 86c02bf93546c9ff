"""The review of a Gemini image by a Gemini model: it sees the image and the plan, and fills the rubric in a
JSON schema. The answer is validated here (not through `.parsed`, which is silently None on bad JSON): an
answer that does not fit leaves the image unreviewed, never passed."""

from __future__ import annotations

import json
from pathlib import Path

from google import genai
from google.genai import types
from pydantic import ValidationError

from scenegen.backends.google.gemini_client import api_key, bounded, enum_name, gemini_client, gemini_errors
from scenegen.catalogue import ArchetypeConfig
from scenegen.errors import SceneFailed
from scenegen.images import decode, preview_bytes, preview_path
from scenegen.models import RenderedImage, Review, Rubric, SceneSpec
from scenegen.prices import PriceTable
from scenegen.quality.review import judge, unreviewed
from scenegen.settings import Settings
from scenegen.storage import REFERENCE
from scenegen.twins.photograph import staged

PLAN_MARKER = "PLAN (JSON):"
ANSWER_SHOWN = 200  # characters of an unusable answer kept in the reason

INSTRUCTIONS = """\
You review images for a pipeline that reconstructs each image as a 3D room for robot simulation. The image
is useful only if it shows the whole room of the planned kind from high up in one corner, looking across
and down, through an ordinary rectilinear lens, with the floor visible and several separate objects, and
with no people and no readable text, logos or watermarks.

Fill every field of the schema for the image to review:
- `archetype_seen`: which of the listed archetypes the room is (its key), or "other".
- `archetype_matches`: whether that is the planned archetype.
- `distinct_objects`: about how many separate pieces of furniture, equipment or stock are visible.
- `matches_reference`: when a REFERENCE rendering is attached too, whether the image shows that same room:
  the same objects in the same places, seen from the same point; null when there is no reference.
- `verdict`: "unsuitable" if any requirement above fails, with one short reason per failure in `reasons`.
Judge only what is visible; do not guess at what the plan asked for.
"""
REFERENCE_MARKER = "REFERENCE: the rendering of the room the image above must show."


def review_request(
    spec: SceneSpec, catalogue: ArchetypeConfig, image: bytes, reference: bytes | None = None
) -> list[types.Part]:
    """The image, a twin's reference after it, then the plan it was made from and the archetypes it may
    be."""
    plan = {
        "planned_archetype": spec.archetype,
        "variation_tags": list(spec.variation_tags),
        "prompt": spec.prompt,
        "archetypes": {name: a.description for name, a in catalogue.archetypes.items()},
    }
    shown = [types.Part.from_bytes(data=image, mime_type="image/jpeg")]
    if reference is not None:
        shown += [
            types.Part.from_text(text=REFERENCE_MARKER),
            types.Part.from_bytes(data=reference, mime_type="image/jpeg"),
        ]
    return [*shown, types.Part.from_text(text=f"{PLAN_MARKER}\n{json.dumps(plan, indent=1)}")]


def shown_image(rendered: RenderedImage) -> bytes:
    """The staged image as the reviewer sees it: the half-size JPEG the check made from the pixels it
    decoded, or, when the check came from the cache, one made now."""
    staged = Path(rendered.path)
    try:
        return preview_path(staged).read_bytes()
    except FileNotFoundError:
        return preview_bytes(decode(staged))


def shown_reference(rendered: RenderedImage) -> bytes | None:
    """A twin's reference as the reviewer sees it, beside the image: the copy the image model was shown."""
    if not rendered.twin:
        return None
    return preview_path(staged(rendered, REFERENCE)).read_bytes()


class GeminiReviewer:
    """The `Reviewer` of Gemini images: GEMINI_REVIEW_MODEL (default the text model)."""

    def __init__(
        self,
        settings: Settings,
        catalogue: ArchetypeConfig,
        prices: PriceTable,
        client: genai.Client | None = None,
    ) -> None:
        self.key = api_key(settings)
        self.client = client or gemini_client(settings)
        self.catalogue = catalogue
        self.prices = prices
        self.model = settings.review_model
        self.call_seconds = settings.gemini_timeout_seconds
        self.expected_cost_usd = prices.expected(self.model, image=False)

    def review(self, spec: SceneSpec, rendered: RenderedImage) -> Review:
        try:
            with gemini_errors(f"Gemini review model {self.model}", self.key):
                response = self.client.models.generate_content(
                    model=self.model,
                    contents=review_request(
                        spec, self.catalogue, shown_image(rendered), shown_reference(rendered)
                    ),
                    config=bounded(
                        types.GenerateContentConfig(
                            system_instruction=INSTRUCTIONS,
                            response_mime_type="application/json",
                            response_schema=Rubric,
                            temperature=0.0,
                        ),
                        self.call_seconds,
                    ),
                )
        except SceneFailed as exc:  # refused for this image alone (a 4xx that is neither fatal nor retried)
            return unreviewed(f"the review request failed: {exc}", self.model)
        cost = self.prices.cost(self.model, response.usage_metadata, image=False)
        text = response.text if response.candidates else None
        if not text:
            return unreviewed(f"no review in the answer ({_why_empty(response)})", self.model, cost)
        try:
            rubric = Rubric.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the answer"
            shown = " ".join(text.split())[:ANSWER_SHOWN]
            return unreviewed(
                f"the review answer does not fit the rubric ({where}: {first['msg']}): {shown!r}",
                self.model,
                cost,
            )
        return judge(rubric, spec.archetype, self.catalogue.review, self.model, cost, reference=rendered.twin)


def _why_empty(response: types.GenerateContentResponse) -> str:
    feedback = response.prompt_feedback
    if feedback and feedback.block_reason:
        return f"blocked: {enum_name(feedback.block_reason)}"
    if response.candidates and response.candidates[0].finish_reason:
        return f"finish reason {enum_name(response.candidates[0].finish_reason)}"
    return "empty"
