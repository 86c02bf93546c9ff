"""The furnishing plan of a lab."""

from __future__ import annotations

from scenegen.render.cabinets import PLINTH_M, personnel_door
from scenegen.render.fixtures import PANEL_M, Front, carcass, door, drawer, lid, sash, shelf
from scenegen.render.furniture import FRONT_NEG_X, TOP, detail, ellipse, rect, shelving
from scenegen.render.geometry import Color
from scenegen.render.rooms import Room

BENCHES = "epoxy-topped lab benches with reagent shelves"
HOODS = "chemical fume hoods"
INSTRUMENTS = "microscopes and centrifuges"
GLASSWARE = "glassware on shelves"
EYEWASH = "eyewash and safety shower station"
BIOSAFETY = "biosafety cabinet"

TOP_Z = 0.92  # the benches' worktop
BODY_Z = TOP_Z - 0.04
BAY_KINDS = ("drawers", "doors", "drawer_door", "door", "doors", "open")  # open: a knee space with a shelf
# A long bench has knee spaces beyond this many cupboards: places to sit and work, and they keep a large lab's
# stage to about a hundred joints, which Newton proves within the validate budget.
MOST_CUPBOARDS = 6
GLASS = (170, 195, 205)
STEEL = (205, 210, 212)

Looks = tuple[Color, Color, Color]  # body, worktop, handle


