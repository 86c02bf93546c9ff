"""How well a twin's photograph follows its reference: the reference's geometric edges (where depth jumps
and where one object meets another, from the ground truth) against the photograph's edges, over the frame
and per object; and whether the camera is the reference's (the shift and scale that best align the two
edge maps must be none).

Measured on a quarter-size grid. A reference edge counts as followed when the photograph has an edge within
`match_px` of it; each score is chance-corrected, (followed - chance) / (1 - chance), where chance is the
share of the whole frame within `match_px` of a photograph edge, so that a picture full of edges does not
follow a room by having edges everywhere.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field
from scipy import ndimage

from scenegen.images import decode

GRID = 4  # the measure's grid: a quarter of the frame each way
SURFACE_MIN_EDGE_PIXELS = 20  # an object with fewer reference edge pixels on the grid gets no score


class AgreementConfig(BaseModel):
    """Thresholds of the agreement check (in the archetype catalogue, beside the image checks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_frame: float = Field(0.45, ge=0, le=1)  # chance-corrected share of reference edges followed
    max_shift_px: float = Field(28.0, ge=0)  # camera: best-aligning shift, full-frame pixels
    max_scale_error: float = Field(0.03, ge=0)  # camera: best-aligning scale, off 1
    match_px: float = Field(2.0, gt=0)  # on the quarter grid: 8 full-frame pixels
    depth_jump: float = Field(0.05, gt=0)  # a depth edge: neighbours this far apart, relative
    photo_edge_share: float = Field(0.14, gt=0, lt=1)  # the photograph's strongest gradients taken as edges


class Agreement(BaseModel):
    """The agreement of a photograph with its reference, and the verdict."""

    frame: float  # chance-corrected, 0-1
    followed: float  # share of reference edges with a photograph edge near (before the chance correction)
    chance: float
    shift_px: tuple[float, float]  # the best-aligning camera shift, full-frame pixels (x, y)
    scale: float  # the best-aligning camera scale
    passed: bool
    reasons: list[str] = Field(default_factory=list)
    objects: dict[int, float] = Field(default_factory=dict)  # layout id -> photo_agreement, 0-1
    thresholds: AgreementConfig
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        """The frame-level figures (scene.json, the history, the event): objects left out."""
        return self.model_dump(mode="json", exclude={"objects"})


def reference_edges(
    depth_mm: np.ndarray, instances: np.ndarray, config: AgreementConfig
) -> tuple[np.ndarray, np.ndarray]:
    """On the grid: where the reference's geometry has an edge (a depth jump, or one object meeting
    another), and whose edge it is: each edge lies on the nearer side, the outline of what occludes."""
    depth = depth_mm[GRID // 2 :: GRID, GRID // 2 :: GRID].astype(np.float32)
    depth[depth == 0] = np.inf  # nothing hit: as far as can be
    ids = instances[GRID // 2 :: GRID, GRID // 2 :: GRID]
    edges = np.zeros(ids.shape, bool)
    owner = np.zeros(ids.shape, ids.dtype)
    for first, second in (
        ((slice(None, -1), slice(None)), (slice(1, None), slice(None))),  # neighbours down the frame
        ((slice(None), slice(None, -1)), (slice(None), slice(1, None))),  # and across it
    ):
        d1, d2, i1, i2 = depth[first], depth[second], ids[first], ids[second]
        near = np.minimum(d1, d2)
        jump = np.abs(d1 - d2) > config.depth_jump * near
        pair = jump | (i1 != i2)
        for side, ids_here, nearer in ((first, i1, d1 <= d2), (second, i2, d2 < d1)):
            marked = pair & nearer
            edges[side] |= marked
            owner[side] = np.where(marked, ids_here, owner[side])
    edges[:2], edges[-2:], edges[:, :2], edges[:, -2:] = False, False, False, False
    return edges, owner


def photo_edges(photo: Image.Image, config: AgreementConfig) -> np.ndarray:
    """On the grid: the photograph's strongest gradients (after a little smoothing against noise)."""
    grey = photo.convert("L").reduce(GRID)
    pixels = ndimage.gaussian_filter(np.asarray(grey, np.float32), 1.0)
    magnitude = np.hypot(ndimage.sobel(pixels, 0), ndimage.sobel(pixels, 1))
    return magnitude >= np.quantile(magnitude, 1 - config.photo_edge_share)


def measure_agreement(
    photo: Image.Image, depth_mm: np.ndarray, instances: np.ndarray, config: AgreementConfig
) -> Agreement:
    started = time.perf_counter()
    edges, owner = reference_edges(depth_mm, instances, config)
    near = ndimage.distance_transform_edt(~photo_edges(photo, config)) <= config.match_px
    chance = float(near.mean())
    rows, columns = np.nonzero(edges)
    hits = near[rows, columns]
    followed = float(hits.mean()) if len(hits) else 0.0
    frame = corrected(followed, chance)
    objects = per_object(owner[rows, columns], hits, chance)
    (shift_x, shift_y), scale = best_alignment(near, rows, columns)
    reasons = []
    if frame < config.min_frame:
        reasons.append(f"frame agreement {frame:.2f} < {config.min_frame}")
    shift = (shift_x * GRID, shift_y * GRID)
    if np.hypot(*shift) > config.max_shift_px or abs(scale - 1) > config.max_scale_error:
        reasons.append(f"camera moved (shift {shift[0]:+.0f}, {shift[1]:+.0f} px, scale {scale:.3f})")
    return Agreement(
        frame=round(frame, 4),
        followed=round(followed, 4),
        chance=round(chance, 4),
        shift_px=shift,
        scale=round(scale, 4),
        passed=not reasons,
        reasons=reasons,
        objects=objects,
        thresholds=config,
        seconds=round(time.perf_counter() - started, 3),
    )


def corrected(followed: float, chance: float) -> float:
    return max(0.0, (followed - chance) / (1 - chance)) if chance < 1 else 0.0


def per_object(owners: np.ndarray, hits: np.ndarray, chance: float) -> dict[int, float]:
    counts = np.bincount(owners, minlength=1)
    followed = np.bincount(owners, weights=hits, minlength=1)
    return {
        int(object_id): round(corrected(followed[object_id] / counts[object_id], chance), 4)
        for object_id in np.nonzero(counts >= SURFACE_MIN_EDGE_PIXELS)[0]
        if object_id != 0
    }


def best_alignment(
    near: np.ndarray, rows: np.ndarray, columns: np.ndarray
) -> tuple[tuple[float, float], float]:
    """The shift (grid pixels) and scale about the frame's centre that best map the reference's edges onto
    the photograph's: a coarse search, then a fine one around its best."""
    if len(rows) == 0:
        return (0.0, 0.0), 1.0
    pick = np.random.default_rng(0).choice(len(rows), size=min(len(rows), 1500), replace=False)
    points = np.stack([columns[pick], rows[pick]], axis=1).astype(np.float32)
    centre = np.array([near.shape[1] / 2, near.shape[0] / 2], np.float32)
    height, width = near.shape

    def score(shift_x: float, shift_y: float, scale: float) -> float:
        moved = (points - centre) * scale + centre + (shift_x, shift_y)
        x, y = np.rint(moved[:, 0]).astype(int), np.rint(moved[:, 1]).astype(int)
        inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
        return float(near[y[inside], x[inside]].sum()) / len(points)

    best = max(
        (
            (score(dx, dy, s), (dx, dy), s)
            for s in np.arange(0.88, 1.121, 0.03)
            for dx in range(-32, 33, 4)
            for dy in range(-20, 21, 4)
        ),
        key=lambda candidate: candidate[0],
    )
    _, (cx, cy), cs = best
    fine = max(
        (
            (score(cx + dx, cy + dy, cs + ds), (cx + dx, cy + dy), cs + ds)
            for ds in (-0.015, 0.0, 0.015)
            for dx in range(-3, 4)
            for dy in range(-3, 4)
        ),
        key=lambda candidate: candidate[0],
    )
    identity = score(0.0, 0.0, 1.0)
    if identity >= fine[0] - 0.01:  # no better than where the reference's camera is, within noise
        return (0.0, 0.0), 1.0
    return (float(fine[1][0]), float(fine[1][1])), float(fine[2])


def measure_files(photo: Path, depth: Path, instances: Path, config: AgreementConfig) -> Agreement:
    """The agreement of a staged photograph with its staged reference ground truth (in a worker)."""
    with Image.open(depth) as depth_image, Image.open(instances) as instance_image:
        depth_mm, ids = np.asarray(depth_image), np.asarray(instance_image)
    return measure_agreement(decode(photo), depth_mm, ids, config)
