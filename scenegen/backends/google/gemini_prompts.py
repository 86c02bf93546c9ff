"""The prompt writer on Gemini's text model: it sees the plan, the catalogue and a bounded summary of the
history, answers in a JSON schema, and every answer it gets wrong is written by the local prompt writer."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime

from google import genai
from pydantic import BaseModel, ValidationError

from scenegen.backends.google.gemini_client import api_key, gemini_client, gemini_errors
from scenegen.catalogue import ArchetypeConfig
from scenegen.models import PromptBatch, SceneSpec, prompt_hash, utcnow
from scenegen.planning.prompts import CAMERA_BRIEF, LocalPromptWriter, recent_prompts, tag_coverage
from scenegen.prices import PriceTable
from scenegen.quality.diversity import max_similarity
from scenegen.records import HistoryRecord
from scenegen.settings import Settings

MIN_PROMPT_CHARS, MAX_PROMPT_CHARS = 150, 3000
RECENT_PER_ARCHETYPE, RECENT_CHARS = 8, 160
MAX_RECENT_CHARS = 12_000  # bounds the history part of the request, however long the history
INPUT_MARKER = "INPUT (JSON):"

INSTRUCTIONS = """\
You write prompts for a photorealistic image model. Each image shows one indoor room for a robot
simulation training set, so the set must cover many different rooms, states and looks.

Write one prompt per slot of the plan in the input, in the `scenes` list of your answer:
- `slot`: the slot's index; `archetype`: the slot's archetype, unchanged.
- `variation_tags`: exactly one tag from each dimension of that archetype, spelled as given. Prefer the
  tags with the lowest counts in `coverage`, so rare conditions catch up.
- `prompt`: 60 to 250 words describing one specific, plausible room of that archetype in the conditions
  the tags name: its layout and size, the fixtures and equipment, materials and surfaces, the light, what
  state the work is in, and how much is lying around. Concrete nouns, no brand names, no people, no
  text or signage to read. Do not describe the camera or the framing: that is added for you.
