"""Per scene: render, then store and record together; scenes run side by side, each failing alone."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextvars import copy_context

from prefect import Task
from prefect.context import FlowRunContext
from prefect.transactions import transaction

from scenegen.backends import scene_storage
from scenegen.errors import describe
from scenegen.models import HistoryRecord, SceneOutcome, SceneSpec
from scenegen.settings import Settings
from tasks.history import record_scene
from tasks.render import render_scene, staged_image_path
from tasks.report import Progress
from tasks.upload import upload_scene


def produce_scenes(specs: list[SceneSpec], settings: Settings) -> list[SceneOutcome]:
    """Produce every spec, at most MAX_CONCURRENCY at once; outcomes in the order of `specs`."""
    # Cache records live beside the scenes they describe: delete the output and the cache goes with it.
    render = render_scene.with_options(result_storage=settings.cache_dir)
    upload = upload_scene.with_options(result_storage=settings.cache_dir)
    progress = Progress(len(specs))
    outcomes: dict[str, SceneOutcome] = {}
    with ThreadPoolExecutor(max_workers=settings.max_concurrency, thread_name_prefix="scene") as pool:
        # Each thread gets a copy of this context, so its task runs belong to this flow run.
        futures = [
            pool.submit(copy_context().run, produce_scene, spec, settings, render, upload) for spec in specs
        ]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.spec.scene_id] = outcome
            progress.advance(outcome)
    return [outcomes[spec.scene_id] for spec in specs]


def produce_scene(spec: SceneSpec, settings: Settings, render: Task, upload: Task) -> SceneOutcome:
    """One scene to its end; never raises, so one scene's failure leaves the others alone."""
    started = time.perf_counter()
    context = FlowRunContext.get()
    flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
    rendered = None
    try:
        staged = staged_image_path(settings, spec)
        if not staged.exists() and not scene_storage(settings).is_complete(spec.scene_id):
            # Nothing of this scene survives outside the cache (its folder was deleted, say): make it
            # again rather than trust cache records that describe files no longer there.
            render, upload = render.with_options(refresh_cache=True), upload.with_options(refresh_cache=True)
        rendered = render(spec=spec, settings=settings)  # committed at once: a paid render is kept
        with transaction() as txn:  # a scene is stored only if its history record is written too
            txn.set("settings", settings)
            txn.set("scene_id", spec.scene_id)
            txn.set("staged_image", rendered.path)
            stored = upload(spec=spec, rendered=rendered, settings=settings)
            record_scene(
                HistoryRecord.of(spec, stored=stored, rendered=rendered, flow_run_id=flow_run_id), settings
            )
        return SceneOutcome(
            spec=spec, status="succeeded", scene_uri=stored.scene_uri, seconds=time.perf_counter() - started
        )
    except Exception as exc:
        reason = describe(exc)
        try:
            record_scene(
                HistoryRecord.of(spec, rendered=rendered, failure=reason, flow_run_id=flow_run_id), settings
            )
        except Exception as record_error:
            reason = f"{reason} (the failure itself could not be recorded: {describe(record_error)})"
        return SceneOutcome(
            spec=spec, status="failed", failure_reason=reason, seconds=time.perf_counter() - started
        )
