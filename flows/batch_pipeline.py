"""Batch mode in the flows: a run's scenes submitted as batch jobs, and the images of finished jobs taken
through the same per-scene pipeline as online images (checks, storage, marker, history, event)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from pathlib import Path

from prefect.runtime import flow_run

from flows.scene_pipeline import produce_scenes
from scenegen.errors import FatalError, describe
from scenegen.images import preview_path
from scenegen.models import RenderedImage, SceneSpec
from scenegen.records import HistoryRecord, SceneOutcome
from scenegen.run.batches import Collection, affordable_count, not_submitted, split_for_inline_limit
from scenegen.run.budget import further_views_usd
from tasks.batches import batch_backend, poll_batch_jobs, submit_batch_job
from tasks.record import record_scene
from tasks.render import render_reference
from tasks.resources import Run


def this_flow_run_id() -> str | None:
    return str(flow_run.id) if flow_run.id else None


def submit_scenes(specs: list[SceneSpec], run: Run, spent_usd: float = 0.0) -> list[SceneOutcome]:
    """Every spec submitted in a batch job (as few jobs as the inline limit allows), each counted at the
    batch price against MAX_COST_USD; the scenes past the cap, or after a refused key, are `skipped`."""
    resources = run.resources
    batches = batch_backend(resources)
    run_id = this_flow_run_id()
    twins = any(spec.twin for spec in specs)
    views = max((spec.views for spec in specs), default=1)
    images = resources.images  # a twin's views after the first: asked online once the first is collected
    further = further_views_usd(views, images.expected_cost_usd, images.reference_cost_usd) if twins else 0.0
    price = (
        batches.expected_cost_usd
        + (batches.reference_cost_usd if twins else 0.0)  # a twin's request carries its reference
        + further
        + views * resources.review_expected_cost_usd  # reviewed online when collected
    )
    count = affordable_count(len(specs), price, run.settings.max_cost_usd, spent_usd)
    references = render_references([spec for spec in specs[:count] if spec.twin], run)
    shown = {
        scene: preview_path(Path(reference.path)).stat().st_size for scene, reference in references.items()
    }
    outcomes: list[SceneOutcome] = []
    stop_reason: str | None = None
    for chunk in split_for_inline_limit(specs[:count], reference_bytes=shown):
        if stop_reason:
            outcomes += [not_submitted(spec, stop_reason, resources.history, run_id) for spec in chunk]
            continue
        try:
            chunk_references = {s.scene_id: references[s.scene_id] for s in chunk if s.scene_id in references}
            job = submit_batch_job(chunk, resources, run_id, chunk_references)
        except FatalError as exc:  # nothing was created: the next job would be refused the same way
            stop_reason = f"not submitted: {exc}"
            outcomes += [not_submitted(spec, stop_reason, resources.history, run_id) for spec in chunk]
            continue
        except Exception as exc:  # the job may exist: its scenes stay submitted, and collect looks for it
            outcomes += [
                SceneOutcome(spec=spec, status="submitted", failure_reason=f"unconfirmed: {describe(exc)}")
                for spec in chunk
            ]
            continue
        outcomes += [SceneOutcome(spec=spec, status="submitted", batch_job=job) for spec in chunk]
    cap = run.settings.max_cost_usd
    over = f"not submitted: the run's estimated spend at the batch price would pass MAX_COST_USD (${cap})"
    outcomes += [not_submitted(spec, over, resources.history, run_id) for spec in specs[count:]]
    return outcomes


def render_references(specs: list[SceneSpec], run: Run) -> dict[str, RenderedImage]:
    """Twins' references, drawn in the worker processes before their requests are submitted (each request
    carries its reference); the same renders, cached by spec, are the ground truth when they are collected."""
    if not specs:
        return {}
    stage = render_reference.with_options(result_storage=run.cache)
    with ThreadPoolExecutor(
        max_workers=run.settings.render_workers, thread_name_prefix="reference"
    ) as threads:
        futures = {
            spec.scene_id: threads.submit(copy_context().run, stage, spec=spec, resources=run.resources)
            for spec in specs
        }
        return {scene: future.result() for scene, future in futures.items()}


def collect_scenes(run: Run) -> tuple[list[SceneOutcome], Collection]:
    """The submitted scenes whose jobs ended: stored through the pipeline when answered, recorded failed
    (for rerun-failed) when the job or its item failed. Scenes of jobs under way are left as they are."""
    resources = run.resources
    collection = poll_batch_jobs(resources)
    outcomes = [record_job_failure(spec, job, reason, run) for spec, job, reason in collection.failed]
    answered = [spec for _, specs in collection.finished for spec in specs]
    if answered:
        images = batch_backend(resources).collected_images(
            [job for job, _ in collection.finished], resources.workers
        )
        jobs = {spec.scene_id: job.name for job, specs in collection.finished for spec in specs}
        collecting = Run(resources.collecting(images), run.cache)
        outcomes += produce_scenes(answered, collecting, batch_jobs=jobs)
    return outcomes, collection


def record_job_failure(spec: SceneSpec, job: str, reason: str, run: Run) -> SceneOutcome:
    record = HistoryRecord.of(spec, failure=reason, flow_run_id=this_flow_run_id(), batch_job=job or None)
    record_scene(record, run.resources)
    return SceneOutcome(spec=spec, status="failed", failure_reason=reason, batch_job=job or None)
