"""The furnishing plan of an office."""

from __future__ import annotations

from scenegen.render.rooms import (
    FRONT_NEG_X,
    FRONT_NEG_Y,
    Room,
    detail,
    grid,
    rect,
    table,
    wall_panel,
)


def office(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    desk, chair = p.wood, p.dark
    clusters_x = max(1, int((w - 4) // 3.6))
    clusters_y = max(1, int((d - 4) // 3.2))
    for i in range(clusters_x):
        for j in range(clusters_y):
            x, y = 3.0 + i * 3.6, 2.6 + j * 3.2
            for dx, dy in ((0, 0), (1.45, 0), (0, 0.8), (1.45, 0.8)):
                table(room, x + dx, y + dy, x + dx + 1.4, y + dy + 0.75, 0.74, desk, p.metal, shelf=False)
                facing_y = dy == 0
                my = y + dy + (0.55 if facing_y else 0.15)
                room.add(
                    x + dx + 0.45,
                    my,
                    0.74,
                    x + dx + 0.95,
                    my + 0.05,
                    1.08,
                    (25, 25, 28),
                    details=[
                        detail(
                            FRONT_NEG_Y,
                            (
                                rect(0.05, 0.08, 0.95, 0.95),
                                (70, 110, 160) if room.busy > 0.5 else (20, 22, 26),
                                room.busy > 0.5,
                            ),
                        )
                    ],
                )
                if rng.random() < 0.85:
                    cy = y + dy - 0.45 if facing_y else y + dy + 0.95
                    room.add(x + dx + 0.45, cy, 0.42, x + dx + 0.95, cy + 0.5, 0.5, chair)
                    back = cy if facing_y else cy + 0.45
                    room.add(x + dx + 0.45, back, 0.5, x + dx + 0.95, back + 0.05, 1.0, chair)
    for k in range(max(2, int(d // 1.6))):  # filing cabinets on the right wall
        y = 1.0 + k * 0.5
        if y > d - 1.0:
            break
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
    wall_panel(room, 0, d * 0.3, 1.0, 2.4, 1.2, (245, 245, 245), wall="far_x")  # whiteboard
    if w > 9:  # conference table in the far right corner
        table(room, w - 4.2, d - 3.0, w - 1.4, d - 1.6, 0.75, desk, p.dark, shelf=False)
