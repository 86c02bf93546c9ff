"""The furnishing plan of a lab."""

from __future__ import annotations

from scenegen.render.rooms import (
    FRONT_NEG_X,
    FRONT_NEG_Y,
    Room,
    counter_run,
    detail,
    grid,
    rect,
    shelving,
)


def lab(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    epoxy, cabinet = (30, 32, 34), (232, 232, 228)
    for k in range(max(1, int((w - 3) // 3.2))):  # peninsula benches with reagent shelves
        x = 3.0 + k * 3.2
        counter_run(room, x, d * 0.3, x + 1.5, d - 1.2, 0.92, epoxy, cabinet, FRONT_NEG_X, doors=4)
        shelving(room, x + 0.6, d * 0.3, x + 0.9, d - 1.2, 2.0, 2, (160, 165, 170), FRONT_NEG_X)
        for _ in range(int(2 + 5 * room.busy)):
            px, py = rng.uniform(x + 0.05, x + 0.5), rng.uniform(d * 0.3, d - 1.5)
            room.add(
                px,
                py,
                0.92,
                px + rng.uniform(0.2, 0.45),
                py + rng.uniform(0.2, 0.4),
                0.92 + rng.uniform(0.15, 0.45),
                rng.choice([(235, 235, 235), (60, 62, 66), (90, 140, 200)]),
            )
    for k in range(max(1, int((w - 2) // 2.4))):  # fume hoods on the far wall
        x = 0.8 + k * 2.4
        room.add(x, d - 0.9, 0, x + 1.8, d - 0.05, 0.9, cabinet, details=[grid(FRONT_NEG_Y, 2, 1, cabinet)])
        room.add(
            x,
            d - 0.9,
            0.9,
            x + 1.8,
            d - 0.05,
            2.4,
            (205, 210, 212),
            details=[
                detail(
                    FRONT_NEG_Y,
                    (rect(0.06, 0.08, 0.94, 0.8), (170, 195, 205), False),
                    (rect(0.06, 0.42, 0.94, 0.45), (120, 125, 130), False),
                )
            ],
        )
        room.add(x + 0.6, d - 0.5, 2.4, x + 1.2, d - 0.2, room.height, (200, 204, 208))
    counter_run(room, w - 0.8, 1.5, w - 0.05, d - 1.2, 0.92, epoxy, cabinet, FRONT_NEG_X, doors=5)
    room.add(w - 0.3, 1.7, 1.4, w - 0.05, 2.1, 2.0, (40, 170, 80))  # eyewash station
