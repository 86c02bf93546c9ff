"""A room being furnished: its size and looks, the things in it, and the shell, lights and loose props."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from scenegen.render.geometry import Box, Color, Detail, Joint, Thing, Vec3
from scenegen.render.looks import Palette
from scenegen.storage import ROOM_SURFACES

CARDBOARD = (176, 134, 88)
FIXTURE_LIGHT_DROP_M, DAYLIGHT_INSET_M = 0.3, 0.6
LIGHT_SOURCES = ("ceiling_light", "window")  # on the shell, made before the room is furnished
PROP_COLOURS = [CARDBOARD, (60, 90, 160), (200, 60, 50), (235, 235, 230), (70, 150, 90), (40, 40, 45)]


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
    things: list[Thing] = field(default_factory=list)
    surfaces: list[tuple[float, float, float, float, float]] = field(default_factory=list)  # x0 y0 x1 y1 z
    _current: Thing | None = None

    @contextmanager
    def thing(
        self, category: str, fixture: str | None = None, yaw_deg: float = 0.0, pivot=(0.0, 0.0)
    ) -> Iterator[Thing]:
        """Every box added inside belongs to one new thing, turned by `yaw_deg` about `pivot`."""
        made = Thing(len(self.things) + 1, category, fixture, yaw_deg=yaw_deg, pivot=pivot)
        outer, self._current = self._current, made
        try:
            yield made
        finally:
            self._current = outer
        if made.parts:
            self.things.append(made)

    def add(self, x0, y0, z0, x1, y1, z1, color, *, details=(), emissive=False, joint=0) -> Box:
        """A box of the current thing; `joint`: the thing's joint (room.joint) that moves it."""
        if self._current is None:
            raise RuntimeError("room.add belongs inside `with room.thing(...)`")
        box = Box(
            (min(x0, x1), min(y0, y1), min(z0, z1)),
            (max(x0, x1), max(y0, y1), max(z0, z1)),
            color,
            emissive=emissive,
            details=list(details),
            joint=joint,
        )
        self._current.parts.append(box)
        return box

    def joint(self, joint: Joint) -> int:
        """A joint of the current thing; the number its moving parts are added with."""
        if self._current is None:
            raise RuntimeError("room.joint belongs inside `with room.thing(...)`")
        self._current.joints.append(joint)
        return len(self._current.joints)

    def surface(self, x0, y0, x1, y1, z) -> None:
        """A free top that loose props may stand on (not on a turned thing: they would float)."""
        if self._current is None or not self._current.yaw_deg:
            self.surfaces.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), z))

    def jitter(self, color: Color, amount: float = 12) -> Color:
        return tuple(max(0.0, min(255.0, c + self.rng.uniform(-amount, amount))) for c in color)


def shell(room: Room, tile: float) -> dict[str, list[int]]:
    """Floor, four walls and ceiling, one thing each; their ids by kind."""
    p, w, d, h = room.palette, room.width, room.depth, room.height
    ids: dict[str, list[int]] = {"floor": [], "wall": [], "ceiling": []}
    with room.thing("floor") as floor:
        nx, ny = max(1, round(w / tile)), max(1, round(d / tile))
        for i in range(nx):
            for j in range(ny):
                colour = p.floor if (i + j) % 2 == 0 else p.floor_alt
                room.add(
                    i * w / nx, j * d / ny, 0, (i + 1) * w / nx, (j + 1) * d / ny, 0, room.jitter(colour, 4)
                )
    ids["floor"].append(floor.id)
    for x0, y0, x1, y1 in ((0, 0, w, 0), (0, d, w, d), (0, 0, 0, d), (w, 0, w, d)):
        with room.thing("wall") as wall:
            room.add(x0, y0, 0, x1, y1, h, room.jitter(p.wall, 3))
        ids["wall"].append(wall.id)
    with room.thing("ceiling") as ceiling:
        cx, cy = max(1, round(w / 2.4)), max(1, round(d / 2.4))
        for i in range(cx):
            for j in range(cy):
                room.add(
                    i * w / cx,
                    j * d / cy,
                    h,
                    (i + 1) * w / cx,
                    (j + 1) * d / cy,
                    h,
                    room.jitter(p.ceiling, 3),
                )
    ids["ceiling"].append(ceiling.id)
    with room.thing("skirting"):  # along the two far walls: it grounds the room
        room.add(0, d - 0.03, 0, w, d, 0.12, p.dark)
        room.add(w - 0.03, 0, 0, w, d, 0.12, p.dark)
    return ids


