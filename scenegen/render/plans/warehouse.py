"""The furnishing plan of a warehouse."""

from __future__ import annotations

from collections.abc import Sequence

from scenegen.render.cabinets import cabinet_run, drawer_stack, personnel_door, tall_cabinet
from scenegen.render.fixtures import Front
from scenegen.render.furniture import FRONT_NEG_X, FRONT_NEG_Y, grid
from scenegen.render.geometry import Box, Color, Detail
from scenegen.render.rooms import CARDBOARD, Room

RACKS = "orange and blue selective pallet racks"
PALLETS = "wooden pallets with stretch-wrapped loads"
TOTES = "tote picking stations"
LINES = "painted aisle lines on the floor"
JACK = "a parked pallet jack"
DOOR_M, FRAME_M = 0.9, 0.06
HINGES = ("low", "high")
TWO_DOORS_M2 = 750.0  # a floor at least this large has a second door
# Not "doors": a pair's door hinged at the divider sweeps into the next bay, so the two would open in
# separate rounds of the joint checks, and each round simulates the whole room with its hundreds of pallets.
STATION_BAYS = ("drawer_door", "drawers", "door", "drawer_door")
JACK_REACH_M = 4.2  # how far from the wall x = width the turned pallet jack may reach


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
    front_aisle = start - 0.7 if across else length  # y clear of racks and aisle lines by the wall x = w
    for r in range(rows):
        lo = start + r * pitch
        first, last = rng.uniform(2.5, 4.0), length - rng.uniform(0.8, 2.0)
        if not across:
            front_aisle = min(front_aisle, first - 0.1)
        bays = max(1, int((last - first) // bay))
        _rack_row(room, across, lo, first, bays, bay, levels, level_height, upright, beam)
        with room.thing("aisle_line", LINES):
            _add(room, across, first - 1.0, lo - 0.6, length - 0.5, lo - 0.5, 0, 0.004, (235, 200, 40))
    # tote picking stations near the camera side, their cupboards and drawers facing it, a pallet jack
    station = Front((1, -1), 1.2)
    looks = dict(body=room.palette.dark, top=room.palette.metal, handle=room.palette.metal)
    stations = [3.0 + k * 2.2 for k in range(rng.choice((2, 3, 3, 4)))]
    for x in stations:
        if x + 1.6 > w - 1:
            break
        bays = [rng.choice(STATION_BAYS) for _ in range(2)]
        kind = dict(category="picking_station", fixture=TOTES, bays=bays)
        cabinet_run(room, station, x, x + 1.6, 0.7, 0.9, **looks, **kind)
        with room.thing("tote", TOTES):
            for t in range(min(3, int(1 + 2 * room.busy))):  # a fourth would stand off the station's end
                room.add(x + 0.1 + t * 0.5, 1.3, 0.9, x + 0.5 + t * 0.5, 1.75, 1.15, (40, 90, 170))
    end = stations[-1] + 2.2  # where one more station would stand
    if rng.random() < 0.6 and end + 1.0 < w - JACK_REACH_M:
        _supply_cabinet(room, station, end)
    jx, jy = w - rng.uniform(2.5, 4.0), rng.uniform(1.5, 2.5)
    with room.thing("pallet_jack", JACK, yaw_deg=rng.uniform(-40, 40), pivot=(jx + 0.6, jy + 0.3)):
        room.add(jx, jy, 0, jx + 1.2, jy + 0.55, 0.12, (200, 40, 30))
        room.add(jx, jy + 0.15, 0.12, jx + 0.15, jy + 0.4, 1.1, (200, 40, 30))
    _personnel_doors(room, across, front_aisle)


def _personnel_doors(room: Room, across: bool, front_aisle: float) -> None:
    """A door in the right-hand wall (x = width) at the end of the aisle in front of the racks: the camera
    sees down that aisle, and across or past the rows the walls are hidden. In a large room a second in the
    middle of the far wall the rows run along, which the last aisle keeps more than 2.7 m clear."""
    rng = room.rng
    leaf, frame = rng.choice((room.palette.accent, room.palette.metal)), room.palette.dark
    u0 = max(0.4, front_aisle - DOOR_M - FRAME_M - rng.uniform(0.0, 0.4))
    personnel_door(room, Front((0, -1), room.width), u0, leaf, frame, width=DOOR_M, hinge=rng.choice(HINGES))
    if room.width * room.depth >= TWO_DOORS_M2:
        wall = Front((1, -1), room.depth) if across else Front((0, -1), room.width)
        length = room.width if across else room.depth
        u0 = length * rng.uniform(0.45, 0.6)
        personnel_door(room, wall, u0, leaf, frame, width=DOOR_M, hinge=rng.choice(HINGES))


def _supply_cabinet(room: Room, front: Front, u0: float) -> None:
    """A steel cupboard or parts drawer cabinet for packing supplies, at the end of the picking stations:
    no higher than the totes' tops, as the camera sees the door at the aisle's end over it."""
    rng, handle = room.rng, room.palette.dark
    body = rng.choice((room.palette.accent, (110, 114, 118)))
    if rng.random() < 0.5:
        shape = dict(category="cabinet", fixture=None, doors=2, shelves=1)
        tall_cabinet(room, front, u0, u0 + 1.0, 0.6, 1.1, body, handle, **shape)
    else:
        shape = dict(category="cabinet", fixture=None, drawers=rng.choice((4, 5)))
        drawer_stack(room, front, u0, u0 + 0.8, 0.6, 1.1, body, handle, **shape)


def _add(
    room: Room,
    across: bool,
    a0: float,
    b0: float,
    a1: float,
    b1: float,
    z0: float,
    z1: float,
    colour: Color,
    details: Sequence[Detail] = (),
) -> Box:
    """A box given along the row (a) and across it (b)."""
    if across:
        return room.add(a0, b0, z0, a1, b1, z1, colour, details=details)
    return room.add(b0, a0, z0, b1, a1, z1, colour, details=details)


def _rack_row(
    room: Room,
    across: bool,
    lo: float,
    first: float,
    bays: int,
    bay: float,
    levels: int,
    level_height: float,
    upright: Color,
    beam: Color,
) -> None:
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
