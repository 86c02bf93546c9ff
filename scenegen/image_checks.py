"""The checks an image passes after it is rendered and before it is stored: the pipeline needs it sharp,
not blank, the exact size, and not a near copy of a recent image of its archetype."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import imagehash
import numpy as np
from PIL import Image

from scenegen.config import QualityConfig
from scenegen.errors import ImageRejected
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, HistoryRecord, SceneSpec

GREY_SIZE = (512, 286)  # measures are taken on this fixed-size grey copy, so they do not scale with pixels


def sharpness_and_contrast(image: Image.Image) -> tuple[float, float]:
    """Variance of the Laplacian over the grey variance (scale-free sharpness), and the grey deviation."""
    grey = image if image.mode == "L" else image.convert("L")
    grey = np.asarray(grey.resize(GREY_SIZE, Image.Resampling.BILINEAR), dtype=float)
    laplacian = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    contrast = float(grey.std())
    return (float(laplacian.var()) / contrast**2 if contrast > 0 else 0.0), contrast


def inspect_image(image: Image.Image, recent_hashes: Iterable[str], quality: QualityConfig) -> str:
    """The image's perceptual hash if it passes every check; ImageRejected saying which it failed."""
    if image.size != (IMAGE_WIDTH, IMAGE_HEIGHT):
        raise ImageRejected(f"size {image.size[0]}x{image.size[1]}, wanted {IMAGE_WIDTH}x{IMAGE_HEIGHT}")
    grey = image.convert("L")  # once: both measures start from it
    sharpness, contrast = sharpness_and_contrast(grey)
    if contrast < quality.min_contrast:
        raise ImageRejected(f"blank or flat (contrast {contrast:.1f} < {quality.min_contrast})")
    if sharpness < quality.min_sharpness:
        raise ImageRejected(f"blurred (sharpness {sharpness:.3f} < {quality.min_sharpness})")
    # On a 4x box-reduced copy: seven times cheaper than from the full frame, and the same hash but for a
    # bit or two on rare images (the near-copy threshold is 6 bits).
    phash = imagehash.phash(grey.reduce(4))
    for other in recent_hashes:
        distance = phash - imagehash.hex_to_hash(other)
        if distance <= quality.max_phash_distance:
            raise ImageRejected(
                f"a near copy of a recent image (perceptual hash distance {distance} <= "
                f"{quality.max_phash_distance})"
            )
    return str(phash)


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

    def discard(self, spec: SceneSpec) -> None:
        """Forget the spec's image: it was not stored after all."""
        with self._lock:
            self._by_archetype.get(spec.archetype, {}).pop(spec.scene_id, None)

    def others(self, spec: SceneSpec) -> list[str]:
        """Every recent hash of the spec's archetype but its own (a rerun is not a copy of itself)."""
        with self._lock:
            recent = self._by_archetype.get(spec.archetype, {})
            return [phash for scene_id, phash in recent.items() if scene_id != spec.scene_id]
