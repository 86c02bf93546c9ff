"""What both flows share: the per-scene pipeline, render -> check (-> agreement) -> review -> store ->
record, run for every spec; and the end of a run: its reports, its event and its final state.

Image slots: a scene makes its image in one of MAX_CONCURRENCY image slots (a twin only once its reference
is drawn, in a worker process), and gives its slot to the next scene the moment its image call ends. What
follows the answer runs beside the image calls, so slow checks never idle a paid slot: the CPU-heavy work in
the run's worker processes, storing a few scenes at a time; the review, often a service call, holds no slot.

Bounds: every scene is recorded `planned` before the first render (plan_scenes_ahead); every wait and call
has a deadline; and the run as a whole ends within RUN_TIMEOUT_SECONDS (produce_scenes).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextvars import copy_context

from prefect import get_run_logger
from prefect.runtime import flow_run
from prefect.states import State

from flows.scene_run import Attempt, SceneRun, admit, outcome_at_the_bound, record_failure
from flows.scene_stages import (
    admit_by_agreement,
    admit_by_review,
    agreement_stage,
    check,
    reference_stage,
    render,
    review_stage,
    store_and_record,
)
from scenegen.engine.deadline import RUN_GRACE_SECONDS, within
from scenegen.errors import SceneFailed, describe
from scenegen.models import PromptBatch, SceneSpec
from scenegen.planning.history import recent_history
from scenegen.records import HistoryRecord, SceneOutcome
from scenegen.run.budget import Hold
from tasks.artifacts import final_state, publish_diversity, publish_report
from tasks.events import announce_run, announce_scene
from tasks.planning import load_history
from tasks.record import record_planned
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
    # they warm up while the first image is asked for; a scene's views are drawn side by side
    run.resources.workers.start(sum(spec.views for spec in specs))
    threads = ThreadPoolExecutor(max_workers=max(len(specs), 1), thread_name_prefix="scene")
    started: dict[str, Future[SceneOutcome]] = {}
    try:
        for spec in specs:
            # given back by the scene the moment its image call ends
            if not scenes.starts.acquire(timeout=deadline.left()):
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
    """render -> check (-> agreement, for a twin) -> review -> store -> record, for a scene that holds one of
    the run's starts; never raises, so one scene's failure leaves the others alone.

    The order keeps two invariants, in every storage:
    - a marker exists only beside a verified image, a scene.json and a success record: the storage writes
      the marker last, once the stored copy's digest matches, and the upload commits only together with
      the success record (if the record fails, the stored scene is removed again, marker first);
    - a scene that failed anywhere has no marker and a failure record, and rerun-failed completes it,
      starting from the cached render, so a paid image is never paid for twice.
    """
    attempt = Attempt(spec)
    hold: Hold | None = None
    deadline = scenes.deadline  # checked before each stage: none starts past the run's bound
    try:
        try:
            remake = scenes.remade(staged_image_path(scenes.resources.settings, spec), spec)
            reference = reference_stage(spec, scenes) if spec.twin else None
            with scenes.image_slot():
                hold = admit(scenes, spec)  # in the slot: a run stopped while this scene waited stops it
                attempt.rendered, attempt.cost_usd = render(spec, scenes, remake, hold, reference)
        finally:
            scenes.starts.release()
        rendered = attempt.rendered
        deadline.check()
        phash = check(spec, rendered, scenes)
        if spec.twin:
            deadline.check()
            attempt.agreement = agreement_stage(spec, rendered, scenes)
            admit_by_agreement(spec, attempt.agreement, scenes)
        deadline.check()
        attempt.review, attempt.review_cost_usd = review_stage(spec, rendered, scenes, hold)
        attempt.cost_usd += attempt.review_cost_usd
        admit_by_review(spec, attempt.review, scenes)
        deadline.check()
        with scenes.cpu_slot():
            stored = store_and_record(attempt, phash, scenes, remake)
    except Exception as exc:
        if isinstance(exc, SceneFailed) and attempt.rendered is None:
            attempt.cost_usd = exc.cost_usd  # answers without an image are billed too
        return record_failure(attempt, exc, scenes)
    finally:
        if hold is not None:
            hold.release()  # what a scene that ended early never spent
    outcome = attempt.outcome("succeeded", scenes.batch_jobs, scene_uri=stored.scene_uri)
    announce_scene(outcome, scenes.resources.settings.review)
    return outcome


def replace_rejected(spec: SceneSpec, rejected: SceneOutcome, scenes: SceneRun) -> SceneOutcome:
    """New specs of the same archetype, each written against the history as it is now (the rejections in
    it) and made in the next free image slot, until one passes: as many as the image backend allows
    (several when images cost nothing, one when they are paid for, none for collected batch answers)."""
    resources = scenes.resources
    outcome = rejected
    # the run summary's pass rates count the replaced images' reviews and agreements too
    earlier, agreed = rejected.reviews, rejected.agreements
    for attempt in range(1, resources.images.replacements + 1):
        try:
            history = recent_history(resources.history, resources.settings.lookback_days)
            written = resources.prompts.write([spec.archetype], history, spec.seed + attempt).specs[0]
            # a twin is replaced by a twin, with as many views
            fresh = written.model_copy(update={"twin": spec.twin, "views": spec.views})
            record_planned([fresh], resources, scenes.flow_run_id, scenes.deadline.at)
        except Exception as exc:
            return outcome.model_copy(update={"failure_reason": f"{outcome.failure_reason}; {describe(exc)}"})
        if not scenes.starts.acquire(timeout=scenes.deadline.left()):
            return outcome
        outcome = attempt_scene(fresh, scenes).model_copy(
            update={
                "replaces": f"{spec.scene_id} ({rejected.failure_reason})",
                "replaced_reviews": earlier,
                "replaced_agreements": agreed,
            }
        )
        if outcome.status not in REPLACED:
            break
        earlier, agreed = outcome.reviews, outcome.agreements
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
