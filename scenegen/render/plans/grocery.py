"""The furnishing plan of a grocery."""

from __future__ import annotations

from scenegen.render.rooms import (
    CARDBOARD,
    FRONT_NEG_X,
    FRONT_NEG_Y,
    FRONT_POS_X,
    PRODUCT_COLOURS,
    Room,
    detail,
    grid,
    products,
    rect,
)


def grocery(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    # refrigerated cases along the far wall, glowing behind glass doors
    cases = max(2, int((w - 2) // 2.6))
    for k in range(cases):
        x = 1.0 + k * 2.6
        doors = [
            (rect(0.02 + j / 3, 0.08, (j + 1) / 3 - 0.02, 0.92), (235, 242, 248), True) for j in range(3)
        ]
        shelves = [(rect(0.03, v, 0.97, v + 0.015), (120, 130, 140), False) for v in (0.3, 0.5, 0.7)]
        goods = [
            (rect(u, v + 0.016, u + 0.03, v + 0.1), rng.choice(PRODUCT_COLOURS), False)
            for v in (0.3, 0.5, 0.7)
            for u in [0.05 + 0.045 * i for i in range(20)]
            if rng.random() < 0.8
        ]
        room.add(
            x,
            d - 1.0,
            0,
            x + 2.5,
            d - 0.05,
            2.2,
            (215, 218, 222),
            details=[detail(FRONT_NEG_Y, *doors, *shelves, *goods)],
        )
    # gondola aisles running toward the far wall
    aisles = max(2, int((w - 6) // 3.0))
    for k in range(aisles):
        x = 4.0 + k * 3.0
        y0, y1 = 3.2, d - 3.0
        room.add(x, y0, 0, x + 1.0, y1, 0.15, room.palette.dark)
        room.add(x + 0.46, y0, 0.15, x + 0.54, y1, 1.9, room.palette.metal)
        for lv in range(4):
            z = 0.2 + lv * 0.42
            room.add(x, y0, z, x + 1.0, y1, z + 0.03, room.palette.metal)
            if rng.random() < 0.6 + 0.4 * min(1.0, room.density):
                for near, far, face in ((0.02, 0.45, FRONT_NEG_X), (0.55, 0.98, FRONT_POS_X)):  # both sides
                    goods = room.jitter(CARDBOARD, 10)
                    room.add(
                        x + near,
                        y0,
                        z + 0.03,
                        x + far,
                        y1,
                        z + 0.33,
                        goods,
                        details=[products(rng, face, y1 - y0)],
                    )
        room.add(x, y0 - 0.05, 0.15, x + 1.0, y0, 1.9, room.palette.accent)  # end cap
        room.add(
            x + 0.3,
            (y0 + y1) / 2,
            room.height - 1.2,
            x + 0.7,
            (y0 + y1) / 2 + 0.9,
            room.height - 0.8,
            room.palette.accent,
        )  # hanging aisle sign
        room.add(
            x + 0.49,
            (y0 + y1) / 2 + 0.4,
            room.height - 0.8,
            x + 0.51,
            (y0 + y1) / 2 + 0.42,
            room.height,
            room.palette.dark,
        )
    # checkout lanes along the near side, produce tables
    for k in range(max(2, int((w - 8) // 3.5))):
        x = 5.0 + k * 3.5
        room.add(
            x,
            1.2,
            0,
            x + 2.2,
            1.8,
            0.85,
            room.palette.accent,
            details=[grid(FRONT_NEG_Y, 2, 1, room.jitter(room.palette.accent, 20))],
        )
        room.add(x, 1.25, 0.85, x + 1.7, 1.75, 0.88, (30, 30, 32))
        room.surface(x, 1.25, x + 1.7, 1.75, 0.88)
    for k in range(2):
        y = d * 0.3 + k * 2.2
        room.add(1.2, y, 0, 2.6, y + 1.4, 0.8, room.palette.wood)
        for _ in range(10):
            px, py = rng.uniform(1.25, 2.4), rng.uniform(y + 0.05, y + 1.2)
            room.add(
                px,
                py,
                0.8,
                px + 0.18,
                py + 0.18,
                0.92,
                rng.choice([(220, 50, 40), (240, 160, 30), (90, 170, 60), (240, 220, 60)]),
            )
    for _ in range(int(2 + 4 * room.busy)):
        x = rng.uniform(3.0, w - 3.0)
        room.add(x, 2.4, 0.15, x + 0.55, 3.0, 0.95, (150, 155, 160))