- Every prompt must differ clearly from the others in the answer and from `recent_prompts`.
"""


class PromptAnswer(BaseModel):
    slot: int
    archetype: str
    variation_tags: list[str]
    prompt: str


class PromptAnswers(BaseModel):
    scenes: list[PromptAnswer]


def history_summary(
    history: list[HistoryRecord], config: ArchetypeConfig, names: list[str]
) -> dict[str, object]:
    """Coverage per archetype and tag, and recent prompt summaries, within MAX_RECENT_CHARS."""
    coverage = tag_coverage(history)
    counts = {
        name: {tag: coverage[name][tag] for tag in sorted(config.archetypes[name].tags)} for name in names
    }
    recent: dict[str, list[str]] = defaultdict(list)
    for record in sorted(history, key=lambda r: r.generated_at, reverse=True):
        kept = recent[record.archetype]
        if record.archetype in names and record.success and len(kept) < RECENT_PER_ARCHETYPE:
            kept.append(record.prompt_summary[:RECENT_CHARS])
    while len(json.dumps(recent)) > MAX_RECENT_CHARS:  # drop the oldest of the longest list
        max(recent.values(), key=len).pop()
    return {"coverage": counts, "recent_prompts": {name: recent[name] for name in names if recent[name]}}


def request_text(slots: list[str], history: list[HistoryRecord], config: ArchetypeConfig) -> str:
    names = sorted(set(slots))
    payload = {
        "slots": [{"slot": index, "archetype": name} for index, name in enumerate(slots)],
        "archetypes": {
            name: {
                "description": config.archetypes[name].description,
                "fixtures": list(config.archetypes[name].fixtures),
                "dimensions": {d: list(tags) for d, tags in config.archetypes[name].variations.items()},
            }
            for name in names
        },
        **history_summary(history, config, names),
    }
    return f"{INPUT_MARKER}\n{json.dumps(payload, indent=1)}"


class GeminiPromptWriter:
    """Prompts from Gemini's text model, checked one by one; the local prompt writer fills any gap."""

    def __init__(
        self,
        settings: Settings,
        config: ArchetypeConfig,
        prices: PriceTable,
        image_model: str,
        client: genai.Client | None = None,
    ) -> None:
        self.key = api_key(settings)
        self.client = client or gemini_client(settings)
        self.config = config
        self.prices = prices
        self.name = settings.gemini_text_model
        self.image_model = image_model
        self.fallback = LocalPromptWriter(config, image_model=image_model)

    def write(
        self, slots: list[str], history: list[HistoryRecord], seed: int, now: datetime | None = None
    ) -> PromptBatch:
        now = now or utcnow()
        with gemini_errors(f"Gemini text model {self.name}", self.key):
            response = self.client.models.generate_content(
                model=self.name,
                contents=request_text(slots, history, self.config),
                config={
                    "system_instruction": INSTRUCTIONS,
                    "response_mime_type": "application/json",
                    "response_schema": PromptAnswers,
                    "seed": seed,
                },
            )
        cost = self.prices.cost(self.name, response.usage_metadata, image=False)
        accepted, notes = self._check(response.text, slots, history, seed, now)
        missing = [index for index in range(len(slots)) if index not in accepted]
        if missing:
            taken = history + [HistoryRecord.of(spec) for spec in accepted.values()]
            filled = self.fallback.write([slots[i] for i in missing], taken, seed, now)
            accepted.update(zip(missing, filled.specs, strict=True))
            notes.append(f"{len(missing)} of {len(slots)} prompts written by {self.fallback.name} instead")
            notes += filled.notes
        rewritten = sum("near-duplicate" in note for note in notes)
        return PromptBatch(
            specs=[accepted[i] for i in range(len(slots))],
            cost_usd=cost,
            notes=notes,
            near_duplicates_rewritten=rewritten,
        )

    def _check(
        self, text: str | None, slots: list[str], history: list[HistoryRecord], seed: int, now: datetime
    ) -> tuple[dict[int, SceneSpec], list[str]]:
        """The answers that pass every check, by slot, and a note for each that does not."""
        try:
            answers = PromptAnswers.model_validate_json(text or "")
        except ValidationError as exc:
            return {}, [f"the answer does not match the schema: {exc.errors()[0]['msg']}"]
        used = {record.prompt_hash for record in history}
        recent = recent_prompts(history)
        threshold = self.config.near_duplicate_threshold
        accepted: dict[int, SceneSpec] = {}
        notes = []
        for answer in answers.scenes:
            problem = self._problem(answer, slots, accepted)
            if problem is None:
                spec = self._spec(answer, seed, now)
                similarity = max_similarity(spec.prompt, recent[spec.archetype])
                if spec.prompt_hash in used:
                    problem = "the prompt repeats one already made"
                elif similarity >= threshold:
                    problem = f"a near-duplicate of a recent prompt (similarity {similarity:.2f})"
                else:
                    used.add(spec.prompt_hash)
                    recent[spec.archetype].append(spec.prompt)
                    accepted[answer.slot] = spec
                    continue
            notes.append(f"slot {answer.slot}: {problem}")
        return accepted, notes

    def _problem(self, answer: PromptAnswer, slots: list[str], accepted: dict[int, SceneSpec]) -> str | None:
        if not 0 <= answer.slot < len(slots):
            return "no such slot"
        if answer.slot in accepted:
            return "answered twice"
        if answer.archetype != slots[answer.slot]:
            return f"archetype {answer.archetype!r}, planned {slots[answer.slot]!r}"
        archetype = self.config.archetypes[answer.archetype]
        unknown = set(answer.variation_tags) - archetype.tags
        if unknown:
            return f"unknown tag(s) {', '.join(sorted(unknown))}"
        for dimension, tags in archetype.variations.items():
            chosen = [tag for tag in answer.variation_tags if tag in tags]
            if len(chosen) != 1:
                return f"{len(chosen)} {dimension} tags, wanted exactly one"
        length = len(answer.prompt.strip())
        if not MIN_PROMPT_CHARS <= length <= MAX_PROMPT_CHARS:
            return f"a prompt of {length} characters, wanted {MIN_PROMPT_CHARS} to {MAX_PROMPT_CHARS}"
        return None

    def _spec(self, answer: PromptAnswer, seed: int, now: datetime) -> SceneSpec:
        variations = self.config.archetypes[answer.archetype].variations
        tags = tuple(tag for tags in variations.values() for tag in tags if tag in answer.variation_tags)
        prompt = f"{' '.join(answer.prompt.split())} {CAMERA_BRIEF}"
        digest = prompt_hash(prompt)
        return SceneSpec(
            scene_id=f"{answer.archetype}-{now:%Y%m%d}-{digest[:10]}",
            archetype=answer.archetype,
            prompt=prompt,
            variation_tags=tags,
            seed=random.Random(f"{seed}:{answer.slot}:{answer.archetype}").randrange(2**31),
            prompt_hash=digest,
            image_model=self.image_model,
            prompt_model=self.name,
            created_at=now,
        )
