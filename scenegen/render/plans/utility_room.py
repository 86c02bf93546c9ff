"""The furnishing plan of a utility room."""

from __future__ import annotations

from scenegen.render.rooms import (
    FRONT_NEG_X,
    FRONT_NEG_Y,
    Room,
    detail,
    grid,
    rect,
)


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