def windows(room: Room, count: int) -> None:
    """Windows in the far wall (y = depth), one thing each."""
    w, d, h = room.width, room.depth, room.height
    for k in range(count):
        width = min(2.0, w * 0.6 / count)
        x0 = (k + 0.5) * w / count - width / 2
        with room.thing("window"):
            room.add(
                x0,
                d - 0.04,
                h * 0.35,
                x0 + width,
                d - 0.01,
                h * 0.85,
                (70, 70, 72),
                details=[
                    Detail(
                        (1, -1),
                        (
                            (((0.05, 0.06), (0.95, 0.06), (0.95, 0.94), (0.05, 0.94)), room.window, True),
                            (((0.48, 0.0), (0.52, 0.0), (0.52, 1.0), (0.48, 1.0)), (70, 70, 72), False),
                        ),
                    )
                ],
            )


def ceiling_lights(room: Room, spacing: float, colour: Color, size=(1.2, 0.3)) -> None:
    """Glowing fixtures under the ceiling, one thing each."""
    nx, ny = max(1, round(room.width / spacing)), max(1, round(room.depth / spacing))
    along_x = room.rng.random() < 0.5
    sx, sy = size if along_x else size[::-1]
    for i in range(nx):
        for j in range(ny):
            x, y = (i + 0.5) * room.width / nx, (j + 0.5) * room.depth / ny
            z = room.height - 0.02
            with room.thing("ceiling_light"):
                room.add(x - sx / 2, y - sy / 2, z - 0.05, x + sx / 2, y + sy / 2, z, colour, emissive=True)


def light_sources(room: Room) -> tuple[list[Vec3], list[Vec3]]:
    """Where the shading puts the light of each ceiling fixture (a little below it) and of each window
    (in the room before it, at its middle height) that the room still has."""
    fixtures, daylight = [], []
    for thing in room.things:
        if thing.category in LIGHT_SOURCES:
            (part,) = thing.parts
            x, z = (part.lo[0] + part.hi[0]) / 2, (part.lo[2] + part.hi[2]) / 2
            if thing.category == "ceiling_light":
                fixtures.append((x, (part.lo[1] + part.hi[1]) / 2, part.hi[2] - FIXTURE_LIGHT_DROP_M))
            else:
                daylight.append((x, room.depth - DAYLIGHT_INSET_M, z))
    return fixtures, daylight


def scatter_props(room: Room, count: int) -> None:
    """Loose boxes and bins on free work surfaces and along the far walls."""
    rng = room.rng
    placed: list[tuple[float, float, float, float, float, float]] = []
    for _ in range(count):
        if room.surfaces and rng.random() < 0.65:
            x0, y0, x1, y1, z = rng.choice(room.surfaces)
        elif rng.random() < 0.5:  # on the floor, near the far walls where it cannot hide the room
            x0, y0, x1, y1, z = room.width * 0.35, room.depth - 1.4, room.width - 0.3, room.depth - 0.9, 0.0
        else:
            x0, y0, x1, y1, z = room.width - 1.4, room.depth * 0.35, room.width - 0.9, room.depth - 0.3, 0.0
        sx, sy = rng.uniform(0.15, 0.5), rng.uniform(0.15, 0.45)
        if x1 - x0 < sx or y1 - y0 < sy:
            continue
        x, y = rng.uniform(x0, x1 - sx), rng.uniform(y0, y1 - sy)
        extent = (x, y, z, x + sx, y + sy, z + rng.uniform(0.1, 0.45))
        if any(_overlaps(extent, other) for other in placed) or _blocked(room, extent):
            continue
        placed.append(extent)
        with room.thing("loose_item"):
            room.add(*extent, room.jitter(rng.choice(PROP_COLOURS), 15))


def _overlaps(a, b) -> bool:
    return a[0] < b[3] and b[0] < a[3] and a[1] < b[4] and b[1] < a[4] and a[2] < b[5] and b[2] < a[5]


def _blocked(room: Room, extent) -> bool:
    """Whether a new box would cut into a part of an unturned thing already there."""
    for thing in room.things[-60:]:
        if thing.yaw_deg or thing.category in ROOM_SURFACES:
            continue
        for part in thing.parts:
            if _overlaps(extent, (*part.lo, *part.hi)):
                return True
    return False
