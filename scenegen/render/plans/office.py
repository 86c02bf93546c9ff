"""The furnishing plan of an office: clusters of desks, each with a pedestal of drawers beside its kneehole;
filing cabinets, a copier and a supply cupboard along the right-hand wall, and a door out at its far end."""

from __future__ import annotations

from scenegen.render.cabinets import drawer_stack, personnel_door, tall_cabinet
from scenegen.render.fixtures import FRONT_M, GAP_M, HANDLE_M, PANEL_M, Front, carcass, drawer, lid
from scenegen.render.furniture import FRONT_NEG_Y, FRONT_POS_Y, TOP, detail, rect, table, wall_panel
from scenegen.render.geometry import Color, Joint
from scenegen.render.rooms import Room

DESKS = "rows of desks with monitors"
CHAIRS = "task chairs"
CONFERENCE = "a conference table"
CABINETS = "filing cabinets"
WHITEBOARDS = "whiteboards"
SUPPLIES = "printers and a supply shelf"

DESK_W, DESK_D, DESK_TOP = 1.4, 0.75, 0.70  # a desk's top: its size and the height of its underside
PEDESTAL_W, PEDESTAL_INSET = 0.42, 0.025  # the pedestal's fronts sit under the top's edge
LEG_M = 0.05
DRAWER_LEVELS = (0.0, 0.36, 0.53, DESK_TOP)  # a file drawer under two box drawers
WALL_GAP_M = 0.05  # between a wall fixture's back and the wall
CABINET_PITCH, CABINET_W, CABINET_D = 0.5, 0.45, 0.6
COPIER_W, COPIER_D, COPIER_H = 0.6, 0.6, 0.98
CUPBOARD_W, CUPBOARD_D, CUPBOARD_H = 1.0, 0.5, 2.0
PAPER: Color = (242, 242, 238)
HANDLE_D = (GAP_M + FRONT_M, GAP_M + FRONT_M + HANDLE_M)


