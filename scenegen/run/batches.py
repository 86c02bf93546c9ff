"""Batch mode: a run's image requests go into batch jobs at the batch price and the run ends; a later
collect run takes each finished job's answers through the same checks and storage as an online image.

Creating a job is not idempotent, so every job is findable: its display name is derived from its scene
ids, its scenes are recorded `submitted` under that name before it is created, and a job of that name is
looked for before one is created. A crash anywhere leaves either no job (collect then fails the scenes, and
rerun-failed takes them) or one job that collect finds; never two.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scenegen.images import BatchBackend, BatchJob
from scenegen.models import RenderedImage, SceneSpec, utcnow
from scenegen.planning.history import HistoryStore
from scenegen.records import HistoryRecord, SceneOutcome
from scenegen.run.budget import split_budget

INLINE_LIMIT_BYTES = 20_000_000  # the Batch API's limit on a job's inlined requests
# A request's bytes besides its prompt: the image config, the search tool, its metadata, JSON framing.
REQUEST_OVERHEAD_BYTES = 2_000
JOB_PREFIX = "scenegen-"
CREATED_NAME_PREFIX = "batches/"
SUCCEEDED = "JOB_STATE_SUCCEEDED"
ENDED_WITHOUT_ANSWERS = {"JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}
# A job still unfound this long after its scenes were recorded was never created: its run ended first.
NEVER_CREATED_AFTER = timedelta(hours=1)


def job_display_name(scene_ids: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(scene_ids)).encode()).hexdigest()
    return f"{JOB_PREFIX}{digest[:32]}"


def split_for_inline_limit(
    specs: list[SceneSpec], limit: int = INLINE_LIMIT_BYTES, reference_bytes: dict[str, int] | None = None
) -> list[list[SceneSpec]]:
    """The specs in order, in as few jobs as keep each job's inlined requests under `limit` bytes; a twin's
    request counts its reference's bytes too (`reference_bytes`, by scene id), as base64 inflates them."""
    jobs: list[list[SceneSpec]] = []
    size = 0
    for spec in specs:
        reference = 4 * -(-(reference_bytes or {}).get(spec.scene_id, 0) // 3)  # base64's length
        request = len(json.dumps(spec.prompt).encode()) + reference + REQUEST_OVERHEAD_BYTES
        if not jobs or size + request > limit:
            jobs.append([])
            size = 0
        jobs[-1].append(spec)
        size += request
    return jobs


def submitted_record(spec: SceneSpec, job: str, flow_run_id: str | None, attempts: int) -> HistoryRecord:
    record = HistoryRecord.of(spec, flow_run_id=flow_run_id, batch_job=job)
    return record.model_copy(update={"status": "submitted", "success": False, "attempts": attempts})


def submit_job(
    specs: list[SceneSpec],
    batches: BatchBackend,
    history: HistoryStore,
    flow_run_id: str | None,
    references: dict[str, RenderedImage] | None = None,
) -> str:
    """One job for `specs` (twins' with their `references`, by scene id), created at most once however
    often this is called; its name, recorded."""
    display_name = job_display_name(spec.scene_id for spec in specs)
    for spec in specs:  # first, so that a crash after the create still leaves the job findable
        history.save(submitted_record(spec, display_name, flow_run_id, attempts=1))
    name = batches.find(display_name) or batches.create(specs, display_name, references)
    for spec in specs:
        history.save(submitted_record(spec, name, flow_run_id, attempts=0))
    return name


def affordable_count(count: int, price_usd: float, max_cost_usd: float | None, spent_usd: float) -> int:
    """How many of `count` requests a run may submit, each counted at its batch price against
    MAX_COST_USD as a run alone counts its renders."""
    share = split_budget(max_cost_usd, spent_usd, price_usd, [count])[0]
    return count if share is None else round(share / price_usd)


def not_submitted(
    spec: SceneSpec, reason: str, history: HistoryStore, flow_run_id: str | None
) -> SceneOutcome:
    history.save(HistoryRecord.of(spec, failure=reason, failure_status="skipped", flow_run_id=flow_run_id))
    return SceneOutcome(spec=spec, status="skipped", failure_reason=reason)


@dataclass
class Collection:
    """What a collect run found: jobs that ended with answers, the scenes that failed without reaching
    the pipeline (and why), and the jobs still under way."""

    finished: list[tuple[BatchJob, list[SceneSpec]]] = field(default_factory=list)
    failed: list[tuple[SceneSpec, str, str]] = field(default_factory=list)  # spec, job, reason
    waiting: list[tuple[BatchJob, list[SceneSpec]]] = field(default_factory=list)


def poll_submitted(
    records: list[HistoryRecord], batches: BatchBackend, history: HistoryStore, now: datetime | None = None
) -> Collection:
    """Every submitted scene's job, polled once; a job known only by its display name is looked up."""
    now = now or utcnow()
    by_job: dict[str, list[HistoryRecord]] = {}
    for record in records:
        by_job.setdefault(record.batch_job or "", []).append(record)
    collection = Collection()
    for job_name, waiting in by_job.items():
        specs = [record.to_spec() for record in waiting]
        if not job_name.startswith(CREATED_NAME_PREFIX):
            found = batches.find(job_name) if job_name else None
            if found is None:
                if now - min(r.generated_at for r in waiting) > NEVER_CREATED_AFTER:
                    reason = "its batch job was never created (the run submitting it ended first)"
                    collection.failed += [(spec, job_name, reason) for spec in specs]
                continue
            for record in waiting:
                history.save(submitted_record(record.to_spec(), found, record.flow_run_id, attempts=0))
            job_name = found
        job = batches.poll(job_name)
        if job.state == SUCCEEDED:
            collection.finished.append((job, specs))
        elif job.state in ENDED_WITHOUT_ANSWERS:
            reason = f"its batch job {job.name} ended {job.state.removeprefix('JOB_STATE_')} without answers"
            collection.failed += [(spec, job.name, reason) for spec in specs]
        else:
            collection.waiting.append((job, specs))
    return collection
