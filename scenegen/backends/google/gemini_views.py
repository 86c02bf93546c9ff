"""A twin's further views on Gemini's image model: each asked with its own reference view and, as the
appearance reference, the first view's photograph, so that the views read as one room; each compared with the
first through the instance maps (scenegen.twins.crossview), and asked again once when its colours stray."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from scenegen.catalogue import ViewsConfig
from scenegen.engine.pool import WorkerPool
from scenegen.errors import ImageRejected
from scenegen.images import preview_path
from scenegen.models import RenderedImage, RenderedView
from scenegen.quality.checks import measure_file
from scenegen.storage import INSTANCES, staged_view
from scenegen.twins.crossview import compare_views, object_colours
from scenegen.twins.photograph import as_twin_view, staged

log = logging.getLogger(__name__)
ASKS_PER_VIEW = 2  # a refused view is asked again once


def photograph_views(
    photo: RenderedImage,
    reference: RenderedImage,
    ask: Callable[[RenderedView, Path, Path], RenderedImage],
    workers: WorkerPool,
    config: ViewsConfig,
    timeout_seconds: float,
    scene_id: str,
) -> RenderedImage:
    """The first view's photograph with a photograph of every further view of `reference`, each made by
    `ask(reference view, appearance reference, where to stage it)`; ImageRejected (with everything paid)
    when a view still disagrees with the first after its second ask."""
    first = Path(photo.path)
    # the reviewer's copy of the first photograph is the appearance reference; its measures come with it
    measures = workers.call("image check", measure_file, first, preview_path(first), timeout=timeout_seconds)
    photo = photo.model_copy(update={"measures": measures})
    paid = photo.cost_usd
    # the first photograph's object colours, measured once: every further view is compared with them
    first_colours = workers.call(
        "cross-view colours", object_colours, first, staged(reference, INSTANCES), timeout=timeout_seconds
    )
    views: list[RenderedView] = []
    for view in reference.views:
        target = staged_view(first, view.index)
        cost = 0.0
        for attempt in range(1, ASKS_PER_VIEW + 1):
            shot = ask(view, preview_path(first), target)
            cost += shot.cost_usd
            colours = workers.call(
                "cross-view colours", object_colours, target, _instances(view), timeout=timeout_seconds
            )
            verdict = compare_views(view.index, first_colours, colours, config)
            log.info("%s: view %d against view 0: %s", scene_id, view.index, verdict.colour_difference)
            if verdict.passed:
                break
            log.warning("%s: %s (ask %d of %d)", scene_id, verdict.reason, attempt, ASKS_PER_VIEW)
        paid += cost
        if not verdict.passed:
            raise ImageRejected(f"{verdict.reason}, asked {ASKS_PER_VIEW} times", paid)
        views.append(as_twin_view(shot, view, cost))
    return photo.model_copy(update={"views": views, "cost_usd": paid})


def _instances(view: RenderedView) -> Path:
    return next(Path(f.path) for f in view.files if f.name == INSTANCES)
