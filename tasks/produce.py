"""Per scene: render, then store and record together; scenes run side by side, each failing alone,
until a fatal error or the budget stops the run from starting more."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextvars import copy_context
from dataclasses import dataclass

from prefect import Task
from prefect.context import FlowRunContext
from prefect.transactions import transaction

from scenegen.backends import (
    history_store,
    image_generator,
    prompt_diversifier,
    result_storage,
    scene_storage,
)
from scenegen.config import load_archetype_config
from scenegen.errors import FatalError, SceneFailed, describe
from scenegen.gate import RunGate
from scenegen.history import recent_history
from scenegen.models import HistoryRecord, RenderedImage, SceneOutcome, SceneSpec, Status
from scenegen.settings import Settings
from tasks.events import announce_scene
from tasks.history import load_history, record_scene
from tasks.quality import RecentHashes, check_rendered_image
from tasks.render import render_scene, staged_image_path
from tasks.report import Progress
from tasks.upload import upload_scene


def produce_scenes(
    specs: list[SceneSpec],
    settings: Settings,
    spent_usd: float = 0.0,
    history: list[HistoryRecord] | None = None,
) -> list[SceneOutcome]:
    """Produce every spec, at most MAX_CONCURRENCY at once; outcomes in the order of `specs`.

    `spent_usd` is what the run already spent (its prompts), counted against MAX_COST_USD; `history`, the
    recent records whose images a new one must not copy (read from the store when not given).
    """
    # Cache records live beside the scenes they describe: delete the output and the cache goes with it.
    cache = result_storage(settings)
    stages = Stages(
        render=render_scene.with_options(result_storage=cache),
        check=check_rendered_image.with_options(result_storage=cache),
        upload=upload_scene.with_options(result_storage=cache),
        gate=RunGate(settings.max_cost_usd, spent_usd),
        hashes=RecentHashes(history if history is not None else load_history.fn(settings)),
    )
    progress = Progress(len(specs))
    with ThreadPoolExecutor(max_workers=settings.max_concurrency, thread_name_prefix="scene") as pool:
        # Each thread gets a copy of this context, so its task runs belong to this flow run.
        futures = [pool.submit(copy_context().run, produce_scene, spec, settings, stages) for spec in specs]
        for future in as_completed(futures):
            progress.advance(future.result())
    return [future.result() for future in futures]


@dataclass(frozen=True)
class Stages:
    """What every scene of a run shares: its tasks, its gate and the hashes its images must not copy."""

    render: Task
    check: Task
    upload: Task
    gate: RunGate
    hashes: RecentHashes


def produce_scene(spec: SceneSpec, settings: Settings, stages: Stages) -> SceneOutcome:
    """One scene to its end. An image rejected by a check is replaced once, by a fresh spec's image."""
    outcome = produce_one(spec, settings, stages)
    if outcome.status != "rejected":
        return outcome
    try:
        fresh = fresh_spec(spec, settings)
    except Exception as exc:
        return outcome.model_copy(update={"failure_reason": f"{outcome.failure_reason}; {describe(exc)}"})
    replacement = produce_one(fresh, settings, stages)
    return replacement.model_copy(update={"replaces": f"{spec.scene_id} ({outcome.failure_reason})"})


def fresh_spec(rejected: SceneSpec, settings: Settings) -> SceneSpec:
    """A new spec of the same archetype, written against the history as it is now (the rejection in it)."""
    config = load_archetype_config(settings.archetype_config)
    history = recent_history(history_store(settings), settings.lookback_days)
    diversifier = prompt_diversifier(settings, config)
    return diversifier.diversify([rejected.archetype], history, rejected.seed + 1).specs[0]


def produce_one(spec: SceneSpec, settings: Settings, stages: Stages) -> SceneOutcome:
    """One scene to its end; never raises, so one scene's failure leaves the others alone.

    The order here keeps two invariants, in every storage:
    - a marker exists only beside a verified image, a scene.json and a success record: the storage writes
      the marker last, once the stored image is verified, and the upload commits only together with the
      success record (if the record fails, upload's on_rollback removes the stored scene, marker first);
    - a scene that failed anywhere has no marker and a failure record, and rerun-failed completes it,
      starting from the cached render, so a paid image is never paid for twice.
    """
    started = time.perf_counter()
    context = FlowRunContext.get()
    flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
    render, check, upload, gate = stages.render, stages.check, stages.upload, stages.gate
    expected = image_generator(settings).expected_cost_usd
    refusal = gate.admit(expected)
    if refusal:
        return _failed(spec, settings, "skipped", refusal, None, 0.0, flow_run_id, started)
    rendered: RenderedImage | None = None
    cost = 0.0
    try:
        staged = staged_image_path(settings, spec)
        if not staged.exists() and not scene_storage(settings).is_complete(spec.scene_id):
            # Nothing of this scene survives outside the cache (its folder was deleted, say): make it
            # again rather than trust cache records that describe files no longer there.
            render, upload = render.with_options(refresh_cache=True), upload.with_options(refresh_cache=True)
        state = render(spec=spec, settings=settings, return_state=True)
        rendered = state.result()  # committed at once: a paid render is kept
        cost = 0.0 if state.name == "Cached" else rendered.cost_usd  # a cached render costs nothing now
        phash = check(
            spec=spec, rendered=rendered, recent_hashes=stages.hashes.others(spec), settings=settings
        )
        stages.hashes.add(spec.archetype, spec.scene_id, phash)
        with transaction() as txn:  # a scene is stored only if its history record is written too
            txn.set("settings", settings)
            txn.set("scene_id", spec.scene_id)
            txn.set("staged_image", rendered.path)
            stored = upload(spec=spec, rendered=rendered, settings=settings)
            record = HistoryRecord.of(
                spec, stored=stored, rendered=rendered, flow_run_id=flow_run_id, phash=phash
            )
            record_scene(record, settings)
        outcome = SceneOutcome(
            spec=spec,
            status="succeeded",
            scene_uri=stored.scene_uri,
            seconds=time.perf_counter() - started,
            cost_usd=cost,
        )
        announce_scene(outcome)
        return outcome
    except Exception as exc:
        if isinstance(exc, FatalError):
            gate.stop(str(exc))
        if isinstance(exc, SceneFailed) and rendered is None:
            cost = exc.cost_usd  # answers without an image are billed too
        status: Status = exc.status if isinstance(exc, SceneFailed) else "failed"  # type: ignore[assignment]
        return _failed(spec, settings, status, describe(exc), rendered, cost, flow_run_id, started)
    finally:
        gate.settle(expected, cost)


def _failed(
    spec: SceneSpec,
    settings: Settings,
    status: Status,
    reason: str,
    rendered: RenderedImage | None,
    cost: float,
    flow_run_id: str | None,
    started: float,
) -> SceneOutcome:
    """Record a scene that did not complete, so rerun-failed can find it, and describe it."""
    try:
        record_scene(
            HistoryRecord.of(
                spec,
                rendered=rendered,
                failure=reason,
                failure_status=status,
                cost_usd=rendered.cost_usd if rendered else cost,
                flow_run_id=flow_run_id,
            ),
            settings,
        )
    except Exception as record_error:
        reason = f"{reason} (the failure itself could not be recorded: {describe(record_error)})"
    return SceneOutcome(
        spec=spec,
        status=status,
        failure_reason=reason,
        seconds=time.perf_counter() - started,
        cost_usd=cost,
    )
