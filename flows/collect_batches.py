"""The collect flow: the images of every finished batch job stored as online images are; jobs still under
way are left for the next run (a deployment runs it every 15 minutes)."""

from __future__ import annotations

from collections import Counter

from prefect import flow
from prefect.states import Completed, State

from flows.batch_pipeline import collect_scenes
from flows.scene_pipeline import finish_run
from tasks.batches import publish_batch_jobs
from tasks.resources import prepare_run


@flow(name="collect-batches")
def collect_batches() -> State:
    """Store the scenes of every finished batch job; record the scenes of failed jobs and items failed."""
    run = prepare_run()
    outcomes, collection = collect_scenes(run)
    stored = Counter(o.batch_job for o in outcomes if o.succeeded and o.batch_job)
    publish_batch_jobs(collection, dict(stored))
    waiting = sum(len(specs) for _, specs in collection.waiting)
    if not outcomes:
        return Completed(message=f"no batch job has ended: {waiting} scenes still waiting in their jobs")
    state = finish_run(outcomes, run)
    return state.model_copy(update={"message": f"{state.message}; {waiting} scenes still waiting"})


if __name__ == "__main__":
    from flows.script import run_as_script

    raise SystemExit(run_as_script(collect_batches, lambda settings: {}))
