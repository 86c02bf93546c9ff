"""Whether a twin's further view shows the same room as its first: each object that both photographs show,
its colour in each, compared through the reference's instance maps.

A real photograph of the room from another corner is graded differently (exposure, white balance,
contrast), so the colours are compared after the per-channel gain and offset that best maps the first view's
object colours onto the other's; what that cannot explain is an object whose colour changed. The measure is
the median CIELAB difference over the shared objects, each object taken at its interior (pixels whose four
neighbours are the same object), so that an edge a photograph moves by a pixel does not count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel

from scenegen.catalogue import ViewsConfig
from scenegen.images import decode

GRID = 4  # measured on a quarter of the frame each way: plenty of pixels per object, a sixteenth the work
MIN_INTERIOR = 40  # grid pixels of an object's interior before its colour counts


class CrossView(BaseModel):
    """One further view against the first: the median colour difference over shared objects and the
    verdict."""

    view: int
    shared_objects: int
    colour_difference: float | None  # None: fewer shared objects than the catalogue asks, not measured
    passed: bool
    reason: str = ""


def object_colours(image: Path, instances: Path) -> dict[int, np.ndarray]:
    """The mean sRGB colour (0-1) of each object's interior on the grid, for objects with enough of it.
    Run in a worker: it decodes a 2K photograph."""
    photo = np.asarray(decode(image).convert("RGB"), np.float32)[::GRID, ::GRID] / 255.0
    with Image.open(instances) as stored:
        ids = np.asarray(stored, np.int64)[::GRID, ::GRID]
    height, width = min(photo.shape[0], ids.shape[0]), min(photo.shape[1], ids.shape[1])
    photo, ids = photo[:height, :width], ids[:height, :width]
    inner = ids.copy()
    inner[1:, :][ids[1:, :] != ids[:-1, :]] = 0
    inner[:-1, :][ids[:-1, :] != ids[1:, :]] = 0
    inner[:, 1:][ids[:, 1:] != ids[:, :-1]] = 0
    inner[:, :-1][ids[:, :-1] != ids[:, 1:]] = 0
    flat = inner.ravel()
    counts = np.bincount(flat)
    sums = np.stack([np.bincount(flat, photo[..., c].ravel(), len(counts)) for c in range(3)], axis=1)
    return {int(i): sums[i] / counts[i] for i in np.flatnonzero(counts >= MIN_INTERIOR) if i != 0}


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours in 0-1, one per row."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array(
        [[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]], np.float64
    )
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def compare_views(
    view: int,
    first: dict[int, np.ndarray],
    other: dict[int, np.ndarray],
    config: ViewsConfig,
) -> CrossView:
    """The further view `view` (its object colours `other`) against the first view's (`first`)."""
    shared = sorted(set(first) & set(other))
    if len(shared) < config.min_shared_objects:
        return CrossView(view=view, shared_objects=len(shared), colour_difference=None, passed=True)
    ours = np.array([first[i] for i in shared], np.float64)
    theirs = np.array([other[i] for i in shared], np.float64)
    graded = np.empty_like(ours)
    for channel in range(3):  # the grade: a gain and an offset per channel, least squares
        design = np.stack([ours[:, channel], np.ones(len(shared))], axis=1)
        fit, *_ = np.linalg.lstsq(design, theirs[:, channel], rcond=None)
        graded[:, channel] = design @ fit
    difference = np.linalg.norm(lab(np.clip(graded, 0, 1)) - lab(np.clip(theirs, 0, 1)), axis=1)
    median = float(np.median(difference))
    passed = median <= config.max_colour_difference
    reason = (
        ""
        if passed
        else f"view {view}: its objects' colours differ from view 0's by {median:.1f} (CIELAB, median over "
        f"{len(shared)} objects both show; at most {config.max_colour_difference:g})"
    )
    return CrossView(
        view=view,
        shared_objects=len(shared),
        colour_difference=round(median, 2),
        passed=passed,
        reason=reason,
    )
