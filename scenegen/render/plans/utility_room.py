"""The furnishing plan of a utility room."""

from __future__ import annotations

from scenegen.render.cabinets import personnel_door
from scenegen.render.fixtures import FRONT_M, GAP_M, HANDLE_M, PANEL_M, Front, carcass, door
from scenegen.render.furniture import FRONT_NEG_X, FRONT_NEG_Y, grid
from scenegen.render.geometry import Color
from scenegen.render.rooms import Room

PANELS = "grey electrical distribution panels"
AIR = "an air handling unit with ductwork"
HEATER = "a water heater"
PIPES = "insulated pipe runs with valves"
TRAYS = "cable trays"
RISER = "a fire suppression riser"

PANEL_DEPTH_M = 0.23
DOOR_M, FRAME_M, SPACING_M = 0.9, 0.06, 0.15
UNIT_DEPTH_M, UNIT_LENGTH_M, UNIT_HEIGHT_M = 1.5, 1.8, 1.9
UNIT_BAYS = 3
# How far an open door reaches out of its front: the door, its handle and a margin.
REACH_M = GAP_M + FRONT_M + HANDLE_M + 0.05


def utility_room(room: Room) -> None:
    w, d, h, rng, p = room.width, room.depth, room.height, room.rng, room.palette
    grey = rng.choice([(170, 172, 168), (150, 155, 160), (190, 190, 182)])
    panel_width = rng.uniform(0.6, 0.9)
    door_u0, panels = _far_wall(w, panel_width, rng.uniform(0.3, 0.5) * w)
    personnel_door(room, Front((1, -1), d), door_u0, p.dark, (150, 154, 158), hinge="high")
    wall = Front((1, -1), d - 0.02 - PANEL_DEPTH_M)
    for x in panels:
        _panel(room, wall, x, x + panel_width, room.jitter(grey, 6))
    # the unit stands on the right wall nearer the camera, so its doors and the panels' never sweep the
    # same space: a panel door left open would stand in the way of a unit door opening
    unit_y = min(
        rng.uniform(0.6, 1.4), d - 0.02 - PANEL_DEPTH_M - panel_width - REACH_M - UNIT_LENGTH_M - 0.1
    )
    _air_handler(room, Front((0, -1), w - 0.1 - UNIT_DEPTH_M), unit_y, rng.choice((1, 2, 2)))
    with room.thing("duct", AIR):  # the main duct across the room, from the unit's riser
        room.add(0.6, unit_y + 0.4, h - 0.9, w - 1.2, unit_y + 1.1, h - 0.4, (190, 194, 198))
    heater_y = d - rng.uniform(1.6, 2.6)
    with room.thing("water_heater", HEATER):
        room.add(0.1, heater_y, 0, 0.75, heater_y + 0.65, 1.7, (236, 236, 232))
    spacing = min(0.22, (h - 0.35 - 2.2) / 2)  # in a low room the pipes crowd up, above the doors' swings
    for k, colour in enumerate([(184, 115, 51), (40, 110, 60), (190, 40, 40)][: rng.randint(2, 3)]):
        z = h - 0.35 - k * spacing
        with room.thing("pipe", PIPES):  # to the riser
            room.add(0.2, d - 0.45 - k * 0.15, z, w - 0.5, d - 0.35 - k * 0.15, z + 0.1, colour)
    with room.thing("fire_riser", RISER):
        room.add(w - 0.5, d - 0.5, 0, w - 0.35, d - 0.35, h, (200, 30, 30))
    with room.thing("cable_tray", TRAYS):
        room.add(0.4, d - 0.9, h - 0.3, w - 0.6, d - 0.6, h - 0.25, (150, 150, 150))
    unit_swing = w - 0.1 - UNIT_DEPTH_M - UNIT_LENGTH_M / UNIT_BAYS - REACH_M
    for _ in range(int(1 + 3 * room.busy * room.density)):  # on the floor, clear of the unit's doors
        x = rng.uniform(1.0, max(1.0, unit_swing - 0.6))
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


