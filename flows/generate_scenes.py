"""The daily flow: history -> weights -> plan -> prompts -> (render -> store -> record) per scene."""

from __future__ import annotations

import secrets
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Completed, State
from pydantic import Field

from scenegen.backends import resolve_settings
from scenegen.config import ArchetypeName
from scenegen.models import SceneOutcome, SceneSpec
from scenegen.settings import Settings
from tasks.diversify import diversify_prompts
from tasks.events import announce_run
from tasks.history import load_history
from tasks.produce import produce_scenes
from tasks.report import final_state, publish_diversity, publish_plan, publish_report
from tasks.shards import own_deployment, run_shards
from tasks.weights import compute_weights, plan_scenes

# Typed parameters: the Prefect UI's run form shows these bounds and choices, and the API refuses bad values.
SceneCount = Annotated[int, Field(ge=1, le=1000, description="scenes to make; empty: SCENES_PER_RUN")]
Archetypes = Annotated[list[ArchetypeName], Field(description="only these archetypes; empty: all")]
Seed = Annotated[int, Field(ge=0, lt=2**31, description="reproduce a plan; empty: a new one")]
LookbackDays = Annotated[int, Field(ge=1, le=3650, description="history window in days; empty: 30")]
ShardSize = Annotated[
    int, Field(ge=1, le=1000, description="above this many scenes, fan out into child runs")
]
Shard = Annotated[list[SceneSpec], Field(description="set by a fanned-out parent run, not by hand")]


@flow(name="generate-scenes")
def generate_scenes(
    scenes: SceneCount | None = None,
    archetypes: Archetypes | None = None,
    dry_run: bool | None = None,
    seed: Seed | None = None,
    lookback_days: LookbackDays | None = None,
    shard_size: ShardSize = 25,
    shard: Shard | None = None,
) -> State:
    """Make a batch of scenes; parameters left empty come from the environment."""
    settings = resolve_settings(
        scenes_per_run=scenes, archetypes=archetypes, dry_run=dry_run, lookback_days=lookback_days
    )
    if shard is not None:
        return finish(produce_scenes(shard, settings), None, settings)
    if seed is None:
        seed = secrets.randbelow(2**31)
    get_run_logger().info("seed %d (pass --seed %d to plan this batch again)", seed, seed)

    history = load_history(settings)
    shares = compute_weights(history, settings)
    slots = plan_scenes(shares, settings.scenes_per_run, seed)
    prompts = diversify_prompts(slots, history, settings, seed)
    publish_plan(prompts, shares, settings.dry_run)
    if settings.dry_run:
        return Completed(
            message=f"dry run: {len(prompts.specs)} scenes planned; nothing rendered, stored or recorded"
        )

    parent = own_deployment()
    if len(prompts.specs) > shard_size and parent:
        outcomes = run_shards(prompts.specs, shard_size, settings, parent)
    else:
        outcomes = produce_scenes(prompts.specs, settings, spent_usd=prompts.cost_usd, history=history)
    return finish(outcomes, shares, settings, prompts.cost_usd, prompts.near_duplicates_rewritten)


def finish(
    outcomes: list[SceneOutcome],
    shares: dict[str, float] | None,
    settings: Settings,
    prompts_cost: float = 0.0,
    near_duplicates_rewritten: int | None = None,
) -> State:
    """The end of every run: its reports, its event, and its final state."""
    publish_report(outcomes, shares, settings, prompts_cost_usd=prompts_cost)
    publish_diversity(outcomes, settings, near_duplicates_rewritten)
    announce_run(outcomes, flow_run.id)
    return final_state(outcomes, settings)


if __name__ == "__main__":
    from scenegen.cli import main

    raise SystemExit(main(["generate"]))
