"""Run failed scenes again from their recorded specs (same scene id, prompt and seed), and the planned
scenes of runs that are over; the planned scenes of a run that may still be going are left to it."""

from __future__ import annotations

from typing import Annotated

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State
from pydantic import Field

from flows.batch_pipeline import submit_scenes
from flows.scene_pipeline import finish_run, produce_scenes
from flows.scene_run import LEASE_HOOKS, hold_scenes, room_for
from scenegen.models import SCENE_ID_PATTERN
from scenegen.planning.reruns import LeftRun
from tasks.artifacts import publish_runs
from tasks.planning import load_failed_scenes, mark_crashed
from tasks.resources import prepare_run

SceneId = Annotated[str, Field(pattern=SCENE_ID_PATTERN.pattern)]
SinceDays = Annotated[int, Field(ge=1, le=3650)]
Limit = Annotated[int, Field(ge=1, le=1000)]
NOTHING_TO_RERUN = "no failed scenes to rerun"


@flow(name="rerun-failed-scenes", **LEASE_HOOKS)
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
    reruns = load_failed_scenes(run.resources, scene_ids)
    publish_runs(run.resources)
    wanted = reruns.specs[:limit]
    if refused := room_for(wanted, run):
        return refused
    specs = hold_scenes(wanted, run, taking=reruns.records) if wanted else []
    mark_crashed(reruns.runs_taken_from(specs), run.resources)
    if not specs:
        ended = Completed(message=NOTHING_TO_RERUN)
    elif run.settings.batch:
        ended = finish_run(submit_scenes(specs, run), run)
    else:
        ended = finish_run(produce_scenes(specs, run), run)
    return left_to_live_runs(ended, reruns.left)


def left_to_live_runs(ended: State, left: list[LeftRun]) -> State:
    """The rerun's state, Failed with a line per run when it left scenes to runs that may still be going."""
    if not left:
        return ended
    lines = "; ".join(run.line() for run in left)
    get_run_logger().warning(lines)
    made_some = (ended.message and not ended.is_completed()) or ended.message != NOTHING_TO_RERUN
    return Failed(message=f"{ended.message}; {lines}" if made_some else lines)


if __name__ == "__main__":
    from flows.script import run_as_script

    raise SystemExit(
        run_as_script(
            rerun_failed_scenes,
            lambda settings: {"since_days": settings.lookback_days, "batch": settings.batch},
        )
    )
