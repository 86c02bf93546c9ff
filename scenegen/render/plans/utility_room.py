"""The furnishing plan of a utility room."""

from __future__ import annotations

from scenegen.render.furniture import FRONT_NEG_X, FRONT_NEG_Y, detail, grid, rect
from scenegen.render.rooms import Room

PANELS = "grey electrical distribution panels"
AIR = "an air handling unit with ductwork"
HEATER = "a water heater"
PIPES = "insulated pipe runs with valves"
TRAYS = "cable trays"
RISER = "a fire suppression riser"


def utility_room(room: Room) -> None:
    w, d, h, rng, p = room.width, room.depth, room.height, room.rng, room.palette
    grey = rng.choice([(170, 172, 168), (150, 155, 160), (190, 190, 182)])
    panel_width = rng.uniform(0.6, 0.9)
    for k in range(max(2, int((w - 1.5) // (panel_width + 0.15)))):  # distribution panels on the far wall
        x = 0.8 + k * (panel_width + 0.15)
        if x > w - 1.6:
            break
        with room.thing("electrical_panel", PANELS):
            room.add(
                x,
                d - 0.25,
                0.6,
                x + panel_width,
                d - 0.02,
                2.1,
                room.jitter(grey, 6),
                details=[
                    grid(FRONT_NEG_Y, 2, 6, (120, 122, 120), 0.15),
                    detail(FRONT_NEG_Y, (rect(0.05, 0.9, 0.3, 0.96), (240, 240, 240), False)),
                ],
            )
    unit_y = rng.uniform(0.6, 1.4)
    with room.thing("air_handler", AIR):
        room.add(
            w - 1.6,
            unit_y,
            0,
            w - 0.1,
            unit_y + 1.8,
            1.9,
            (150, 155, 160),
            details=[grid(FRONT_NEG_X, 3, 2, (130, 134, 140), 0.08, handle=(60, 60, 60))],
        )
        room.add(w - 1.2, unit_y + 0.4, 1.9, w - 0.4, unit_y + 1.1, h - 0.4, (190, 194, 198))
    with room.thing("duct", AIR):  # the main duct across the room, from the unit's riser
        room.add(0.6, unit_y + 0.4, h - 0.9, w - 1.2, unit_y + 1.1, h - 0.4, (190, 194, 198))
    heater_y = d - rng.uniform(1.6, 2.6)
    with room.thing("water_heater", HEATER):
        room.add(0.1, heater_y, 0, 0.75, heater_y + 0.65, 1.7, (236, 236, 232))
    for k, colour in enumerate([(184, 115, 51), (40, 110, 60), (190, 40, 40)][: rng.randint(2, 3)]):
        z = h - 0.35 - k * 0.22
        with room.thing("pipe", PIPES):
            room.add(
                0.2, d - 0.45 - k * 0.15, z, w - 0.5, d - 0.35 - k * 0.15, z + 0.1, colour
            )  # to the riser
    with room.thing("fire_riser", RISER):
        room.add(w - 0.5, d - 0.5, 0, w - 0.35, d - 0.35, h, (200, 30, 30))
    with room.thing("cable_tray", TRAYS):
        room.add(0.4, d - 0.9, h - 0.3, w - 0.6, d - 0.6, h - 0.25, (150, 150, 150))
    for _ in range(int(1 + 3 * room.busy * room.density)):
        x = rng.uniform(1.0, w - 2.0)
        with room.thing("loose_item"):
            room.add(
                x,
                d * 0.5,
                0,
                x + 0.5,
                d * 0.5 + 0.35,
                0.3,
                rng.choice([(200, 40, 40), (240, 190, 40), p.dark]),
            )
