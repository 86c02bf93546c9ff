"""Stages that decide how many scenes of each archetype this run makes."""

from __future__ import annotations

from prefect import task

from scenegen import weights
from scenegen.config import load_archetype_config
from scenegen.models import HistoryRecord
from scenegen.settings import Settings


@task(name="compute-weights")
def compute_weights(history: list[HistoryRecord], settings: Settings) -> dict[str, float]:
    base = load_archetype_config(settings.archetype_config).base_weights(settings.archetypes)
    return weights.compute_weights(base, history, settings.scenes_per_run, settings.lookback_days)


@task(name="plan-scenes")
def plan_scenes(shares: dict[str, float], count: int, seed: int) -> list[str]:
    return weights.plan_slots(shares, count, seed)
