"""Prompt writers: a prompt per planned slot, steered away from what the history already covers."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from scenegen.catalogue import Archetype, ArchetypeConfig
from scenegen.errors import ScenegenError
from scenegen.models import PromptBatch, SceneSpec, prompt_hash, utcnow
from scenegen.quality.diversity import max_similarity
from scenegen.records import HistoryRecord

CAMERA_BRIEF = (
    "Camera: a wide-angle rectilinear lens (about 95 degrees horizontal, straight lines stay straight, "
    "no fisheye distortion) mounted in one corner of the room at 1.5 to 2 metres, tilted slightly down, "
    "so that the whole room is in view - floor, walls, ceiling and every fixture - with no blind spots. "
    "16:9 frame, sharp focus from front to back, natural colours, no people, no text or watermarks."
)
MAX_TRIES = 200
_BRIEF_DIMENSIONS = {"space_size", "lighting", "activity", "clutter", "style"}  # each has its own sentence


class PromptWriter(Protocol):
    name: str

    def write(
        self, slots: list[str], history: list[HistoryRecord], seed: int, now: datetime | None = None
    ) -> PromptBatch:
        """One spec per slot, in slot order, none with a prompt hash already in `history`."""
        ...


def tag_coverage(history: Iterable[HistoryRecord]) -> dict[str, Counter[str]]:
    """How often each variation tag appears among the successful scenes of each archetype."""
    coverage: dict[str, Counter[str]] = defaultdict(Counter)
    for record in history:
        if record.success:
            coverage[record.archetype].update(record.variation_tags)
    return coverage


def least_covered_tags(archetype: Archetype, coverage: Counter[str], rng: random.Random) -> list[str]:
    """One tag per dimension: the least covered, ties broken by `rng`."""
    chosen = []
    for tags in archetype.variations.values():
        fewest = min(coverage[tag] for tag in tags)
        chosen.append(rng.choice(sorted(tag for tag in tags if coverage[tag] == fewest)))
    return chosen


def compose_prompt(archetype: Archetype, tags: list[str], rng: random.Random) -> str:
    """A photographic brief for one scene; `rng` picks which fixtures and materials to name."""
    fixtures = rng.sample(archetype.fixtures, k=min(len(archetype.fixtures), rng.randint(2, 4)))
    materials = rng.sample(archetype.materials, k=min(len(archetype.materials), 2))
    fragments = {
        dimension: archetype.fragment(tag) for dimension, tag in zip(archetype.variations, tags, strict=True)
    }
    extras = [text for dimension, text in fragments.items() if dimension not in _BRIEF_DIMENSIONS]
    subject = archetype.description[0].lower() + archetype.description[1:]
    article = "an" if subject[0] in "aeiou" else "a"
    # Each sentence has several frames: prompts that share only a frame's words stay apart.
    opening = rng.choice(
        [
            f"Photorealistic architectural photograph of {article} {subject}, {fragments['space_size']}.",
            f"Photorealistic wide interior view of {article} {subject} with {fragments['space_size']}.",
            f"Photorealistic documentary image: {article} {subject}, {fragments['space_size']}.",
        ]
    )
    contents = rng.choice(
        [
            f"In view: {', '.join(fixtures)}; materials: {' and '.join(materials)}.",
            f"The room holds {', '.join(fixtures)}, its surfaces {' and '.join(materials)}.",
            f"Around it stand {', '.join(fixtures)} amid {' and '.join(materials)}.",
        ]
    )
    light = rng.choice([f"Lighting: {fragments['lighting']}.", f"The light is {fragments['lighting']}."])
    state = rng.choice(
        [
            f"The space is {fragments['activity']}, with {fragments['clutter']}; {fragments['style']}.",
            f"It is {fragments['activity']}; {fragments['clutter']}, {fragments['style']}.",
        ]
    )
    return " ".join(
        [opening, contents, light, state, *(f"{text[0].upper()}{text[1:]}." for text in extras), CAMERA_BRIEF]
    )


def recent_prompts(history: Iterable[HistoryRecord]) -> dict[str, list[str]]:
    """The prompts of each archetype in the history, failed ones included: they were planned all the same."""
    prompts: dict[str, list[str]] = defaultdict(list)
    for record in history:
        if record.prompt:
            prompts[record.archetype].append(record.prompt)
    return prompts


class LocalPromptWriter:
    """The embedded prompt writer: least-covered tags per archetype, composed from the catalogue."""

    name = "local-diversifier-v1"

    def __init__(self, config: ArchetypeConfig, image_model: str) -> None:
        self.config = config
        self.image_model = image_model

    def write(
        self, slots: list[str], history: list[HistoryRecord], seed: int, now: datetime | None = None
    ) -> PromptBatch:
        now = now or utcnow()
        coverage = tag_coverage(history)
        used_hashes = {record.prompt_hash for record in history}
        recent = recent_prompts(history)
        specs, notes = [], []
        for index, name in enumerate(slots):
            rng = random.Random(f"{seed}:{index}:{name}")
            spec, near_copies = self._one(name, coverage[name], used_hashes, recent[name], rng, now)
            if near_copies:
                notes.append(
                    f"slot {index}: {near_copies} near-duplicate draft(s) of recent {name} prompts rewritten"
                )
            coverage[name].update(spec.variation_tags)  # later slots of this batch see this one
            used_hashes.add(spec.prompt_hash)
            recent[name].append(spec.prompt)
            specs.append(spec)
        return PromptBatch(specs=specs, notes=notes, near_duplicates_rewritten=len(notes))

    def _one(
        self,
        name: str,
        coverage: Counter[str],
        used: set[str],
        recent: list[str],
        rng: random.Random,
        now: datetime,
    ) -> tuple[SceneSpec, int]:
        """A spec with an unused prompt that is not a near copy of a recent one; and how many drafts were."""
        archetype = self.config.archetypes[name]
        tags = least_covered_tags(archetype, coverage, rng)
        near_copies = 0
        for attempt in range(MAX_TRIES):
            if attempt and attempt % 20 == 0:  # this tag set is exhausted: try another combination
                tags = [rng.choice(sorted(t)) for t in archetype.variations.values()]
            prompt = compose_prompt(archetype, tags, rng)
            digest = prompt_hash(prompt)
            if digest in used:
                continue
            if max_similarity(prompt, recent) >= self.config.near_duplicate_threshold:
                near_copies += 1
                continue
            spec = SceneSpec(
                scene_id=f"{name}-{now:%Y%m%d}-{digest[:10]}",
                archetype=name,
                prompt=prompt,
                variation_tags=tuple(tags),
                seed=rng.randrange(2**31),
                prompt_hash=digest,
                image_model=self.image_model,
                prompt_model=self.name,
                created_at=now,
            )
            return spec, near_copies
        raise ScenegenError(f"no unused prompt found for {name} after {MAX_TRIES} tries")
