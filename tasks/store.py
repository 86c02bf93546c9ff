"""The stage that stores a checked scene: image, scene.json, then the completion marker."""

from __future__ import annotations

import hashlib
from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from scenegen.models import RenderedImage, SceneSpec, StoredScene
from scenegen.run.resources import Resources
from scenegen.storage import store_staged_scene
from scenegen.twins.agreement import Agreement
from scenegen.twins.photograph import with_photo_agreement
from tasks.retry import RETRIES


def upload_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    rendered: RenderedImage = parameters["rendered"]
    where = hashlib.sha256(parameters["resources"].storage.root_uri.encode()).hexdigest()[:16]
    return f"upload-{where}-{spec.fingerprint}-{rendered.sha256}"


@task(
    name="upload-scene",
    cache_key_fn=upload_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def upload_scene(
    spec: SceneSpec,
    rendered: RenderedImage,
    review: dict[str, Any],
    resources: Resources,
    agreement: Agreement | None = None,
) -> StoredScene:
    """`review`: what scene.json says of the image's review (scenegen.quality.review.review_summary);
    `agreement`: a twin's, whose figures go to scene.json and, per object, to its layout.json."""
    if agreement is None:
        return store_staged_scene(resources.storage, spec, rendered, review)
    twin = with_photo_agreement(rendered, agreement.objects)
    return store_staged_scene(resources.storage, spec, twin, review, agreement.summary())
