"""Run failed scenes again from their recorded specs: same scene id, same prompt, same seed."""

from __future__ import annotations

from prefect import flow
from prefect.states import Completed, State

from scenegen.backends import resolve_settings
from tasks.history import load_rerun_specs
from tasks.produce import produce_scenes
from tasks.report import final_state, publish_report


@flow(name="rerun-failed-scenes")
def rerun_failed_scenes(scene_ids: list[str] | None = None, since_days: int | None = None) -> State:
    """Rerun the named scenes, or every failed scene of the last `since_days` (default: the lookback)."""
    settings = resolve_settings(lookback_days=since_days)
    specs = load_rerun_specs(settings, scene_ids or [])
    if not specs:
        return Completed(message="no failed scenes to rerun")
    outcomes = produce_scenes(specs, settings)
    publish_report(outcomes, None, settings)
    return final_state(outcomes, settings)


if __name__ == "__main__":
    from scenegen.cli import main

    raise SystemExit(main(["rerun-failed"]))
