"""The stages of the per-scene pipeline, each a cached Prefect task called with what it needs and what
the run holds for it (its budget, its recent hashes, its gate): the reference (twins), the image, the
checks, the agreement (twins), the review and storing with recording."""

from __future__ import annotations

from prefect.transactions import transaction

from flows.scene_run import Attempt, SceneRun
from scenegen.errors import FatalError, ImageRejected, SceneFailed
from scenegen.models import RenderedImage, Review, SceneSpec, StoredScene
from scenegen.quality.review import enforce, review_summary, scene_review
from scenegen.run.budget import Hold
from scenegen.storage import remove_staged
from scenegen.twins.agreement import Agreement
from tasks.record import record_scene
from tasks.render import staged_reference_path


def reference_stage(spec: SceneSpec, scenes: SceneRun) -> RenderedImage:
    """A twin's reference render, in a worker, before the scene takes an image slot; drawn again when its
    staged files are gone and the scene is not stored (the cache would describe files no longer there)."""
    remake = scenes.remade(staged_reference_path(scenes.resources.settings, spec), spec)
    stage = scenes.render_reference.with_options(refresh_cache=True) if remake else scenes.render_reference
    return stage(spec=spec, resources=scenes.resources)


def render(
    spec: SceneSpec, scenes: SceneRun, remake: bool, hold: Hold, reference: RenderedImage | None
) -> tuple[RenderedImage, float]:
    """The staged image and what it cost this run (nothing when it came from the cache)."""
    cost = 0.0
    try:
        stage = scenes.render_scene.with_options(refresh_cache=True) if remake else scenes.render_scene
        state = stage(
            spec=spec,
            resources=scenes.resources,
            shared_limit=scenes.shared_limit,
            reference=reference,
            return_state=True,
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
    """The image's perceptual hash, once every view passes every check; it then counts as a recent image.
    Only view 0 is compared with recent images: the other views are of the same room on purpose."""
    first, *further = rendered.each_view()
    phash = scenes.check_image(
        spec=spec, rendered=first, recent_hashes=scenes.hashes.others(spec), resources=scenes.resources
    )
    for index, view in enumerate(further, start=1):
        try:
            scenes.check_image(spec=spec, rendered=view, recent_hashes=[], resources=scenes.resources)
        except ImageRejected as exc:
            raise ImageRejected(f"view {index}: {exc}") from None
    scenes.hashes.add(spec.archetype, spec.scene_id, phash)
    return phash


def review_stage(
    spec: SceneSpec, rendered: RenderedImage, scenes: SceneRun, hold: Hold
) -> tuple[Review | None, float]:
    """The review's verdict over every view and what it cost this run (nothing when cached; no review with
    REVIEW=off)."""
    if scenes.resources.reviewer is None:
        return None, 0.0
    cost = 0.0
    try:
        reviews = []
        for view in rendered.each_view():
            state = scenes.review_image(
                spec=spec, rendered=view, resources=scenes.resources, return_state=True
            )
            reviews.append(state.result())
            cost += 0.0 if state.name == "Cached" else reviews[-1].cost_usd
        review = scene_review(reviews)
    except FatalError as exc:
        scenes.gate.stop(str(exc))
        raise
    finally:
        hold.settle("review", cost)
    return review, cost


def agreement_stage(spec: SceneSpec, rendered: RenderedImage, scenes: SceneRun) -> Agreement:
    """A twin's agreement with its reference, every view's measured: the first view's that fails (its
    reasons naming the view), or the first view's (layout.json's photo_agreement)."""
    agreements = [
        scenes.check_agreement(spec=spec, rendered=view, resources=scenes.resources)
        for view in rendered.each_view()
    ]
    for index, agreement in enumerate(agreements):
        if not agreement.passed:
            if index:
                return agreement.model_copy(
                    update={"reasons": [f"view {index}: {r}" for r in agreement.reasons]}
                )
            return agreement
    return agreements[0]


def admit_by_agreement(spec: SceneSpec, agreement: Agreement, scenes: SceneRun) -> None:
    """A twin whose photograph does not follow its reference ends here, rejected, and no longer counts as
    a recent image."""
    if not agreement.passed:
        scenes.hashes.discard(spec)
        raise ImageRejected(f"does not follow its reference: {'; '.join(agreement.reasons)}")


def admit_by_review(spec: SceneSpec, review: Review | None, scenes: SceneRun) -> None:
    """Under REVIEW=required an unsuitable or unjudged image ends here (ImageRejected, Unreviewed), and no
    longer counts as a recent image."""
    try:
        enforce(review, scenes.resources.settings.review)
    except SceneFailed:
        scenes.hashes.discard(spec)
        raise


def store_and_record(attempt: Attempt, phash: str, scenes: SceneRun, remake: bool) -> StoredScene:
    """A scene is stored only together with its success record: if the record cannot be written, the
    stored scene is removed again, and the upload's cache record is not kept (the transaction)."""
    spec, rendered = attempt.spec, attempt.rendered
    assert rendered is not None
    resources = scenes.resources
    stage = scenes.upload_scene.with_options(refresh_cache=True) if remake else scenes.upload_scene
    stored: StoredScene | None = None
    try:
        with transaction():
            summary = review_summary(attempt.review, resources.settings.review)
            stored = stage(
                spec=spec, rendered=rendered, review=summary, resources=resources, agreement=attempt.agreement
            )
            record_scene(attempt.record(scenes, stored=stored, phash=phash), resources)
    except Exception:
        if stored is not None:
            resources.storage.remove_scene(spec.scene_id)
        raise
    remove_staged(rendered)  # stored and recorded: the staged copies have done their job
    return stored
