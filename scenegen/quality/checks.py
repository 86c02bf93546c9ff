"""The checks an image passes after it is rendered and before it is stored: the pipeline needs it sharp,
not blank, the exact size, and not a near copy of a recent image of its archetype."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

from scenegen.catalogue import QualityConfig
from scenegen.engine.pool import WorkerPool
from scenegen.errors import ImageRejected
from scenegen.images import decode, preview_bytes, preview_path, write_atomically
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, ImageMeasures, RenderedImage, SceneSpec
from scenegen.records import HistoryRecord

GREY_SIZE = (512, 286)  # measures are taken on this fixed-size grey copy, so they do not scale with pixels
NEAR_BLACK, CLIPPED = 16, 250  # grey levels: below, a pixel shows nothing; above, it shows no texture


def sharpness_and_contrast(image: Image.Image) -> tuple[float, float]:
    """Variance of the Laplacian over the grey variance (scale-free sharpness), and the grey deviation."""
    grey = image if image.mode == "L" else image.convert("L")
    grey = np.asarray(grey.resize(GREY_SIZE, Image.Resampling.BILINEAR), dtype=float)
    laplacian = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    contrast = float(grey.std())
    return (float(laplacian.var()) / contrast**2 if contrast > 0 else 0.0), contrast


def measure(image: Image.Image) -> ImageMeasures:
    """What the checks look at, from the pixels: size, contrast, sharpness and the perceptual hash."""
    grey = image.convert("L")  # once: every measure starts from it
    sharpness, contrast = sharpness_and_contrast(grey)
    # On a 4x box-reduced copy: seven times cheaper than from the full frame, and the same hash but for a
    # bit or two on rare images (the near-copy threshold is 6 bits).
    small = grey.reduce(4)
    levels = np.asarray(small)
    return ImageMeasures(
        width=image.width,
        height=image.height,
        contrast=contrast,
        sharpness=sharpness,
        phash=str(imagehash.phash(small)),
        dark_share=float((levels < NEAR_BLACK).mean()),
        clipped_share=float((levels > CLIPPED).mean()),
    )


def measure_file(path: Path, preview: Path | None = None) -> ImageMeasures:
    """The measures of a staged image, decoded once; with `preview`, the reviewer's copy is made from the
    same pixels. Run in a worker process: decoding a 2K image is CPU work."""
    image = decode(path)
    if preview is not None:
        write_atomically(preview, preview_bytes(image))
    return measure(image)


def inspect(measures: ImageMeasures, recent_hashes: Iterable[str], quality: QualityConfig) -> str:
    """The image's perceptual hash if it passes every check; ImageRejected saying which it failed."""
    if (measures.width, measures.height) != (IMAGE_WIDTH, IMAGE_HEIGHT):
        raise ImageRejected(f"size {measures.width}x{measures.height}, wanted {IMAGE_WIDTH}x{IMAGE_HEIGHT}")
    if measures.dark_share > quality.max_dark_share:
        raise ImageRejected(
            f"too dark to reconstruct ({measures.dark_share:.0%} of pixels near black > "
            f"{quality.max_dark_share:.0%})"
        )
    if measures.clipped_share > quality.max_clipped_share:
        raise ImageRejected(
            f"too washed out to reconstruct ({measures.clipped_share:.0%} of pixels clipped white > "
            f"{quality.max_clipped_share:.0%})"
        )
    if measures.contrast < quality.min_contrast:
        raise ImageRejected(f"blank or flat (contrast {measures.contrast:.1f} < {quality.min_contrast})")
    if measures.sharpness < quality.min_sharpness:
        raise ImageRejected(f"blurred (sharpness {measures.sharpness:.3f} < {quality.min_sharpness})")
    phash = imagehash.hex_to_hash(measures.phash)
    for other in recent_hashes:
        distance = phash - imagehash.hex_to_hash(other)
        if distance <= quality.max_phash_distance:
            raise ImageRejected(
                f"a near copy of a recent image (perceptual hash distance {distance} <= "
                f"{quality.max_phash_distance})"
            )
    return measures.phash


def inspect_image(image: Image.Image, recent_hashes: Iterable[str], quality: QualityConfig) -> str:
    return inspect(measure(image), recent_hashes, quality)


def check_rendered(
    rendered: RenderedImage,
    recent_hashes: Iterable[str],
    quality: QualityConfig,
    workers: WorkerPool,
    timeout_seconds: float,
) -> str:
    """The checks on a staged image: its measures come with it when the pixels were at hand where it was
    made; otherwise a worker decodes it, once, and makes the reviewer's copy from the same pixels."""
    measures = rendered.measures
    if measures is None:
        staged = Path(rendered.path)
        measures = workers.call(
            "image check", measure_file, staged, preview_path(staged), timeout=timeout_seconds
        )
    return inspect(measures, recent_hashes, quality)


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
