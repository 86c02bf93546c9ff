"""One shard of a fanned-out run: a child run of its own deployment, started by the parent generate-scenes
run with the specs it planned and the share of the run's budget it reserved for them."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.states import State
from pydantic import Field

from flows.generate_scenes import LookbackDays
from flows.scene_pipeline import finish_run, produce_scenes
from flows.scene_run import LEASE_HOOKS, plan_scenes_ahead
from scenegen.models import SceneSpec

ShardSpecs = Annotated[list[SceneSpec], Field(min_length=1, max_length=1000)]
ShardBudget = Annotated[float, Field(ge=0)]


@flow(name="generate-shard", **LEASE_HOOKS)
def generate_shard(
    specs: ShardSpecs,
    budget_usd: ShardBudget | None = None,
    lookback_days: LookbackDays = 30,
    deadline_at: datetime | None = None,
) -> State:
    """Make the parent's specs, spending at most `budget_usd`, ending by the parent's bound.

    Args:
        specs: The scenes of this shard, as the parent run planned them.
        budget_usd: This shard's share of the run's MAX_COST_USD; empty: no cap.
        lookback_days: The history window of the near-copy checks.
        deadline_at: The parent run's bound (UTC): the shard ends by then, or by its own, whichever is first.
    """
    from tasks.resources import prepare_run

    run = prepare_run(lookback_days=lookback_days).within(deadline_at)
    worker = os.environ.get("PREFECT__WORKER_NAME")  # set by the Prefect worker that started this run
    get_run_logger().info("%d scenes on worker %s, budget %s", len(specs), worker, budget_usd)
    if refused := plan_scenes_ahead(specs, run):
        return refused
    state = finish_run(produce_scenes(specs, run, share_usd=budget_usd), run)
    return state.model_copy(update={"message": f"{state.message} (worker {worker or 'none'})"})
