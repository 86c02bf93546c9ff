"""Run failed scenes again from their recorded specs: same scene id, same prompt, same seed."""

from __future__ import annotations

from typing import Annotated

from prefect import flow
from prefect.states import Completed, State
from pydantic import Field

from flows.generate_scenes import finish
from scenegen.backends import resolve_settings
from scenegen.models import SCENE_ID_PATTERN
from tasks.history import load_rerun_specs
from tasks.produce import produce_scenes

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
    settings = resolve_settings(lookback_days=since_days)
    specs = load_rerun_specs(settings, scene_ids or [])[:limit]
    if not specs:
        return Completed(message="no failed scenes to rerun")
    return finish(produce_scenes(specs, settings), None, settings)


if __name__ == "__main__":
    from scenegen.cli import main

    raise SystemExit(main(["rerun-failed"]))
