"""The furnishing plan of a loading dock."""

from __future__ import annotations

from scenegen.render.cabinets import personnel_door
from scenegen.render.fixtures import GAP_M, Front
from scenegen.render.furniture import FRONT_NEG_Y, TOP, detail, rect, slats
from scenegen.render.geometry import Joint
from scenegen.render.rooms import CARDBOARD, Room

DOORS = "sectional dock doors"
LEVELERS = "hydraulic dock levelers"
BUMPERS = "rubber dock bumpers"
FREIGHT = "staged pallets of freight"
BOLLARDS = "yellow safety bollards"

DOCK_M, DOOR_TOP_M = 1.2, 4.2  # the dock's floor height and the top of a door's opening
APRON_TOP_M = 1.18  # the leveler's deck lies on the apron, flush with the dock floor
LIP_M, LIP_THICK_M = 0.4, 0.02
HEADROOM_M = 0.2  # a raised panel stays this far below the ceiling
DOOR_GREY, SLAT_GREY = (150, 152, 156), (120, 122, 126)
STEEL, YELLOW = (90, 92, 96), (240, 200, 30)


def loading_dock(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    door_width = rng.uniform(2.4, 3.0)
    spacing = door_width + rng.uniform(1.2, 2.2)
    apron = rng.uniform(2.0, 3.0)
    # a straight lift cannot clear the whole opening under every ceiling: it rises as far as the room allows
    travel = min(0.9 * (DOOR_TOP_M - DOCK_M), room.height - HEADROOM_M - DOOR_TOP_M)
    bays = max(2, int((w - 2) // spacing))
    opened = [rng.random() < 0.25 + 0.5 * room.busy for _ in range(bays)]
    # a raised panel has no stop to hold it against gravity, so an open door is built fixed, without its
    # joint: at least one door stays shut, to work
    if all(opened):
        opened[rng.randrange(bays)] = False
    for k in range(bays):
        x = 1.6 + k * spacing
        _dock_door(room, x, door_width, travel, opened[k])
        _leveler(room, x, door_width, apron)
        for bumper_x in (x - 0.3, x + door_width + 0.05):
            with room.thing("dock_bumper", BUMPERS):
                room.add(bumper_x, d - 0.3, 1.2, bumper_x + 0.25, d, 1.8, (20, 20, 22))  # above the apron
        with room.thing("bollard", BOLLARDS):  # beyond the reach of the leveler's lip
            room.add(x + 1.2, d - apron - 0.9, 0, x + 1.5, d - apron - 0.6, 1.2, (240, 200, 30))
    with room.thing("dock_apron"):  # the raised floor along the doors, inside the skirting
        room.add(0, d - apron, 0, w - 0.03, d - 0.03, APRON_TOP_M, room.jitter(p.floor, 6))
    # the way in for people: on the right-hand wall, short of the apron, where the camera sees it
    door_y = rng.uniform(max(1.5, 0.3 * (d - apron)), d - apron - 2.3)
    personnel_door(room, Front((0, -1), w), door_y, p.dark, (150, 154, 158), hinge="low")
    for _ in range(int(3 + 6 * room.density)):  # staged freight
        x, y = rng.uniform(2.5, w - 2.5), rng.uniform(3.0, d - apron - 2.0)
        with room.thing(
            "pallet", FREIGHT, yaw_deg=rng.choice((0.0, 0.0, rng.uniform(-20, 20))), pivot=(x + 0.6, y + 0.5)
        ):
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
    with room.thing("floor_marking"):
        room.add(1.0, 2.0, 0, w - 1.0, 2.12, 0.004, (240, 200, 30))


def _dock_door(room: Room, x: float, width: float, travel: float, opened: bool) -> None:
    """A door in the far wall between two guide tracks: shut, a slatted panel that lifts straight up along
    them; open, the yard or a trailer showing under the sections gathered at the top (held by nothing)."""
    d, rng = room.depth, room.rng
    with room.thing("dock_door", DOORS):
        for x0, x1 in ((x - 0.045, x - 0.004), (x + width + 0.004, x + width + 0.045)):
            room.add(x0, d - 0.1, DOCK_M, x1, d - 0.005, DOOR_TOP_M + travel + 0.05, SLAT_GREY)
        if opened:
            door = room.add(x, d - 0.08, DOCK_M, x + width, d - 0.01, DOOR_TOP_M, DOOR_GREY)
            outside = room.window if rng.random() < 0.5 else (30, 30, 34)
            door.details.append(detail(FRONT_NEG_Y, (rect(0.0, 0.0, 1.0, 0.9), outside, True)))
            room.add(x, d - 0.5, 3.8, x + width, d - 0.08, DOOR_TOP_M, SLAT_GREY)  # rolled up
            return
        room.add(x, d - 0.006, DOCK_M, x + width, d - 0.002, DOOR_TOP_M, (30, 30, 34))  # the doorway
        x0, x1, z0 = x + GAP_M, x + width - GAP_M, DOCK_M + GAP_M
        front, back = d - 0.07, d - 0.02
        middle = ((x0 + x1) / 2, (front + back) / 2, (z0 + DOOR_TOP_M) / 2)
        joint = room.joint(Joint("door_panel", "prismatic", (0.0, 0.0, 1.0), middle, travel))
        panel = (x0, front, z0, x1, back, DOOR_TOP_M)
        room.add(*panel, DOOR_GREY, details=[slats(FRONT_NEG_Y, 10, SLAT_GREY)], joint=joint)
        grip = (middle[0] - 0.2, front - 0.03, z0 + 0.25, middle[0] + 0.2, front, z0 + 0.28)  # lift handle
        room.add(*grip, (60, 60, 64), joint=joint)


def _leveler(room: Room, x: float, width: float, apron: float) -> None:
    """A deck on the apron at a door, and its lip hinged along the deck's front edge: stowed, it hangs
    down the apron's face; it swings up and out to lie level with the deck. The hinge stands just clear of
    the face, and the lip hangs on the room side of it, so it never enters the apron or nears the floor."""
    edge = room.depth - apron
    with room.thing("dock_leveler", LEVELERS):
        stripe = detail(TOP, (rect(0.0, 0.0, 1.0, 0.06), YELLOW, False))
        room.add(x, edge, APRON_TOP_M + 0.002, x + width, room.depth - 0.08, DOCK_M, STEEL, details=[stripe])
        hinge_y, hinge_z = edge - 0.008, DOCK_M - LIP_THICK_M
        origin = (x + GAP_M, hinge_y, hinge_z)
        joint = room.joint(Joint("lip", "revolute", (-1.0, 0.0, 0.0), origin, 90.0))
        band = detail(FRONT_NEG_Y, (rect(0.0, 0.0, 1.0, 0.2), YELLOW, False))
        lip = (x + GAP_M, hinge_y - LIP_THICK_M, hinge_z - LIP_M, x + width - GAP_M, hinge_y, hinge_z)
        room.add(*lip, STEEL, details=[band], joint=joint)
