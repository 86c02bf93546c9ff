"""Fixtures a robot can open: a hollow carcass, and moving parts (doors, drawers, flaps, lids, sashes) each
on a joint of the fixture, with a gap all round and a handle.

Sizes are given in the fixture's front frame (`Front`): u across the front, v up, d out of it (d < 0 is
inside the carcass). A door's hinge is at one edge of its opening, in front of the carcass, and the door
swings out; a drawer slides straight out; a sash slides up. Parts stay within their own opening's width as
they open, so the parts of one fixture can all open at once without meeting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenegen.render.geometry import Color, Joint, Vec3
from scenegen.render.rooms import Room

GAP_M = 0.003  # between a moving part and the carcass or its neighbours
PANEL_M = 0.018  # a carcass panel
FRONT_M = 0.02  # a door or a drawer front
HANDLE_M = 0.03  # how far a handle stands out


@dataclass(frozen=True)
class Front:
    """The front plane of a fixture: it faces `out` (one of the four horizontal directions) at `level`
    along that axis; u runs across it, v up, d outwards from it."""

    out: tuple[int, int]  # (axis, sign): (1, -1) faces -y
    level: float

    @property
    def across(self) -> int:
        return 1 - self.out[0]

    def box(self, u0, u1, v0, v1, d0, d1) -> tuple[float, float, float, float, float, float]:
        """x0, y0, z0, x1, y1, z1 of the box spanning u, v and d in this front frame."""
        axis, sign = self.out
        lo, hi = [0.0, 0.0, v0], [0.0, 0.0, v1]
        lo[self.across], hi[self.across] = u0, u1
        outward = sorted((self.level + sign * d0, self.level + sign * d1))
        lo[axis], hi[axis] = outward
        return lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]

    def point(self, u, v, d) -> Vec3:
        x0, y0, z0, _, _, _ = self.box(u, u, v, v, d, d)
        return (x0, y0, z0)

    def direction(self, u=0.0, v=0.0, d=0.0) -> np.ndarray:
        vector = np.zeros(3)
        vector[self.across] += u
        vector[2] += v
        vector[self.out[0]] += self.out[1] * d
        return vector


def carcass(room: Room, front: Front, u0, u1, v0, v1, depth, colour: Color, *, top=True, back=True) -> None:
    """A box open at the front (back, sides, bottom, top), its front edges in the front plane."""
    t = PANEL_M
    if back:
        room.add(*front.box(u0, u1, v0, v1, -depth, -depth + t), colour)
    room.add(*front.box(u0, u0 + t, v0, v1, -depth, 0), colour)
    room.add(*front.box(u1 - t, u1, v0, v1, -depth, 0), colour)
    room.add(*front.box(u0 + t, u1 - t, v0, v0 + t, -depth, 0), colour)
    if top:
        room.add(*front.box(u0 + t, u1 - t, v1 - t, v1, -depth, 0), colour)


def shelf(room: Room, front: Front, u0, u1, v, depth, colour: Color) -> None:
    """A fixed board across a carcass's opening, dividing it."""
    room.add(*front.box(u0 + PANEL_M, u1 - PANEL_M, v - PANEL_M / 2, v + PANEL_M / 2, -depth, 0), colour)


def door(
    room: Room,
    front: Front,
    u0,
    u1,
    v0,
    v1,
    colour: Color,
    handle: Color,
    *,
    hinge: str,
    part: str,
    upper=90.0,
    glass: Color | None = None,
    thickness=FRONT_M,
) -> int:
    """A door over the opening u0..u1, v0..v1, hinged on its `hinge` edge (low, high: the u edges;
    bottom: it drops open), swinging out by up to `upper` degrees; with a pane of `glass`, a glazed door.
    Its joint's number."""
    a0, a1, b0, b1 = u0 + GAP_M, u1 - GAP_M, v0 + GAP_M, v1 - GAP_M
    d_front = GAP_M + thickness
    if hinge == "bottom":
        free = front.direction(v=1.0)
        origin = front.point(a0, b0, d_front)
    else:
        free = front.direction(u=1.0 if hinge == "low" else -1.0)
        origin = front.point(a0 if hinge == "low" else a1, b0, d_front)
    axis = np.cross(free, front.direction(d=1.0))
    joint = room.joint(Joint(part, "revolute", tuple(float(c) for c in axis), origin, upper))
    details = []
    if glass is not None:
        from scenegen.render.furniture import detail, rect  # a pane: a lighter field inside a frame

        face = (front.out[0], front.out[1])
        details = [detail(face, (rect(0.1, 0.08, 0.9, 0.92), glass, False))]
    room.add(*front.box(a0, a1, b0, b1, GAP_M, d_front), colour, details=details, joint=joint)
    if hinge == "bottom":  # a bar along the top edge
        grip = (a0 + 0.15 * (a1 - a0), a1 - 0.15 * (a1 - a0), b1 - 0.07, b1 - 0.04)
    else:  # a bar up the free edge
        edge = a1 - 0.05 if hinge == "low" else a0 + 0.03
        middle = min(b0 + 1.05, (b0 + b1) / 2)
        grip = (edge, edge + 0.02, max(b0 + 0.02, middle - 0.12), min(b1 - 0.02, middle + 0.12))
    room.add(*front.box(grip[0], grip[1], grip[2], grip[3], d_front, d_front + HANDLE_M), handle, joint=joint)
    return joint


