"""Days of planning simulated without rendering: what the weights and a prompt writer make of them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scenegen.catalogue import ArchetypeConfig
from scenegen.models import SceneSpec, prompt_hash, utcnow
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.planning.weights import archetype_shares, plan_slots
from scenegen.records import HistoryRecord

Planner = Callable[[list[HistoryRecord], tuple[str, ...] | None, int, int, datetime], list[SceneSpec]]


@dataclass
class Simulation:
    records: list[HistoryRecord] = field(default_factory=list)
    daily_cells: list[set[tuple[str, str]]] = field(default_factory=list)
    near_duplicates_rewritten: int = 0


def simulate(
    plan: Planner,
    days: int,
    per_day: int,
    restricted: Callable[[int], tuple[str, ...] | None] = lambda day: None,
    lookback_days: int = 30,
    start: datetime | None = None,
) -> Simulation:
    """Run `days` daily plans of `per_day` scenes, each scene succeeding, each day seeing the last window."""
    start = start or utcnow()
    result = Simulation()
    for day in range(days):
        now = start + timedelta(days=day)
        window = [r for r in result.records if r.generated_at >= now - timedelta(days=lookback_days)]
        specs = plan(window, restricted(day), per_day, day, now)
        made = [HistoryRecord.of(spec).model_copy(update={"generated_at": now}) for spec in specs]
        result.records += made
        result.daily_cells.append({(r.archetype, tag) for r in made for tag in r.variation_tags})
    return result


def scenegen_planner(config: ArchetypeConfig, lookback_days: int = 30) -> Planner:
    """The real thing: coverage-corrected weights, systematic slots, the local prompt writer."""
    writer = LocalPromptWriter(config, image_model="simulated")

    def plan(window, names, count, seed, now):
        shares = archetype_shares(config.base_weights(names), window, count, lookback_days, now)
        batch = writer.write(plan_slots(shares, count, seed), window, seed, now)
        return batch.specs

    return plan


def naive_planner(config: ArchetypeConfig) -> Planner:
    """A baseline: weighted-random archetypes, random tags, one template sentence per scene."""

    def plan(window, names, count, seed, now):
        rng = random.Random(seed)
        base = config.base_weights(names)
        specs = []
        for index in range(count):
            name = rng.choices(list(base), weights=list(base.values()))[0]
            archetype = config.archetypes[name]
            tags = [rng.choice(sorted(options)) for options in archetype.variations.values()]
            prompt = f"A photo of a {archetype.description.lower()}: " + "; ".join(
                archetype.fragment(tag) for tag in tags
            )
            digest = prompt_hash(f"{prompt} {seed} {index}")
            specs.append(
                SceneSpec(
                    scene_id=f"{name}-{now:%Y%m%d}-{digest[:10]}",
                    archetype=name,
                    prompt=prompt,
                    variation_tags=tuple(tags),
                    seed=index,
                    prompt_hash=digest,
                    image_model="simulated",
                    prompt_model="naive",
                    created_at=now,
                )
            )
        return specs

    return plan
