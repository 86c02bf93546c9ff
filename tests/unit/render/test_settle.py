"""Loose things are set down at rest before a room is drawn, and the stage's overlap check measures cuts."""

from __future__ import annotations

import numpy as np
import pytest

from scenegen.render.geometry import Box, Thing
from scenegen.render.settle import clear_attachments, settle
from scenegen.sim.stage_checks import Collider, overlaps, penetration

GREY = (128.0, 128.0, 128.0)


def thing(number: int, category: str, *boxes: tuple[float, ...], yaw: float = 0.0) -> Thing:
    parts = [Box(tuple(b[:3]), tuple(b[3:]), GREY) for b in boxes]
    lo = np.min([p.lo for p in parts], axis=0)
    hi = np.max([p.hi for p in parts], axis=0)
    return Thing(number, category, None, parts, yaw, ((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2))


def room(*things: Thing) -> list[Thing]:
    floor = thing(1, "floor", (0, 0, 0, 6, 6, 0))
    counter = thing(2, "counter", (1, 1, 0, 3, 2, 0.9))
    return [floor, counter, *things]


def bottom(t: Thing) -> float:
    return min(part.lo[2] for part in t.parts)


def test_a_box_floating_above_a_counter_is_set_on_it_and_one_in_the_air_on_the_floor():
    above = thing(3, "loose_item", (1.5, 1.2, 1.2, 1.8, 1.5, 1.5))
    floating = thing(4, "loose_item", (4, 4, 0.7, 4.3, 4.3, 1.0))
    settled = settle(room(above, floating))
    assert [t.id for t in settled] == [1, 2, 3, 4]
    assert bottom(settled[2]) == pytest.approx(0.9) and bottom(settled[3]) == pytest.approx(0.0)
    assert settled[2].parts[0].hi[2] == pytest.approx(1.2)  # moved as a whole


def test_a_box_sunk_deep_into_a_counter_or_hanging_off_its_edge_is_left_out_and_ids_follow():
    sunk = thing(3, "loose_item", (1.5, 1.2, 0.5, 1.8, 1.5, 1.0))
    overhanging = thing(4, "loose_item", (2.8, 1.2, 0.9, 3.4, 1.5, 1.1))  # its centre beyond the edge
    kept = thing(5, "loose_item", (2.3, 1.2, 0.9, 2.6, 1.5, 1.1))
    settled = settle(room(sunk, overhanging, kept))
    assert [t.id for t in settled] == [1, 2, 3] and settled[2] is kept


def test_a_pallet_across_two_beams_rests_on_them_and_boxes_stack_lowest_first():
    beams = thing(2, "pallet_rack", (0, 0, 1.4, 3, 0.06, 1.5), (0, 1.14, 1.4, 3, 1.2, 1.5))
    pallet = thing(3, "pallet", (0.5, 0.02, 1.52, 1.5, 1.18, 1.66))
    lower = thing(4, "loose_item", (4, 4, 0.0, 4.4, 4.4, 0.3))
    upper = thing(5, "loose_item", (4.05, 4.05, 0.35, 4.35, 4.35, 0.6))
    floor = thing(1, "floor", (0, 0, 0, 6, 6, 0))
    settled = settle([floor, beams, upper, pallet, lower])
    assert len(settled) == 5
    assert bottom(pallet) == pytest.approx(1.5) and bottom(upper) == pytest.approx(0.3)
    assert [t.id for t in settled] == [1, 2, 3, 4, 5] and settled[2] is upper


def test_a_light_a_fixture_is_hung_through_is_taken_out_of_the_room():
    light = thing(3, "ceiling_light", (1.2, 1.2, 2.9, 2.4, 1.5, 2.95))
    other = thing(4, "ceiling_light", (4, 4, 2.9, 5.2, 4.3, 2.95))
    sign = thing(5, "aisle_sign", (1.0, 1.3, 2.5, 3.0, 1.35, 3.0))
    kept = clear_attachments(room(light, other, sign))
    assert light not in kept and other in kept and sign in kept


def box(owner: str, centre, size, yaw_deg: float = 0.0) -> Collider:
    yaw = np.radians(yaw_deg)
    axes = np.array([[np.cos(yaw), np.sin(yaw), 0], [-np.sin(yaw), np.cos(yaw), 0], [0, 0, 1]])
    return Collider(owner, np.array(centre, float), axes, np.array(size, float) / 2)


def test_overlap_is_the_depth_of_the_cut_and_touching_is_none():
    assert penetration(box("a", (0, 0, 0), (1, 1, 1)), box("b", (0.98, 0, 0), (1, 1, 1))) == pytest.approx(
        0.02
    )
    assert penetration(box("a", (0, 0, 0), (1, 1, 1)), box("b", (1.0, 0, 0), (1, 1, 1))) == 0.0
    turned = box("b", (0.5 + np.sqrt(0.5) - 0.03, 0, 0), (1, 1, 1), yaw_deg=45)  # a corner 3 cm in
    assert penetration(box("a", (0, 0, 0), (1, 1, 1)), turned) == pytest.approx(0.03)
    found = overlaps(
        [
            box("a", (0, 0, 0), (1, 1, 1)),
            box("a", (0.9, 0, 0), (1, 1, 1)),  # the same object's parts may cut into each other
            box("b", (1.83, 0, 0), (1, 1, 1)),
            box("c", (5, 5, 5), (1, 1, 1)),
        ]
    )
    assert list(found) == [("a", "b")] and found["a", "b"] == pytest.approx(0.07)
