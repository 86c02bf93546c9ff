"""Which archetypes the next batch should hold, so the realised mix converges on the base weights."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime

from scenegen.models import utcnow
from scenegen.records import HistoryRecord


def archetype_shares(
    base: dict[str, float],
    history: Iterable[HistoryRecord],
    batch_size: int,
    lookback_days: int,
    now: datetime | None = None,
) -> dict[str, float]:
    """Share of the next batch per archetype.

    Each archetype gets a share proportional to how far it would fall short of its base share once this
    batch is added to the recent history, so one made too rarely gets more and one made too often may
    get nothing. A record counts less as it ages out of the lookback window: were it to count fully
    until it drops out, every correction would be undone by a counter-correction one window later.
    Only successful scenes count: a failed one left no image.
    """
    now = now or utcnow()
    made: dict[str, float] = dict.fromkeys(base, 0.0)
    for record in history:
        if record.success and record.archetype in base:
            age_days = (now - record.generated_at).total_seconds() / 86400
            made[record.archetype] += min(1.0, max(0.0, 1.0 - age_days / lookback_days))
    horizon = sum(made.values()) + batch_size
    shortfall = {name: max(0.0, share * horizon - made[name]) for name, share in base.items()}
    total = sum(shortfall.values())  # >= batch_size > 0: the shortfalls add up to at least the batch
    return {name: value / total for name, value in shortfall.items()}


def plan_slots(weights: dict[str, float], count: int, seed: int) -> list[str]:
    """Exactly `count` archetypes in proportion to `weights`, reproducible for a given seed.

    Systematic sampling: each archetype gets floor or ceil of its expected number, never a wild draw,
    and the seed decides the rounding and the order.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    rng = random.Random(seed)
    start = rng.random()
    points = [start + i for i in range(count)]  # evenly spaced: one random offset for all
    slots: list[str] = []
    edge = 0.0
    names = list(weights)
    for name in names:
        edge += weights[name] * count
        while points and points[0] < edge:
            slots.append(name)
            points.pop(0)
    slots.extend(names[-1] for _ in points)  # float round-off can leave the last point past the edge
    rng.shuffle(slots)
    return slots
