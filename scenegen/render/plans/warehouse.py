"""The furnishing plan of a warehouse."""

from __future__ import annotations

from scenegen.render.rooms import (
    CARDBOARD,
    FRONT_NEG_Y,
    Room,
    grid,
    table,
)


def warehouse(room: Room) -> None:
    w, d, h, rng = room.width, room.depth, room.height, room.rng
    upright, beam = (40, 80, 160), (230, 110, 20)
    levels = max(2, int((h - 1.5) // 1.7))
    bay = 2.7
    rows = max(2, int((d - 5) // 4.2))
    for r in range(rows):
        y0 = 4.0 + r * 4.2
        x0, x1 = 3.5, w - 1.0
        bays = int((x1 - x0) // bay)
        x1 = x0 + bays * bay
        for k in range(bays + 1):
            x = x0 + k * bay
            room.add(x, y0, 0, x + 0.1, y0 + 0.1, levels * 1.7 + 0.4, upright)
            room.add(x, y0 + 1.1, 0, x + 0.1, y0 + 1.2, levels * 1.7 + 0.4, upright)
        for lv in range(levels + 1):
            z = 0.15 + lv * 1.7
            if lv:
                room.add(x0, y0, z - 0.14, x1, y0 + 0.06, z, beam)
                room.add(x0, y0 + 1.14, z - 0.14, x1, y0 + 1.2, z, beam)
            for k in range(bays):
                for slot in range(2):
                    if rng.random() > 0.55 + 0.3 * min(1.0, room.density):
                        continue
                    px = x0 + k * bay + 0.2 + slot * 1.25
                    room.add(
                        px, y0 + 0.08, z, px + 1.1, y0 + 1.12, z + 0.14, room.jitter(room.palette.wood, 15)
                    )
                    load = rng.uniform(0.6, 1.35)
                    wrap = rng.random() < 0.5
                    room.add(
                        px + 0.03,
                        y0 + 0.1,
                        z + 0.14,
                        px + 1.07,
                        y0 + 1.1,
                        z + 0.14 + load,
                        room.jitter((205, 210, 215) if wrap else CARDBOARD, 18),
                        details=[] if wrap else [grid(FRONT_NEG_Y, 2, 2, room.jitter(CARDBOARD, 25), 0.03)],
                    )
        room.surface(x0, y0 - 1.3, x1, y0 - 0.9, 0.0)
    for r in range(rows + 1):  # painted aisle lines
        y = 3.4 + r * 4.2
        room.add(2.5, y, 0, w - 0.5, y + 0.1, 0.004, (235, 200, 40))
    # tote picking stations near the camera side, a pallet jack
    for k in range(3):
        x = 3.0 + k * 2.2
        table(room, x, 1.4, x + 1.6, 2.1, 0.9, room.palette.metal, room.palette.dark)
        for t in range(int(1 + 2 * room.busy)):
            room.add(x + 0.1 + t * 0.5, 1.5, 0.9, x + 0.5 + t * 0.5, 1.95, 1.15, (40, 90, 170))
    room.add(w - 3.2, 2.0, 0, w - 2.0, 2.55, 0.12, (200, 40, 30))
    room.add(w - 3.2, 2.15, 0.12, w - 3.05, 2.4, 1.1, (200, 40, 30))
