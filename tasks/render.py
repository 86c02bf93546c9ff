"""The stage that makes a scene's image, cached by its spec so the same spec is never rendered twice."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from prefect import task
from prefect.concurrency.sync import concurrency
from prefect.context import TaskRunContext

from scenegen.models import RenderedImage, SceneSpec
from scenegen.resources import Resources
from scenegen.settings import Settings
from tasks.retry import RETRIES


def staged_image_path(settings: Settings, spec: SceneSpec) -> Path:
    return settings.staging_dir / f"{spec.scene_id}-{spec.fingerprint[:16]}.png"


def render_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    return f"render-{parameters['resources'].images.model}-{spec.fingerprint}"


@task(
    name="render-scene",
    cache_key_fn=render_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def render_scene(spec: SceneSpec, resources: Resources, shared_limit: str | None = None) -> RenderedImage:
    """The image, staged; `shared_limit` names a Prefect concurrency limit every run's image calls share."""
    with concurrency(shared_limit, occupy=1) if shared_limit else nullcontext():
        return resources.images.generate(spec, staged_image_path(resources.settings, spec))
