"""The stage that makes a scene's image, cached by its spec so the same spec is never rendered twice."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from prefect import task
from prefect.client.orchestration import get_client
from prefect.concurrency.sync import concurrency
from prefect.context import TaskRunContext
from prefect.exceptions import ObjectNotFound

from scenegen.backends import image_generator
from scenegen.imaging import ImageGenerator
from scenegen.models import RenderedImage, SceneSpec
from scenegen.settings import Settings
from tasks.retry import RETRIES

# A Prefect global concurrency limit that, once created, caps Gemini image calls across every run.
GEMINI_IMAGE_LIMIT = "gemini-image"


def staged_image_path(settings: Settings, spec: SceneSpec) -> Path:
    return settings.staging_dir / f"{spec.scene_id}-{spec.fingerprint[:16]}.png"


def render_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    return f"render-{image_generator(parameters['settings']).model}-{spec.fingerprint}"


def shared_quota(generator: ImageGenerator) -> AbstractContextManager[Any]:
    """A slot of the gemini-image limit for a paid call, when the limit exists; nothing otherwise."""
    if generator.expected_cost_usd <= 0:
        return nullcontext()
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(GEMINI_IMAGE_LIMIT)
        except ObjectNotFound:
            return nullcontext()
    return concurrency(GEMINI_IMAGE_LIMIT, occupy=1)


@task(
    name="render-scene",
    cache_key_fn=render_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def render_scene(spec: SceneSpec, settings: Settings) -> RenderedImage:
    generator = image_generator(settings)
    with shared_quota(generator):
        return generator.generate(spec, staged_image_path(settings, spec))
