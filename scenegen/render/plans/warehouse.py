"""The furnishing plan of a warehouse."""

from __future__ import annotations

from scenegen.render.furniture import FRONT_NEG_X, FRONT_NEG_Y, grid, table
from scenegen.render.rooms import CARDBOARD, Room

RACKS = "orange and blue selective pallet racks"
PALLETS = "wooden pallets with stretch-wrapped loads"
TOTES = "tote picking stations"
LINES = "painted aisle lines on the floor"
JACK = "a parked pallet jack"


def warehouse(room: Room) -> None:
    """Rows of racks, across the room or running away from the camera, with aisles between them."""
    w, d, h, rng = room.width, room.depth, room.height, room.rng
    upright = rng.choice([(40, 80, 160), (30, 60, 130), (60, 90, 150)])
    beam = rng.choice([(230, 110, 20), (220, 80, 20), (235, 170, 20)])
    level_height = rng.uniform(1.5, 1.9)
    levels = max(2, int((h - 1.5) // level_height))
    bay = rng.uniform(2.5, 2.9)
    pitch = rng.uniform(3.8, 5.0)  # rack row plus aisle
    across = rng.random() < 0.5  # rows along x, else along y
    length, breadth = (w, d) if across else (d, w)
    start = rng.uniform(3.0, 4.5)
    rows = max(2, int((breadth - start - 1.0) // pitch))
    for r in range(rows):
        lo = start + r * pitch
        first, last = rng.uniform(2.5, 4.0), length - rng.uniform(0.8, 2.0)
        bays = max(1, int((last - first) // bay))
        _rack_row(room, across, lo, first, bays, bay, levels, level_height, upright, beam)
        with room.thing("aisle_line", LINES):
            _add(room, across, first - 1.0, lo - 0.6, length - 0.5, lo - 0.5, 0, 0.004, (235, 200, 40))
    # tote picking stations near the camera side, a pallet jack
    for k in range(rng.choice((2, 3, 3, 4))):
        x = 3.0 + k * 2.2
        if x + 1.6 > w - 1:
            break
        table(
            room,
            x,
            1.2,
            x + 1.6,
            1.9,
            0.9,
            room.palette.metal,
            room.palette.dark,
            category="picking_station",
            fixture=TOTES,
        )
        with room.thing("tote", TOTES):
            for t in range(int(1 + 2 * room.busy)):
                room.add(x + 0.1 + t * 0.5, 1.3, 0.9, x + 0.5 + t * 0.5, 1.75, 1.15, (40, 90, 170))
    jx, jy = w - rng.uniform(2.5, 4.0), rng.uniform(1.5, 2.5)
    with room.thing("pallet_jack", JACK, yaw_deg=rng.uniform(-40, 40), pivot=(jx + 0.6, jy + 0.3)):
        room.add(jx, jy, 0, jx + 1.2, jy + 0.55, 0.12, (200, 40, 30))
        room.add(jx, jy + 0.15, 0.12, jx + 0.15, jy + 0.4, 1.1, (200, 40, 30))


def _add(room: Room, across: bool, a0, b0, a1, b1, z0, z1, colour, details=()):
    """A box given along the row (a) and across it (b)."""
    if across:
        return room.add(a0, b0, z0, a1, b1, z1, colour, details=details)
    return room.add(b0, a0, z0, b1, a1, z1, colour, details=details)


def _rack_row(room: Room, across, lo, first, bays, bay, levels, level_height, upright, beam) -> None:
    rng = room.rng
    last = first + bays * bay
    front = FRONT_NEG_Y if across else FRONT_NEG_X
    with room.thing("pallet_rack", RACKS):
        for k in range(bays + 1):
            a = first + k * bay
            for b in (lo, lo + 1.1):
                _add(room, across, a, b, a + 0.1, b + 0.1, 0, levels * level_height + 0.4, upright)
        for level in range(1, levels + 1):
            z = 0.15 + level * level_height
            _add(room, across, first, lo, last, lo + 0.06, z - 0.14, z, beam)
            _add(room, across, first, lo + 1.14, last, lo + 1.2, z - 0.14, z, beam)
    for level in range(levels + 1):
        z = 0.15 + level * level_height if level else 0.0  # on a pair of beams, or on the floor
        for k in range(bays):
            for slot in range(2):
                if rng.random() > 0.55 + 0.3 * min(1.0, room.density):
                    continue
                a = first + k * bay + 0.2 + slot * (bay - 0.3) / 2
                with room.thing("pallet", PALLETS):
                    _add(
                        room,
                        across,
                        a,
                        lo + 0.02,  # its ends on the front and back beams
                        a + 1.0,
                        lo + 1.18,
                        z,
                        z + 0.14,
                        room.jitter(room.palette.wood, 15),
                    )
                    load = rng.uniform(0.6, min(1.35, level_height - 0.35, room.height - z - 0.3))
                    wrap = rng.random() < 0.5
                    _add(
                        room,
                        across,
                        a + 0.03,
                        lo + 0.1,
                        a + 0.97,
                        lo + 1.1,
                        z + 0.14,
                        z + 0.14 + load,
                        room.jitter((205, 210, 215) if wrap else CARDBOARD, 18),
                        details=[] if wrap else [grid(front, 2, 2, room.jitter(CARDBOARD, 25), 0.03)],
                    )
