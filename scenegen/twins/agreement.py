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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from pydantic import BaseModel, Field
from scipy import ndimage

from scenegen.catalogue import AgreementConfig
from scenegen.images import decode

GRID = 4  # the measure's grid: a quarter of the frame each way
SURFACE_MIN_EDGE_PIXELS = 20  # an object with fewer reference edge pixels on the grid gets no score
POINTS = 1500  # reference edge points the camera search moves about
SEARCH_PAD = 48  # grid pixels: beyond the largest shift and scale the search tries


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
    """The agreement of `photo` with the reference whose depth and instances are given."""
    started = time.perf_counter()
    agreement = agree(photo, *reference_edges(depth_mm, instances, config), config)
    return agreement.model_copy(update={"seconds": round(time.perf_counter() - started, 3)})


def agree(photo: Image.Image, edges: np.ndarray, owner: np.ndarray, config: AgreementConfig) -> Agreement:
    """The agreement of `photo` with a reference's edges on the grid (reference_edges), judged."""
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
    the photograph's: every shift of a coarse grid at each scale, then a fine search around the best; the
    identity when it is as good, within noise."""
    if len(rows) == 0:
        return (0.0, 0.0), 1.0
    pick = np.random.default_rng(0).choice(len(rows), size=min(len(rows), POINTS), replace=False)
    points = np.stack([columns[pick], rows[pick]], axis=1).astype(np.float32)
    centre = np.array([near.shape[1] / 2, near.shape[0] / 2], np.float32)
    padded = np.pad(near, SEARCH_PAD)  # a point moved off the frame lands on False

    def scores(scale: float, shifts: np.ndarray) -> np.ndarray:
        moved = np.rint((points - centre) * scale + centre).astype(int) + SEARCH_PAD
        x = np.clip(moved[:, 0][None, :] + shifts[:, 0][:, None], 0, padded.shape[1] - 1)
        y = np.clip(moved[:, 1][None, :] + shifts[:, 1][:, None], 0, padded.shape[0] - 1)
        return padded[y, x].mean(axis=1)

    coarse = np.array([(dx, dy) for dx in range(-32, 33, 4) for dy in range(-20, 21, 4)])
    best = max(
        (
            (float(found.max()), tuple(coarse[found.argmax()]), scale)
            for scale in np.arange(0.88, 1.121, 0.03)
            for found in [scores(scale, coarse)]
        ),
        key=lambda candidate: candidate[0],
    )
    fine = np.array([(dx, dy) for dx in range(-3, 4) for dy in range(-3, 4)]) + np.array(best[1])
    refined = max(
        (
            (float(found.max()), tuple(fine[found.argmax()]), best[2] + ds)
            for ds in (-0.015, 0.0, 0.015)
            for found in [scores(best[2] + ds, fine)]
        ),
        key=lambda candidate: candidate[0],
    )
    identity = float(scores(1.0, np.zeros((1, 2), int))[0])
    if identity >= refined[0] - 0.01:
        return (0.0, 0.0), 1.0
    return (float(refined[1][0]), float(refined[1][1])), float(refined[2])


def edges_path(reference: Path) -> Path:
    """Where a staged reference keeps its grid of edges for the agreement check."""
    return reference.with_name(reference.stem + ".edges.npz")


def save_reference_edges(
    reference: Path, depth_mm: np.ndarray, instances: np.ndarray, config: AgreementConfig
) -> None:
    """The reference's edges on the grid, staged beside it while its depth and instances are in memory."""
    edges, owner = reference_edges(depth_mm, instances, config)
    target = edges_path(reference)
    partial = target.with_name(target.name + ".part.npz")
    np.savez(partial, edges=edges, owner=owner)
    partial.replace(target)


def measure_twin(
    photo: Path, reference: Path, depth: Path, instances: Path, config: AgreementConfig
) -> Agreement:
    """The agreement of a staged photograph with its staged reference, in a worker: the reference's edges
    as its render staged them, or, when they are gone, from its depth and instances."""
    started = time.perf_counter()
    try:
        with np.load(edges_path(reference)) as grid:
            edges, owner = grid["edges"], grid["owner"]
    except FileNotFoundError:
        with Image.open(depth) as depth_image, Image.open(instances) as instance_image:
            edges, owner = reference_edges(np.asarray(depth_image), np.asarray(instance_image), config)
    agreement = agree(decode(photo), edges, owner, config)
    return agreement.model_copy(update={"seconds": round(time.perf_counter() - started, 3)})


class AgreementTally(BaseModel):
    """The twins of one archetype: how many photographs were measured, how many followed their reference,
    and the median frame agreement."""

    measured: int = 0
    passed: int = 0
    median_frame: float = 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.measured if self.measured else 0.0


def tally_agreements(agreements: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, AgreementTally]:
    """(archetype, Agreement.summary) pairs counted per archetype, in name order."""
    frames: dict[str, list[float]] = {}
    passed: dict[str, int] = {}
    for archetype, summary in agreements:
        frames.setdefault(archetype, []).append(float(summary["frame"]))
        passed[archetype] = passed.get(archetype, 0) + bool(summary["passed"])
    return {
        name: AgreementTally(measured=len(values), passed=passed[name], median_frame=float(np.median(values)))
        for name, values in sorted(frames.items())
    }


def agreement_markdown(tallies: dict[str, AgreementTally]) -> list[str]:
    """Twins' pass rate and median agreement, overall and per archetype."""
    measured = sum(t.measured for t in tallies.values())
    if not measured:
        return ["No twins."]
    passed = sum(t.passed for t in tallies.values())
    lines = [
        f"Twins' photographs following their reference: {passed} of {measured} ({passed / measured:.0%}).",
        "",
        "| archetype | measured | followed | pass rate | median agreement |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, tally in tallies.items():
        rate, median = f"{tally.pass_rate:.0%}", f"{tally.median_frame:.2f}"
        lines.append(f"| {name} | {tally.measured} | {tally.passed} | {rate} | {median} |")
    return lines
