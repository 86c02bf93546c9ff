"""The embedded scene storage: a local folder with the same layout as the bucket."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scenegen.images import sha256_file
from scenegen.models import StagedFile, StoredScene
from scenegen.storage import (
    IMAGE_NAME,
    MARKER,
    SCENE_FILES,
    SCENE_JSON,
    VIEWS_FOLDER,
    local_path,
    marker_document,
)


class LocalSceneStorage:
    """A folder with the same layout as the bucket; the embedded default."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root_uri = self.root.as_uri()

    def folder(self, scene_id: str) -> Path:
        return self.root / "scenes" / scene_id

    def put_scene(
        self,
        scene_id: str,
        image: Path,
        sha256: str,
        scene: dict[str, Any],
        ground_truth: Sequence[StagedFile] = (),
    ) -> StoredScene:
        folder = self.folder(scene_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).unlink(missing_ok=True)  # a replaced scene is incomplete until the end
        try:
            for name, source, digest in [
                (IMAGE_NAME, image, sha256),
                *((staged.name, Path(staged.path), staged.sha256) for staged in ground_truth),
            ]:
                _atomic_copy(source, folder / name)
                if sha256_file(folder / name) != digest:
                    raise OSError(f"the stored copy of {scene_id}'s {name} does not match its sha256")
            _atomic_write(folder / SCENE_JSON, json.dumps(scene, indent=2, sort_keys=True))
            _atomic_write(folder / MARKER, json.dumps(marker_document(scene_id, sha256)))
        except BaseException:
            self.remove_scene(scene_id)
            raise
        return StoredScene(scene_uri=folder.as_uri(), image_uri=(folder / IMAGE_NAME).as_uri(), sha256=sha256)

    def remove_scene(self, scene_id: str) -> None:
        folder = self.folder(scene_id)
        for name in SCENE_FILES:
            (folder / name).unlink(missing_ok=True)
        for leftover in folder.glob("*.part"):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(folder / VIEWS_FOLDER, ignore_errors=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()

    def read_text(self, scene_id: str, name: str) -> str:
        return (self.folder(scene_id) / name).read_text(encoding="utf-8")

    def put_text(self, scene_id: str, name: str, text: str) -> str:
        target = self.folder(scene_id) / name
        _atomic_write(target, text)
        return target.as_uri()

    def find(self, name_prefix: str) -> list[tuple[str, str]]:
        found = (self.root / "scenes").glob(f"*/{name_prefix}*")
        return sorted((path.parent.name, path.name) for path in found if not path.name.endswith(".part"))

    def download(self, uri: str, target: Path) -> Path:
        source = local_path(uri)
        if source is None or not source.is_file():
            raise FileNotFoundError(uri)
        _atomic_copy(source, target)
        return target

    def is_complete(self, scene_id: str) -> bool:
        return (self.folder(scene_id) / MARKER).is_file()


def _atomic_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _atomic_write(target: Path, text: str) -> None:
    partial = target.with_name(target.name + ".part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