def office(room: Room) -> None:
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    desk, chair = p.wood, p.dark
    pitch_x, pitch_y = rng.uniform(3.2, 4.2), rng.uniform(2.8, 3.6)
    screen = (70, 110, 160) if room.busy > 0.5 else (20, 22, 26)
    # the conference table in the far right corner, back to the far wall: it cut into the last row of
    # desks in a small room; a desk whose chair or open drawers would still reach it gives way to it
    conference = (w - 4.2, d - 2.3, w - 1.4, d - 0.9) if w > 9 else None
    for i in range(max(1, int((w - 4) // pitch_x))):
        for j in range(max(1, int((d - 4) // pitch_y))):
            x, y = 3.0 + i * pitch_x, 2.6 + j * pitch_y
            for dx, dy in ((0, 0), (1.45, 0), (0, 0.8), (1.45, 0.8)):
                x0, y0 = x + dx, y + dy
                facing_y = dy == 0  # its sitter on the -y side, its monitor on the far half
                near, far = (0.65, 0.0) if facing_y else (0.0, 0.65)  # its chair's and drawers' reach
                reach = (x0 - 0.05, y0 - near, x0 + DESK_W + 0.05, y0 + DESK_D + far)
                if conference and _overlap(reach, conference):
                    continue
                high = rng.random() < 0.5  # the pedestal at the desk's +x end
                _desk(room, x0, y0, -1 if facing_y else 1, high, desk, p.metal, p.metal, p.dark)
                # the chair and the monitor centred on the kneehole: a chair's base (0.6 m square) turned by
                # up to 35 degrees reaches 0.42 m from its centre, clear of the legs and the drawers
                kneehole = (DESK_W - PEDESTAL_W + LEG_M) / 2
                cx = x0 + kneehole if high else x0 + DESK_W - kneehole
                my = y0 + (0.55 if facing_y else 0.15)
                with room.thing("monitor", DESKS):
                    room.add(
                        cx - 0.25,
                        my,
                        0.74,
                        cx + 0.25,
                        my + 0.05,
                        1.08,
                        (25, 25, 28),
                        details=[
                            detail(
                                FRONT_NEG_Y if facing_y else FRONT_POS_Y,  # the screen towards the sitter
                                (rect(0.05, 0.08, 0.95, 0.95), screen, room.busy > 0.5),
                            )
                        ],
                    )
                if rng.random() < 0.85:
                    # pulled up to the desk on either side, clear of the next row's chairs and drawers
                    cy = y0 - 0.45 if facing_y else y0 + DESK_D - 0.05
                    with room.thing("chair", CHAIRS, yaw_deg=rng.uniform(-35, 35), pivot=(cx, cy + 0.25)):
                        room.add(cx - 0.25, cy, 0.42, cx + 0.25, cy + 0.5, 0.5, chair)
                        back = cy if facing_y else cy + 0.45
                        room.add(cx - 0.25, back, 0.5, cx + 0.25, back + 0.05, 1.0, chair)
                        room.add(cx - 0.04, cy + 0.21, 0.05, cx + 0.04, cy + 0.29, 0.42, p.metal)
                        room.add(cx - 0.3, cy - 0.05, 0.0, cx + 0.3, cy + 0.55, 0.05, p.metal)  # the base
    _right_wall(room)
    if conference:
        table(
            room,
            *conference,
            0.75,
            desk,
            p.dark,
            shelf=False,
            category="conference_table",
            fixture=CONFERENCE,
        )


def _right_wall(room: Room) -> None:
    """Along x = width, from the near end: filing cabinets (a whiteboard may hang over them), a copier and
    a supply cupboard; a door out near the far corner, its swing clear of them all."""
    w, d, rng, p = room.width, room.depth, room.rng, room.palette
    door_y = d - rng.uniform(1.35, 1.7)
    personnel_door(room, Front((0, -1), w), door_y, p.wood, p.metal, hinge=rng.choice(("low", "high")))
    # what must follow the filing cabinets before the door's frame, with gaps
    others = 0.1 + COPIER_W + 0.15 + CUPBOARD_W + 0.25
    cabinets, y = rng.randint(2, max(2, int(d // 1.6))), 1.0
    for _ in range(cabinets):
        if y + CABINET_W + others > door_y - 0.06:
            break
        front = Front((0, -1), w - WALL_GAP_M - CABINET_D)
        looks = dict(category="filing_cabinet", fixture=CABINETS, drawers=rng.choice((3, 4, 4)))
        drawer_stack(room, front, y, y + CABINET_W, CABINET_D, 1.3, room.jitter(p.metal, 6), p.dark, **looks)
        y += CABINET_PITCH
    filed = y - (CABINET_PITCH - CABINET_W)
    board = rng.choice(["far_x", "far_y"])
    board_y = max(0.4, (1.0 + filed) / 2 - 1.2)  # centred over the filing cabinets
    if board == "far_x" and max(filed, board_y + 2.4) + others > door_y - 0.06:
        board = "far_y"  # no room for the copier and the cupboard beyond it
    board_x = rng.uniform(0.5, w - 3.5)
    wall_panel(
        room,
        board_x,
        board_y,
        1.35,  # above the filing cabinets
        2.4,
        1.0,
        (245, 245, 245),
        wall=board,
        category="whiteboard",
        fixture=WHITEBOARDS,
    )
    y = max(filed, board_y + 2.4 if board == "far_x" else 0.0) + 0.1  # tall things clear of the board
    _copier(room, Front((0, -1), w - WALL_GAP_M - COPIER_D), y, p.dark)
    y += COPIER_W + 0.15
    cupboard = Front((0, -1), w - WALL_GAP_M - CUPBOARD_D)
    body = room.jitter((222, 220, 212), 8)
    shape = dict(category="cabinet", fixture=SUPPLIES, doors=2, shelves=4)
    tall_cabinet(room, cupboard, y, y + CUPBOARD_W, CUPBOARD_D, CUPBOARD_H, body, p.dark, **shape)


def _desk(
    room: Room, x0, y0, sitter: int, high: bool, top: Color, legs: Color, body: Color, handle: Color
) -> None:
    """A desk whose top stands on two legs at one end and on a pedestal of drawers at the other (its +x end
    when `high`), the drawers facing the sitter's side of it (-y or +y)."""
    x1, y1 = x0 + DESK_W, y0 + DESK_D
    front = Front((1, sitter), y0 + PEDESTAL_INSET if sitter < 0 else y1 - PEDESTAL_INSET)
    u0, u1 = (x1 - PEDESTAL_W, x1) if high else (x0, x0 + PEDESTAL_W)
    depth = DESK_D - PEDESTAL_INSET - 0.02
    with room.thing("desk", DESKS):
        room.add(x0, y0, DESK_TOP, x1, y1, DESK_TOP + 0.04, top)
        lx = x0 if high else x1 - LEG_M
        for ly in (y0, y1 - LEG_M):
            room.add(lx, ly, 0, lx + LEG_M, ly + LEG_M, DESK_TOP, legs)
        # the pedestal's sides alone: the top closes it, and its solid drawers fill it
        for side in (u0, u1 - PANEL_M):
            room.add(*front.box(side, side + PANEL_M, 0.0, DESK_TOP, -depth, 0), body)
        for k in range(len(DRAWER_LEVELS) - 1):
            v0, v1 = DRAWER_LEVELS[k], DRAWER_LEVELS[k + 1]
            _solid_drawer(room, front, u0, u1, v0, v1, depth - 0.02, body, handle, part=f"drawer_{k}")
        room.surface(x0, y0, x1, y1, DESK_TOP + 0.04)


def _solid_drawer(
    room: Room, front: Front, u0, u1, v0, v1, depth, colour: Color, handle: Color, *, part: str
) -> None:
    """A drawer of three boxes, front, handle and a solid body whose top is drawn as its hollow: an office
    has dozens of desks, and each box of a moving part costs the physics checks a pair with every box within
    10 cm of it, and the render a clearance test at each step of its slide."""
    a0, a1, b0, b1 = u0 + GAP_M, u1 - GAP_M, v0 + GAP_M, v1 - GAP_M
    centre = front.point((a0 + a1) / 2, (b0 + b1) / 2, GAP_M + FRONT_M / 2)
    x, y, z = (float(c) for c in front.direction(d=1.0))
    joint = room.joint(Joint(part, "prismatic", (x, y, z), centre, 0.75 * depth))
    room.add(*front.box(a0, a1, b0, b1, GAP_M, GAP_M + FRONT_M), colour, joint=joint)
    middle, grip = (a0 + a1) / 2, min(0.12, (a1 - a0) / 3)
    bar = (b0 + b1) / 2 + 0.125 * (b1 - b0)
    room.add(
        *front.box(middle - grip, middle + grip, bar - 0.012, bar + 0.012, *HANDLE_D), handle, joint=joint
    )
    inner = front.box(u0 + PANEL_M + GAP_M, u1 - PANEL_M - GAP_M, b0 + 0.02, b1 - 0.04, -depth, 0)
    across = inner[3 + front.across] - inner[front.across]
    margin_u, margin_d = 0.012 / across, 0.012 / depth
    hollow = rect(margin_u, margin_d, 1 - margin_u, 1 - margin_d)
    if front.out[0] == 0:  # the top's u runs along x, v along y
        hollow = rect(margin_d, margin_u, 1 - margin_d, 1 - margin_u)
    shade = tuple(c * 0.55 for c in colour)
    room.add(*inner, colour, details=[detail(TOP, (hollow, shade, False))], joint=joint)


def _copier(room: Room, front: Front, u0: float, dark: Color) -> None:
    """A floor-standing copier: two paper trays that slide out of its foot, paper in them, and the scanner's
    lid on top, which lifts at the front; a control panel stands in front of the lid."""
    u1, shell = u0 + COPIER_W, (226, 226, 222)
    with room.thing("printer", SUPPLIES):
        carcass(room, front, u0, u1, 0.0, COPIER_H, COPIER_D, shell)
        room.add(*front.box(u0 + PANEL_M, u1 - PANEL_M, 0.0, 0.06, -PANEL_M, 0), dark)  # the kick
        display = detail(front.out, (rect(0.1, 0.15, 0.45, 0.85), (40, 60, 70), room.busy > 0.5))
        body = front.box(u0 + PANEL_M, u1 - PANEL_M, 0.38, COPIER_H - PANEL_M, -PANEL_M, 0)
        room.add(*body, shell, details=[display])
        for k, (v0, v1) in enumerate(((0.06, 0.22), (0.22, 0.38))):
            inside = COPIER_D - PANEL_M - 0.04
            tray = drawer(room, front, u0, u1, v0, v1, inside, shell, dark, part=f"tray_{k}")
            stack = front.box(u0 + 0.06, u1 - 0.06, v0 + 0.035, v0 + 0.08, -inside + 0.03, -0.03)
            room.add(*stack, PAPER, joint=tray)
        room.add(*front.box(u0 + 0.05, u1 - 0.05, COPIER_H, COPIER_H + 0.04, -0.095, -GAP_M), dark)  # panel
        lid(room, front, u0, u1, -COPIER_D + 0.02, -0.12, COPIER_H, shell, part="lid")


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether two plan rectangles (x0, y0, x1, y1) overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
