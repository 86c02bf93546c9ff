"""Run failed scenes again from their recorded specs: same scene id, same prompt, same seed."""

from __future__ import annotations

from typing import Annotated

from prefect import flow
from prefect.states import Completed, State
from pydantic import Field

from flows.batch_pipeline import submit_scenes
from flows.scene_pipeline import finish_run, produce_scenes
from flows.scene_run import plan_scenes_ahead
from scenegen.models import SCENE_ID_PATTERN
from tasks.planning import load_failed_scenes
from tasks.resources import prepare_run

SceneId = Annotated[str, Field(pattern=SCENE_ID_PATTERN.pattern)]
SinceDays = Annotated[int, Field(ge=1, le=3650)]
Limit = Annotated[int, Field(ge=1, le=1000)]


@flow(name="rerun-failed-scenes")
def rerun_failed_scenes(
    scene_ids: list[SceneId] = [],  # noqa: B006 - a parameter default, never mutated
    since_days: SinceDays = 30,
    limit: Limit = 1000,
    batch: bool = False,
) -> State:
    """Rerun the named scenes, or every failed scene of the last `since_days` (and every scene left
    `planned` by a run that has ended).

    Args:
        scene_ids: These scenes; none given: every failed scene in the window.
        since_days: How far back to look for failed scenes.
        limit: Rerun at most this many.
        batch: Submit them as Gemini batch jobs at half the price; collect-batches stores them.
    """
    run = prepare_run(lookback_days=since_days, batch=batch)
    specs = load_failed_scenes(run.resources, scene_ids)[:limit]
    if not specs:
        return Completed(message="no failed scenes to rerun")
    if run.settings.batch:
        outcomes = submit_scenes(specs, run)
    elif refused := plan_scenes_ahead(specs, run):
        return refused
    else:
        outcomes = produce_scenes(specs, run)
    return finish_run(outcomes, run)


if __name__ == "__main__":
    from flows.script import run_as_script

    raise SystemExit(
        run_as_script(
            rerun_failed_scenes,
            lambda settings: {"since_days": settings.lookback_days, "batch": settings.batch},
        )
    )
