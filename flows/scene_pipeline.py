"""What both flows share: the per-scene pipeline, render -> check -> review -> store -> record, run for every
spec; and the end of a run: its reports, its event and its final state.

Image slots: a scene starts only when one of MAX_CONCURRENCY image slots is free (no more than the worker
processes when the images are drawn on this machine), and gives its slot to the next scene the moment its
image call ends. What follows the answer runs beside the image calls, so slow checks never idle a paid
slot: the CPU-heavy work in the run's worker processes, storing a few scenes at a time; the review, often
a service call, holds no slot.

Bounds: every scene is recorded `planned` before the first render (plan_scenes_ahead); every wait and call
has a deadline; and the run as a whole ends within RUN_TIMEOUT_SECONDS (produce_scenes).
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextvars import copy_context

from prefect import get_run_logger
from prefect.runtime import flow_run
from prefect.states import State
from prefect.transactions import transaction

from flows.scene_run import SceneRun, admit, outcome_at_the_bound, record_failure
from scenegen.deadline import RUN_GRACE_SECONDS, within
from scenegen.errors import FatalError, SceneFailed, describe
from scenegen.gate import Hold
from scenegen.history import recent_history
from scenegen.models import HistoryRecord, PromptBatch, RenderedImage, SceneOutcome, SceneSpec, StoredScene
from scenegen.review import Review, enforce, review_summary
from scenegen.storage import remove_staged
from tasks.artifacts import final_state, publish_diversity, publish_report
from tasks.events import announce_run, announce_scene
from tasks.planning import load_history
from tasks.record import record_planned, record_scene
from tasks.render import staged_image_path
from tasks.resources import Run


def produce_scenes(
    specs: list[SceneSpec],
    run: Run,
    spent_usd: float = 0.0,
    history: list[HistoryRecord] | None = None,
    share_usd: float | None = None,
    batch_jobs: dict[str, str] | None = None,
) -> list[SceneOutcome]:
    """Every spec to its end within the run's bound, outcomes in the order of `specs`.

    `spent_usd` is what the run already spent (its prompts), counted against MAX_COST_USD; `history`, the
    recent records whose images a new one must not copy (read from the store when not given); `share_usd`,
    a shard's share of its run's budget, which replaces MAX_COST_USD and is never exceeded; `batch_jobs`,
    for a collect run, the batch job each scene's image came from (recorded with it).

    At the run's deadline no scene starts any more and the work in the worker processes is ended; the
    scenes under way get RUN_GRACE_SECONDS to record how they ended, and whatever is left is recorded here.
    """
    recent = history if history is not None else load_history(run.resources)
    scenes = SceneRun(run, len(specs), spent_usd, recent, share_usd, batch_jobs)
    deadline = scenes.deadline
    run.resources.workers.start()  # they warm up while the first image is asked for
    threads = ThreadPoolExecutor(max_workers=max(len(specs), 1), thread_name_prefix="scene")
    started: dict[str, Future[SceneOutcome]] = {}
    try:
        for spec in specs:
            # given back by the scene the moment its image call ends
            if not scenes.image_slots.acquire(timeout=deadline.left()):
                break
            # Each thread gets a copy of this context, so its task runs belong to this flow run, and the
            # run's deadline with it, so its calls are cut to the time left.
            context = copy_context()
            started[spec.scene_id] = threads.submit(
                context.run, within, deadline, produce_or_replace, spec, scenes
            )
        wait(started.values(), timeout=deadline.left())
        if deadline.passed:
            scenes.stop(deadline.reason)
            wait(started.values(), timeout=RUN_GRACE_SECONDS)
    finally:
        threads.shutdown(wait=False, cancel_futures=True)  # never wait here for a scene past the bound
    return [outcome_at_the_bound(spec, started.get(spec.scene_id), scenes) for spec in specs]


# Made again from a fresh spec: an image a check or the review said no to, or one the review could not judge.
REPLACED = ("rejected", "unreviewed")


def produce_or_replace(spec: SceneSpec, scenes: SceneRun) -> SceneOutcome:
    """One scene to its end; an image rejected by a check or the review is replaced by a fresh spec's."""
    outcome = attempt_scene(spec, scenes)
    if outcome.status in REPLACED:
        outcome = replace_rejected(spec, outcome, scenes)
    scenes.progress.advance(outcome)
    return outcome


