"""The furnishing plan of a lab."""

from __future__ import annotations

from scenegen.render.furniture import FRONT_NEG_X, FRONT_NEG_Y, counter_run, detail, grid, rect, shelving
from scenegen.render.rooms import Room

BENCHES = "epoxy-topped lab benches with reagent shelves"
HOODS = "chemical fume hoods"
INSTRUMENTS = "microscopes and centrifuges"
GLASSWARE = "glassware on shelves"
EYEWASH = "eyewash and safety shower station"


def lab(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    epoxy = rng.choice([(30, 32, 34), (40, 44, 50), (55, 58, 60)])
    cabinet = rng.choice([(232, 232, 228), (210, 220, 230), (225, 215, 190)])
    spacing = rng.uniform(2.8, 3.6)
    start, stop = d * rng.uniform(0.25, 0.4), d - rng.uniform(1.1, 1.8)
    for k in range(max(1, int((w - 3) // spacing))):  # peninsula benches with reagent shelves
        x = 3.0 + k * spacing
        if x + 1.5 > w - 1.0:
            break
        counter_run(
            room,
            x,
            start,
            x + 1.5,
            stop,
            0.92,
            epoxy,
            cabinet,
            FRONT_NEG_X,
            doors=4,
            category="lab_bench",
            fixture=BENCHES,
        )
        shelving(
            room,
            x + 0.6,
            start,
            x + 0.9,
            stop,
            1.1,
            2,
            (160, 165, 170),
            FRONT_NEG_X,
            category="reagent_shelf",
            fixture=GLASSWARE,
            base=0.92,  # on the bench's top
        )
        for _ in range(int(2 + 5 * room.busy)):
            px, py = rng.uniform(x + 0.05, x + 0.5), rng.uniform(start, stop - 0.4)
            with room.thing("instrument", INSTRUMENTS):
                room.add(
                    px,
                    py,
                    0.92,
                    px + rng.uniform(0.2, 0.45),
                    py + rng.uniform(0.2, 0.4),
                    0.92 + rng.uniform(0.15, 0.45),
                    rng.choice([(235, 235, 235), (60, 62, 66), (90, 140, 200)]),
                )
    hood_width = rng.uniform(1.5, 2.0)
    for k in range(max(1, int((w - 2) // (hood_width + 0.6)))):  # fume hoods on the far wall
        x = 0.8 + k * (hood_width + 0.6)
        with room.thing("fume_hood", HOODS):
            room.add(
                x,
                d - 0.9,
                0,
                x + hood_width,
                d - 0.05,
                0.9,
                cabinet,
                details=[grid(FRONT_NEG_Y, 2, 1, cabinet)],
            )
            room.add(
                x,
                d - 0.9,
                0.9,
                x + hood_width,
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
    counter_run(
        room,
        w - 0.8,
        1.5,
        w - 0.05,
        d - 1.2,
        0.92,
        epoxy,
        cabinet,
        FRONT_NEG_X,
        doors=5,
        category="lab_bench",
        fixture=BENCHES,
    )
    with room.thing("eyewash_station", EYEWASH):
        room.add(w - 0.3, 1.0, 1.4, w - 0.05, 1.4, 2.0, (40, 170, 80))
