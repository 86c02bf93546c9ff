"""Where finished scenes go: scenes/{scene_id}/ with the image, scene.json and the marker written last."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse
from urllib.request import url2pathname

from scenegen.errors import SceneFailed
from scenegen.images import sha256_file
from scenegen.models import RenderedImage, SceneSpec, StoredScene, utcnow

IMAGE_NAME = "source_image.png"
SCENE_JSON = "scene.json"
MARKER = ".scene_generation_complete"


def local_path(uri: str | None) -> Path | None:
    """The local path a file:// URI names; None for any other URI (a bucket's objects are not files)."""
    if not uri or not uri.startswith("file:"):
        return None
    return Path(url2pathname(urlparse(uri).path))


class SceneStorage(Protocol):
    root_uri: str

    def put_scene(self, scene_id: str, image: Path, sha256: str, scene: dict[str, Any]) -> StoredScene:
        """Store image and scene.json, check the stored image, then write the marker; all or nothing."""
        ...

    def remove_scene(self, scene_id: str) -> None: ...

    def is_complete(self, scene_id: str) -> bool: ...


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


def marker_document(scene_id: str, sha256: str) -> dict[str, str]:
    return {"scene_id": scene_id, "sha256": sha256, "completed_at": utcnow().isoformat()}


def store_staged_scene(storage: SceneStorage, spec: SceneSpec, rendered: RenderedImage) -> StoredScene:
    """Store a staged image that passed its checks, once its digest shows it is the one that was checked.

    The digest, not a second decode: the checks already decoded these very bytes.
    """
    staged = Path(rendered.path)
    if not staged.is_file():
        raise SceneFailed(f"staged image {staged} is missing")
    if sha256_file(staged) != rendered.sha256:
        raise SceneFailed(f"staged image {staged.name} changed after rendering")
    return storage.put_scene(spec.scene_id, staged, rendered.sha256, scene_document(spec, rendered))