def _far_wall(w: float, panel_width: float, wanted: float) -> tuple[float, list[float]]:
    """Where the personnel door (its leaf's left edge) and the panels (their left edges) stand on the far
    wall: the door among the panels near `wanted`, where the camera sees it; in a room too narrow for two
    panels beside it, at the wall's left end, where its swing just clears the water heater. The panels'
    left edges run from 0.8 m to at most 1.6 m short of the right wall, their swings clear of the riser."""
    step = panel_width + SPACING_M
    before = max(0, int((wanted - 0.8) // step))
    door_u0 = 0.8 + before * step + FRAME_M
    panels = [0.8 + k * step for k in range(before)]
    x = door_u0 + DOOR_M + FRAME_M + SPACING_M
    while x <= w - 1.6:
        panels.append(x)
        x += step
    if len(panels) >= 2:
        return door_u0, panels
    door_u0 = 0.3
    first = door_u0 + DOOR_M + FRAME_M + SPACING_M
    return door_u0, [first + k * step for k in range(int((w - 1.6 - first) // step) + 1)]


def _panel(room: Room, front: Front, u0: float, u1: float, colour: Color) -> None:
    """A distribution panel from 0.6 m to 2.1 m up: its breakers behind a door hinged on its left, which
    sweeps only the space before its own panel, so neighbours open side by side."""
    v0, v1 = 0.6, 2.1
    with room.thing("electrical_panel", PANELS):
        carcass(room, front, u0, u1, v0, v1, PANEL_DEPTH_M, colour)
        breakers = grid(FRONT_NEG_Y, 2, 6, (120, 122, 120), 0.15)
        plate = front.box(u0 + PANEL_M, u1 - PANEL_M, v0 + PANEL_M, v1 - PANEL_M, -0.1, -0.09)
        room.add(*plate, colour, details=[breakers])
        joint = door(room, front, u0, u1, v0, v1, colour, (60, 60, 60), hinge="low", part="panel_door")
        face = GAP_M + FRONT_M
        width, height = u1 - u0, v1 - v0
        label = front.box(
            u0 + 0.05 * width, u0 + 0.3 * width, v0 + 0.9 * height, v0 + 0.96 * height, face, face + 0.002
        )
        room.add(*label, (240, 240, 240), joint=joint)


def _air_handler(room: Room, front: Front, y0: float, doors: int) -> None:
    """The unit's casing in three bays across its front, `doors` of them access doors (hinged on the
    casing's outer edges, or either side when alone), the others fixed panels; behind each door, the
    darker filter bank it gives access to."""
    body, handle = (150, 155, 160), (60, 60, 60)
    y1, top, plinth = y0 + UNIT_LENGTH_M, UNIT_HEIGHT_M, 0.1
    bay = UNIT_LENGTH_M / UNIT_BAYS
    rng = room.rng
    if doors == 2:  # the outer bays, opening away from each other
        hinged = {0: "low", UNIT_BAYS - 1: "high"}
    else:
        hinged = {rng.randrange(UNIT_BAYS): rng.choice(("low", "high"))}
    with room.thing("air_handler", AIR):
        carcass(room, front, y0, y1, 0.0, top, UNIT_DEPTH_M, body)
        room.add(*front.box(y0 + PANEL_M, y1 - PANEL_M, PANEL_M, plinth, -PANEL_M, 0), body)
        room.add(*front.box(y0 + PANEL_M, y1 - PANEL_M, top - plinth, top - PANEL_M, -PANEL_M, 0), body)
        for k in range(1, UNIT_BAYS):
            middle = y0 + k * bay
            room.add(*front.box(middle - 0.01, middle + 0.01, plinth, top - plinth, -0.4, 0), body)
        for k in range(UNIT_BAYS):
            u0, u1 = y0 + k * bay, y0 + (k + 1) * bay
            if k not in hinged:
                panels = grid(FRONT_NEG_X, 1, 2, (130, 134, 140), 0.08, handle=handle)
                room.add(*front.box(u0, u1, plinth, top - plinth, -PANEL_M, 0), body, details=[panels])
                continue
            filters = (96, 100, 106)
            room.add(
                *front.box(u0 + 0.03, u1 - 0.03, plinth, top - plinth, -UNIT_DEPTH_M + PANEL_M, -0.4), filters
            )
            name = f"access_door_{k}"
            door(room, front, u0, u1, plinth, top - plinth, body, handle, hinge=hinged[k], part=name)
        riser = front.box(y0 + 0.4, y0 + 1.1, top, room.height - 0.4, -1.2, -0.4)
        room.add(*riser, (190, 194, 198))  # up to the duct
