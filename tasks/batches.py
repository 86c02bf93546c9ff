"""Batch mode's stages: submit a job of image requests, poll the submitted scenes' jobs, and show the jobs
in the UI."""

from __future__ import annotations

from collections import Counter

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from scenegen.errors import InputError
from scenegen.images import BatchBackend
from scenegen.models import RenderedImage, SceneSpec
from scenegen.run.batches import Collection, poll_submitted, submit_job
from scenegen.run.resources import Resources
from tasks.retry import RETRIES


def batch_backend(resources: Resources) -> BatchBackend:
    if resources.batches is None:
        raise InputError(
            "batch jobs are Gemini's: set GEMINI_API_KEY to collect them (IMAGE_BACKEND unset, or gemini)"
        )
    return resources.batches


@task(name="submit-batch-job", cache_policy=NO_CACHE, **RETRIES)
def submit_batch_job(
    specs: list[SceneSpec],
    resources: Resources,
    flow_run_id: str | None,
    references: dict[str, RenderedImage] | None = None,
) -> str:
    """One job for these specs (twins' with their references); a retry finds the job an earlier try
    created instead of paying twice."""
    name = submit_job(specs, batch_backend(resources), resources.history, flow_run_id, references)
    get_run_logger().info("%d scenes submitted in batch job %s", len(specs), name)
    return name


@task(name="poll-batch-jobs", cache_policy=NO_CACHE, **RETRIES)
def poll_batch_jobs(resources: Resources) -> Collection:
    records = resources.history.submitted()
    collection = poll_submitted(records, batch_backend(resources), resources.history)
    get_run_logger().info(
        "%d submitted scenes: %d in finished jobs, %d failed with their job, %d still waiting",
        len(records),
        sum(len(specs) for _, specs in collection.finished),
        len(collection.failed),
        sum(len(specs) for _, specs in collection.waiting),
    )
    return collection


@task(name="publish-batch-jobs", cache_policy=NO_CACHE)
def publish_batch_jobs(collection: Collection, stored: dict[str, int]) -> None:
    """One row per job this collect run saw: its state, its scenes, and what was stored from it."""
    rows = [
        {
            "job": job.name,
            "state": job.state.removeprefix("JOB_STATE_"),
            "scenes": len(specs),
            "answered": len(job.answers),
            "stored": stored.get(job.name, 0),
        }
        for job, specs in collection.finished + collection.waiting
    ]
    failed = Counter(job_name for _, job_name, _ in collection.failed)
    rows += [
        {"job": name, "state": "ended without answers", "scenes": n, "answered": 0, "stored": 0}
        for name, n in failed.items()
    ]
    create_table_artifact(
        key="scenegen-batch-jobs", table=rows, description="The batch jobs of the submitted scenes"
    )
