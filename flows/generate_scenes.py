"""The daily flow: history -> weights -> plan -> prompts -> (render -> store -> record) per scene."""

from __future__ import annotations

import secrets

from prefect import flow, get_run_logger
from prefect.states import Completed, State

from scenegen.backends import resolve_settings
from tasks.diversify import diversify_prompts
from tasks.history import load_history
from tasks.produce import produce_scenes
from tasks.report import final_state, publish_plan, publish_report
from tasks.weights import compute_weights, plan_scenes


@flow(name="generate-scenes")
def generate_scenes(
    scenes: int | None = None,
    archetypes: list[str] | None = None,
    dry_run: bool | None = None,
    seed: int | None = None,
    lookback_days: int | None = None,
) -> State:
    """Make a batch of scenes; parameters left empty come from the environment."""
    settings = resolve_settings(
        scenes_per_run=scenes, archetypes=archetypes, dry_run=dry_run, lookback_days=lookback_days
    )
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

    outcomes = produce_scenes(prompts.specs, settings, spent_usd=prompts.cost_usd)
    publish_report(outcomes, shares, settings, prompts_cost_usd=prompts.cost_usd)
    return final_state(outcomes, settings)


if __name__ == "__main__":
    from scenegen.cli import main

    raise SystemExit(main(["generate"]))