def lab(room: Room) -> None:
    w, d, rng = room.width, room.depth, room.rng
    epoxy = rng.choice([(30, 32, 34), (40, 44, 50), (55, 58, 60)])
    cabinet = rng.choice([(232, 232, 228), (210, 220, 230), (225, 215, 190)])
    looks = (cabinet, epoxy, room.palette.dark)
    spacing = rng.uniform(2.8, 3.6)
    # the benches stop short of the hoods so that the hoods' cupboard doors open fully
    start, stop = d * rng.uniform(0.25, 0.4), d - rng.uniform(1.5, 2.0)
    for k in range(max(1, int((w - 3) // spacing))):  # peninsula benches with reagent shelves
        x = 3.0 + k * spacing
        if x + 1.5 > w - 1.8:  # an aisle before the wall bench, whose doors open into it
            break
        _bench(room, Front((0, -1), x), start, stop, 0.75, looks, spine=0.75)
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
            base=TOP_Z,  # on the bench's top
        )
        # its lid swings up short of the shelf's posts behind it
        cy = rng.uniform(start + 0.1, max(start + 0.1, stop - 0.65))
        _centrifuge(room, Front((0, -1), x + 0.08), cy, rng.uniform(0.4, 0.5))
        for _ in range(int(2 + 5 * room.busy)):
            px, py = rng.uniform(x + 0.05, x + 0.5), rng.uniform(start, stop - 0.4)
            with room.thing("instrument", INSTRUMENTS):
                room.add(
                    px,
                    py,
                    TOP_Z,
                    px + rng.uniform(0.2, 0.45),
                    py + rng.uniform(0.2, 0.4),
                    TOP_Z + rng.uniform(0.15, 0.45),
                    rng.choice([(235, 235, 235), (60, 62, 66), (90, 140, 200)]),
                )
    hood_width = rng.uniform(1.5, 2.0)
    slots = max(1, int((w - 2) // (hood_width + 0.6)))
    for k in range(slots):  # fume hoods on the far wall, the last slot a biosafety cabinet
        x = 0.8 + k * (hood_width + 0.6)
        if k == slots - 1 and slots > 1:
            cabinet_width = min(hood_width, rng.choice((1.2, 1.5, 1.8)))
            offset = (hood_width - cabinet_width) / 2
            _biosafety_cabinet(room, Front((1, -1), d - 0.85), x + offset, x + offset + cabinet_width)
        else:
            _fume_hood(room, Front((1, -1), d - 0.9), x, x + hood_width, cabinet)
    # a door by the eyewash, where the islands do not hide it; it swings towards the eyewash, and the wall
    # bench begins past its swing
    leaf = rng.choice([(150, 112, 74), (120, 125, 130)])
    personnel_door(room, Front((0, -1), w), 1.55, leaf, STEEL, hinge="low")
    _bench(room, Front((0, -1), w - 0.8), 2.7, d - 1.2, 0.75, looks)
    if rng.random() < 0.5:
        _centrifuge(room, Front((0, -1), w - 0.7), rng.uniform(2.8, d - 1.9), rng.uniform(0.4, 0.5))
    with room.thing("eyewash_station", EYEWASH):
        room.add(w - 0.3, 1.0, 1.4, w - 0.05, 1.4, 2.0, (40, 170, 80))


def _bench(
    room: Room, front: Front, u0: float, u1: float, depth: float, looks: Looks, spine: float = 0.0
) -> None:
    """A bench of base cabinets `depth` deep under an epoxy top along the front; with a `spine`, a closed
    far side (an island's back, which the camera never faces) that deep behind them, under the same top."""
    body, top, handle = looks
    rng = room.rng
    count = max(1, round((u1 - u0) / rng.uniform(0.75, 0.95)))
    width = (u1 - u0) / count
    kinds = [rng.choice(BAY_KINDS) for _ in range(count)]
    cupboards = [k for k, kind in enumerate(kinds) if kind != "open"]
    for k in rng.sample(cupboards, max(0, len(cupboards) - MOST_CUPBOARDS)):
        kinds[k] = "open"
    with room.thing("lab_bench", BENCHES):
        room.add(*front.box(u0 + 0.02, u1 - 0.02, 0, PLINTH_M, -depth + 0.03, -0.06), room.palette.dark)
        carcass(room, front, u0, u1, PLINTH_M, BODY_Z, depth, body)
        if spine:
            room.add(*front.box(u0, u1, 0, BODY_Z, -depth - spine, -depth), body)
        room.add(*front.box(u0 - 0.02, u1 + 0.02, BODY_Z, TOP_Z, -depth - spine - 0.02, 0.03), top)
        x0, y0, _, x1, y1, _ = front.box(u0, u1, 0, 0, -depth - spine, 0.0)
        room.surface(x0, y0, x1, y1, TOP_Z)
        for k, kind in enumerate(kinds):
            left = u0 + k * width
            if k:
                _divider(room, front, left, depth, BODY_Z, body)
            _bay(room, front, left, left + width, depth, kind, body, handle, k)


def _divider(room: Room, front: Front, u: float, depth: float, top: float, body: Color) -> None:
    room.add(*front.box(u - PANEL_M / 2, u + PANEL_M / 2, PLINTH_M, top, -depth + PANEL_M, 0), body)


def _bay(
    room: Room,
    front: Front,
    u0: float,
    u1: float,
    depth: float,
    kind: str,
    body: Color,
    handle: Color,
    number: int,
    top: float = BODY_Z,
) -> None:
    """One bay's fronts between u0 and u1, from the plinth up to `top`; parts named by the bay's `number`."""
    inside = depth - PANEL_M - 0.04
    low, high = PLINTH_M, top
    if kind == "open":
        shelf(room, front, u0, u1, (low + high) / 2, depth - PANEL_M, body)
    elif kind == "drawers":
        step = (high - low) / 3
        for level in range(3):
            v = low + level * step
            drawer(room, front, u0, u1, v, v + step, inside, body, handle, part=f"drawer_{number}_{level}")
    else:
        if kind == "drawer_door":
            high -= 0.2
            shelf(room, front, u0, u1, high, depth - PANEL_M, body)
            drawer(room, front, u0, u1, high, top, inside, body, handle, part=f"drawer_{number}")
        if kind == "door":
            hinge = "low" if number % 2 == 0 else "high"
            door(room, front, u0, u1, low, high, body, handle, hinge=hinge, part=f"door_{number}")
        else:
            middle = (u0 + u1) / 2
            door(room, front, u0, middle, low, high, body, handle, hinge="low", part=f"door_{number}_left")
            door(room, front, middle, u1, low, high, body, handle, hinge="high", part=f"door_{number}_right")


def _fume_hood(room: Room, front: Front, u0: float, u1: float, cabinet: Color) -> None:
    """Two cupboards of paired doors under a hood whose glazed sash slides up in front of its fascia."""
    depth, opening, side = 0.85, 1.75, 0.1
    with room.thing("fume_hood", HOODS):
        room.add(*front.box(u0 + 0.02, u1 - 0.02, 0, PLINTH_M, -depth + 0.03, -0.06), room.palette.dark)
        carcass(room, front, u0, u1, PLINTH_M, 0.9, depth, cabinet)
        middle = (u0 + u1) / 2
        _divider(room, front, middle, depth, 0.9, cabinet)
        for k, (a, b) in enumerate(((u0, middle), (middle, u1))):
            _bay(room, front, a, b, depth, "doors", cabinet, room.palette.dark, k, top=0.9)
        room.add(*front.box(u0, u0 + side, 0.9, 2.4, -depth, 0), STEEL)
        room.add(*front.box(u1 - side, u1, 0.9, 2.4, -depth, 0), STEEL)
        room.add(*front.box(u0 + side, u1 - side, 0.9, opening, -depth, -depth + PANEL_M), (222, 226, 228))
        monitor = detail(front.out, (rect(0.82, 0.45, 0.92, 0.7), (60, 70, 64), False))
        room.add(*front.box(u0 + side, u1 - side, opening, 2.4, -depth, 0), STEEL, details=[monitor])
        sash(room, front, u0 + side, u1 - side, 0.9, opening, STEEL, GLASS, travel=0.55)
        room.add(*front.box(u0 + 0.6, u0 + 1.2, 2.4, room.height, -0.7, -0.4), (200, 204, 208))  # duct


def _biosafety_cabinet(room: Room, front: Front, u0: float, u1: float) -> None:
    """A class II cabinet on a stand: a work opening under a glazed sash that slides up."""
    depth, work, sash_low, sash_high, body = 0.8, 0.8, 1.0, 1.55, (226, 228, 224)
    with room.thing("biosafety_cabinet", BIOSAFETY):
        for a in (u0 + 0.05, u1 - 0.1):  # the stand's legs
            for b in (-depth + 0.05, -0.12):
                room.add(*front.box(a, a + 0.05, 0, work - 0.05, b, b + 0.05), (90, 94, 98))
        room.add(*front.box(u0, u1, work - 0.05, work, -depth, 0), body)
        room.add(*front.box(u0, u0 + 0.08, work, 2.1, -depth, 0), body)
        room.add(*front.box(u1 - 0.08, u1, work, 2.1, -depth, 0), body)
        room.add(*front.box(u0 + 0.08, u1 - 0.08, work, sash_high, -depth, -depth + PANEL_M), (200, 204, 206))
        panel = detail(front.out, (rect(0.05, 0.55, 0.95, 0.8), (70, 90, 120), False))
        room.add(*front.box(u0 + 0.08, u1 - 0.08, sash_high, 2.1, -depth, 0), body, details=[panel])
        room.add(*front.box(u0 + 0.15, u1 - 0.15, 2.1, 2.25, -depth + 0.1, -0.1), (190, 194, 196))  # filter
        sash(room, front, u0 + 0.08, u1 - 0.08, sash_low, sash_high, (90, 94, 98), GLASS, travel=0.4)


def _centrifuge(room: Room, front: Front, u0: float, width: float) -> None:
    """A bench centrifuge whose lid, hinged at its back, lifts to show the rotor's bowl."""
    rng = room.rng
    depth, height = 0.4, rng.uniform(0.28, 0.36)
    colour = rng.choice([(235, 235, 235), (90, 140, 200), (60, 62, 66)])
    bowl = detail(TOP, (ellipse(0.5, 0.5, 0.38, 0.38), (70, 72, 76), False))
    with room.thing("centrifuge", INSTRUMENTS):
        room.add(*front.box(u0, u0 + width, TOP_Z, TOP_Z + height - 0.03, -depth, 0), colour, details=[bowl])
        lid(room, front, u0, u0 + width, -depth, 0, TOP_Z + height - 0.03, colour)
