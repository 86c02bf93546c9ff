"""What the scenes of one run share; how a scene takes its place in the run's budget; how a scene that did
not complete is recorded; and the run's two promises: no scene starts without a record saying it is
planned, and the run ends within its bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect.client.schemas.objects import FlowRun, StateType
from prefect.context import FlowRunContext
from prefect.states import Failed, State

from scenegen.engine.deadline import RunTimedOut
from scenegen.errors import SceneFailed, SceneSkipped, describe
from scenegen.models import RenderedImage, Review, SceneSpec
from scenegen.quality.checks import RecentHashes
from scenegen.records import HistoryRecord, RunState, SceneOutcome, Status
from scenegen.run.budget import Hold, RunGate, scene_hold
from scenegen.run.disk import room_problem
from scenegen.run.lease import LeaseKeeper, new_lease
from scenegen.storage import local_path
from scenegen.twins.agreement import Agreement
from tasks.agreement import check_agreement
from tasks.artifacts import Progress
from tasks.checks import check_image
from tasks.record import record_planned, record_run_planned, record_scene
from tasks.render import render_reference, render_scene
from tasks.resources import Run, shared_image_limit
from tasks.review import review_image
from tasks.store import upload_scene


class SceneRun:
    """What the scenes of one run share: its resources, cached stages, budget gate, deadline, recent image
    hashes, and the two kinds of slot."""

    def __init__(
        self,
        run: Run,
        total: int,
        spent_usd: float,
        history: list[HistoryRecord],
        share_usd: float | None = None,
        batch_jobs: dict[str, str] | None = None,
    ) -> None:
        self.resources = run.resources
        self.deadline = run.deadline
        self.lease = run.lease
        self.batch_jobs = batch_jobs or {}  # scene id -> the batch job its image came from
        self.render_reference = render_reference.with_options(result_storage=run.cache)
        self.render_scene = render_scene.with_options(result_storage=run.cache)
        self.check_image = check_image.with_options(result_storage=run.cache)
        self.check_agreement = check_agreement.with_options(result_storage=run.cache)
        self.review_image = review_image.with_options(result_storage=run.cache)
        self.upload_scene = upload_scene.with_options(result_storage=run.cache)
        if share_usd is None:
            self.gate = RunGate(run.settings.max_cost_usd, spent_usd)
        else:
            self.gate = RunGate(share_usd, spent_usd, share=True)
        self.hashes = RecentHashes(history)
        # MAX_CONCURRENCY scenes make their images at once; those drawn on this machine queue for a worker
        # process, so that a worker that finishes a render finds the next one waiting. A scene starts when
        # one of `starts` is free: up to RENDER_WORKERS more than the image slots, so that twins' references
        # are drawn ahead and wait for a slot, never holding one.
        self.image_slots = threading.Semaphore(run.settings.max_concurrency)
        self.starts = threading.Semaphore(run.settings.max_concurrency + run.settings.render_workers)
        self._cpu_slots = threading.Semaphore(run.settings.render_workers)
        self.shared_limit = shared_image_limit(run.resources)
        self.progress = Progress(total)
        self.flow_run_id = flow_run_id()

    def image_slot(self) -> AbstractContextManager[None]:
        """One of MAX_CONCURRENCY slots for the image call; a scene that waited past the run's bound never
        asked for its image, and is skipped."""
        return self._held(self.image_slots, SceneSkipped(f"not started: {self.deadline.reason}"))

    def cpu_slot(self) -> AbstractContextManager[None]:
        """One of a few slots for the CPU work beside the image calls (storing)."""
        return self._held(self._cpu_slots, RunTimedOut(self.deadline.reason))

    @contextmanager
    def _held(self, slots: threading.Semaphore, past_the_bound: Exception) -> Iterator[None]:
        """One of `slots`, waited for no longer than the run may last (then `past_the_bound` is raised)."""
        if not slots.acquire(timeout=self.deadline.left()):
            raise past_the_bound
        try:
            yield
        finally:
            slots.release()

    def remade(self, staged: Path, spec: SceneSpec) -> bool:
        """Whether a stage must run again rather than trust its cache: its staged file is gone and the
        scene is not stored (its folder was deleted, say), so the cache records describe files no longer
        there."""
        return not staged.exists() and not self.resources.storage.is_complete(spec.scene_id)

    def stop(self, reason: str) -> None:
        """No scene starts after this, and the work in the worker processes is ended."""
        self.gate.stop(reason)
        self.resources.workers.interrupt(reason)


def flow_run_id() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


def admit(scenes: SceneRun, spec: SceneSpec) -> Hold:
    """The scene's place in the budget: its images (a twin's with their references), one per view, and their
    reviews held at their typical prices before the first is made, so that no image is made that the budget
    could not have finished and reviewed; SceneSkipped when the gate or the clock says no."""
    if scenes.deadline.passed:
        raise SceneSkipped(f"not started: {scenes.deadline.reason}")
    if scenes.lease is not None and scenes.lease.lost:  # another run may be making the scenes now
        raise SceneSkipped(f"not started: {scenes.lease.lost}")
    images = scenes.resources.images
    image_usd, review_usd = scene_hold(
        spec.views,
        spec.twin,
        images.expected_cost_usd,
        images.reference_cost_usd,
        scenes.resources.review_expected_cost_usd,
    )
    refusal = scenes.gate.admit(image_usd + review_usd)
    if refusal:
        raise SceneSkipped(refusal)
    return Hold(scenes.gate, image=image_usd, review=review_usd)


def plan_scenes_ahead(specs: list[SceneSpec], run: Run) -> State | None:
    """Before any scene starts: a Failed state, in one line, if the local disk has no room for the run;
    else every scene recorded `planned` under the run's lease (hold_scenes) and None."""
    if refused := room_for(specs, run):
        return refused
    hold_scenes(specs, run)
    return None


