"""Run failed scenes again from their recorded specs: same scene id, same prompt, same seed."""

from __future__ import annotations

from typing import Annotated

from prefect import flow
from prefect.states import Completed, State
from pydantic import Field

from flows.scene_pipeline import finish_run, produce_scenes
from scenegen.models import SCENE_ID_PATTERN
from tasks.planning import load_failed_scenes
from tasks.resources import prepare_run

SceneId = Annotated[str, Field(pattern=SCENE_ID_PATTERN.pattern)]


@flow(name="rerun-failed-scenes")
def rerun_failed_scenes(
    scene_ids: Annotated[list[SceneId], Field(description="these scenes; empty: every failed one")]
    | None = None,
    since_days: Annotated[int, Field(ge=1, le=3650, description="how far back to look; empty: 30")]
    | None = None,
    limit: Annotated[int, Field(ge=1, le=1000, description="rerun at most this many")] | None = None,
) -> State:
    """Rerun the named scenes, or every failed scene of the last `since_days` (default: the lookback)."""
    run = prepare_run(lookback_days=since_days)
    specs = load_failed_scenes(run.resources, scene_ids or [])[:limit]
    if not specs:
        return Completed(message="no failed scenes to rerun")
    return finish_run(produce_scenes(specs, run), run)


if __name__ == "__main__":
    from flows.script import run_as_script

    raise SystemExit(run_as_script(rerun_failed_scenes))
