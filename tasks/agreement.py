"""The check after the image checks, for a twin: how well its photograph follows its reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from scenegen.models import RenderedImage, SceneSpec
from scenegen.run.resources import Resources
from scenegen.storage import DEPTH, INSTANCES, REFERENCE
from scenegen.twins.agreement import Agreement, measure_twin
from scenegen.twins.photograph import staged


def agreement_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    return f"agreement-{spec.fingerprint}-{parameters['rendered'].sha256}"


@task(name="check-agreement", cache_key_fn=agreement_cache_key, persist_result=True, result_serializer="json")
def check_agreement(spec: SceneSpec, rendered: RenderedImage, resources: Resources) -> Agreement:
    """The photograph's agreement with its reference, measured in a worker; cached with the photograph."""
    return resources.workers.call(
        "agreement check",
        measure_twin,
        Path(rendered.path),
        staged(rendered, REFERENCE),
        staged(rendered, DEPTH),
        staged(rendered, INSTANCES),
        resources.catalogue.agreement,
        timeout=resources.settings.render_timeout_seconds,
    )
