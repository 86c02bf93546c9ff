"""The furnishing plan of a grocery."""

from __future__ import annotations

import numpy as np

from scenegen.render.cabinets import personnel_door
from scenegen.render.fixtures import GAP_M, PANEL_M, Front, carcass, drawer
from scenegen.render.furniture import (
    FRONT_NEG_X,
    FRONT_NEG_Y,
    FRONT_POS_X,
    detail,
    grid,
    products,
    rect,
)
from scenegen.render.geometry import Color, Joint
from scenegen.render.rooms import CARDBOARD, Room

GONDOLAS = "gondola shelving aisles stocked with packaged goods"
CASES = "glass-door refrigerated cases"
PRODUCE = "open produce displays"
CHECKOUT = "checkout lanes with conveyor belts"
CARTS = "shopping carts"
SIGNS = "hanging aisle signs"

CASE_DEPTH_M, CASE_HEIGHT_M = 0.95, 2.2
KICK_M, HEADER_M = 0.18, 0.18  # the case's fixed bands under its goods and over its doors
# The doors reach down nearly to the floor, their bottom rails as tall as the kick: a loose thing is kept out
# of a swing only where it would meet the door, and Newton knocks aside one that a door skims just over.
DOOR_FOOT_M = 0.03
GLOW = (235, 242, 248)  # the lit inside of a case, as the glass showed it
STILE_M, RAIL_M, DOOR_DEPTH_M = 0.05, 0.07, 0.03


