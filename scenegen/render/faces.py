"""The faces of a scene's boxes, built once per room and culled for each eye that looks at it.

Every part of every thing gives six faces (a flat part two), posed by its joint and placed in the world.
The pose chooser looks at one room from many places, so the faces are built in bulk, as arrays, and each
eye keeps those that turn towards it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenegen.render.geometry import Detail, Thing

# The six faces of a box: (axis, side), the axes along which u and v run, and the corners' (u, v) order.
FACES = [(axis, side) for axis in range(3) for side in (-1, 1)]
UV_AXES = {0: (1, 2), 1: (0, 2), 2: (0, 1)}
CORNER_UV = ((0, 0), (1, 0), (1, 1), (0, 1))


@dataclass
class Faces:
    """Faces as arrays: world corners (n, 4, 3), normals, and what they belong to."""

    corners: np.ndarray
    normals: np.ndarray
    things: np.ndarray  # index into the scene's things
    joints: np.ndarray  # (n,) the scene's id of the joint that moves the face's part; 0: none
    colors: np.ndarray  # (n, 3)
    emissive: np.ndarray  # (n,) bool
    details: list[list[Detail]]

    def facing(self, eye: np.ndarray) -> Faces:
        """The faces that turn towards `eye` (a box's far faces are hidden by its near ones), in order."""
        return self.subset(self._towards(eye))

    def outlines(self, eye: np.ndarray) -> Faces:
        """The faces that turn towards `eye` as the rasteriser needs them: without colours or patterns."""
        which = self._towards(eye)
        none = np.zeros(len(which), np.float32)
        return Faces(self.corners[which], self.normals[which], self.things[which], none, none, none, [])

    def _towards(self, eye: np.ndarray) -> np.ndarray:
        offset = np.asarray(eye, float) - self.corners[:, 0]
        return np.nonzero(np.einsum("ij,ij->i", offset, self.normals) > 1e-9)[0]

    def subset(self, which: np.ndarray) -> Faces:
        return Faces(
            self.corners[which],
            self.normals[which],
            self.things[which],
            self.joints[which],
            self.colors[which],
            self.emissive[which],
            [self.details[i] for i in which.tolist()],
        )


def visible_faces(things: list[Thing], eye: np.ndarray) -> Faces:
    """The faces of every part, posed, that turn towards the eye."""
    return all_faces(things).facing(eye)


def all_faces(things: list[Thing]) -> Faces:
    """Every face of every part, posed, in the order thing, part, face (FACES); a moving part's faces
    carry its joint's id in the scene (joint_ids)."""
    lo, hi, rotation, shift, yaw, pivot, owner, joint, color, emissive = _parts(things)
    count = len(lo)
    corners = np.empty((count, 6, 4, 3))
    normals = np.zeros((count, 6, 3))
    solid = np.ones((count, 6), bool)
    for face, (axis, side) in enumerate(FACES):
        u_axis, v_axis = UV_AXES[axis]
        corners[:, face, :, axis] = (hi if side > 0 else lo)[:, None, axis]
        for k, (u, v) in enumerate(CORNER_UV):
            corners[:, face, k, u_axis] = (hi if u else lo)[:, u_axis]
            corners[:, face, k, v_axis] = (hi if v else lo)[:, v_axis]
        normals[:, face] = rotation[:, :, axis] * side  # in the thing's frame, posed
        solid[:, face] = (hi[:, u_axis] > lo[:, u_axis]) & (hi[:, v_axis] > lo[:, v_axis])
    posed = np.einsum("nij,nfkj->nfki", rotation, corners) + shift[:, None, None, :]
    cos, sin = np.cos(np.radians(yaw)), np.sin(np.radians(yaw))
    turn = np.zeros((count, 3, 3))
    turn[:, 0, 0], turn[:, 0, 1], turn[:, 1, 0], turn[:, 1, 1], turn[:, 2, 2] = cos, -sin, sin, cos, 1.0
    centred = posed - np.concatenate([pivot, np.zeros((count, 1))], axis=1)[:, None, None, :]
    world = np.einsum("nij,nfkj->nfki", turn, centred)
    world[..., :2] += pivot[:, None, None, :]
    world_normals = np.einsum("nij,nfj->nfi", turn, normals)
    keep = solid.reshape(-1)
    details = _details(things, count)
    return Faces(
        world.reshape(-1, 4, 3)[keep],
        world_normals.reshape(-1, 3)[keep],
        np.repeat(owner, 6)[keep].astype(np.int32),
        np.repeat(joint, 6)[keep].astype(np.int32),
        np.repeat(color, 6, axis=0)[keep].astype(np.float32),
        np.repeat(emissive, 6)[keep],
        [details[i] for i in np.nonzero(keep)[0].tolist()],
    )


def _parts(things: list[Thing]) -> tuple[np.ndarray, ...]:
    """Every part as rows: its box, its pose (R, t) in its thing's frame, its thing's yaw and pivot, the
    thing's index, its joint's id in the scene, colour and glow."""
    lo, hi, rotations, shifts, yaws, pivots, owners, joints, colors, emissive = ([] for _ in range(10))
    for index, (thing, first_joint) in enumerate(zip(things, joint_ids(things), strict=True)):
        for part in thing.parts:
            lo.append(part.lo)
            hi.append(part.hi)
            pose = thing.pose(part)
            rotations.append(np.eye(3) if pose is None else pose[0])
            shifts.append(np.zeros(3) if pose is None else pose[1])
            yaws.append(thing.yaw_deg)
            pivots.append(thing.pivot)
            owners.append(index)
            joints.append(first_joint + part.joint if part.joint else 0)
            colors.append(part.color)
            emissive.append(part.emissive)
    return (
        np.array(lo, float).reshape(-1, 3),
        np.array(hi, float).reshape(-1, 3),
        np.array(rotations, float).reshape(-1, 3, 3),
        np.array(shifts, float).reshape(-1, 3),
        np.array(yaws, float),
        np.array(pivots, float).reshape(-1, 2),
        np.array(owners, np.int64),
        np.array(joints, np.int64),
        np.array(colors, float).reshape(-1, 3),
        np.array(emissive, bool),
    )


def _details(things: list[Thing], count: int) -> list[list[Detail]]:
    """Each face's patterns, in the faces' order (most parts have none)."""
    details: list[list[Detail]] = [[] for _ in range(count * 6)]
    row = 0
    for thing in things:
        for part in thing.parts:
            for detail in part.details:
                details[row * 6 + FACES.index(detail.face)].append(detail)
            row += 1
    return details


def joint_ids(things: list[Thing]) -> list[int]:
    """For each thing, the scene's id of its first joint less one: joints are numbered from 1 over the
    scene's things in order (layout.json's `joints` and parts.png use these ids)."""
    firsts, count = [], 0
    for thing in things:
        firsts.append(count)
        count += len(thing.joints)
    return firsts
