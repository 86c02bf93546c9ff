"""The stage that stores a rendered scene: image, scene.json, then the completion marker."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from prefect import task
from prefect.context import TaskRunContext
from prefect.transactions import Transaction

from scenegen.backends import scene_storage
from scenegen.errors import SceneFailed
from scenegen.imaging import sha256_file, verify_png
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, RenderedImage, SceneSpec, StoredScene, utcnow
from scenegen.settings import Settings
from scenegen.storage import SceneStorage
from tasks.retry import RETRIES


def scene_document(spec: SceneSpec, rendered: RenderedImage) -> dict[str, Any]:
    """scene.json: the spec, and what was made of it."""
    return {
        "spec": spec.model_dump(mode="json"),
        "result": {
            "backend": rendered.backend,
            "model": rendered.model,
            "sha256": rendered.sha256,
            "width": rendered.width,
            "height": rendered.height,
            "render_seconds": rendered.seconds,
            "cost_usd": rendered.cost_usd,
            "camera": rendered.camera.model_dump(mode="json") if rendered.camera else None,
            "stored_at": utcnow().isoformat(),
        },
    }


def store_scene(storage: SceneStorage, spec: SceneSpec, rendered: RenderedImage) -> StoredScene:
    """Check the staged image is the one rendered and the size the pipeline needs, then store it."""
    staged = Path(rendered.path)
    if not staged.is_file():
        raise SceneFailed(f"staged image {staged} is missing")
    if sha256_file(staged) != rendered.sha256:
        raise SceneFailed(f"staged image {staged.name} changed after rendering")
    verify_png(staged, (IMAGE_WIDTH, IMAGE_HEIGHT))
    return storage.put_scene(spec.scene_id, staged, rendered.sha256, scene_document(spec, rendered))


def upload_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    rendered: RenderedImage = parameters["rendered"]
    where = hashlib.sha256(scene_storage(parameters["settings"]).root_uri.encode()).hexdigest()[:16]
    return f"upload-{where}-{spec.fingerprint}-{rendered.sha256}"


@task(
    name="upload-scene",
    cache_key_fn=upload_cache_key,
    persist_result=True,
    result_serializer="json",
    **RETRIES,
)
def upload_scene(spec: SceneSpec, rendered: RenderedImage, settings: Settings) -> StoredScene:
    return store_scene(scene_storage(settings), spec, rendered)


@upload_scene.on_rollback
def _unstore_scene(transaction: Transaction) -> None:
    """Undo a stored scene whose history record could not be written, so storage and history agree."""
    scene_storage(transaction.get("settings")).remove_scene(transaction.get("scene_id"))


@upload_scene.on_commit
def _drop_staged_image(transaction: Transaction) -> None:
    """Stored and recorded: the staged copy has done its job (on Cloud Run it would hold memory)."""
    Path(transaction.get("staged_image")).unlink(missing_ok=True)
