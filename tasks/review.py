"""The stage between the checks and storage: the image reviewed against what reconstruction needs."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from scenegen.models import RenderedImage, Review, SceneSpec
from scenegen.run.resources import Resources
from tasks.retry import RETRIES


def review_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    reviewer = parameters["resources"].reviewer.model
    return f"review-{reviewer}-{spec.fingerprint}-{parameters['rendered'].sha256}"


@task(
    name="review-image",
    cache_key_fn=review_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def review_image(spec: SceneSpec, rendered: RenderedImage, resources: Resources) -> Review:
    """The verdict on the staged image; cached with it, so that no image is paid to be reviewed twice."""
    return resources.reviewer.review(spec, rendered)