def room_for(specs: list[SceneSpec], run: Run) -> State | None:
    """A Failed state, in one line, when the local disk cannot hold the run's scenes; else None."""
    resources = run.resources
    problem = room_problem(
        scenes=sum(spec.views for spec in specs),  # a view is a scene's worth of files
        scene_bytes=resources.images.scene_bytes,
        in_flight=run.settings.max_concurrency,
        staging=run.settings.staging_dir,
        local_storage=local_path(resources.storage.root_uri),
    )
    return Failed(message=problem) if problem else None


# The leases of the runs under way in this process, by flow run id: ended by the flows' hooks (LEASE_HOOKS).
_LEASES: dict[str, LeaseKeeper] = {}


def hold_scenes(
    specs: list[SceneSpec], run: Run, taking: list[HistoryRecord] | None = None
) -> list[SceneSpec]:
    """The specs recorded `planned` under this run's lease, in one write, before the first render; the
    lease is then renewed until the run ends. A rerun's scenes (`taking`, as it read them) are held only if
    still so, so that of two runs taking a scene one gets it. The specs this run holds."""
    run_id = flow_run_id()
    if run_id is None:  # not a flow run: nothing can tell its runs apart
        record_planned(specs, run.resources, None, run.deadline.at)
        return specs
    lease = new_lease(run_id, run.settings)
    held = set(record_run_planned(specs, lease, run.resources, run.deadline.at, taking))
    run.lease = _LEASES[run_id] = LeaseKeeper(run.resources.history, lease, run.settings).start()
    return [spec for spec in specs if spec.scene_id in held]


def end_lease(flow: Any, flow_run: FlowRun, state: State) -> None:
    """A flow run's end, however it came (a hook of every flow that holds scenes): its lease ended with it."""
    keeper = _LEASES.pop(str(flow_run.id), None)
    if keeper is not None:
        keeper.end(RUN_STATES.get(state.type, "failed"))


RUN_STATES: dict[StateType, RunState] = {
    StateType.COMPLETED: "completed",
    StateType.FAILED: "failed",
    StateType.CRASHED: "crashed",
    StateType.CANCELLED: "cancelled",
}
LEASE_HOOKS: dict[str, Any] = {
    f"on_{end}": [end_lease] for end in ("completion", "failure", "crashed", "cancellation")
}


def outcome_at_the_bound(
    spec: SceneSpec, future: Future[SceneOutcome] | None, scenes: SceneRun
) -> SceneOutcome:
    """How a scene ended; for one the run's bound overtook, recorded here: `skipped` if it never started,
    `failed` if it was still under way once the scenes had their grace to end."""
    if future is not None and future.done():
        return future.result()
    if future is None:
        status, reason = "skipped", f"not started: {scenes.deadline.reason}"
    else:
        status, reason = "failed", scenes.deadline.reason
    outcome = SceneOutcome(spec=spec, status=status, failure_reason=reason)  # type: ignore[arg-type]
    try:
        failure = HistoryRecord.of(
            spec,
            failure=reason,
            failure_status=status,
            flow_run_id=scenes.flow_run_id,  # type: ignore[arg-type]
        )
        record_scene(failure, scenes.resources)
    except Exception as exc:  # it stays `planned`: rerun-failed takes it once this run has ended
        outcome.failure_reason = f"{reason} (not recorded: {exc})"
    scenes.progress.advance(outcome)
    return outcome


@dataclass
class Attempt:
    """One attempt at a scene as its stages go: what it made, what the checks and the review found, and
    what it cost this run (of which its review)."""

    spec: SceneSpec
    started: float = field(default_factory=time.perf_counter)
    rendered: RenderedImage | None = None
    review: Review | None = None
    agreement: Agreement | None = None
    cost_usd: float = 0.0
    review_cost_usd: float = 0.0

    def outcome(self, status: Status, batch_jobs: dict[str, str], **fields: Any) -> SceneOutcome:
        return SceneOutcome(
            spec=self.spec,
            status=status,
            seconds=time.perf_counter() - self.started,
            cost_usd=self.cost_usd,
            review_cost_usd=self.review_cost_usd,
            batch_job=batch_jobs.get(self.spec.scene_id),
            review=self.review,
            agreement=self.agreement.summary() if self.agreement else None,
            **fields,
        )

    def record(self, scenes: SceneRun, **fields: Any) -> HistoryRecord:
        return HistoryRecord.of(
            self.spec,
            rendered=self.rendered,
            flow_run_id=scenes.flow_run_id,
            batch_job=scenes.batch_jobs.get(self.spec.scene_id),
            review=self.review,
            agreement=self.agreement.summary() if self.agreement else None,
            **fields,
        )


def record_failure(attempt: Attempt, error: Exception, scenes: SceneRun) -> SceneOutcome:
    """Record a scene that did not complete, so rerun-failed can find it, and describe it."""
    status = error.status if isinstance(error, SceneFailed) else "failed"
    reason = str(error) if isinstance(error, SceneSkipped) else describe(error)
    try:
        record = attempt.record(
            scenes,
            failure=reason,
            failure_status=status,
            # with no image staged, what the answers without one cost (with one, its price and its review's)
            cost_usd=None if attempt.rendered else attempt.cost_usd,
        )
        record_scene(record, scenes.resources)
    except Exception as record_error:
        reason = f"{reason} (the failure itself could not be recorded: {describe(record_error)})"
    return attempt.outcome(status, scenes.batch_jobs, failure_reason=reason)
