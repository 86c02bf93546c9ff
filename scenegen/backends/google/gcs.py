"""Scenes in a GCS bucket, in the same layout as the local folder."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from google.api_core import exceptions
from google.cloud import storage

from scenegen.errors import TransientError, transient_errors
from scenegen.models import StagedFile, StoredScene
from scenegen.storage import IMAGE_NAME, MARKER, SCENE_FILES, SCENE_JSON, VIEWS_FOLDER, marker_document

_TRANSIENT = (
    exceptions.ServiceUnavailable,
    exceptions.TooManyRequests,
    exceptions.InternalServerError,
    exceptions.GatewayTimeout,
    exceptions.BadGateway,
    ConnectionError,
    TimeoutError,
)

# Each request's deadline (the client's own retries of a request stop within two minutes): a run never
# waits on the bucket without end.
TIMEOUT_SECONDS = 60.0
CONTENT_TYPES = {".png": "image/png", ".json": "application/json", ".usda": "model/vnd.usda"}


def _md5(path: Path) -> str:
    """Base64 MD5, as GCS reports an object's md5_hash."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, lambda: hashlib.md5(usedforsecurity=False))
    return base64.b64encode(digest.digest()).decode()


class GcsSceneStorage:
    """scenes/{scene_id}/ in a bucket. Writes are create-only, or replace exactly the version read, so two
    writers never silently overwrite each other."""

    def __init__(self, bucket: str | storage.Bucket) -> None:
        # A name gets a client of Application Default Credentials (anonymous on an emulator), made on first
        # use: building a store costs nothing.
        self._bucket = bucket

    @property
    def bucket(self) -> storage.Bucket:
        if isinstance(self._bucket, str):
            self._bucket = storage.Client().bucket(self._bucket)
        return self._bucket

    @property
    def root_uri(self) -> str:
        name = self._bucket if isinstance(self._bucket, str) else self._bucket.name
        return f"gs://{name}"

    def _path(self, scene_id: str, name: str) -> str:
        return f"scenes/{scene_id}/{name}"

    def put_scene(
        self,
        scene_id: str,
        image: Path,
        sha256: str,
        scene: dict[str, Any],
        ground_truth: Sequence[StagedFile] = (),
    ) -> StoredScene:
        """Store a scene so that its marker exists only beside a verified image, its ground truth and its
        scene.json.

        The order is the invariant: (1) any old marker goes first, so a scene being replaced is
        incomplete until the end; (2) the image, then each ground-truth file, unless an identical one is
        already there (a rerun uploads nothing again); (3) each stored copy's MD5 is read back and
        compared with the local file, and a mismatch deletes the bad copy; (4) scene.json; (5) the
        marker, create-only, last. A failure at any step leaves no marker; the flow records the failure,
        and rerun-failed resumes.
        """
        files = [(IMAGE_NAME, image, sha256)]
        files += [(staged.name, Path(staged.path), staged.sha256) for staged in ground_truth]
        with transient_errors("GCS", _TRANSIENT):
            self._delete(self._path(scene_id, MARKER))
            for name, source, digest in files:
                stored = self._store_file(self._path(scene_id, name), source, digest)
                self._verify(stored, source)
            self._put(self._path(scene_id, SCENE_JSON), json.dumps(scene, indent=2, sort_keys=True))
            marker = json.dumps(marker_document(scene_id, sha256))
            self._put(self._path(scene_id, MARKER), marker, create_only=True)
        folder = f"{self.root_uri}/scenes/{scene_id}"
        return StoredScene(scene_uri=folder, image_uri=f"{folder}/{IMAGE_NAME}", sha256=sha256)

    def _store_file(self, path: str, source: Path, sha256: str) -> storage.Blob:
        existing = self.bucket.get_blob(path, timeout=TIMEOUT_SECONDS)
        if existing is not None and (existing.metadata or {}).get("sha256") == sha256:
            return existing
        blob = self.bucket.blob(path)
        blob.metadata = {"sha256": sha256}
        try:
            blob.upload_from_filename(
                str(source),
                content_type=CONTENT_TYPES.get(source.suffix, "application/octet-stream"),
                if_generation_match=existing.generation if existing else 0,
                timeout=TIMEOUT_SECONDS,
            )
        except exceptions.PreconditionFailed:
            raise TransientError(f"{path} changed while it was being stored; trying again") from None
        return blob

    def _verify(self, blob: storage.Blob, image: Path) -> None:
        blob.reload(timeout=TIMEOUT_SECONDS)
        expected = _md5(image)
        if blob.md5_hash != expected:
            self.bucket.blob(blob.name).delete(if_generation_match=blob.generation, timeout=TIMEOUT_SECONDS)
            raise TransientError(
                f"{blob.name}: the stored copy's MD5 {blob.md5_hash} is not the image's {expected}; "
                "the bad copy was deleted"
            )

    def _put(self, path: str, text: str, create_only: bool = False) -> None:
        existing = None if create_only else self.bucket.get_blob(path, timeout=TIMEOUT_SECONDS)
        self.bucket.blob(path).upload_from_string(
            text,
            content_type="application/json",
            if_generation_match=existing.generation if existing else 0,
            timeout=TIMEOUT_SECONDS,
        )

    def _delete(self, path: str) -> None:
        with suppress(exceptions.NotFound):
            self.bucket.blob(path).delete(timeout=TIMEOUT_SECONDS)

    def remove_scene(self, scene_id: str) -> None:
        with transient_errors("GCS", _TRANSIENT):
            for name in SCENE_FILES:
                self._delete(self._path(scene_id, name))
            views = self._path(scene_id, VIEWS_FOLDER + "/")
            for blob in self.bucket.list_blobs(prefix=views, timeout=TIMEOUT_SECONDS):
                self._delete(blob.name)

    def read_text(self, scene_id: str, name: str) -> str:
        path = self._path(scene_id, name)
        with transient_errors("GCS", _TRANSIENT):
            try:
                return self.bucket.blob(path).download_as_text(timeout=TIMEOUT_SECONDS)
            except exceptions.NotFound:
                raise FileNotFoundError(f"{self.root_uri}/{path}") from None

    def put_text(self, scene_id: str, name: str, text: str) -> str:
        path = self._path(scene_id, name)
        with transient_errors("GCS", _TRANSIENT):
            self._put(path, text)
        return f"{self.root_uri}/{path}"

    def find(self, name_prefix: str) -> list[tuple[str, str]]:
        with transient_errors("GCS", _TRANSIENT):
            names = [blob.name for blob in self.bucket.list_blobs(prefix="scenes/", timeout=TIMEOUT_SECONDS)]
        found = [name.split("/")[1:] for name in names if name.count("/") == 2]
        return sorted((scene, name) for scene, name in found if name.startswith(name_prefix))

    def download(self, uri: str, target: Path) -> Path:
        bucket, _, path = uri.removeprefix("gs://").partition("/")
        if not uri.startswith("gs://") or not path:
            raise FileNotFoundError(uri)
        partial = target.with_name(target.name + ".part")
        with transient_errors("GCS", _TRANSIENT):
            try:
                self.bucket.client.bucket(bucket).blob(path).download_to_filename(
                    partial, timeout=TIMEOUT_SECONDS
                )
            except exceptions.NotFound:
                partial.unlink(missing_ok=True)
                raise FileNotFoundError(uri) from None
        partial.replace(target)
        return target

    def is_complete(self, scene_id: str) -> bool:
        with transient_errors("GCS", _TRANSIENT):
            return self.bucket.blob(self._path(scene_id, MARKER)).exists(timeout=TIMEOUT_SECONDS)