def attempt_scene(spec: SceneSpec, scenes: SceneRun) -> SceneOutcome:
    """render -> check -> review -> store -> record, for a scene that holds an image slot; never raises, so
    one scene's failure leaves the others alone.

    The order keeps two invariants, in every storage:
    - a marker exists only beside a verified image, a scene.json and a success record: the storage writes
      the marker last, once the stored copy's digest matches, and the upload commits only together with
      the success record (if the record fails, the stored scene is removed again, marker first);
    - a scene that failed anywhere has no marker and a failure record, and rerun-failed completes it,
      starting from the cached render, so a paid image is never paid for twice.
    """
    started = time.perf_counter()
    rendered: RenderedImage | None = None
    review: Review | None = None
    cost = review_cost = 0.0  # this run's spend on the scene, and of it the review's
    hold: Hold | None = None
    deadline = scenes.deadline  # checked before each stage: none starts past the run's bound
    try:
        try:
            hold = admit(scenes)
            # Nothing of this scene outside the cache (its folder was deleted, say): make it again rather
            # than trust cache records that describe files no longer there.
            remake = not staged_image_path(scenes.resources.settings, spec).exists() and not (
                scenes.resources.storage.is_complete(spec.scene_id)
            )
            rendered, cost = render(spec, scenes, remake, hold)
        finally:
            scenes.image_slots.release()
        deadline.check()
        phash = check(spec, rendered, scenes)
        deadline.check()
        review, review_cost = review_stage(spec, rendered, scenes, hold)
        cost += review_cost
        admit_by_review(spec, review, scenes)
        deadline.check()
        with scenes.cpu_slot():
            stored = store_and_record(spec, rendered, phash, review, scenes, remake)
    except Exception as exc:
        if isinstance(exc, SceneFailed) and rendered is None:
            cost = exc.cost_usd  # answers without an image are billed too
        return record_failure(spec, exc, rendered, review, (cost, review_cost), scenes, started)
    finally:
        if hold is not None:
            hold.release()  # what a scene that ended early never spent
    outcome = SceneOutcome(
        spec=spec,
        status="succeeded",
        scene_uri=stored.scene_uri,
        seconds=time.perf_counter() - started,
        cost_usd=cost,
        review_cost_usd=review_cost,
        batch_job=scenes.batch_jobs.get(spec.scene_id),
        review=review,
    )
    announce_scene(outcome, scenes.resources.settings.review)
    return outcome


def render(spec: SceneSpec, scenes: SceneRun, remake: bool, hold: Hold) -> tuple[RenderedImage, float]:
    """The staged image and what it cost this run (nothing when it came from the cache)."""
    cost = 0.0
    try:
        stage = scenes.render_scene.with_options(refresh_cache=True) if remake else scenes.render_scene
        state = stage(
            spec=spec, resources=scenes.resources, shared_limit=scenes.shared_limit, return_state=True
        )
        rendered = state.result()  # committed at once: a paid render is kept
        cost = 0.0 if state.name == "Cached" else rendered.cost_usd
        return rendered, cost
    except FatalError as exc:
        scenes.gate.stop(str(exc))  # before the gate lets the scenes waiting for this first call go
        raise
    finally:
        hold.settle("image", cost)


def check(spec: SceneSpec, rendered: RenderedImage, scenes: SceneRun) -> str:
    """The image's perceptual hash, once it passes every check; it then counts as a recent image."""
    phash = scenes.check_image(
        spec=spec, rendered=rendered, recent_hashes=scenes.hashes.others(spec), resources=scenes.resources
    )
    scenes.hashes.add(spec.archetype, spec.scene_id, phash)
    return phash


