"""Rooms built from boxes: the shell, lights, loose props, and the furniture the furnishing plans use."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from scenegen.render.looks import Palette
from scenegen.render.raster import Box, Color, Detail, Face

# Face ids used for details
FRONT_NEG_Y: Face = (1, -1)
FRONT_NEG_X: Face = (0, -1)
FRONT_POS_X: Face = (0, 1)
FRONT_POS_Y: Face = (1, 1)
TOP: Face = (2, 1)
BOTTOM: Face = (2, -1)

CARDBOARD = (176, 134, 88)
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

@dataclass
class Room:
    width: float  # x
    depth: float  # y
    height: float
    palette: Palette
    rng: random.Random
    density: float  # clutter x activity: how many loose things
    busy: float  # activity alone: how much is in use
    window: Color
    boxes: list[Box] = field(default_factory=list)
    surfaces: list[tuple[float, float, float, float, float]] = field(default_factory=list)  # x0 y0 x1 y1 z

    def add(self, x0, y0, z0, x1, y1, z1, color, *, details=(), emissive=False) -> Box:
        box = Box(
            (min(x0, x1), min(y0, y1), min(z0, z1)),
            (max(x0, x1), max(y0, y1), max(z0, z1)),
            color,
            emissive=emissive,
            details=list(details),
            sort_last=True,
        )
        self.boxes.append(box)
        return box

    def surface(self, x0, y0, x1, y1, z) -> None:
        self.surfaces.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), z))

    def jitter(self, color: Color, amount: float = 12) -> Color:
        return tuple(max(0.0, min(255.0, c + self.rng.uniform(-amount, amount))) for c in color)


# ---- face details -------------------------------------------------------------------------------------


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


# ---- the shell ----------------------------------------------------------------------------------------


def shell(room: Room, tile: float, windows_on: str | None) -> list[Box]:
    """Floor tiles, wall strips and ceiling tiles, drawn before everything else."""
    p, w, d, h = room.palette, room.width, room.depth, room.height
    pieces: list[Box] = []
    nx, ny = max(1, round(w / tile)), max(1, round(d / tile))
    for i in range(nx):
        for j in range(ny):
            colour = p.floor if (i + j) % 2 == 0 else p.floor_alt
            pieces.append(
                Box(
                    (i * w / nx, j * d / ny, 0.0),
                    ((i + 1) * w / nx, (j + 1) * d / ny, 0.0),
                    room.jitter(colour, 4),
                )
            )
    strip = 1.2
    for k in range(max(1, round(w / strip))):  # walls along x: y = 0 and y = d
        x0, x1 = k * w / round(w / strip), (k + 1) * w / round(w / strip)
        pieces.append(Box((x0, 0.0, 0), (x1, 0.0, h), room.jitter(p.wall, 2)))
        pieces.append(Box((x0, d, 0), (x1, d, h), room.jitter(p.wall, 2)))
    for k in range(max(1, round(d / strip))):  # walls along y: x = 0 and x = w
        y0, y1 = k * d / round(d / strip), (k + 1) * d / round(d / strip)
        pieces.append(Box((0.0, y0, 0), (0.0, y1, h), room.jitter(p.wall, 2)))
        pieces.append(Box((w, y0, 0), (w, y1, h), room.jitter(p.wall, 2)))
    cx, cy = max(1, round(w / 2.4)), max(1, round(d / 2.4))
    for i in range(cx):
        for j in range(cy):
            pieces.append(
                Box(
                    (i * w / cx, j * d / cy, h),
                    ((i + 1) * w / cx, (j + 1) * d / cy, h),
                    room.jitter(p.ceiling, 3),
                )
            )
    # skirting along the two far walls grounds the room visually
    room.add(0, d - 0.03, 0, w, d, 0.12, p.dark)
    room.add(w - 0.03, 0, 0, w, d, 0.12, p.dark)
    if windows_on == "far":
        for k in range(max(1, int(w // 4))):
            x0 = (k + 0.3) * w / max(1, int(w // 4))
            room.add(
                x0,
                d - 0.04,
                h * 0.35,
                x0 + min(2.0, w * 0.25),
                d - 0.01,
                h * 0.85,
                (70, 70, 72),
                details=[
                    detail(
                        FRONT_NEG_Y,
                        (rect(0.05, 0.06, 0.95, 0.94), room.window, True),
                        (rect(0.48, 0.0, 0.52, 1.0), (70, 70, 72), False),
                    )
                ],
            )
    return pieces


def ceiling_lights(
    room: Room, spacing: float, colour: Color, size=(1.2, 0.3)
) -> list[tuple[float, float, float]]:
    """Emissive fixtures under the ceiling; returns their positions for the shading."""
    positions = []
    nx, ny = max(1, round(room.width / spacing)), max(1, round(room.depth / spacing))
    for i in range(nx):
        for j in range(ny):
            x, y = (i + 0.5) * room.width / nx, (j + 0.5) * room.depth / ny
            z = room.height - 0.02
            room.add(
                x - size[0] / 2,
                y - size[1] / 2,
                z - 0.05,
                x + size[0] / 2,
                y + size[1] / 2,
                z,
                colour,
                emissive=True,
            )
            positions.append((x, y, z - 0.3))
    return positions


def scatter_props(room: Room, count: int) -> None:
    """Loose boxes, bins and buckets on free work surfaces and along the far walls."""
    rng, colours = (
        room.rng,
        [
            CARDBOARD,
            (60, 90, 160),
            (200, 60, 50),
            (235, 235, 230),
            (70, 150, 90),
            (40, 40, 45),
            (230, 190, 60),
        ],
    )
    for _ in range(count):
        if room.surfaces and rng.random() < 0.65:
            x0, y0, x1, y1, z = rng.choice(room.surfaces)
        else:  # on the floor, near the far walls where it cannot hide the room
            if rng.random() < 0.5:
                x0, y0, x1, y1, z = (
                    room.width * 0.35,
                    room.depth - 1.4,
                    room.width - 0.3,
                    room.depth - 0.9,
                    0.0,
                )
            else:
                x0, y0, x1, y1, z = (
                    room.width - 1.4,
                    room.depth * 0.35,
                    room.width - 0.9,
                    room.depth - 0.3,
                    0.0,
                )
        sx, sy = rng.uniform(0.15, 0.5), rng.uniform(0.15, 0.45)
        if x1 - x0 < sx or y1 - y0 < sy:
            continue
        x, y = rng.uniform(x0, x1 - sx), rng.uniform(y0, y1 - sy)
        if any(_overlaps((x, y, z, x + sx, y + sy, z + 0.3), b) for b in room.boxes[-40:]):
            continue
        room.add(x, y, z, x + sx, y + sy, z + rng.uniform(0.1, 0.45), room.jitter(rng.choice(colours), 15))


def _overlaps(extent, box: Box) -> bool:
    x0, y0, z0, x1, y1, z1 = extent
    return (
        x0 < box.hi[0]
        and box.lo[0] < x1
        and y0 < box.hi[1]
        and box.lo[1] < y1
        and z0 < box.hi[2]
        and box.lo[2] < z1
    )


# ---- furniture shared by several rooms -----------------------------------------------------------------


def counter_run(room: Room, x0, y0, x1, y1, height, top: Color, body: Color, front: Face, doors=3) -> None:
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


def table(room: Room, x0, y0, x1, y1, height, top: Color, legs: Color, shelf=True) -> None:
    t = 0.05
    for lx, ly in ((x0, y0), (x1 - t, y0), (x0, y1 - t), (x1 - t, y1 - t)):
        room.add(lx, ly, 0, lx + t, ly + t, height - 0.04, legs)
    if shelf:
        room.add(x0 + t, y0 + t, 0.18, x1 - t, y1 - t, 0.21, legs)
    room.add(x0, y0, height - 0.04, x1, y1, height, top)
    room.surface(x0, y0, x1, y1, height)


def shelving(room: Room, x0, y0, x1, y1, height, levels, frame: Color, front: Face, goods=True) -> None:
    """Open shelving: posts, boards, and goods on each board seen from `front`."""
    t = 0.04
    for px, py in ((x0, y0), (x1 - t, y0), (x0, y1 - t), (x1 - t, y1 - t)):
        room.add(px, py, 0, px + t, py + t, height, frame)
    along_x = (x1 - x0) >= (y1 - y0)
    length = (x1 - x0) if along_x else (y1 - y0)
    for k in range(levels):
        z = 0.12 + k * (height - 0.2) / levels
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


def wall_panel(room: Room, x, y0, z0, width, height, colour, details=(), wall="far_x") -> None:
    """Something flat on a far wall (x = room.width facing -x, or y = room.depth facing -y)."""
    if wall == "far_x":
        room.add(
            room.width - 0.06, y0, z0, room.width - 0.005, y0 + width, z0 + height, colour, details=details
        )
    else:
        room.add(
            x, room.depth - 0.06, z0, x + width, room.depth - 0.005, z0 + height, colour, details=details
        )
