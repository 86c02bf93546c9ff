"""The daily flow: history -> weights -> plan -> prompts -> per scene (render -> check -> store -> record)."""

from __future__ import annotations

import secrets
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.states import Completed, State
from pydantic import Field

from flows.scene_pipeline import finish_run, produce_scenes
from scenegen.config import ArchetypeName
from scenegen.models import SceneSpec
from tasks.artifacts import publish_plan
from tasks.planning import compute_weights, diversify_prompts, load_history, plan_scenes
from tasks.resources import prepare_run
from tasks.shards import own_deployment, run_shards

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
    run = prepare_run(
        scenes_per_run=scenes, archetypes=archetypes, dry_run=dry_run, lookback_days=lookback_days
    )
    if shard is not None:
        return finish_run(produce_scenes(shard, run), run)
    if seed is None:
        seed = secrets.randbelow(2**31)
    get_run_logger().info("seed %d (pass --seed %d to plan this batch again)", seed, seed)

    history = load_history(run.resources)
    shares = compute_weights(history, run.resources)
    slots = plan_scenes(shares, run.settings.scenes_per_run, seed)
    prompts = diversify_prompts(slots, history, run.resources, seed)
    publish_plan(prompts, shares, run.settings.dry_run)
    if run.settings.dry_run:
        return Completed(
            message=f"dry run: {len(prompts.specs)} scenes planned; nothing rendered, stored or recorded"
        )

    parent = own_deployment()
    if len(prompts.specs) > shard_size and parent:
        outcomes = run_shards(prompts.specs, shard_size, run.resources, parent)
    else:
        outcomes = produce_scenes(prompts.specs, run, spent_usd=prompts.cost_usd, history=history)
    return finish_run(outcomes, run, shares, prompts)


if __name__ == "__main__":
    from flows.script import run_as_script

    raise SystemExit(run_as_script(generate_scenes))