def review_stage(
    spec: SceneSpec, rendered: RenderedImage, scenes: SceneRun, hold: Hold
) -> tuple[Review | None, float]:
    """The review's verdict and what it cost this run (nothing when cached; no review with REVIEW=off)."""
    if scenes.resources.reviewer is None:
        return None, 0.0
    cost = 0.0
    try:
        state = scenes.review_image(
            spec=spec, rendered=rendered, resources=scenes.resources, return_state=True
        )
        review: Review = state.result()
        cost = 0.0 if state.name == "Cached" else review.cost_usd
    except FatalError as exc:
        scenes.gate.stop(str(exc))
        raise
    finally:
        hold.settle("review", cost)
    return review, cost


def admit_by_review(spec: SceneSpec, review: Review | None, scenes: SceneRun) -> None:
    """Under REVIEW=required an unsuitable or unjudged image ends here (ImageRejected, Unreviewed), and no
    longer counts as a recent image."""
    try:
        enforce(review, scenes.resources.settings.review)
    except SceneFailed:
        scenes.hashes.discard(spec)
        raise


def store_and_record(
    spec: SceneSpec,
    rendered: RenderedImage,
    phash: str,
    review: Review | None,
    scenes: SceneRun,
    remake: bool,
) -> StoredScene:
    """A scene is stored only together with its success record: if the record cannot be written, the
    stored scene is removed again, and the upload's cache record is not kept (the transaction)."""
    resources = scenes.resources
    stage = scenes.upload_scene.with_options(refresh_cache=True) if remake else scenes.upload_scene
    stored: StoredScene | None = None
    try:
        with transaction():
            summary = review_summary(review, resources.settings.review)
            stored = stage(spec=spec, rendered=rendered, review=summary, resources=resources)
            record = HistoryRecord.of(
                spec,
                stored=stored,
                rendered=rendered,
                flow_run_id=scenes.flow_run_id,
                phash=phash,
                batch_job=scenes.batch_jobs.get(spec.scene_id),
                review=review,
            )
            record_scene(record, resources)
    except Exception:
        if stored is not None:
            resources.storage.remove_scene(spec.scene_id)
        raise
    remove_staged(rendered)  # stored and recorded: the staged copies have done their job
    return stored


def replace_rejected(spec: SceneSpec, rejected: SceneOutcome, scenes: SceneRun) -> SceneOutcome:
    """New specs of the same archetype, each written against the history as it is now (the rejections in
    it) and made in the next free image slot, until one passes: as many as the image backend allows
    (several when images cost nothing, one when they are paid for, none for collected batch answers)."""
    resources = scenes.resources
    outcome = rejected
    earlier = rejected.reviews  # the run summary's pass rate counts the replaced images' reviews too
    for attempt in range(1, resources.images.replacements + 1):
        try:
            history = recent_history(resources.history, resources.settings.lookback_days)
            fresh = resources.prompts.write([spec.archetype], history, spec.seed + attempt).specs[0]
            record_planned([fresh], resources, scenes.flow_run_id, scenes.deadline.at)
        except Exception as exc:
            return outcome.model_copy(update={"failure_reason": f"{outcome.failure_reason}; {describe(exc)}"})
        if not scenes.image_slots.acquire(timeout=scenes.deadline.left()):
            return outcome
        outcome = attempt_scene(fresh, scenes).model_copy(
            update={"replaces": f"{spec.scene_id} ({rejected.failure_reason})", "replaced_reviews": earlier}
        )
        if outcome.status not in REPLACED:
            break
        earlier = outcome.reviews
    return outcome


def finish_run(
    outcomes: list[SceneOutcome],
    run: Run,
    shares: dict[str, float] | None = None,
    prompts: PromptBatch | None = None,
) -> State:
    """The end of every run: its reports, its event, and its final state. A report that cannot be written
    (a full disk, an API hiccup) is logged and does not change how the run ended."""
    prompts_cost = prompts.cost_usd if prompts else 0.0
    rewritten = prompts.near_duplicates_rewritten if prompts else None
    run.resources.close()  # the run's worker processes
    for publish, arguments in (
        (publish_report, (outcomes, shares, run.resources, prompts_cost)),
        (publish_diversity, (outcomes, run.resources, rewritten)),
        (announce_run, (outcomes, flow_run.id)),
    ):
        try:
            publish(*arguments)
        except Exception as exc:
            get_run_logger().error("%s: %s", getattr(publish, "name", publish.__name__), describe(exc))
    return final_state(outcomes, run.resources)
