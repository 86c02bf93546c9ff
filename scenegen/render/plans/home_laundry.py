"""The furnishing plan of a home laundry."""

from __future__ import annotations

from scenegen.render.furniture import FRONT_NEG_Y, counter_run, detail, ellipse, grid, rect
from scenegen.render.rooms import Room

MACHINES = "front-loading washer and dryer side by side"
COUNTER = "a folding counter"
CABINETS = "wall cabinets above the machines"
SINK = "a utility sink"
BASKETS = "laundry baskets"
IRONING = "an ironing board"


def home_laundry(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    white = rng.choice([(238, 238, 236), (225, 228, 232), (70, 72, 78)])
    start = x = w * rng.uniform(0.22, 0.4)
    for kind in ("washer", "dryer"):
        drum = (80, 110, 140) if kind == "washer" else (60, 62, 66)
        with room.thing(kind, MACHINES):
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
                        (ellipse(0.5, 0.45, 0.22, 0.17), drum, False),
                        (rect(0.05, 0.86, 0.95, 0.96), (200, 202, 205), False),
                    )
                ],
            )
        x += 0.72
    if x + 0.6 < w - 0.05:
        counter_run(
            room,
            x + 0.05,
            d - 0.65,
            w - 0.05,
            d - 0.05,
            0.9,
            p.wood,
            white,
            FRONT_NEG_Y,
            doors=2,
            category="cabinet",
            fixture=COUNTER,
        )
    with room.thing("folding_counter", COUNTER):
        room.add(start, d - 0.75, 0.88, x, d - 0.05, 0.92, p.wood)  # over the machines
        room.surface(start, d - 0.75, x, d - 0.05, 0.92)
    with room.thing("wall_cabinet", CABINETS):
        room.add(
            start - 0.1,
            d - 0.38,
            rng.uniform(1.45, 1.6),
            w - 0.05,
            d - 0.05,
            2.2,
            room.jitter(white, 6),
            details=[grid(FRONT_NEG_Y, 4, 1, white, handle=p.metal)],
        )
    with room.thing("utility_sink", SINK):
        room.add(0.05, d - 1.3, 0, 0.6, d - 0.7, 0.85, white)
        room.add(0.05, d - 1.3, 0.85, 0.6, d - 0.7, 0.9, (200, 205, 210))
    for _ in range(int(1 + 2 * room.busy)):
        bx, by = rng.uniform(0.9, w - 1.2), rng.uniform(d * 0.45, d - 1.2)
        colour = rng.choice([(80, 140, 200), (230, 230, 230), (200, 80, 80)])
        with room.thing("laundry_basket", BASKETS, yaw_deg=rng.uniform(-45, 45), pivot=(bx + 0.27, by + 0.2)):
            room.add(bx, by, 0, bx + 0.55, by + 0.4, 0.32, colour)
    with room.thing("ironing_board", IRONING):  # folded on the wall
        room.add(w - 0.12, 0.5, 0, w - 0.05, min(1.7, d - 0.75), 1.3, (180, 185, 190))  # clear of the cabinet