def drawer(
    room: Room, front: Front, u0, u1, v0, v1, depth, colour: Color, handle: Color, *, part: str, travel=None
) -> int:
    """A drawer in the opening u0..u1, v0..v1: a front with a handle, and a box behind it `depth` deep
    inside the carcass, sliding out by `travel` (default: three quarters of its depth). Its joint's number."""
    a0, a1, b0, b1 = u0 + GAP_M, u1 - GAP_M, v0 + GAP_M, v1 - GAP_M
    out = front.direction(d=1.0)
    centre = np.mean(np.reshape(front.box(a0, a1, b0, b1, GAP_M, GAP_M + FRONT_M), (2, 3)), axis=0)
    travel = 0.75 * depth if travel is None else travel
    joint = room.joint(Joint(part, "prismatic", tuple(float(c) for c in out), tuple(centre.tolist()), travel))
    room.add(*front.box(a0, a1, b0, b1, GAP_M, GAP_M + FRONT_M), colour, joint=joint)
    side = PANEL_M / 2
    inner0, inner1 = a0 + PANEL_M, a1 - PANEL_M  # within the carcass's sides, with the gap
    low, high = b0 + 0.02, b1 - 0.04
    room.add(*front.box(inner0, inner1, low, low + side, -depth, 0), colour, joint=joint)  # bottom
    room.add(*front.box(inner0, inner0 + side, low, high, -depth, 0), colour, joint=joint)
    room.add(*front.box(inner1 - side, inner1, low, high, -depth, 0), colour, joint=joint)
    room.add(*front.box(inner0, inner1, low, high, -depth, -depth + side), colour, joint=joint)
    middle = (a0 + a1) / 2
    grip = min(0.12, (a1 - a0) / 3)
    bar = (b0 + b1) / 2 + 0.25 * (b1 - b0) / 2
    face = (middle - grip, middle + grip, bar - 0.012, bar + 0.012)
    d_front = GAP_M + FRONT_M
    room.add(*front.box(face[0], face[1], face[2], face[3], d_front, d_front + HANDLE_M), handle, joint=joint)
    return joint


def sash(
    room: Room,
    front: Front,
    u0,
    u1,
    v0,
    v1,
    colour: Color,
    glass: Color,
    *,
    travel: float,
    part="sash",
    thickness=0.02,
) -> int:
    """A glazed panel across the opening that slides straight up by `travel`. Its joint's number."""
    from scenegen.render.furniture import detail, rect

    a0, a1, b0, b1 = u0 + GAP_M, u1 - GAP_M, v0 + GAP_M, v1 - GAP_M
    centre = np.mean(np.reshape(front.box(a0, a1, b0, b1, GAP_M, GAP_M + thickness), (2, 3)), axis=0)
    joint = room.joint(Joint(part, "prismatic", (0.0, 0.0, 1.0), tuple(centre.tolist()), travel))
    pane = detail(front.out, (rect(0.04, 0.08, 0.96, 0.94), glass, False))
    room.add(*front.box(a0, a1, b0, b1, GAP_M, GAP_M + thickness), colour, details=[pane], joint=joint)
    grip = (a0 + 0.2 * (a1 - a0), a1 - 0.2 * (a1 - a0), b0 + 0.03, b0 + 0.06)
    outer = GAP_M + thickness
    room.add(*front.box(grip[0], grip[1], grip[2], grip[3], outer, outer + HANDLE_M), colour, joint=joint)
    return joint


def lid(
    room: Room, front: Front, u0, u1, d_back, d_front, level, colour: Color, *, part="lid", upper=80.0
) -> int:
    """A flat lid on top at height `level`, from d_back (its hinge, towards the back) to d_front, that
    lifts its front edge by up to `upper` degrees. Its joint's number."""
    a0, a1 = u0 + GAP_M, u1 - GAP_M
    hinge = front.point(a0, level, d_back)
    towards_front = front.direction(d=1.0)
    axis = np.cross(towards_front, np.array([0.0, 0.0, 1.0]))  # lifts the front edge
    joint = room.joint(Joint(part, "revolute", tuple(float(c) for c in axis), hinge, upper))
    room.add(*front.box(a0, a1, level, level + 0.03, d_back, d_front), colour, joint=joint)
    grip = (a0 + 0.35 * (a1 - a0), a1 - 0.35 * (a1 - a0))
    lip = front.box(grip[0], grip[1], level + 0.005, level + 0.025, d_front, d_front + 0.02)
    room.add(*lip, colour, joint=joint)
    return joint
