"""The stages before any image: read the history, weigh the archetypes, plan the slots, write the prompts;
and, for a rerun, what it takes: failed scenes, and the planned scenes of runs that are over."""

from __future__ import annotations

from uuid import UUID

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.states import Crashed

from scenegen.models import PromptBatch
from scenegen.planning.history import recent_history
from scenegen.planning.reruns import Reruns, RunJudge, RunVerdict, select_reruns
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
    return written.made_as(resources.settings.twins, resources.settings.views)


@task(name="load-failed-scenes", cache_policy=NO_CACHE, **RETRIES)
def load_failed_scenes(resources: Resources, scene_ids: list[str]) -> Reruns:
    days = resources.settings.lookback_days
    return select_reruns(resources.history, scene_ids, days, RunJudge(resources.history, flow_run_final))


def flow_run_final(flow_run_id: str) -> bool:
    """Whether this Prefect API knows the flow run and it is in a final state (another API's run: False)."""
    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(flow_run_id)).state
    except (ObjectNotFound, ValueError):
        return False
    return state is not None and state.is_final()


@task(name="mark-runs-crashed", cache_policy=NO_CACHE)
def mark_crashed(over: dict[str, RunVerdict], resources: Resources) -> None:
    """Runs found over whose planned scenes this run took: their leases, and their flow runs where this API
    still has them running, marked crashed."""
    logger = get_run_logger()
    for run_id, verdict in over.items():
        if verdict.lease is None or verdict.lease.final:
            continue
        resources.history.end_run(run_id, "crashed")
        message = f"its planned scenes were taken by rerun-failed: {verdict.why}"
        try:
            with get_client(sync_client=True) as client:
                state = client.read_flow_run(UUID(run_id)).state
                if state is not None and not state.is_final():
                    client.set_flow_run_state(UUID(run_id), Crashed(message=message), force=True)
        except (ObjectNotFound, ValueError):
            pass
        logger.warning("run %s marked crashed: %s", run_id, message)
