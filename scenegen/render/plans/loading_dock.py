"""The furnishing plan of a loading dock."""

from __future__ import annotations

from scenegen.render.rooms import (
    CARDBOARD,
    FRONT_NEG_Y,
    TOP,
    Room,
    detail,
    rect,
    slats,
)


def loading_dock(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    doors = max(2, int((w - 2) // 4.2))
    for k in range(doors):
        x = 1.6 + k * 4.2
        door = room.add(x, d - 0.08, 1.2, x + 2.7, d - 0.01, 4.2, (150, 152, 156))
        if rng.random() < 0.25 + 0.5 * room.busy:  # open: the trailer or the yard shows through
            outside = room.window if rng.random() < 0.5 else (30, 30, 34)
            door.details.append(detail(FRONT_NEG_Y, (rect(0.0, 0.0, 1.0, 0.9), outside, True)))
            room.add(x, d - 0.5, 3.8, x + 2.7, d - 0.08, 4.2, (120, 122, 126))  # the rolled-up door
        else:
            door.details.append(slats(FRONT_NEG_Y, 10, (120, 122, 126)))
        room.add(
            x,
            d - 2.4,
            1.18,
            x + 2.7,
            d - 0.08,
            1.2,
            (90, 92, 96),
            details=[detail(TOP, (rect(0.0, 0.0, 1.0, 0.06), (240, 200, 30), False))],
        )  # leveler
        room.add(x - 0.3, d - 0.35, 0.9, x - 0.05, d - 0.05, 1.5, (20, 20, 22))  # bumpers
        room.add(x + 2.75, d - 0.35, 0.9, x + 3.0, d - 0.05, 1.5, (20, 20, 22))
        room.add(x + 1.2, d - 3.0, 0, x + 1.5, d - 2.7, 1.2, (240, 200, 30))  # bollard
    room.add(0, d - 2.4, 0, w, d, 1.18, room.jitter(p.floor, 6))  # the raised dock apron
    for _ in range(int(3 + 6 * room.density)):  # staged freight
        x, y = rng.uniform(2.5, w - 2.5), rng.uniform(3.0, d - 4.5)
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
    room.add(1.0, 2.0, 0, w - 1.0, 2.12, 0.004, (240, 200, 30))  # safety stripe
