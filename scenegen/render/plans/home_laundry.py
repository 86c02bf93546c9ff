"""The furnishing plan of a home laundry."""

from __future__ import annotations

import math

import numpy as np

from scenegen.render.articulation import world_bounds
from scenegen.render.cabinets import personnel_door
from scenegen.render.fixtures import FRONT_M, GAP_M, PANEL_M, Front, carcass, door, shelf
from scenegen.render.furniture import detail, ellipse, rect
from scenegen.render.geometry import Color, Joint
from scenegen.render.rooms import Room

MACHINES = "front-loading washer and dryer side by side"
COUNTER = "a folding counter"
CABINETS = "wall cabinets above the machines"
SINK = "a utility sink"
BASKETS = "laundry baskets"
IRONING = "an ironing board"

SHELL = {"floor", "wall", "ceiling", "skirting", "window", "ceiling_light"}
MACHINE_W, MACHINE_D, MACHINE_H = 0.68, 0.67, 0.88
RING, CONTROLS, GRIP = (150, 155, 160), (200, 202, 205), (110, 114, 118)
WHITE = (238, 238, 234)
DOOR_W = 0.8  # a house's interior door
BOARD_H = 1.3
Occupied = tuple[np.ndarray, np.ndarray]  # low and high world corners of boxes


