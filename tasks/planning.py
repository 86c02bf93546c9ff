"""The stages before any image: read the history, weigh the archetypes, plan the slots, write the prompts;
and, for a rerun, read back the specs of failed scenes."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound

from scenegen.models import PromptBatch, SceneSpec
from scenegen.planning.history import abandoned, recent_history, rerun_specs
from scenegen.planning.weights import archetype_shares, plan_slots
from scenegen.records import HistoryRecord
from scenegen.run.resources import Resources
from tasks.retry import RETRIES


@task(name="load-history", cache_policy=NO_CACHE, **RETRIES)
def load_history(resources: Resources) -> list[HistoryRecord]:
    return recent_history(resources.history, resources.settings.lookback_days)


@task(name="compute-weights", cache_policy=NO_CACHE)
def compute_weights(history: list[HistoryRecord], resources: Resources) -> dict[str, float]:
    settings = resources.settings
    base = resources.catalogue.base_weights(settings.archetypes)
    return archetype_shares(base, history, settings.scenes_per_run, settings.lookback_days)


@task(name="plan-scenes", cache_policy=NO_CACHE)
def plan_scenes(shares: dict[str, float], count: int, seed: int) -> list[str]:
    return plan_slots(shares, count, seed)


@task(name="diversify-prompts", cache_policy=NO_CACHE, **RETRIES)
def diversify_prompts(
    slots: list[str], history: list[HistoryRecord], resources: Resources, seed: int
) -> PromptBatch:
    written = resources.prompts.write(slots, history, seed)
    return written.as_twins() if resources.settings.twins else written


@task(name="load-failed-scenes", cache_policy=NO_CACHE, **RETRIES)
def load_failed_scenes(resources: Resources, scene_ids: list[str]) -> list[SceneSpec]:
    days = resources.settings.lookback_days
    return rerun_specs(resources.history, scene_ids, days, abandoned_on_this_api())


def abandoned_on_this_api() -> Callable[[HistoryRecord], bool]:
    """Whether a planned scene's run has ended, asking this Prefect API about runs it knows."""

    def run_is_final(flow_run_id: str) -> bool:
        try:
            with get_client(sync_client=True) as client:
                state = client.read_flow_run(UUID(flow_run_id)).state
        except (ObjectNotFound, ValueError):  # another API's run, or no run id: its age decides
            return False
        return state is not None and state.is_final()

    return lambda record: abandoned(record, run_is_final)
