"""Rooms built from boxes: the shell, one furnishing plan per archetype, and loose props."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
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

# Room footprint (x, y) and height per archetype, in metres, at medium size.
ROOM_SIZE = {
    "kitchen": (10.0, 8.0, 3.2),
    "warehouse": (28.0, 22.0, 9.0),
    "grocery": (22.0, 17.0, 4.8),
    "lab": (12.0, 9.0, 3.2),
    "office": (14.0, 10.0, 3.0),
    "home_laundry": (4.2, 3.4, 2.6),
    "loading_dock": (24.0, 14.0, 6.5),
    "utility_room": (7.0, 5.5, 3.2),
}


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


# ---- one plan per archetype ----------------------------------------------------------------------------


def kitchen(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    steel, steel_dark = (196, 200, 204), (150, 154, 158)
    # the hot line on the far wall: ranges under a hood, prep counters either side
    line_x0 = w * 0.28
    ranges = max(2, int((w * 0.45) // 1.0))
    for k in range(ranges):
        x = line_x0 + k * 1.0
        room.add(
            x,
            d - 0.9,
            0,
            x + 0.95,
            d - 0.05,
            0.9,
            (60, 62, 66),
            details=[grid(FRONT_NEG_Y, 1, 1, (40, 40, 42), handle=steel)],
        )
        for bx in (0.25, 0.7):
            room.add(x + bx - 0.12, d - 0.6, 0.9, x + bx + 0.12, d - 0.35, 0.93, (25, 25, 25))
        if rng.random() < 0.35 + 0.4 * room.busy:
            room.add(x + 0.2, d - 0.65, 0.93, x + 0.5, d - 0.35, 1.08, steel_dark)
    hood_x1 = line_x0 + ranges * 1.0
    room.add(line_x0 - 0.1, d - 1.1, room.height - 0.9, hood_x1 + 0.1, d - 0.02, room.height - 0.35, steel)
    room.add(line_x0, d - 0.5, room.height - 0.35, hood_x1, d - 0.1, room.height, steel_dark)
    counter_run(room, 0.8, d - 0.8, line_x0 - 0.1, d - 0.05, 0.9, steel, steel_dark, FRONT_NEG_Y)
    counter_run(room, hood_x1 + 0.1, d - 0.8, w - 0.9, d - 0.05, 0.9, steel, steel_dark, FRONT_NEG_Y)
    shelving(room, 0.9, d - 0.4, line_x0 - 0.3, d - 0.05, 0.5, 1, steel, FRONT_NEG_Y, goods=False)
    # reach-in refrigerators and shelving on the right-hand wall
    y = d * 0.25
    for _ in range(2):
        room.add(
            w - 0.85,
            y,
            0,
            w - 0.05,
            y + 0.8,
            2.0,
            steel,
            details=[grid(FRONT_NEG_X, 1, 2, (205, 208, 212), handle=(60, 60, 60))],
        )
        y += 0.85
    shelving(room, w - 0.55, y + 0.2, w - 0.05, min(d - 1.0, y + 2.2), 1.9, 4, (170, 174, 178), FRONT_NEG_X)
    # prep tables in the middle
    for k in range(max(1, int(w // 4))):
        x = w * 0.3 + k * 2.4
        if x + 1.8 < w - 1.2:
            table(room, x, d * 0.45, x + 1.8, d * 0.45 + 0.75, 0.9, steel, steel_dark)
    # dish pit on the left wall
    counter_run(room, 0.05, d * 0.55, 0.75, d - 1.0, 0.9, steel, steel_dark, FRONT_POS_X, doors=2)
    room.add(0.05, d * 0.55 + 0.2, 0.9, 0.75, d * 0.55 + 0.8, 1.3, (150, 160, 170))


def warehouse(room: Room) -> None:
    w, d, h, rng = room.width, room.depth, room.height, room.rng
    upright, beam = (40, 80, 160), (230, 110, 20)
    levels = max(2, int((h - 1.5) // 1.7))
    bay = 2.7
    rows = max(2, int((d - 5) // 4.2))
    for r in range(rows):
        y0 = 4.0 + r * 4.2
        x0, x1 = 3.5, w - 1.0
        bays = int((x1 - x0) // bay)
        x1 = x0 + bays * bay
        for k in range(bays + 1):
            x = x0 + k * bay
            room.add(x, y0, 0, x + 0.1, y0 + 0.1, levels * 1.7 + 0.4, upright)
            room.add(x, y0 + 1.1, 0, x + 0.1, y0 + 1.2, levels * 1.7 + 0.4, upright)
        for lv in range(levels + 1):
            z = 0.15 + lv * 1.7
            if lv:
                room.add(x0, y0, z - 0.14, x1, y0 + 0.06, z, beam)
                room.add(x0, y0 + 1.14, z - 0.14, x1, y0 + 1.2, z, beam)
            for k in range(bays):
                for slot in range(2):
                    if rng.random() > 0.55 + 0.3 * min(1.0, room.density):
                        continue
                    px = x0 + k * bay + 0.2 + slot * 1.25
                    room.add(
                        px, y0 + 0.08, z, px + 1.1, y0 + 1.12, z + 0.14, room.jitter(room.palette.wood, 15)
                    )
                    load = rng.uniform(0.6, 1.35)
                    wrap = rng.random() < 0.5
                    room.add(
                        px + 0.03,
                        y0 + 0.1,
                        z + 0.14,
                        px + 1.07,
                        y0 + 1.1,
                        z + 0.14 + load,
                        room.jitter((205, 210, 215) if wrap else CARDBOARD, 18),
                        details=[] if wrap else [grid(FRONT_NEG_Y, 2, 2, room.jitter(CARDBOARD, 25), 0.03)],
                    )
        room.surface(x0, y0 - 1.3, x1, y0 - 0.9, 0.0)
    for r in range(rows + 1):  # painted aisle lines
        y = 3.4 + r * 4.2
        room.add(2.5, y, 0, w - 0.5, y + 0.1, 0.004, (235, 200, 40))
    # tote picking stations near the camera side, a pallet jack
    for k in range(3):
        x = 3.0 + k * 2.2
        table(room, x, 1.4, x + 1.6, 2.1, 0.9, room.palette.metal, room.palette.dark)
        for t in range(int(1 + 2 * room.busy)):
            room.add(x + 0.1 + t * 0.5, 1.5, 0.9, x + 0.5 + t * 0.5, 1.95, 1.15, (40, 90, 170))
    room.add(w - 3.2, 2.0, 0, w - 2.0, 2.55, 0.12, (200, 40, 30))
    room.add(w - 3.2, 2.15, 0.12, w - 3.05, 2.4, 1.1, (200, 40, 30))


def grocery(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    # refrigerated cases along the far wall, glowing behind glass doors
    cases = max(2, int((w - 2) // 2.6))
    for k in range(cases):
        x = 1.0 + k * 2.6
        doors = [
            (rect(0.02 + j / 3, 0.08, (j + 1) / 3 - 0.02, 0.92), (235, 242, 248), True) for j in range(3)
        ]
        shelves = [(rect(0.03, v, 0.97, v + 0.015), (120, 130, 140), False) for v in (0.3, 0.5, 0.7)]
        goods = [
            (rect(u, v + 0.016, u + 0.03, v + 0.1), rng.choice(PRODUCT_COLOURS), False)
            for v in (0.3, 0.5, 0.7)
            for u in [0.05 + 0.045 * i for i in range(20)]
            if rng.random() < 0.8
        ]
        room.add(
            x,
            d - 1.0,
            0,
            x + 2.5,
            d - 0.05,
            2.2,
            (215, 218, 222),
            details=[detail(FRONT_NEG_Y, *doors, *shelves, *goods)],
        )
    # gondola aisles running toward the far wall
    aisles = max(2, int((w - 6) // 3.0))
    for k in range(aisles):
        x = 4.0 + k * 3.0
        y0, y1 = 3.2, d - 3.0
        room.add(x, y0, 0, x + 1.0, y1, 0.15, room.palette.dark)
        room.add(x + 0.46, y0, 0.15, x + 0.54, y1, 1.9, room.palette.metal)
        for lv in range(4):
            z = 0.2 + lv * 0.42
            room.add(x, y0, z, x + 1.0, y1, z + 0.03, room.palette.metal)
            if rng.random() < 0.6 + 0.4 * min(1.0, room.density):
                for near, far, face in ((0.02, 0.45, FRONT_NEG_X), (0.55, 0.98, FRONT_POS_X)):  # both sides
                    goods = room.jitter(CARDBOARD, 10)
                    room.add(
                        x + near,
                        y0,
                        z + 0.03,
                        x + far,
                        y1,
                        z + 0.33,
                        goods,
                        details=[products(rng, face, y1 - y0)],
                    )
        room.add(x, y0 - 0.05, 0.15, x + 1.0, y0, 1.9, room.palette.accent)  # end cap
        room.add(
            x + 0.3,
            (y0 + y1) / 2,
            room.height - 1.2,
            x + 0.7,
            (y0 + y1) / 2 + 0.9,
            room.height - 0.8,
            room.palette.accent,
        )  # hanging aisle sign
        room.add(
            x + 0.49,
            (y0 + y1) / 2 + 0.4,
            room.height - 0.8,
            x + 0.51,
            (y0 + y1) / 2 + 0.42,
            room.height,
            room.palette.dark,
        )
    # checkout lanes along the near side, produce tables
    for k in range(max(2, int((w - 8) // 3.5))):
        x = 5.0 + k * 3.5
        room.add(
            x,
            1.2,
            0,
            x + 2.2,
            1.8,
            0.85,
            room.palette.accent,
            details=[grid(FRONT_NEG_Y, 2, 1, room.jitter(room.palette.accent, 20))],
        )
        room.add(x, 1.25, 0.85, x + 1.7, 1.75, 0.88, (30, 30, 32))
        room.surface(x, 1.25, x + 1.7, 1.75, 0.88)
    for k in range(2):
        y = d * 0.3 + k * 2.2
        room.add(1.2, y, 0, 2.6, y + 1.4, 0.8, room.palette.wood)
        for _ in range(10):
            px, py = rng.uniform(1.25, 2.4), rng.uniform(y + 0.05, y + 1.2)
            room.add(
                px,
                py,
                0.8,
                px + 0.18,
                py + 0.18,
                0.92,
                rng.choice([(220, 50, 40), (240, 160, 30), (90, 170, 60), (240, 220, 60)]),
            )
    for _ in range(int(2 + 4 * room.busy)):
        x = rng.uniform(3.0, w - 3.0)
        room.add(x, 2.4, 0.15, x + 0.55, 3.0, 0.95, (150, 155, 160))


def lab(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    epoxy, cabinet = (30, 32, 34), (232, 232, 228)
    for k in range(max(1, int((w - 3) // 3.2))):  # peninsula benches with reagent shelves
        x = 3.0 + k * 3.2
        counter_run(room, x, d * 0.3, x + 1.5, d - 1.2, 0.92, epoxy, cabinet, FRONT_NEG_X, doors=4)
        shelving(room, x + 0.6, d * 0.3, x + 0.9, d - 1.2, 2.0, 2, (160, 165, 170), FRONT_NEG_X)
        for _ in range(int(2 + 5 * room.busy)):
            px, py = rng.uniform(x + 0.05, x + 0.5), rng.uniform(d * 0.3, d - 1.5)
            room.add(
                px,
                py,
                0.92,
                px + rng.uniform(0.2, 0.45),
                py + rng.uniform(0.2, 0.4),
                0.92 + rng.uniform(0.15, 0.45),
                rng.choice([(235, 235, 235), (60, 62, 66), (90, 140, 200)]),
            )
    for k in range(max(1, int((w - 2) // 2.4))):  # fume hoods on the far wall
        x = 0.8 + k * 2.4
        room.add(x, d - 0.9, 0, x + 1.8, d - 0.05, 0.9, cabinet, details=[grid(FRONT_NEG_Y, 2, 1, cabinet)])
        room.add(
            x,
            d - 0.9,
            0.9,
            x + 1.8,
            d - 0.05,
            2.4,
            (205, 210, 212),
            details=[
                detail(
                    FRONT_NEG_Y,
                    (rect(0.06, 0.08, 0.94, 0.8), (170, 195, 205), False),
                    (rect(0.06, 0.42, 0.94, 0.45), (120, 125, 130), False),
                )
            ],
        )
        room.add(x + 0.6, d - 0.5, 2.4, x + 1.2, d - 0.2, room.height, (200, 204, 208))
    counter_run(room, w - 0.8, 1.5, w - 0.05, d - 1.2, 0.92, epoxy, cabinet, FRONT_NEG_X, doors=5)
    room.add(w - 0.3, 1.7, 1.4, w - 0.05, 2.1, 2.0, (40, 170, 80))  # eyewash station


def office(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    desk, chair = p.wood, p.dark
    clusters_x = max(1, int((w - 4) // 3.6))
    clusters_y = max(1, int((d - 4) // 3.2))
    for i in range(clusters_x):
        for j in range(clusters_y):
            x, y = 3.0 + i * 3.6, 2.6 + j * 3.2
            for dx, dy in ((0, 0), (1.45, 0), (0, 0.8), (1.45, 0.8)):
                table(room, x + dx, y + dy, x + dx + 1.4, y + dy + 0.75, 0.74, desk, p.metal, shelf=False)
                facing_y = dy == 0
                my = y + dy + (0.55 if facing_y else 0.15)
                room.add(
                    x + dx + 0.45,
                    my,
                    0.74,
                    x + dx + 0.95,
                    my + 0.05,
                    1.08,
                    (25, 25, 28),
                    details=[
                        detail(
                            FRONT_NEG_Y,
                            (
                                rect(0.05, 0.08, 0.95, 0.95),
                                (70, 110, 160) if room.busy > 0.5 else (20, 22, 26),
                                room.busy > 0.5,
                            ),
                        )
                    ],
                )
                if rng.random() < 0.85:
                    cy = y + dy - 0.45 if facing_y else y + dy + 0.95
                    room.add(x + dx + 0.45, cy, 0.42, x + dx + 0.95, cy + 0.5, 0.5, chair)
                    back = cy if facing_y else cy + 0.45
                    room.add(x + dx + 0.45, back, 0.5, x + dx + 0.95, back + 0.05, 1.0, chair)
    for k in range(max(2, int(d // 1.6))):  # filing cabinets on the right wall
        y = 1.0 + k * 0.5
        if y > d - 1.0:
            break
        room.add(
            w - 0.65,
            y,
            0,
            w - 0.05,
            y + 0.45,
            1.3,
            p.metal,
            details=[grid(FRONT_NEG_X, 1, 4, room.jitter(p.metal, 10), handle=p.dark)],
        )
        room.surface(w - 0.65, y, w - 0.05, y + 0.45, 1.3)
    wall_panel(room, 0, d * 0.3, 1.0, 2.4, 1.2, (245, 245, 245), wall="far_x")  # whiteboard
    if w > 9:  # conference table in the far right corner
        table(room, w - 4.2, d - 3.0, w - 1.4, d - 1.6, 0.75, desk, p.dark, shelf=False)


def home_laundry(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    white = (238, 238, 236)
    x = w * 0.3
    for kind in ("washer", "dryer"):
        room.add(
            x,
            d - 0.72,
            0,
            x + 0.68,
            d - 0.05,
            0.88,
            white,
            details=[
                detail(
                    FRONT_NEG_Y,
                    (ellipse(0.5, 0.45, 0.3, 0.24), (150, 155, 160), False),
                    (
                        ellipse(0.5, 0.45, 0.22, 0.17),
                        (80, 110, 140) if kind == "washer" else (60, 62, 66),
                        False,
                    ),
                    (rect(0.05, 0.86, 0.95, 0.96), (200, 202, 205), False),
                )
            ],
        )
        x += 0.72
    counter_run(room, x + 0.05, d - 0.65, w - 0.05, d - 0.05, 0.9, p.wood, white, FRONT_NEG_Y, doors=2)
    room.add(w * 0.3, d - 0.75, 0.88, x, d - 0.05, 0.92, p.wood)  # folding top over the machines
    room.surface(w * 0.3, d - 0.75, x, d - 0.05, 0.92)
    room.add(
        w * 0.25,
        d - 0.38,
        1.5,
        w - 0.05,
        d - 0.05,
        2.2,
        room.jitter(white, 6),
        details=[grid(FRONT_NEG_Y, 4, 1, white, handle=p.metal)],
    )
    room.add(0.05, d - 1.3, 0, 0.6, d - 0.7, 0.85, white)  # utility sink
    room.add(0.05, d - 1.3, 0.85, 0.6, d - 0.7, 0.9, (200, 205, 210))
    for _ in range(int(1 + 2 * room.busy)):  # laundry baskets
        bx, by = rng.uniform(0.9, w - 1.2), rng.uniform(d * 0.45, d - 1.2)
        room.add(
            bx, by, 0, bx + 0.55, by + 0.4, 0.32, rng.choice([(80, 140, 200), (230, 230, 230), (200, 80, 80)])
        )
    room.add(w - 0.12, 0.5, 0, w - 0.05, 1.7, 1.3, (180, 185, 190))  # ironing board, folded on the wall


def loading_dock(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    doors = max(2, int((w - 2) // 4.2))
    for k in range(doors):
        x = 1.6 + k * 4.2
        door = room.add(x, d - 0.08, 1.2, x + 2.7, d - 0.01, 4.2, (150, 152, 156))
        if rng.random() < 0.25 + 0.5 * room.busy:  # open: the trailer or the yard shows through
            outside = room.window if rng.random() < 0.5 else (30, 30, 34)
            door.details.append(detail(FRONT_NEG_Y, (rect(0.0, 0.0, 1.0, 0.9), outside, True)))
            room.add(x, d - 0.5, 3.8, x + 2.7, d - 0.08, 4.2, (120, 122, 126))  # the rolled-up door
        else:
            door.details.append(slats(FRONT_NEG_Y, 10, (120, 122, 126)))
        room.add(
            x,
            d - 2.4,
            1.18,
            x + 2.7,
            d - 0.08,
            1.2,
            (90, 92, 96),
            details=[detail(TOP, (rect(0.0, 0.0, 1.0, 0.06), (240, 200, 30), False))],
        )  # leveler
        room.add(x - 0.3, d - 0.35, 0.9, x - 0.05, d - 0.05, 1.5, (20, 20, 22))  # bumpers
        room.add(x + 2.75, d - 0.35, 0.9, x + 3.0, d - 0.05, 1.5, (20, 20, 22))
        room.add(x + 1.2, d - 3.0, 0, x + 1.5, d - 2.7, 1.2, (240, 200, 30))  # bollard
    room.add(0, d - 2.4, 0, w, d, 1.18, room.jitter(p.floor, 6))  # the raised dock apron
    for _ in range(int(3 + 6 * room.density)):  # staged freight
        x, y = rng.uniform(2.5, w - 2.5), rng.uniform(3.0, d - 4.5)
        room.add(x, y, 0, x + 1.2, y + 1.0, 0.14, room.jitter(p.wood, 15))
        room.add(
            x + 0.05,
            y + 0.05,
            0.14,
            x + 1.15,
            y + 0.95,
            0.14 + rng.uniform(0.5, 1.6),
            room.jitter(CARDBOARD if rng.random() < 0.6 else (210, 214, 218), 18),
        )
    room.add(1.0, 2.0, 0, w - 1.0, 2.12, 0.004, (240, 200, 30))  # safety stripe


def utility_room(room: Room) -> None:
    w, d, h, rng, p = room.width, room.depth, room.height, room.rng, room.palette
    grey = (170, 172, 168)
    for k in range(max(2, int((w - 1.5) // 1.0))):  # distribution panels on the far wall
        x = 0.8 + k * 0.95
        if x > w - 1.6:
            break
        room.add(
            x,
            d - 0.25,
            0.6,
            x + 0.8,
            d - 0.02,
            2.1,
            room.jitter(grey, 6),
            details=[
                grid(FRONT_NEG_Y, 2, 6, (120, 122, 120), 0.15),
                detail(FRONT_NEG_Y, (rect(0.05, 0.9, 0.3, 0.96), (240, 240, 240), False)),
            ],
        )
    room.add(
        w - 1.6,
        0.8,
        0,
        w - 0.1,
        2.6,
        1.9,
        (150, 155, 160),
        details=[grid(FRONT_NEG_X, 3, 2, (130, 134, 140), 0.08, handle=(60, 60, 60))],
    )  # air handler
    room.add(w - 1.2, 1.2, 1.9, w - 0.4, 1.9, h - 0.6, (190, 194, 198))
    room.add(0.6, 1.2, h - 0.9, w - 0.4, 1.9, h - 0.4, (190, 194, 198))  # main duct across the room
    room.add(0.1, d - 1.6, 0, 0.75, d - 0.95, 1.7, (236, 236, 232))  # water heater
    for k, colour in enumerate([(184, 115, 51), (40, 110, 60), (190, 40, 40)]):  # pipe runs
        z = h - 0.35 - k * 0.22
        room.add(0.2, d - 0.45 - k * 0.15, z, w - 0.2, d - 0.35 - k * 0.15, z + 0.1, colour)
    room.add(w - 0.5, d - 0.5, 0, w - 0.35, d - 0.35, h, (200, 30, 30))  # fire riser
    room.add(0.4, d - 0.7, h - 0.3, w - 0.6, d - 0.4, h - 0.25, (150, 150, 150))  # cable tray
    for _ in range(int(1 + 3 * room.busy * room.density)):
        x = rng.uniform(1.0, w - 2.0)
        room.add(
            x, d * 0.5, 0, x + 0.5, d * 0.5 + 0.35, 0.3, rng.choice([(200, 40, 40), (240, 190, 40), p.dark])
        )


PLANS: dict[str, Callable[[Room], None]] = {
    "kitchen": kitchen,
    "warehouse": warehouse,
    "grocery": grocery,
    "lab": lab,
    "office": office,
    "home_laundry": home_laundry,
    "loading_dock": loading_dock,
    "utility_room": utility_room,
}
TILE_SIZE = {
    "kitchen": 0.6,
    "warehouse": 3.0,
    "grocery": 1.2,
    "lab": 0.9,
    "office": 1.2,
    "home_laundry": 0.45,
    "loading_dock": 3.0,
    "utility_room": 1.5,
}
LIGHT_SPACING = {"warehouse": 6.0, "loading_dock": 5.0, "grocery": 3.5}
