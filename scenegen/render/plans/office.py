"""The furnishing plan of an office."""

from __future__ import annotations

from scenegen.render.furniture import FRONT_NEG_X, FRONT_NEG_Y, detail, grid, rect, table, wall_panel
from scenegen.render.rooms import Room

DESKS = "rows of desks with monitors"
CHAIRS = "task chairs"
CONFERENCE = "a conference table"
CABINETS = "filing cabinets"
WHITEBOARDS = "whiteboards"


def office(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    desk, chair = p.wood, p.dark
    pitch_x, pitch_y = rng.uniform(3.2, 4.2), rng.uniform(2.8, 3.6)
    screen = (70, 110, 160) if room.busy > 0.5 else (20, 22, 26)
    for i in range(max(1, int((w - 4) // pitch_x))):
        for j in range(max(1, int((d - 4) // pitch_y))):
            x, y = 3.0 + i * pitch_x, 2.6 + j * pitch_y
            for dx, dy in ((0, 0), (1.45, 0), (0, 0.8), (1.45, 0.8)):
                table(
                    room,
                    x + dx,
                    y + dy,
                    x + dx + 1.4,
                    y + dy + 0.75,
                    0.74,
                    desk,
                    p.metal,
                    shelf=False,
                    category="desk",
                    fixture=DESKS,
                )
                facing_y = dy == 0
                my = y + dy + (0.55 if facing_y else 0.15)
                with room.thing("monitor", DESKS):
                    room.add(
                        x + dx + 0.45,
                        my,
                        0.74,
                        x + dx + 0.95,
                        my + 0.05,
                        1.08,
                        (25, 25, 28),
                        details=[
                            detail(FRONT_NEG_Y, (rect(0.05, 0.08, 0.95, 0.95), screen, room.busy > 0.5))
                        ],
                    )
                if rng.random() < 0.85:
                    cx = x + dx + 0.7
                    cy = y + dy - 0.45 if facing_y else y + dy + 0.95
                    with room.thing("chair", CHAIRS, yaw_deg=rng.uniform(-35, 35), pivot=(cx, cy + 0.25)):
                        room.add(cx - 0.25, cy, 0.42, cx + 0.25, cy + 0.5, 0.5, chair)
                        back = cy if facing_y else cy + 0.45
                        room.add(cx - 0.25, back, 0.5, cx + 0.25, back + 0.05, 1.0, chair)
                        room.add(cx - 0.04, cy + 0.21, 0.05, cx + 0.04, cy + 0.29, 0.42, p.metal)
                        room.add(cx - 0.3, cy - 0.05, 0.0, cx + 0.3, cy + 0.55, 0.05, p.metal)  # the base
    for k in range(rng.randint(2, max(2, int(d // 1.6)))):  # filing cabinets on the right wall
        y = 1.0 + k * 0.5
        if y > d - 1.0:
            break
        with room.thing("filing_cabinet", CABINETS):
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
    wall_panel(
        room,
        rng.uniform(0.5, w - 3.5),
        d * 0.3,
        1.35,  # above the filing cabinets
        2.4,
        1.0,
        (245, 245, 245),
        wall=rng.choice(["far_x", "far_y"]),
        category="whiteboard",
        fixture=WHITEBOARDS,
    )
    if w > 9:  # conference table in the far right corner
        table(
            room,
            w - 4.2,
            d - 3.0,
            w - 1.4,
            d - 1.6,
            0.75,
            desk,
            p.dark,
            shelf=False,
            category="conference_table",
            fixture=CONFERENCE,
        )
