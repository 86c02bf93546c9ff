"""The stage between render and upload: an image that fails a check is rejected, never stored."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from prefect import task
from prefect.context import TaskRunContext

from scenegen.config import load_archetype_config
from scenegen.models import HistoryRecord, RenderedImage, SceneSpec
from scenegen.quality import check_image
from scenegen.settings import Settings


def check_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    spec: SceneSpec = parameters["spec"]
    return f"check-{spec.fingerprint}-{parameters['rendered'].sha256}"


@task(name="check-image", cache_key_fn=check_cache_key, persist_result=True, result_serializer="json")
def check_rendered_image(
    spec: SceneSpec, rendered: RenderedImage, recent_hashes: list[str], settings: Settings
) -> str:
    """The image's perceptual hash once it passes; cached, so a stored scene is not checked again."""
    quality = load_archetype_config(settings.archetype_config).quality
    return check_image(Path(rendered.path), recent_hashes, quality)


class RecentHashes:
    """Perceptual hashes of recent images per archetype, this run's included, shared by its threads."""

    def __init__(self, history: list[HistoryRecord]) -> None:
        self._by_archetype: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        for record in history:
            if record.success and record.phash:
                self.add(record.archetype, record.scene_id, record.phash)

    def add(self, archetype: str, scene_id: str, phash: str) -> None:
        with self._lock:
            self._by_archetype.setdefault(archetype, {})[scene_id] = phash

    def others(self, spec: SceneSpec) -> list[str]:
        """Every recent hash of the spec's archetype but its own (a rerun is not a copy of itself)."""
        with self._lock:
            recent = self._by_archetype.get(spec.archetype, {})
            return [phash for scene_id, phash in recent.items() if scene_id != spec.scene_id]
