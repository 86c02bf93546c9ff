"""The furnishing plan of a loading dock."""

from __future__ import annotations

from scenegen.render.furniture import FRONT_NEG_Y, TOP, detail, rect, slats
from scenegen.render.rooms import CARDBOARD, Room

DOORS = "sectional dock doors"
LEVELERS = "hydraulic dock levelers"
BUMPERS = "rubber dock bumpers"
FREIGHT = "staged pallets of freight"
BOLLARDS = "yellow safety bollards"


def loading_dock(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    door_width = rng.uniform(2.4, 3.0)
    spacing = door_width + rng.uniform(1.2, 2.2)
    apron = rng.uniform(2.0, 3.0)
    for k in range(max(2, int((w - 2) // spacing))):
        x = 1.6 + k * spacing
        open_door = rng.random() < 0.25 + 0.5 * room.busy
        with room.thing("dock_door", DOORS):
            door = room.add(x, d - 0.08, 1.2, x + door_width, d - 0.01, 4.2, (150, 152, 156))
            if open_door:  # the trailer or the yard shows through
                outside = room.window if rng.random() < 0.5 else (30, 30, 34)
                door.details.append(detail(FRONT_NEG_Y, (rect(0.0, 0.0, 1.0, 0.9), outside, True)))
                room.add(x, d - 0.5, 3.8, x + door_width, d - 0.08, 4.2, (120, 122, 126))  # rolled up
            else:
                door.details.append(slats(FRONT_NEG_Y, 10, (120, 122, 126)))
        with room.thing("dock_leveler", LEVELERS):
            room.add(
                x,
                d - apron,
                1.18,
                x + door_width,
                d - 0.08,
                1.2,
                (90, 92, 96),
                details=[detail(TOP, (rect(0.0, 0.0, 1.0, 0.06), (240, 200, 30), False))],
            )
        for bumper_x in (x - 0.3, x + door_width + 0.05):
            with room.thing("dock_bumper", BUMPERS):
                room.add(bumper_x, d - 0.3, 1.2, bumper_x + 0.25, d, 1.8, (20, 20, 22))  # above the apron
        with room.thing("bollard", BOLLARDS):
            room.add(x + 1.2, d - apron - 0.6, 0, x + 1.5, d - apron - 0.3, 1.2, (240, 200, 30))
    with room.thing("dock_apron"):  # the raised floor along the doors, inside the skirting
        room.add(0, d - apron, 0, w - 0.03, d - 0.03, 1.18, room.jitter(p.floor, 6))
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
