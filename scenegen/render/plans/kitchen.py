"""The furnishing plan of a kitchen."""

from __future__ import annotations

from scenegen.render.cabinets import cabinet_run, personnel_door, tall_cabinet
from scenegen.render.fixtures import PANEL_M, Front, carcass, door
from scenegen.render.furniture import FRONT_NEG_X, shelving, table
from scenegen.render.rooms import Room

PREP = "stainless steel prep counters"
RANGES = "six-burner ranges under an extraction hood"
SHELVING = "wire shelving with stock pots and pans"
DISH_PIT = "dish pit with a sprayer and dish rack"
FRIDGES = "reach-in refrigerators"


def kitchen(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    steel, steel_dark = (196, 200, 204), (150, 154, 158)
    # the hot line on the far wall: ranges with their ovens under a hood, prep counters either side
    line_x0 = w * rng.uniform(0.2, 0.4)
    ranges = max(2, min(int((w - line_x0 - 1.5) // 1.0), int(w * rng.uniform(0.3, 0.5) // 1.0)))
    oven = Front((1, -1), d - 0.9)
    with room.thing("range", RANGES):
        for k in range(ranges):
            x = line_x0 + k * 1.0
            body = (60, 62, 66)
            carcass(room, oven, x, x + 0.95, 0.0, 0.9, 0.85, body)
            room.add(*oven.box(x + PANEL_M, x + 0.95 - PANEL_M, 0.7, 0.9 - PANEL_M, -PANEL_M, 0), body)
            black = (40, 40, 42)
            door(room, oven, x + 0.05, x + 0.9, 0.1, 0.7, black, steel, hinge="bottom", part=f"oven_door_{k}")
            for bx in (0.25, 0.7):
                room.add(x + bx - 0.12, d - 0.6, 0.9, x + bx + 0.12, d - 0.35, 0.93, (25, 25, 25))
            if rng.random() < 0.35 + 0.4 * room.busy:
                room.add(x + 0.2, d - 0.65, 0.93, x + 0.5, d - 0.35, 1.08, steel_dark)
    hood_x1 = line_x0 + ranges * 1.0
    with room.thing("extraction_hood", RANGES):
        room.add(
            line_x0 - 0.1, d - 1.1, room.height - 0.9, hood_x1 + 0.1, d - 0.02, room.height - 0.35, steel
        )
        room.add(line_x0, d - 0.5, room.height - 0.35, hood_x1, d - 0.1, room.height, steel_dark)
    counter = Front((1, -1), d - 0.8)
    looks = dict(body=steel_dark, top=steel, handle=steel)
    cabinet_run(room, counter, 0.8, line_x0 - 0.1, 0.75, 0.9, **looks, category="counter", fixture=PREP)
    if hood_x1 + 1.0 < w - 0.9:
        x0 = hood_x1 + 0.1
        cabinet_run(room, counter, x0, w - 0.9, 0.75, 0.9, **looks, category="counter", fixture=PREP)
    # a door out on the right-hand wall, then reach-in refrigerators and shelving along it
    personnel_door(room, Front((0, -1), w), 0.35, room.palette.dark, steel_dark, hinge="low")
    y = max(d * rng.uniform(0.15, 0.35), 1.6)
    for _ in range(rng.choice((1, 2, 2, 3))):
        tall_cabinet(
            room,
            Front((0, -1), w - 0.85),
            y,
            y + 0.8,
            0.8,
            2.0,
            steel,
            (60, 60, 60),
            category="refrigerator",
            fixture=FRIDGES,
            stacked=2,
            hinge=rng.choice(("low", "high")),
            shelves=4,
        )
        y += 0.85
    if y + 1.2 < d - 1.0:
        shelving(
            room,
            w - 0.55,
            y + 0.2,
            w - 0.05,
            min(d - 1.0, y + 2.2),
            1.9,
            4,
            (170, 174, 178),
            FRONT_NEG_X,
            category="shelving",
            fixture=SHELVING,
        )
    # prep tables in the middle, in one or two rows
    rows = rng.choice((1, 1, 2))
    for r in range(rows):
        ty = d * (0.42 if rows == 1 else 0.3 + 0.25 * r)
        for k in range(max(1, int(w // rng.uniform(3.2, 4.5)))):
            x = w * 0.3 + k * 2.4
            if x + 1.8 < w - 1.2:
                table(
                    room,
                    x,
                    ty,
                    x + 1.8,
                    ty + 0.75,
                    0.9,
                    steel,
                    steel_dark,
                    category="prep_table",
                    fixture=PREP,
                )
    # dish pit on the left wall: a dishwasher among its cupboards
    pit = Front((0, 1), 0.75)
    pit_y0, pit_y1 = d * 0.55, d - 1.0
    bays = max(2, round((pit_y1 - pit_y0) / 0.6))
    kinds = [rng.choice(("door", "drawers", "drawer_door")) for _ in range(bays)]
    kinds[rng.randrange(bays)] = "dishwasher"
    run = dict(category="dish_pit", fixture=DISH_PIT, bays=kinds)
    cabinet_run(room, pit, pit_y0, pit_y1, 0.7, 0.9, **looks, **run)
    with room.thing("dish_rack", DISH_PIT):
        room.add(0.05, d * 0.55 + 0.2, 0.9, 0.75, d * 0.55 + 0.8, 1.3, (150, 160, 170))
