"""The furnishing plan of a home laundry."""

from __future__ import annotations

from scenegen.render.rooms import (
    FRONT_NEG_Y,
    Room,
    counter_run,
    detail,
    ellipse,
    grid,
    rect,
)


def home_laundry(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    white = (238, 238, 236)
    x = w * 0.3
    for kind in ("washer", "dryer"):
        room.add(
            x,
            d - 0.72,
            0,
            x + 0.68,
            d - 0.05,
            0.88,
            white,
            details=[
                detail(
                    FRONT_NEG_Y,
                    (ellipse(0.5, 0.45, 0.3, 0.24), (150, 155, 160), False),
                    (
                        ellipse(0.5, 0.45, 0.22, 0.17),
                        (80, 110, 140) if kind == "washer" else (60, 62, 66),
                        False,
                    ),
                    (rect(0.05, 0.86, 0.95, 0.96), (200, 202, 205), False),
                )
            ],
        )
        x += 0.72
    counter_run(room, x + 0.05, d - 0.65, w - 0.05, d - 0.05, 0.9, p.wood, white, FRONT_NEG_Y, doors=2)
    room.add(w * 0.3, d - 0.75, 0.88, x, d - 0.05, 0.92, p.wood)  # folding top over the machines
    room.surface(w * 0.3, d - 0.75, x, d - 0.05, 0.92)
    room.add(
        w * 0.25,
        d - 0.38,
        1.5,
        w - 0.05,
        d - 0.05,
        2.2,
        room.jitter(white, 6),
        details=[grid(FRONT_NEG_Y, 4, 1, white, handle=p.metal)],
    )
    room.add(0.05, d - 1.3, 0, 0.6, d - 0.7, 0.85, white)  # utility sink
    room.add(0.05, d - 1.3, 0.85, 0.6, d - 0.7, 0.9, (200, 205, 210))
    for _ in range(int(1 + 2 * room.busy)):  # laundry baskets
        bx, by = rng.uniform(0.9, w - 1.2), rng.uniform(d * 0.45, d - 1.2)
        room.add(
            bx, by, 0, bx + 0.55, by + 0.4, 0.32, rng.choice([(80, 140, 200), (230, 230, 230), (200, 80, 80)])
        )
    room.add(w - 0.12, 0.5, 0, w - 0.05, 1.7, 1.3, (180, 185, 190))  # ironing board, folded on the wall
