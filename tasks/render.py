"""The stages that make a scene's image, cached by its spec so the same spec is never rendered twice: a
twin's reference render, then the image."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.concurrency.sync import concurrency
from prefect.context import TaskRunContext

from scenegen.backends.local.procedural import MODEL as REFERENCE_MODEL
from scenegen.engine.deadline import time_left
from scenegen.models import RenderedImage, SceneSpec
from scenegen.run.resources import Resources
from scenegen.settings import Settings
from tasks.retry import RETRIES


def staged_image_path(settings: Settings, spec: SceneSpec) -> Path:
    return settings.staging_dir / f"{spec.scene_id}-{spec.fingerprint[:16]}.png"


def staged_reference_path(settings: Settings, spec: SceneSpec) -> Path:
    """A twin's reference, staged under its image's name (scenegen.storage.remove_staged takes both)."""
    return staged_image_path(settings, spec).with_suffix(".reference.png")


def render_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    reference: RenderedImage | None = parameters.get("reference")
    twin = f"-of-{reference.sha256[:16]}" if reference else ""
    return f"render-{parameters['resources'].images.model}-{spec.fingerprint}{twin}"


def reference_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    return f"reference-{REFERENCE_MODEL}-{parameters['spec'].fingerprint}"


@task(
    name="render-reference",
    cache_key_fn=reference_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def render_reference(spec: SceneSpec, resources: Resources) -> RenderedImage:
    """A twin's reference: the procedural render of its spec with the ground truth, in a worker process."""
    destination = staged_reference_path(resources.settings, spec)
    return resources.references.reference(spec, destination, resources.catalogue.agreement)


@task(
    name="render-scene",
    cache_key_fn=render_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def render_scene(
    spec: SceneSpec,
    resources: Resources,
    shared_limit: str | None = None,
    reference: RenderedImage | None = None,
) -> RenderedImage:
    """The image, staged; for a twin, a photograph of `reference`. `shared_limit` names a Prefect
    concurrency limit every run's image calls share, waited for no longer than the run may last."""
    destination = staged_image_path(resources.settings, spec)
    wait = time_left(resources.settings.run_timeout_seconds)
    with concurrency(shared_limit, occupy=1, timeout_seconds=wait) if shared_limit else nullcontext():
        if reference is None:
            return resources.images.generate(spec, destination)
        if spec.views > 1 and resources.images.name == "gemini-batch":  # a collect run's answers
            get_run_logger().info(
                "%s: view 0 collected from its batch job; views 1 to %d are asked online now, each with the "
                "first photograph as its appearance reference",
                spec.scene_id,
                spec.views - 1,
            )
        return resources.images.generate(spec, destination, reference)
