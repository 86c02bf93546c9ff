"""What can be checked of a twin's stage without simulating it: usd-core's validators, and the colliders of
different objects that cut into each other where the scene starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scenegen.engine.usd import USD_LOCK, first_use

MAX_OVERLAP_M = 0.005


@dataclass(frozen=True)
class Finding:
    check: str  # "usd", "overlap", "at rest"
    prims: tuple[str, ...]  # the objects at fault
    message: str

    def line(self) -> str:
        return f"{self.check}: {', '.join(self.prims) or 'the stage'}: {self.message}"


@dataclass(frozen=True)
class Collider:
    """A box collider in the world: its object, centre, axes (rows, unit) and half extents."""

    owner: str
    centre: np.ndarray
    axes: np.ndarray
    half: np.ndarray


def open_stage(path: Path):
    """The stage at `path`, opened once for every check."""
    with USD_LOCK:
        first_use()
        from pxr import Usd

        return Usd.Stage.Open(str(path))


def usd_findings(stage) -> list[Finding]:
    """Every error (not warning) of every validator usd-core registers, each with the prims it names."""
    with USD_LOCK:
        from pxr import UsdValidation

        validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
        errors = UsdValidation.ValidationContext(validators).Validate(stage)
        findings = []
        for error in errors:
            if error.GetType() != UsdValidation.ValidationErrorType.Error:
                continue
            prims = tuple(str(site.GetPrim().GetPath()) for site in error.GetSites() if site.IsPrim())
            findings.append(Finding("usd", prims, error.GetErrorAsString()))
        return findings


def colliders(stage) -> list[Collider]:
    """The stage's box colliders, each under the labelled object it belongs to."""
    with USD_LOCK:
        from pxr import UsdGeom, UsdPhysics

        cache = UsdGeom.XformCache()
        found = []
        for prim in stage.Traverse():
            if not (prim.IsA(UsdGeom.Cube) and prim.HasAPI(UsdPhysics.CollisionAPI)):
                continue
            owner = prim.GetParent()
            matrix = np.array(cache.GetLocalToWorldTransform(prim), float)  # rows: axes, then origin
            size = UsdGeom.Cube(prim).GetSizeAttr().Get()
            lengths = np.linalg.norm(matrix[:3, :3], axis=1)
            found.append(
                Collider(
                    str(owner.GetPath()), matrix[3, :3], matrix[:3, :3] / lengths[:, None], lengths * size / 2
                )
            )
        return found


def overlaps(boxes: list[Collider], at_least_m: float = 0.001) -> dict[tuple[str, str], float]:
    """Pairs of objects whose colliders cut into each other by more than `at_least_m` where the scene starts:
    the deepest cut of each pair, measured along the axis that separates them best."""
    if len(boxes) < 2:
        return {}
    centres = np.array([box.centre for box in boxes])
    reach = np.array([np.abs(box.axes.T) @ box.half for box in boxes])  # world half extents
    low, high = centres - reach, centres + reach
    owners = np.array([box.owner for box in boxes])
    near = np.all(
        (np.minimum(high[:, None], high[None]) - np.maximum(low[:, None], low[None])) > at_least_m, axis=-1
    )
    near &= owners[:, None] != owners[None, :]
    deepest: dict[tuple[str, str], float] = {}
    for i, j in zip(*np.nonzero(np.triu(near, 1)), strict=True):
        depth = penetration(boxes[i], boxes[j])
        if depth > at_least_m:
            pair = (min(owners[i], owners[j]), max(owners[i], owners[j]))
            deepest[pair] = max(depth, deepest.get(pair, 0.0))
    return deepest


def overlap_findings(deepest: dict[tuple[str, str], float], limit_m: float = MAX_OVERLAP_M) -> list[Finding]:
    return [
        Finding(
            "overlap", pair, f"overlap by {depth * 1000:.0f} mm at the start (limit {limit_m * 1000:.0f})"
        )
        for pair, depth in sorted(deepest.items())
        if depth > limit_m
    ]


def penetration(a: Collider, b: Collider) -> float:
    """How far two boxes overlap along the axis where they overlap least (0 when apart): the separating
    axis test over both boxes' face normals and the cross products of their edges."""
    axes = [*a.axes, *b.axes]
    axes += [np.cross(u, v) for u in a.axes for v in b.axes]
    between = b.centre - a.centre
    depth = np.inf
    for axis in axes:
        length = np.linalg.norm(axis)
        if length < 1e-9:
            continue
        axis = axis / length
        reach = np.abs(a.axes @ axis) @ a.half + np.abs(b.axes @ axis) @ b.half
        depth = min(depth, reach - abs(between @ axis))
        if depth <= 0:
            return 0.0
    return float(depth)