def grocery(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    # refrigerated cases along the far wall, glowing behind glass doors
    case_width = rng.uniform(2.2, 3.0)
    for k in range(max(2, int((w - 2) // (case_width + 0.1)))):
        x = 1.0 + k * (case_width + 0.1)
        _case(room, Front((1, -1), d - 1.0), x, x + case_width, p.metal)
    # a staff door in the right-hand wall between the checkouts and the aisles: the gondolas hide the rest
    # of that wall and the far one from the camera
    hinge = rng.choice(("low", "high"))
    personnel_door(room, Front((0, -1), w), rng.uniform(1.95, 2.2), (170, 174, 178), p.dark, hinge=hinge)
    # gondola aisles running toward the far wall
    spacing = rng.uniform(2.7, 3.6)
    first = rng.uniform(3.5, 5.0)
    y0, y1 = rng.uniform(2.8, 3.8), d - rng.uniform(2.6, 3.6)
    shelf_levels = rng.choice((3, 4, 4, 5))
    for k in range(max(2, int((w - first - 1.5) // spacing))):
        x = first + k * spacing
        with room.thing("gondola", GONDOLAS):
            room.add(x, y0, 0, x + 1.0, y1, 0.15, p.dark)
            room.add(x + 0.46, y0, 0.15, x + 0.54, y1, 1.9, p.metal)
            for level in range(shelf_levels):
                z = 0.2 + level * 1.7 / shelf_levels
                room.add(x, y0, z, x + 1.0, y1, z + 0.03, p.metal)
                if rng.random() < 0.6 + 0.4 * min(1.0, room.density):
                    for near, far, face in (
                        (0.02, 0.45, FRONT_NEG_X),
                        (0.55, 0.98, FRONT_POS_X),
                    ):  # both sides
                        room.add(
                            x + near,
                            y0,
                            z + 0.03,
                            x + far,
                            y1,
                            z + 1.2 / shelf_levels,
                            room.jitter(CARDBOARD, 10),
                            details=[products(rng, face, y1 - y0)],
                        )
            room.add(x, y0 - 0.05, 0.15, x + 1.0, y0, 1.9, p.accent)  # end cap
        with room.thing("aisle_sign", SIGNS):
            middle = (y0 + y1) / 2
            room.add(x + 0.3, middle, room.height - 1.2, x + 0.7, middle + 0.9, room.height - 0.8, p.accent)
            room.add(x + 0.49, middle + 0.4, room.height - 0.8, x + 0.51, middle + 0.42, room.height, p.dark)
    # checkout lanes along the near side, the cashier's side towards the camera; produce tables
    for k in range(max(2, int((w - 8) // 3.5))):
        _checkout(room, 5.0 + k * 3.5)
    for k in range(rng.choice((1, 2, 2, 3))):
        y = d * 0.3 + k * 2.2
        if y + 1.4 > d - 2.3:  # clear of the case doors' swing (up to a metre out from d - 1)
            break
        with room.thing("produce_display", PRODUCE):
            room.add(1.2, y, 0, 2.6, y + 1.4, 0.8, p.wood)
            for _ in range(10):
                px, py = rng.uniform(1.25, 2.4), rng.uniform(y + 0.05, y + 1.2)
                colour = rng.choice([(220, 50, 40), (240, 160, 30), (90, 170, 60), (240, 220, 60)])
                room.add(px, py, 0.8, px + 0.18, py + 0.18, 0.92, colour)
    for _ in range(int(2 + 4 * room.busy)):
        x = rng.uniform(3.0, w - 3.0)
        with room.thing("shopping_cart", CARTS, yaw_deg=rng.uniform(-30, 30), pivot=(x + 0.27, 2.7)):
            room.add(x, 2.4, 0.15, x + 0.55, 3.0, 0.95, (150, 155, 160))


def _case(room: Room, front: Front, u0: float, u1: float, frame: Color) -> None:
    """A reach-in case: a hollow carcass lit inside, goods on its shelves, three glass doors over it. The
    doors are frames with no pane (the renderer has no glass), so the goods show through them as they
    showed through the glass."""
    rng, depth, height = room.rng, CASE_DEPTH_M, CASE_HEIGHT_M
    body = (215, 218, 222)
    with room.thing("refrigerated_case", CASES):
        carcass(room, front, u0, u1, 0.0, height, depth, body, back=False)
        room.add(*front.box(u0, u1, 0.0, height, -depth, -depth + PANEL_M), GLOW)
        room.add(*front.box(u0 + PANEL_M, u1 - PANEL_M, 0.0, KICK_M, -PANEL_M, 0.0), body)
        room.add(*front.box(u0 + PANEL_M, u1 - PANEL_M, height - HEADER_M, height, -PANEL_M, 0.0), body)
        width = (u1 - u0) / 3
        for level in (KICK_M, 0.3 * height, 0.5 * height, 0.7 * height):
            # a shelf and its goods in one block, the shelf's lip painted along its foot
            goods = products(rng, front.out, u1 - u0 - 2 * PANEL_M, fill=0.95)
            lip = detail(front.out, (rect(0.0, 0.0, 1.0, 0.1), (120, 130, 140), False))
            block = front.box(u0 + PANEL_M, u1 - PANEL_M, level, level + 0.26, -depth + PANEL_M, -0.1)
            room.add(*block, GLOW, details=[goods, lip])
        for j in range(3):
            hinge = "low" if j == 0 else "high"  # the outer doors hinge at the ends of the case
            a, b = u0 + j * width, u0 + (j + 1) * width
            _glass_door(
                room, front, a, b, DOOR_FOOT_M, height - HEADER_M, frame, hinge=hinge, part=f"door_{j}"
            )


def _glass_door(
    room: Room,
    front: Front,
    u0: float,
    u1: float,
    v0: float,
    v1: float,
    frame: Color,
    *,
    hinge: str,
    part: str,
) -> None:
    """A glazed door over u0..u1, v0..v1 hinged on its `hinge` edge (low, high) and swinging out, its joint
    as fixtures.door makes it: a frame whose free edge stands out as a full-length handle."""
    a0, a1, b0, b1 = u0 + GAP_M, u1 - GAP_M, v0 + GAP_M, v1 - GAP_M
    d0, d1 = GAP_M, GAP_M + DOOR_DEPTH_M
    free = front.direction(u=1.0 if hinge == "low" else -1.0)
    axis = np.cross(free, front.direction(d=1.0))
    origin = front.point(a0 if hinge == "low" else a1, b0, d1)
    joint = room.joint(Joint(part, "revolute", tuple(float(c) for c in axis), origin, 90.0))
    hinged, free_edge = (a0, a0 + STILE_M), (a1 - STILE_M, a1)
    if hinge != "low":
        hinged, free_edge = free_edge, hinged
    room.add(*front.box(*hinged, b0, b1, d0, d1), frame, joint=joint)
    room.add(*front.box(*free_edge, b0, b1, d0, d1 + 0.03), frame, joint=joint)  # its handle, full length
    room.add(*front.box(a0 + STILE_M, a1 - STILE_M, b0, KICK_M + RAIL_M, d0, d1), frame, joint=joint)
    room.add(*front.box(a0 + STILE_M, a1 - STILE_M, b1 - RAIL_M, b1, d0, d1), frame, joint=joint)


def _checkout(room: Room, x: float) -> None:
    """A counter with its belt, and a register at the end over a cash drawer towards the cashier."""
    p = room.palette
    front = Front((1, -1), 1.2)
    register = (30, 30, 32)
    with room.thing("checkout", CHECKOUT):
        for x0, x1, top in ((x, x + 1.7, 0.85), (x + 1.7, x + 2.2, 0.68)):  # under the belt, the drawer
            panel = grid(FRONT_NEG_Y, 1, 1, room.jitter(p.accent, 20))
            room.add(x0, 1.2, 0, x1, 1.8, top, p.accent, details=[panel])
        carcass(room, front, x + 1.7, x + 2.2, 0.68, 0.85, 0.6, p.accent)
        drawer(
            room, front, x + 1.7, x + 2.2, 0.68, 0.85, 0.5, register, p.metal, part="cash_drawer", travel=0.3
        )
        room.add(x + 1.78, 1.35, 0.85, x + 2.12, 1.72, 0.95, register)
        screen = detail(FRONT_NEG_Y, (rect(0.08, 0.1, 0.92, 0.9), (90, 140, 170), True))
        room.add(x + 1.85, 1.62, 0.95, x + 2.05, 1.66, 1.2, register, details=[screen])
        room.add(x, 1.25, 0.85, x + 1.7, 1.75, 0.88, (30, 30, 32))
        room.surface(x, 1.25, x + 1.7, 1.75, 0.88)
