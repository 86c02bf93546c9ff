"""The furnishing plan of a grocery."""

from __future__ import annotations

from scenegen.render.furniture import (
    FRONT_NEG_X,
    FRONT_NEG_Y,
    FRONT_POS_X,
    PRODUCT_COLOURS,
    detail,
    grid,
    products,
    rect,
)
from scenegen.render.rooms import CARDBOARD, Room

GONDOLAS = "gondola shelving aisles stocked with packaged goods"
CASES = "glass-door refrigerated cases"
PRODUCE = "open produce displays"
CHECKOUT = "checkout lanes with conveyor belts"
CARTS = "shopping carts"
SIGNS = "hanging aisle signs"


def grocery(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    # refrigerated cases along the far wall, glowing behind glass doors
    case_width = rng.uniform(2.2, 3.0)
    for k in range(max(2, int((w - 2) // (case_width + 0.1)))):
        x = 1.0 + k * (case_width + 0.1)
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
        with room.thing("refrigerated_case", CASES):
            room.add(
                x,
                d - 1.0,
                0,
                x + case_width,
                d - 0.05,
                2.2,
                (215, 218, 222),
                details=[detail(FRONT_NEG_Y, *doors, *shelves, *goods)],
            )
    # gondola aisles running toward the far wall
    spacing = rng.uniform(2.7, 3.6)
    first = rng.uniform(3.5, 5.0)
    y0, y1 = rng.uniform(2.8, 3.8), d - rng.uniform(2.6, 3.6)
    shelf_levels = rng.choice((3, 4, 4, 5))
    for k in range(max(2, int((w - first - 1.5) // spacing))):
        x = first + k * spacing
        with room.thing("gondola", GONDOLAS):
            room.add(x, y0, 0, x + 1.0, y1, 0.15, p.dark)
            room.add(x + 0.46, y0, 0.15, x + 0.54, y1, 1.9, p.metal)
            for level in range(shelf_levels):
                z = 0.2 + level * 1.7 / shelf_levels
                room.add(x, y0, z, x + 1.0, y1, z + 0.03, p.metal)
                if rng.random() < 0.6 + 0.4 * min(1.0, room.density):
                    for near, far, face in (
                        (0.02, 0.45, FRONT_NEG_X),
                        (0.55, 0.98, FRONT_POS_X),
                    ):  # both sides
                        room.add(
                            x + near,
                            y0,
                            z + 0.03,
                            x + far,
                            y1,
                            z + 1.2 / shelf_levels,
                            room.jitter(CARDBOARD, 10),
                            details=[products(rng, face, y1 - y0)],
                        )
            room.add(x, y0 - 0.05, 0.15, x + 1.0, y0, 1.9, p.accent)  # end cap
        with room.thing("aisle_sign", SIGNS):
            middle = (y0 + y1) / 2
            room.add(x + 0.3, middle, room.height - 1.2, x + 0.7, middle + 0.9, room.height - 0.8, p.accent)
            room.add(x + 0.49, middle + 0.4, room.height - 0.8, x + 0.51, middle + 0.42, room.height, p.dark)
    # checkout lanes along the near side, produce tables
    for k in range(max(2, int((w - 8) // 3.5))):
        x = 5.0 + k * 3.5
        with room.thing("checkout", CHECKOUT):
            room.add(
                x,
                1.2,
                0,
                x + 2.2,
                1.8,
                0.85,
                p.accent,
                details=[grid(FRONT_NEG_Y, 2, 1, room.jitter(p.accent, 20))],
            )
            room.add(x, 1.25, 0.85, x + 1.7, 1.75, 0.88, (30, 30, 32))
            room.surface(x, 1.25, x + 1.7, 1.75, 0.88)
    for k in range(rng.choice((1, 2, 2, 3))):
        y = d * 0.3 + k * 2.2
        if y + 1.4 > d - 1.5:
            break
        with room.thing("produce_display", PRODUCE):
            room.add(1.2, y, 0, 2.6, y + 1.4, 0.8, p.wood)
            for _ in range(10):
                px, py = rng.uniform(1.25, 2.4), rng.uniform(y + 0.05, y + 1.2)
                colour = rng.choice([(220, 50, 40), (240, 160, 30), (90, 170, 60), (240, 220, 60)])
                room.add(px, py, 0.8, px + 0.18, py + 0.18, 0.92, colour)
    for _ in range(int(2 + 4 * room.busy)):
        x = rng.uniform(3.0, w - 3.0)
        with room.thing("shopping_cart", CARTS, yaw_deg=rng.uniform(-30, 30), pivot=(x + 0.27, 2.7)):
            room.add(x, 2.4, 0.15, x + 0.55, 3.0, 0.95, (150, 155, 160))
