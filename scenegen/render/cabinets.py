"""Articulated furniture the plans share, built from scenegen.render.fixtures: runs of base cabinets with
doors and drawers, tall cupboards, drawer stacks, appliances with a door, and a personnel door in a wall.
Each call is one thing of the room: one articulation in the stage."""

from __future__ import annotations

from dataclasses import replace

from scenegen.render.fixtures import PANEL_M, Front, carcass, door, drawer, shelf
from scenegen.render.geometry import Color
from scenegen.render.rooms import Room

PLINTH_M = 0.1  # the kick space under a base cabinet
BAY_KINDS = ("drawers", "door", "drawer_door", "drawers", "door")


def cabinet_run(
    room: Room,
    front: Front,
    u0: float,
    u1: float,
    depth: float,
    height: float,
    body: Color,
    top: Color,
    handle: Color,
    *,
    category: str,
    fixture: str | None,
    bays: list[str] | None = None,
    worktop: bool = True,
) -> None:
    """Base cabinets from u0 to u1 along the front, `depth` deep and `height` high with a worktop (a free
    top things may stand on): bays of drawers, a door, a drawer over a door, or two doors, side by side."""
    rng = room.rng
    count = max(1, round((u1 - u0) / rng.uniform(0.5, 0.65)))
    kinds = bays or [rng.choice(BAY_KINDS) for _ in range(count)]
    width = (u1 - u0) / len(kinds)
    body_top = height - 0.04 if worktop else height
    with room.thing(category, fixture):
        room.add(*front.box(u0 + 0.02, u1 - 0.02, 0, PLINTH_M, -depth + 0.03, -0.06), room.palette.dark)
        carcass(room, front, u0, u1, PLINTH_M, body_top, depth, body)
        for k in range(1, len(kinds)):  # dividers between the bays
            middle = u0 + k * width
            half = PANEL_M / 2
            room.add(*front.box(middle - half, middle + half, PLINTH_M, body_top, -depth + PANEL_M, 0), body)
        if worktop:
            room.add(*front.box(u0 - 0.02, u1 + 0.02, height - 0.04, height, -depth - 0.02, 0.03), top)
            x0, y0, _, x1, y1, _ = front.box(u0, u1, 0, 0, -depth, 0.0)
            room.surface(x0, y0, x1, y1, height)
        for k, kind in enumerate(kinds):
            left, right = u0 + k * width, u0 + (k + 1) * width
            _bay(room, front, left, right, PLINTH_M, body_top, depth, kind, body, handle, k)


def _bay(room: Room, front: Front, u0, u1, v0, v1, depth, kind: str, body, handle, number: int) -> None:
    inside = depth - PANEL_M - 0.04
    hinge = "low" if number % 2 == 0 else "high"
    if kind == "drawers":
        levels = 3 if v1 - v0 > 0.6 else 2
        step = (v1 - v0) / levels
        for level in range(levels):
            low = v0 + level * step
            name = f"drawer_{number}_{level}"
            drawer(room, front, u0, u1, low, low + step, inside, body, handle, part=name)
    elif kind == "drawer_door":
        split = v1 - min(0.2, (v1 - v0) / 3)
        shelf(room, front, u0, u1, split, depth - PANEL_M, body)
        drawer(room, front, u0, u1, split, v1, inside, body, handle, part=f"drawer_{number}")
        door(room, front, u0, u1, v0, split, body, handle, hinge=hinge, part=f"door_{number}")
    elif kind == "dishwasher":  # a machine's door, dropping open
        door(room, front, u0, u1, v0, v1, body, handle, hinge="bottom", part=f"dishwasher_door_{number}")
    elif kind == "doors":
        middle = (u0 + u1) / 2
        door(room, front, u0, middle, v0, v1, body, handle, hinge="low", part=f"door_{number}_left")
        door(room, front, middle, u1, v0, v1, body, handle, hinge="high", part=f"door_{number}_right")
    else:
        door(room, front, u0, u1, v0, v1, body, handle, hinge=hinge, part=f"door_{number}")


def tall_cabinet(
    room: Room,
    front: Front,
    u0: float,
    u1: float,
    depth: float,
    height: float,
    body: Color,
    handle: Color,
    *,
    category: str,
    fixture: str | None,
    doors: int = 1,
    stacked: int = 1,
    hinge: str = "low",
    glass: Color | None = None,
    shelves: int = 3,
) -> None:
    """A tall cupboard (a reach-in refrigerator, a supply cupboard): `doors` side by side, each split in
    `stacked` doors one over another, hinged on their `hinge` side (pairs open from the middle)."""
    with room.thing(category, fixture):
        carcass(room, front, u0, u1, 0.0, height, depth, body)
        for k in range(1, shelves + 1):
            shelf(room, front, u0, u1, height * k / (shelves + 1), depth - PANEL_M, body)
        width = (u1 - u0) / doors
        for k in range(doors):
            side = hinge if doors == 1 else ("low" if k == 0 else "high")
            for level in range(stacked):
                v0, v1 = height * level / stacked, height * (level + 1) / stacked
                door(
                    room,
                    front,
                    u0 + k * width,
                    u0 + (k + 1) * width,
                    v0,
                    v1,
                    body,
                    handle,
                    hinge=side,
                    part=f"door_{k}_{level}" if doors * stacked > 1 else "door",
                    glass=glass,
                )


