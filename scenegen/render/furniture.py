"""Patterns drawn on faces, and the furniture several rooms share. Each piece is one thing of the room."""

from __future__ import annotations

import math
import random

from scenegen.render.geometry import Color, Detail, Face
from scenegen.render.rooms import CARDBOARD, Room

# Face ids used for details
FRONT_NEG_Y: Face = (1, -1)
FRONT_NEG_X: Face = (0, -1)
FRONT_POS_X: Face = (0, 1)
FRONT_POS_Y: Face = (1, 1)
TOP: Face = (2, 1)

PRODUCT_COLOURS = [
    (200, 40, 40),
    (240, 190, 40),
    (40, 110, 190),
    (60, 160, 80),
    (230, 120, 30),
    (240, 240, 235),
    (120, 60, 150),
    (30, 30, 35),
    (200, 90, 140),
    (100, 190, 210),
]


def rect(u0, v0, u1, v1) -> tuple[tuple[float, float], ...]:
    return ((u0, v0), (u1, v0), (u1, v1), (u0, v1))


def detail(face: Face, *polys) -> Detail:
    return Detail(face, tuple(polys))


def ellipse(cu, cv, ru, rv, steps=20) -> tuple[tuple[float, float], ...]:
    return tuple(
        (cu + ru * math.cos(2 * math.pi * k / steps), cv + rv * math.sin(2 * math.pi * k / steps))
        for k in range(steps)
    )


def products(rng: random.Random, face: Face, width_m: float, fill: float = 0.85) -> Detail:
    """Packaged goods seen from the front: vertical runs of colour."""
    polys, u = [], 0.0
    while u < 1.0:
        step = rng.uniform(0.07, 0.22) / max(width_m, 0.1)
        top = rng.uniform(fill * 0.7, fill)
        if rng.random() < 0.9:
            polys.append((rect(u, 0.0, min(1.0, u + step * 0.92), top), rng.choice(PRODUCT_COLOURS), False))
        u += step
    return detail(face, *polys)


def grid(face: Face, cols: int, rows: int, color: Color, margin=0.06, handle: Color | None = None) -> Detail:
    polys = []
    for c in range(cols):
        for r in range(rows):
            u0, u1 = c / cols + margin / cols, (c + 1) / cols - margin / cols
            v0, v1 = r / rows + margin / rows, (r + 1) / rows - margin / rows
            polys.append((rect(u0, v0, u1, v1), color, False))
            if handle:
                mu = (u0 + u1) / 2
                polys.append(
                    (
                        rect(mu - 0.12 / cols, v1 - 0.18 / rows, mu + 0.12 / cols, v1 - 0.1 / rows),
                        handle,
                        False,
                    )
                )
    return detail(face, *polys)


def slats(face: Face, count: int, color: Color) -> Detail:
    return detail(
        face,
        *((rect(0.02, k / count, 0.98, k / count + 0.25 / count), color, False) for k in range(1, count)),
    )


def counter_run(
    room: Room, x0, y0, x1, y1, height, top: Color, body: Color, front: Face, doors=3, *, category, fixture
) -> None:
    with room.thing(category, fixture):
        room.add(
            x0,
            y0,
            0,
            x1,
            y1,
            height - 0.04,
            body,
            details=[grid(front, doors, 1, room.jitter(body, 8), handle=room.palette.dark)],
        )
        room.add(x0 - 0.02, y0 - 0.02, height - 0.04, x1 + 0.02, y1 + 0.02, height, top)
        room.surface(x0, y0, x1, y1, height)


def table(
    room: Room, x0, y0, x1, y1, height, top: Color, legs: Color, shelf=True, *, category="table", fixture=None
) -> None:
    t = 0.05
    with room.thing(category, fixture):
        for lx, ly in ((x0, y0), (x1 - t, y0), (x0, y1 - t), (x1 - t, y1 - t)):
            room.add(lx, ly, 0, lx + t, ly + t, height - 0.04, legs)
        if shelf:
            room.add(x0 + t, y0 + t, 0.18, x1 - t, y1 - t, 0.21, legs)
        room.add(x0, y0, height - 0.04, x1, y1, height, top)
        room.surface(x0, y0, x1, y1, height)


def shelving(
    room: Room,
    x0,
    y0,
    x1,
    y1,
    height,
    levels,
    frame: Color,
    front: Face,
    goods=True,
    *,
    category="shelving",
    fixture=None,
    base=0.0,
) -> None:
    """Open shelving standing at height `base`: posts, boards, and goods on each board seen from `front`."""
    t = 0.04
    along_x = (x1 - x0) >= (y1 - y0)
    length = (x1 - x0) if along_x else (y1 - y0)
    with room.thing(category, fixture):
        for px, py in ((x0, y0), (x1 - t, y0), (x0, y1 - t), (x1 - t, y1 - t)):
            room.add(px, py, base, px + t, py + t, base + height, frame)
        for k in range(levels):
            z = base + 0.12 + k * (height - 0.2) / levels
            room.add(x0, y0, z, x1, y1, z + 0.03, frame)
            if goods and room.rng.random() < 0.9:
                gap = (height - 0.2) / levels * room.rng.uniform(0.45, 0.8)
                room.add(
                    x0 + t,
                    y0 + t,
                    z + 0.03,
                    x1 - t,
                    y1 - t,
                    z + 0.03 + gap,
                    room.jitter(CARDBOARD, 20),
                    details=[products(room.rng, front, length)],
                )


def wall_panel(room: Room, x, y0, z0, width, height, colour, details=(), wall="far_x", *, category, fixture):
    """Something flat on a far wall (x = room.width facing -x, or y = room.depth facing -y)."""
    with room.thing(category, fixture):
        if wall == "far_x":
            room.add(
                room.width - 0.06,
                y0,
                z0,
                room.width - 0.005,
                y0 + width,
                z0 + height,
                colour,
                details=details,
            )
        else:
            room.add(
                x, room.depth - 0.06, z0, x + width, room.depth - 0.005, z0 + height, colour, details=details
            )
