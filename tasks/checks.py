"""The stage between render and upload: an image that fails a check is rejected, never stored."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from scenegen.models import RenderedImage, SceneSpec
from scenegen.quality.checks import check_rendered
from scenegen.run.resources import Resources


def check_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    return f"check-{spec.fingerprint}-{parameters['rendered'].sha256}"


@task(name="check-image", cache_key_fn=check_cache_key, persist_result=True, result_serializer="json")
def check_image(
    spec: SceneSpec, rendered: RenderedImage, recent_hashes: list[str], resources: Resources
) -> str:
    """The image's perceptual hash once it passes; cached, so a stored scene is not checked again."""
    return check_rendered(
        rendered,
        recent_hashes,
        resources.catalogue.quality,
        resources.workers,
        resources.settings.render_timeout_seconds,
    )
