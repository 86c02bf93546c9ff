"""Loose things set down where they would rest, before the room is drawn.

A plan puts a loose thing (a box, a tote, a chair) roughly where it belongs; here each one, lowest first,
is lowered or lifted onto the highest top under its feet, and is left out when it would still cut into
something or its centre would not be over what holds it up. So a twin's stage starts at rest: nothing
floats, tips or is sunk into a shelf or another thing. Fixtures stay as their plan built them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from scenegen.render.geometry import Thing, turn_about_z
from scenegen.render.rooms import LIGHT_SOURCES
from scenegen.sim.physical import physical_catalogue
from scenegen.storage import ROOM_SURFACES

FOOT_M = 0.01  # parts whose bottom is this close to a thing's lowest point stand on something
REACH_M = 0.04  # a thing sunk this far into a top is lifted onto it; deeper, it is not resting on it
CLEARANCE_M = 0.003  # how far two things may cut into each other and still count as touching
BALANCE_GRID = 7  # points along each side of a foot where it may rest on something
BALANCE_MARGIN_M = 0.01
GRID = np.stack(np.meshgrid(*[np.linspace(-1, 1, BALANCE_GRID)] * 2), axis=-1).reshape(-1, 2)
SHELL = (*ROOM_SURFACES, "skirting")


@dataclass
class Footprints:
    """Parts as boxes in the world: horizontal centre, axes and half extents, bottom and top."""

    centre: np.ndarray  # (n, 2)
    axes: np.ndarray  # (n, 2, 2) rows: the part's own x and y in the world
    half: np.ndarray  # (n, 2)
    bottom: np.ndarray  # (n,)
    top: np.ndarray  # (n,)

    @classmethod
    def of(cls, things: list[Thing]) -> Footprints:
        centres, axes, halves, bottoms, tops = [], [], [], [], []
        for thing in things:
            turn = turn_about_z(thing.yaw_deg)[:2, :2].T  # rows: its own x and y in the world
            for part in thing.parts:
                lo, hi = thing.part_box(part) if part.joint else (part.lo, part.hi)  # a moving part as posed
                middle = (np.add(lo, hi) / 2)[None, :]
                centres.append(thing.to_world(middle)[0, :2])
                axes.append(turn)
                halves.append(np.subtract(hi, lo)[:2] / 2)
                bottoms.append(lo[2])
                tops.append(hi[2])
        return cls(
            np.array(centres).reshape(-1, 2),
            np.array(axes).reshape(-1, 2, 2),
            np.array(halves).reshape(-1, 2),
            np.array(bottoms, float),
            np.array(tops, float),
        )

    def subset(self, which) -> Footprints:
        return Footprints(*(field[which] for field in self.fields()))

    def fields(self) -> tuple[np.ndarray, ...]:
        return self.centre, self.axes, self.half, self.bottom, self.top

    def lifted(self, dz: float) -> Footprints:
        return Footprints(self.centre, self.axes, self.half, self.bottom + dz, self.top + dz)

    def overlap_2d(self, centre: np.ndarray, axes: np.ndarray, half: np.ndarray) -> np.ndarray:
        """How deep one horizontal rectangle cuts into each of these (separating axes; <= 0: apart)."""
        between = self.centre - centre
        if axes[0, 0] == 1.0 and np.all(self.axes[:, 0, 0] == 1.0):  # none turned: most rooms' things
            return np.min(self.half + half - np.abs(between), axis=1)
        depth = np.full(len(self.centre), np.inf)
        for axis in (*(np.broadcast_to(a, between.shape) for a in axes), self.axes[:, 0], self.axes[:, 1]):
            mine = np.abs(axis @ axes.T) @ half
            theirs = np.sum(np.abs(np.einsum("nij,nj->ni", self.axes, axis)) * self.half, axis=1)
            depth = np.minimum(depth, mine + theirs - np.abs(np.sum(between * axis, axis=1)))
        return depth


def settle(things: list[Thing], kept_clear: list[Thing] = ()) -> list[Thing]:
    """The room's things with every loose one at rest, or left out; ids numbered again from 1. A loose
    thing that would stand in `kept_clear` (the space moving parts sweep as they open) is left out too."""
    catalogue = physical_catalogue()
    loose = np.array([catalogue.category(t.category).loose for t in things], bool)
    every = Footprints.of(things)
    counts = [len(t.parts) for t in things]
    first = np.concatenate([[0], np.cumsum(counts)])
    owner = np.repeat(np.arange(len(things)), counts)
    reach = np.einsum("nij,ni->nj", np.abs(every.axes), every.half)  # each part's half extents in x and y
    low, high = every.centre - reach, every.centre + reach
    placed = ~loose[owner]
    kept = ~loose
    swept = Footprints.of(list(kept_clear))
    for index in sorted(np.nonzero(loose)[0], key=lambda i: every.bottom[first[i] : first[i + 1]].min()):
        parts = slice(first[index], first[index + 1])
        near = (
            placed
            & np.all(low < high[parts].max(axis=0), axis=1)
            & np.all(high > low[parts].min(axis=0), axis=1)
        )
        around, mine = every.subset(near), every.subset(parts)
        bottom = float(mine.bottom.min())
        support = 0.0
        for k in np.nonzero(mine.bottom <= bottom + FOOT_M)[0]:
            under = around.overlap_2d(mine.centre[k], mine.axes[k], mine.half[k]) > CLEARANCE_M
            under &= around.top <= mine.bottom[k] + REACH_M
            if under.any():
                support = max(support, float(around.top[under].max()) - (mine.bottom[k] - bottom))
        moved = mine.lifted(support - bottom)
        if _cuts_into(moved, around) or _cuts_into(moved, swept) or not _balanced(moved, around):
            continue
        _lift(things[index], support - bottom)
        every.bottom[parts], every.top[parts] = moved.bottom, moved.top
        placed[parts] = kept[index] = True
    settled = [thing for thing, keep in zip(things, kept, strict=True) if keep]
    for number, thing in enumerate(settled, start=1):
        thing.id = number
    return settled


def clear_attachments(things: list[Thing]) -> list[Thing]:
    """The things without the ceiling lights and windows that a fixture cuts into (a sign hung through a
    light, a hood in front of a window): the room keeps its fixtures and loses those."""
    attached = [t for t in things if t.category in LIGHT_SOURCES]
    fixtures = Footprints.of([t for t in things if t.category not in (*LIGHT_SOURCES, *SHELL)])
    blocked = {id(t) for t in attached if _cuts_into(Footprints.of([t]), fixtures)}
    return [t for t in things if id(t) not in blocked]


def _balanced(mine: Footprints, placed: Footprints) -> bool:
    """Whether the thing's centre is over what holds it up: inside the bounds of the points of its feet
    that rest on a top (a box half on a painted line, or hanging off a shelf's edge, would tip)."""
    bottom = float(mine.bottom.min())
    held = []
    for k in np.nonzero(mine.bottom <= bottom + FOOT_M)[0]:
        points = mine.centre[k] + (GRID * mine.half[k]) @ mine.axes[k]
        tops = np.abs(placed.top - bottom) <= FOOT_M / 5
        tops &= placed.overlap_2d(mine.centre[k], mine.axes[k], mine.half[k]) > CLEARANCE_M
        offsets = points[:, None, :] - placed.centre[tops][None]
        local = np.einsum("mnj,nij->mni", offsets, placed.axes[tops])
        inside = np.all(np.abs(local) <= placed.half[tops][None] + 1e-6, axis=-1).any(axis=1)
        held.append(points[inside])
    held_points = np.concatenate(held)
    if not len(held_points):
        return False
    volume = np.prod(mine.half, axis=1) * (mine.top - mine.bottom)  # a quarter of it: only ratios count
    centre = (mine.centre * volume[:, None]).sum(axis=0) / max(volume.sum(), 1e-12)
    low, high = held_points.min(axis=0) + BALANCE_MARGIN_M, held_points.max(axis=0) - BALANCE_MARGIN_M
    return bool(np.all((low <= centre) & (centre <= high)))


def _cuts_into(mine: Footprints, placed: Footprints) -> bool:
    for k in range(len(mine.bottom)):
        vertical = np.minimum(placed.top, mine.top[k]) - np.maximum(placed.bottom, mine.bottom[k])
        near = vertical > CLEARANCE_M
        if near.any():
            part = placed.subset(near)
            if (part.overlap_2d(mine.centre[k], mine.axes[k], mine.half[k]) > CLEARANCE_M).any():
                return True
    return False


def _lift(thing: Thing, dz: float) -> None:
    if dz:
        thing.parts = [
            replace(p, lo=(p.lo[0], p.lo[1], p.lo[2] + dz), hi=(p.hi[0], p.hi[1], p.hi[2] + dz))
            for p in thing.parts
        ]