def drawer_stack(
    room: Room,
    front: Front,
    u0: float,
    u1: float,
    depth: float,
    height: float,
    body: Color,
    handle: Color,
    *,
    category: str,
    fixture: str | None,
    drawers: int,
    base: float = 0.0,
    surface: bool = True,
) -> None:
    """A carcass of `drawers` drawers one over another (a filing cabinet, a desk's pedestal)."""
    with room.thing(category, fixture):
        carcass(room, front, u0, u1, base, base + height, depth, body)
        step = height / drawers
        for level in range(drawers):
            low = base + level * step
            inside = depth - PANEL_M - 0.04
            drawer(room, front, u0, u1, low, low + step, inside, body, handle, part=f"drawer_{level}")
        if surface:
            x0, y0, _, x1, y1, _ = front.box(u0, u1, 0, 0, -depth, 0.0)
            room.surface(x0, y0, x1, y1, base + height)


def appliance(
    room: Room,
    front: Front,
    u0: float,
    u1: float,
    depth: float,
    height: float,
    body: Color,
    door_colour: Color,
    handle: Color,
    *,
    category: str,
    fixture: str | None,
    opening: tuple[float, float, float, float],
    hinge: str = "bottom",
    part: str = "door",
    upper: float = 85.0,
    glass: Color | None = None,
) -> None:
    """A machine with one door over an opening of its front (u0, u1, v0, v1, in the front frame): an oven or
    a dishwasher (hinged at the bottom), a washer or a dryer (at the side)."""
    with room.thing(category, fixture):
        carcass(room, front, u0, u1, 0.0, height, depth, body)
        ou0, ou1, ov0, ov1 = opening
        room.add(*front.box(u0 + PANEL_M, u1 - PANEL_M, ov1, height - PANEL_M, -PANEL_M, 0), body)  # panel
        shape = dict(hinge=hinge, part=part, upper=upper, glass=glass)
        door(room, front, ou0, ou1, ov0, ov1, door_colour, handle, **shape)


def personnel_door(
    room: Room, front: Front, u0: float, colour: Color, frame: Color, *, width=0.9, height=2.1, hinge="low"
) -> None:
    """A door in a wall (`front` its face, looking into the room): a frame on the wall round a dark doorway,
    and a leaf that swings into the room."""
    recess = Front(front.out, front.level + front.out[1] * 0.006)  # the leaf stands clear of the doorway
    _cut_skirting(room, front, u0 - 0.06, u0 + width + 0.06)
    with room.thing("door", None):
        room.add(*front.box(u0, u0 + width, 0.0, height, 0.0, 0.005), (28, 28, 30))  # the doorway, dark
        room.add(*front.box(u0 - 0.06, u0, 0.0, height + 0.06, 0.0, 0.05), frame)
        room.add(*front.box(u0 + width, u0 + width + 0.06, 0.0, height + 0.06, 0.0, 0.05), frame)
        room.add(*front.box(u0, u0 + width, height, height + 0.06, 0.0, 0.05), frame)
        leaf = (u0, u0 + width, 0.01, height)
        door(room, recess, *leaf, colour, frame, hinge=hinge, part="door", thickness=0.04)


def _cut_skirting(room: Room, front: Front, u0: float, u1: float) -> None:
    """The skirting along the wall broken where a door's frame stands."""
    across = front.across
    for thing in room.things:
        if thing.category != "skirting":
            continue
        kept = []
        for part in thing.parts:
            along_wall = (
                abs(part.lo[front.out[0]] - front.level) < 0.05
                or abs(part.hi[front.out[0]] - front.level) < 0.05
            )
            if not along_wall or part.hi[across] <= u0 or part.lo[across] >= u1:
                kept.append(part)
                continue
            for low, high in ((part.lo[across], u0), (u1, part.hi[across])):
                if high - low > 0.01:
                    lo, hi = list(part.lo), list(part.hi)
                    lo[across], hi[across] = low, high
                    kept.append(replace(part, lo=tuple(lo), hi=tuple(hi)))
        thing.parts = kept