def home_laundry(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    white = rng.choice([(238, 238, 236), (225, 228, 232), (70, 72, 78)])
    # clear of the utility sink on the left wall (x < 0.6), which the machines' fronts would cut into
    start = max(w * rng.uniform(0.22, 0.4), 0.66)
    # in a shallow room what opens along the far wall would meet the side wall's door as it swings: the
    # metre of the far wall next to that door is left free of it
    far_end = w - 1.0 if d < 2.35 else w - 0.05
    start = x = max(min(start, far_end - 1.45), 0.66)
    machines = Front((1, -1), d - 0.72)
    for kind in ("washer", "dryer"):
        drum = (80, 110, 140) if kind == "washer" else (60, 62, 66)
        _machine(room, machines, x, kind, white, drum, hinge=rng.choice(("low", "low", "high")))
        x += 0.72
    if x + 0.6 < far_end:
        _counter(room, Front((1, -1), d - 0.65), x + 0.05, far_end, white, p.wood, p.dark)
    with room.thing("folding_counter", COUNTER):  # over the machines, a few mm above their tops
        room.add(start, d - 0.75, MACHINE_H + 0.003, x, d - 0.05, 0.92, p.wood)
        room.surface(start, d - 0.75, x, d - 0.05, 0.92)
    _wall_cabinets(room, start - 0.1, w - 0.05, rng.uniform(1.45, 1.6), room.jitter(white, 6), p.metal)
    with room.thing("utility_sink", SINK):
        room.add(0.05, d - 1.3, 0, 0.6, d - 0.7, 0.85, white)
        room.add(0.05, d - 1.3, 0.85, 0.6, d - 0.7, 0.9, (200, 205, 210))
    wall, u0 = _door_spot(room)
    leaf = rng.choice((p.wood, p.dark, WHITE))
    frame = p.dark if leaf == WHITE else WHITE  # either way the door stands out from a pale wall
    personnel_door(room, wall, u0, leaf, frame, width=DOOR_W, hinge=rng.choice(("low", "high")))
    _ironing_board(room)
    for _ in range(int(1 + 2 * room.busy)):
        occupied = _occupied(room)
        for _ in range(12):  # on the open floor: a basket where a door swings would be left out
            bx, by = rng.uniform(0.9, w - 0.9), rng.uniform(0.9, d - 0.9)
            if _clear(occupied, (bx - 0.35, by - 0.35, 0.0, bx + 0.35, by + 0.35, 0.35)):
                break
        colour = rng.choice([(80, 140, 200), (230, 230, 230), (200, 80, 80)])
        with room.thing("laundry_basket", BASKETS, yaw_deg=rng.uniform(-45, 45), pivot=(bx, by)):
            room.add(bx - 0.27, by - 0.2, 0, bx + 0.28, by + 0.2, 0.32, colour)


def _machine(room: Room, front: Front, u0: float, kind: str, body: Color, drum: Color, *, hinge: str) -> None:
    """A front-loading machine: a hollow cabinet, its control strip above a round door on a side hinge."""
    u1, t, h = u0 + MACHINE_W, PANEL_M, MACHINE_H
    # the door holds the round window the machine always had (centre 0.34 m across, 0.4 m up); it comes
    # down to 9 cm, below the least prop (0.1 m), which is kept out of its swing rather than left under it
    ou0, ou1, ov0, ov1 = u0 + 0.11, u0 + 0.57, 0.09, 0.63
    with room.thing(kind, MACHINES):
        carcass(room, front, u0, u1, 0.0, h, MACHINE_D, body)
        controls = detail(front.out, (rect(0.03, 0.55, 0.97, 0.93), CONTROLS, False))
        room.add(*front.box(u0 + t, u1 - t, ov1, h - t, -t, 0), body, details=[controls])
        room.add(*front.box(u0 + t, u1 - t, t, ov0, -t, 0), body)
        room.add(*front.box(u0 + t, ou0, ov0, ov1, -t, 0), body)
        room.add(*front.box(ou1, u1 - t, ov0, ov1, -t, 0), body)
        back = -MACHINE_D + t
        room.add(*front.box(ou0, ou1, ov0, ov1, back, back + 0.01), drum)  # seen through the open door
        _porthole(room, front, (ou0, ou1, ov0, ov1), body, drum, hinge=hinge)


def _porthole(
    room: Room,
    front: Front,
    opening: tuple[float, float, float, float],
    body: Color,
    drum: Color,
    *,
    hinge: str,
) -> None:
    """A machine's door over its square opening, drawn round (a rim round the glass over the drum), swinging
    out on a vertical hinge; fixtures.door has no round face."""
    u0, u1, v0, v1 = opening
    a0, a1, b0, b1 = u0 + GAP_M, u1 - GAP_M, v0 + GAP_M, v1 - GAP_M
    d_front = GAP_M + FRONT_M
    free = front.direction(u=1.0 if hinge == "low" else -1.0)
    origin = front.point(a0 if hinge == "low" else a1, b0, d_front)
    axis = np.cross(free, front.direction(d=1.0))
    joint = room.joint(Joint("door", "revolute", tuple(float(c) for c in axis), origin, 90.0))
    width, height, centre = a1 - a0, b1 - b0, (0.4 - b0) / (b1 - b0)
    rim, glass = (ellipse(0.5, centre, r / width, r / height) for r in (0.21, 0.15))
    window = detail(front.out, (rim, RING, False), (glass, drum, False))
    room.add(*front.box(a0, a1, b0, b1, GAP_M, d_front), body, details=[window], joint=joint)
    edge = a1 - 0.05 if hinge == "low" else a0 + 0.03
    middle = (b0 + b1) / 2
    room.add(
        *front.box(edge, edge + 0.02, middle - 0.06, middle + 0.06, d_front, d_front + 0.025),
        GRIP,
        joint=joint,
    )


def _counter(room: Room, front: Front, u0: float, u1: float, body: Color, top: Color, handle: Color) -> None:
    """Cupboards under a worktop 0.9 m high, pairs of doors of at most 0.5 m. Unlike cabinets.cabinet_run
    (plinth 0.1 m) the doors come down to 8 cm: a prop on the floor (at least 0.1 m tall) is kept out of
    their swing rather than left just under it, where a door sagging a few mm as it opens would push it."""
    depth, height, kick = 0.6, 0.9, 0.08
    pairs = math.ceil((u1 - u0) / 1.0)
    step = (u1 - u0) / pairs
    with room.thing("cabinet", COUNTER):
        room.add(*front.box(u0 + 0.02, u1 - 0.02, 0, kick, -depth + 0.03, -0.06), room.palette.dark)
        carcass(room, front, u0, u1, kick, height - 0.04, depth, body)
        room.add(*front.box(u0 - 0.02, u1 + 0.02, height - 0.04, height, -depth - 0.02, 0.03), top)
        x0, y0, _, x1, y1, _ = front.box(u0, u1, 0, 0, -depth, 0.0)
        room.surface(x0, y0, x1, y1, height)
        for k in range(pairs):
            left, middle = u0 + k * step, u0 + (k + 0.5) * step
            if k:
                room.add(
                    *front.box(left - PANEL_M / 2, left + PANEL_M / 2, kick, height - 0.04, -depth, 0), body
                )
            for a, b, hinge in ((left, middle, "low"), (middle, left + step, "high")):
                side = "left" if hinge == "low" else "right"
                door(
                    room, front, a, b, kick, height - 0.04, body, handle, hinge=hinge, part=f"door_{k}_{side}"
                )


def _wall_cabinets(room: Room, u0: float, u1: float, bottom: float, body: Color, handle: Color) -> None:
    """Cupboards hung on the far wall up to 2.2 m: a shelf inside, pairs of doors opening from the middle."""
    front, depth, top = Front((1, -1), room.depth - 0.38), 0.33, 2.2
    pairs = max(1, math.ceil((u1 - u0) / 1.1))  # leaves of at most 0.55 m: clear of a door in the side wall
    step = (u1 - u0) / (2 * pairs)
    with room.thing("wall_cabinet", CABINETS):
        carcass(room, front, u0, u1, bottom, top, depth, body)
        shelf(room, front, u0, u1, (bottom + top) / 2, depth - PANEL_M, body)
        for k in range(2 * pairs):
            left = u0 + k * step
            hinge = "low" if k % 2 == 0 else "high"
            door(room, front, left, left + step, bottom, top, body, handle, hinge=hinge, part=f"door_{k}")


def _occupied(room: Room) -> Occupied:
    """World low and high corners of what the furniture so far stands in or sweeps as it opens."""
    lows, highs = [], []
    for thing in room.things:
        if thing.category in SHELL:
            continue
        for part in thing.parts:
            upper = thing.joints[part.joint - 1].upper if part.joint else 0.0
            for k in range(5 if part.joint else 1):
                lo, hi = thing.part_box(part, upper * k / 4)
                if thing.yaw_deg:
                    lo, hi = world_bounds(thing, lo, hi)
                lows.append(lo)
                highs.append(hi)
    return np.array(lows).reshape(-1, 3), np.array(highs).reshape(-1, 3)


def _clear(occupied: Occupied, box: tuple[float, ...]) -> bool:
    """Whether the box (x0, y0, z0, x1, y1, z1) meets nothing `occupied` (_occupied's)."""
    lows, highs = occupied
    lo, hi = np.reshape(box, (2, 3))
    return not np.any(np.all((lows < hi) & (highs > lo), axis=1))


def _spots(
    occupied: Occupied, front: Front, extent: float, size: float, height: float, depth: float
) -> list[float]:
    """Where along the wall of `front`, `extent` long (at 5 cm steps, clear of its corners), a thing `size`
    wide, `height` high and standing out `depth` from the wall meets nothing `occupied`."""
    steps = np.arange(0.12, extent - size - 0.12, 0.05)
    return [float(u) for u in steps if _clear(occupied, front.box(u, u + size, 0.0, height, 0.0, depth))]


def _door_spot(room: Room) -> tuple[Front, float]:
    """The wall and place of the room's door, its frame and swing clear: the right-hand wall, which the
    camera sees, else the near wall, past the camera's corner."""
    w, d, occupied = room.width, room.depth, _occupied(room)
    right = [u + 0.08 for u in _spots(occupied, Front((0, -1), w), d, DOOR_W + 0.16, 2.25, DOOR_W + 0.12)]
    if right:  # at one end of its free stretch, leaving the rest in one piece for the ironing board
        return Front((0, -1), w), room.rng.choice((right[0], right[-1]))
    near = [
        u + 0.08
        for u in _spots(occupied, Front((1, 1), 0.0), w, DOOR_W + 0.16, 2.25, DOOR_W + 0.12)
        if u > 0.9
    ]
    return Front((1, 1), 0.0), room.rng.choice(near or [w - DOOR_W - 0.2])


def _ironing_board(room: Room) -> None:
    """Folded against a wall where nothing stands or swings, up to 1.2 m long: on the right-hand wall,
    which the camera sees, if it has room, else on the left or the near one."""
    w, d, occupied = room.width, room.depth, _occupied(room)
    right, left, near = Front((0, -1), w), Front((0, 1), 0.0), Front((1, 1), 0.0)
    choices = [(right, d, length) for length in (1.2, 0.9, 0.6)]
    choices += [
        (front, extent, length) for length in (1.2, 0.9, 0.6, 0.4) for front, extent in ((left, d), (near, w))
    ]
    for front, extent, length in choices:
        spots = _spots(occupied, front, extent, length + 0.06, BOARD_H + 0.05, 0.17)
        if spots:
            u = room.rng.choice(spots) + 0.03
            with room.thing("ironing_board", IRONING):
                room.add(*front.box(u, u + length, 0.0, BOARD_H, 0.05, 0.12), (180, 185, 190))
            return
