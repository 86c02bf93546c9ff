"""The checks an image passes after it is rendered and before it is stored: the pipeline needs it sharp,
not blank, the exact size, and not a near copy of a recent image of its archetype."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

from scenegen.config import QualityConfig
from scenegen.errors import ImageRejected
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH

GREY_SIZE = (512, 286)  # measures are taken on this fixed-size grey copy, so they do not scale with pixels


def sharpness_and_contrast(image: Image.Image) -> tuple[float, float]:
    """Variance of the Laplacian over the grey variance (scale-free sharpness), and the grey deviation."""
    grey = np.asarray(image.convert("L").resize(GREY_SIZE, Image.Resampling.BILINEAR), dtype=float)
    laplacian = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    contrast = float(grey.std())
    return (float(laplacian.var()) / contrast**2 if contrast > 0 else 0.0), contrast


def check_image(path: Path, recent_hashes: Iterable[str], quality: QualityConfig) -> str:
    """The image's perceptual hash if it passes every check; ImageRejected saying which it failed."""
    with Image.open(path) as image:
        image.load()
        if image.size != (IMAGE_WIDTH, IMAGE_HEIGHT):
            raise ImageRejected(f"size {image.size[0]}x{image.size[1]}, wanted {IMAGE_WIDTH}x{IMAGE_HEIGHT}")
        sharpness, contrast = sharpness_and_contrast(image)
        if contrast < quality.min_contrast:
            raise ImageRejected(f"blank or flat (contrast {contrast:.1f} < {quality.min_contrast})")
        if sharpness < quality.min_sharpness:
            raise ImageRejected(f"blurred (sharpness {sharpness:.3f} < {quality.min_sharpness})")
        phash = imagehash.phash(image)
    for other in recent_hashes:
        distance = phash - imagehash.hex_to_hash(other)
        if distance <= quality.max_phash_distance:
            raise ImageRejected(
                f"a near copy of a recent image (perceptual hash distance {distance} <= "
                f"{quality.max_phash_distance})"
            )
    return str(phash)
