"""The daily flow: history -> weights -> plan -> prompts -> per scene (render -> check -> store -> record)."""

from __future__ import annotations

import secrets
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.states import Completed, State
from pydantic import Field

from flows.batch_pipeline import submit_scenes
from flows.scene_pipeline import finish_run, produce_scenes
from flows.scene_run import LEASE_HOOKS, plan_scenes_ahead
from scenegen.catalogue import ArchetypeName
from scenegen.models import MAX_VIEWS
from tasks.artifacts import publish_plan
from tasks.planning import compute_weights, diversify_prompts, load_history, plan_scenes
from tasks.resources import prepare_run
from tasks.shards import own_deployment, run_shards

# The run form in the Prefect UI shows these: concrete defaults, the archetypes as a multi-select and dry run
# as a checkbox (the descriptions come from the docstring); the API refuses values out of range. A
# deployment's `parameters` replace the defaults.
SceneCount = Annotated[int, Field(ge=1, le=1000)]
Archetypes = list[ArchetypeName]
Seed = Annotated[int, Field(ge=0, lt=2**31)]
LookbackDays = Annotated[int, Field(ge=1, le=3650)]
ShardSize = Annotated[int, Field(ge=1, le=1000)]
Views = Annotated[int, Field(ge=1, le=MAX_VIEWS)]


@flow(name="generate-scenes", **LEASE_HOOKS)
def generate_scenes(
    scenes: SceneCount = 10,
    archetypes: Archetypes = [],  # noqa: B006 - a parameter default, never mutated
    dry_run: bool = False,
    seed: Seed | None = None,
    lookback_days: LookbackDays = 30,
    shard_size: ShardSize = 25,
    batch: bool = False,
    twins: bool = False,
    views: Views = 1,
) -> State:
    """Make a batch of scenes. The command line and `python flows/generate_scenes.py` pass the environment's
    SCENES_PER_RUN, ARCHETYPES, DRY_RUN, LOOKBACK_DAYS, BATCH, TWINS and VIEWS as these parameters.

    Args:
        scenes: How many scenes to make (1 to 1000).
        archetypes: Only these archetypes; none chosen: all of them.
        dry_run: Plan and write the prompts only; render, store and record nothing.
        seed: The seed of an earlier plan, to make it again; empty: a new plan.
        lookback_days: The history window that the weights, prompts and near-copy checks look at.
        shard_size: Above this many scenes, a deployment's run fans out into shard runs of this size.
        batch: Submit the images as Gemini batch jobs at half the price; collect-batches stores them.
        twins: Make each scene a twin: a Gemini photograph of a procedural room, with its ground truth.
        views: Posed views of each room (1 to 8): the one that shows the most, then each adding what the
            earlier ones did not show, every one with its ground truth.
    """
    run = prepare_run(
        scenes_per_run=scenes,
        archetypes=archetypes,
        dry_run=dry_run,
        lookback_days=lookback_days,
        batch=batch,
        twins=twins,
        views=views,
    )
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

    deployment = own_deployment()
    if run.settings.batch:  # recorded `submitted` before each job is created
        outcomes = submit_scenes(prompts.specs, run, spent_usd=prompts.cost_usd)
    elif refused := plan_scenes_ahead(prompts.specs, run):
        return refused
    elif len(prompts.specs) > shard_size and deployment:
        outcomes = run_shards(prompts.specs, shard_size, run, deployment, spent_usd=prompts.cost_usd)
    else:
        outcomes = produce_scenes(prompts.specs, run, spent_usd=prompts.cost_usd, history=history)
    return finish_run(outcomes, run, shares, prompts)


def parameters_from_settings(settings) -> dict:
    """What the environment says, as this flow's parameters (the command line and the script pass these)."""
    return {
        "scenes": settings.scenes_per_run,
        "archetypes": list(settings.archetypes),
        "dry_run": settings.dry_run,
        "lookback_days": settings.lookback_days,
        "batch": settings.batch,
        "twins": settings.twins,
        "views": settings.views,
    }


if __name__ == "__main__":
    from flows.script import run_as_script

    raise SystemExit(run_as_script(generate_scenes, parameters_from_settings))
