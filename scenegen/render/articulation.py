"""What a room's moving parts may do: each joint's range cut to what is clear of the other fixtures, the
parts a scene leaves partly open, and the space each part sweeps, which no loose thing may stand in.

The clearance is judged on bounds in the world (a turned part by its bound): conservative, and cheap enough
to run for every render. A part that cannot open far enough to be of use is left closed and loses its joint.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np

from scenegen.catalogue import ArticulationConfig
from scenegen.render.geometry import Thing
from scenegen.sim.physical import physical_catalogue

SWEEP_STEPS = 12  # positions along a joint's range at which its parts are checked
# Loose things keep this far from what a part sweeps: a door sags a few millimetres as it swings
SWEEP_MARGIN_M = 0.02
TOUCH_M = 0.002  # closer than this, two bounds meet
# The least a part must open to be worth a joint: a door this far, a drawer this share of its travel.
MIN_TURN_DEG = 45.0
MIN_SLIDE_SHARE = 0.6


CORNERS = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], float)  # of a unit box


def _world_boxes(thing: Thing, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World bounds of boxes (..., 3) of the thing's frame: a turned thing's by their corners."""
    if not thing.yaw_deg:
        return lo, hi
    corners = thing.to_world(lo[..., None, :] + CORNERS * (hi - lo)[..., None, :])
    return corners.min(axis=-2), corners.max(axis=-2)


def world_bounds(thing: Thing, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """The world bounds of a box of the thing's frame."""
    return _world_boxes(thing, np.asarray(lo, float), np.asarray(hi, float))


def _static_boxes(things: list[Thing]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every part that does not move, of every thing that is not loose: world low and high corners and
    the index of its thing."""
    catalogue = physical_catalogue()
    lows, highs, owners = [], [], []
    for index, thing in enumerate(things):
        if catalogue.category(thing.category).loose:
            continue
        fixed = [part for part in thing.parts if not part.joint]
        if not fixed:
            continue
        lo, hi = _world_boxes(
            thing, np.array([p.lo for p in fixed], float), np.array([p.hi for p in fixed], float)
        )
        lows.append(lo)
        highs.append(hi)
        owners.append(np.full(len(fixed), index))
    if not lows:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, int)
    return np.concatenate(lows), np.concatenate(highs), np.concatenate(owners)


def _swept(
    thing: Thing, number: int, positions: np.ndarray, in_world: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of joint `number`'s boxes at each of `positions`, in the world (or the thing's frame):
    (steps, boxes, 3) low and high."""
    joint = thing.joints[number - 1]
    parts = [part for part in thing.parts if part.joint == number]
    lo, hi = np.array([p.lo for p in parts], float), np.array([p.hi for p in parts], float)
    corners = lo[:, None, :] + CORNERS * (hi - lo)[:, None, :]  # (boxes, 8, 3)
    moved = []
    for position in positions:
        rotation, shift = joint.transform(float(position))
        moved.append(corners @ rotation.T + shift)
    posed = np.array(moved)  # (steps, boxes, 8, 3)
    if in_world:
        posed = thing.to_world(posed)
    return posed.min(axis=2), posed.max(axis=2)


def limit_swings(things: list[Thing]) -> None:
    """Each joint's upper limit cut to the last position at which its parts are clear of the other things'
    fixed parts; a joint left with too little range is taken away (its parts stay closed, fixed)."""
    lows, highs, owners = _static_boxes(things)
    steps = np.arange(1, SWEEP_STEPS + 1) / SWEEP_STEPS
    for index, thing in enumerate(things):
        if not thing.joints:
            continue
        others_lo, others_hi = lows[owners != index], highs[owners != index]
        kept: list[int] = []
        for number, joint in enumerate(thing.joints, start=1):
            low, high = _swept(thing, number, joint.upper * steps)
            near = np.all(
                (others_lo < high.max(axis=(0, 1)) - TOUCH_M) & (others_hi > low.min(axis=(0, 1)) + TOUCH_M),
                axis=1,
            )
            clear = joint.upper
            if near.any():
                meets = np.all(
                    (others_lo[near][None, None] < high[:, :, None] - TOUCH_M)
                    & (others_hi[near][None, None] > low[:, :, None] + TOUCH_M),
                    axis=-1,
                ).any(axis=(1, 2))  # per step
                blocked = int(np.argmax(meets)) if meets.any() else len(steps)
                clear = joint.upper * steps[blocked - 1] if blocked else 0.0
            least = MIN_TURN_DEG if joint.kind == "revolute" else MIN_SLIDE_SHARE * joint.upper
            if clear >= least:
                thing.joints[number - 1] = replace(joint, upper=round(clear, 4))
                kept.append(number)
        _keep_joints(thing, kept)


def _keep_joints(thing: Thing, kept: list[int]) -> None:
    """Only the joints numbered `kept`, numbered again; the parts of the others fixed where they are."""
    if len(kept) == len(thing.joints):
        return
    renumber = {old: new for new, old in enumerate(kept, start=1)}
    for part in thing.parts:
        part.joint = renumber.get(part.joint, 0)
    thing.joints = [thing.joints[old - 1] for old in kept]


def leave_open(things: list[Thing], rng: random.Random, config: ArticulationConfig) -> None:
    """In a share of scenes, some doors (on upright hinges) and drawers (sliding level) left partly open:
    parts gravity would move are shown closed, where their stops hold them."""
    if rng.random() >= config.open_scene_share:
        return
    for thing in things:
        for number, joint in enumerate(thing.joints):
            level = joint.kind == "prismatic" and abs(joint.axis[2]) < 1e-6
            upright = joint.kind == "revolute" and abs(abs(joint.axis[2]) - 1.0) < 1e-6
            if (level or upright) and rng.random() < config.open_part_share:
                share = rng.uniform(config.min_open, config.max_open)
                thing.joints[number] = replace(joint, position=round(share * joint.upper, 4))


def sweeps(things: list[Thing]) -> list[Thing]:
    """The space each thing's moving parts pass through as they open, as things of one part per moving
    part (its bound over the range, in the thing's frame, with a margin): where no loose thing may stand."""
    steps = np.arange(SWEEP_STEPS + 1) / SWEEP_STEPS
    swept = []
    for thing in things:
        parts = []
        for number, joint in enumerate(thing.joints, start=1):
            low, high = _swept(thing, number, joint.upper * steps, in_world=False)
            moving = [part for part in thing.parts if part.joint == number]
            for k, part in enumerate(moving):
                lo, hi = low[:, k].min(axis=0) - SWEEP_MARGIN_M, high[:, k].max(axis=0) + SWEEP_MARGIN_M
                parts.append(replace(part, lo=tuple(lo), hi=tuple(hi), joint=0, details=[]))
        if parts:
            swept.append(Thing(thing.id, thing.category, None, parts, thing.yaw_deg, thing.pivot))
    return swept
