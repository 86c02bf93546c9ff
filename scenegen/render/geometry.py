"""The 3D scene a procedural image is drawn from: things made of boxes, in metres, z up, and the camera.

A thing (a rack, a counter, a wall) is one instance in the ground truth: its parts are axis-aligned boxes in
the thing's own frame, which is turned by `yaw_deg` about a vertical axis through `pivot`. Its oriented box
in `layout.json` is the bound of its parts in that frame. A part may move: it belongs to one of the thing's
joints (a door's hinge, a drawer's slide), which poses it, turned about or slid along the joint's axis by the
joint's position; at position 0 (closed) every part is where the plan built it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

Color = tuple[float, float, float]
Vec3 = tuple[float, float, float]

# Face ids: axis (0 x, 1 y, 2 z) and side (+1 the high face, -1 the low face).
Face = tuple[int, int]


@dataclass(frozen=True)
class Detail:
    """A flat pattern on one face: polygons in face coordinates (u, v in [0, 1], v up, or +y on flats)."""

    face: Face
    polygons: tuple[tuple[tuple[tuple[float, float], ...], Color, bool], ...]  # (points, colour, emissive)


@dataclass
class Box:
    lo: Vec3
    hi: Vec3
    color: Color
    emissive: bool = False
    details: list[Detail] = field(default_factory=list)
    joint: int = 0  # which of its thing's joints moves it, counted from 1; 0: it does not move


@dataclass(frozen=True)
class Joint:
    """How a moving part of a thing moves, in the thing's frame: turned about (revolute, degrees) or slid
    along (prismatic, metres) `axis` through `origin`, from 0 (closed) to `upper` (open); a positive position
    opens it. `origin` is a point on a hinge's axis, or a slide's part centre when closed."""

    part: str  # what the moving part is: "door_left", "drawer_2", "sash", "lid", ...
    kind: str  # "revolute" or "prismatic"
    axis: Vec3  # unit
    origin: Vec3
    upper: float
    position: float = 0.0  # the pose the image shows

    def transform(self, position: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(R, t) taking a point of the part, closed, to where it is at `position` (default: the pose
        shown): p -> R p + t, in the thing's frame."""
        amount = self.position if position is None else position
        axis = np.asarray(self.axis, float)
        if self.kind == "prismatic":
            return np.eye(3), axis * amount
        rotation = rotation_about(axis, amount)
        origin = np.asarray(self.origin, float)
        return rotation, origin - rotation @ origin


def rotation_about(axis: np.ndarray, degrees: float) -> np.ndarray:
    """Rodrigues: the 3x3 rotation by `degrees` about the unit `axis` (right-handed)."""
    x, y, z = axis
    cross = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    angle = math.radians(degrees)
    return np.eye(3) + math.sin(angle) * cross + (1 - math.cos(angle)) * cross @ cross


def box_corners(lo, hi) -> np.ndarray:
    """The 8 corners of an axis-aligned box, (8, 3)."""
    xs, ys, zs = (lo[0], hi[0]), (lo[1], hi[1]), (lo[2], hi[2])
    return np.array([[x, y, z] for x in xs for y in ys for z in zs], float)


def turn_about_z(yaw_deg: float) -> np.ndarray:
    """The 3x3 rotation by `yaw_deg` about the vertical axis (counter-clockwise seen from above)."""
    yaw = math.radians(yaw_deg)
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass
class Thing:
    """One object of the scene, and one instance id in its ground truth."""

    id: int
    category: str
    fixture: str | None  # the catalogue fixture it realises, if any
    parts: list[Box] = field(default_factory=list)
    yaw_deg: float = 0.0
    pivot: tuple[float, float] = (0.0, 0.0)
    joints: list[Joint] = field(default_factory=list)

    def to_world(self, points: np.ndarray) -> np.ndarray:
        """Points of the thing's frame (..., 3) in the world."""
        if not self.yaw_deg:
            return points
        yaw = math.radians(self.yaw_deg)
        c, s = math.cos(yaw), math.sin(yaw)
        x, y = points[..., 0] - self.pivot[0], points[..., 1] - self.pivot[1]
        turned = points.copy()
        turned[..., 0] = self.pivot[0] + c * x - s * y
        turned[..., 1] = self.pivot[1] + s * x + c * y
        return turned

    def pose(self, part: Box, position: float | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """The part's (R, t) at its joint's `position` (default: the pose shown), or None when it sits
        where the plan built it."""
        if not part.joint:
            return None
        joint = self.joints[part.joint - 1]
        amount = joint.position if position is None else position
        return joint.transform(amount) if amount else None

    def part_box(self, part: Box, position: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The part's low and high corners in the thing's frame as posed (a turned part: its bound)."""
        pose = self.pose(part, position)
        if pose is None:
            return np.asarray(part.lo, float), np.asarray(part.hi, float)
        rotation, shift = pose
        corners = box_corners(part.lo, part.hi) @ rotation.T + shift
        return corners.min(axis=0), corners.max(axis=0)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Low and high corners of the parts as posed, in the thing's own frame."""
        if not any(joint.position for joint in self.joints):
            lo = np.min([part.lo for part in self.parts], axis=0)
            hi = np.max([part.hi for part in self.parts], axis=0)
            return lo, hi
        boxes = [self.part_box(part) for part in self.parts]
        lo = np.min([low for low, _ in boxes], axis=0)
        hi = np.max([high for _, high in boxes], axis=0)
        return lo, hi

    def oriented_box(self) -> tuple[list[float], list[float], float]:
        """Centre (world), size along the thing's own axes, and yaw: what layout.json says of it."""
        lo, hi = self.bounds()
        centre = self.to_world(((lo + hi) / 2)[None, :])[0]
        return centre.tolist(), (hi - lo).tolist(), self.yaw_deg


def mirrored(thing: Thing, axis: int, extent: float) -> Thing:
    """The thing reflected across the plane `axis` = extent / 2 (so the room maps onto itself).

    Reflecting a plan is how the camera comes to stand in another corner of the same kind of room.
    """

    def flip(lo: Vec3, hi: Vec3) -> tuple[Vec3, Vec3]:
        new_lo, new_hi = list(lo), list(hi)
        new_lo[axis], new_hi[axis] = extent - hi[axis], extent - lo[axis]
        return tuple(new_lo), tuple(new_hi)  # type: ignore[return-value]

    parts = []
    for part in thing.parts:
        lo, hi = flip(part.lo, part.hi)
        details = [_mirror_detail(d, axis) for d in part.details]
        parts.append(Box(lo, hi, part.color, part.emissive, details, part.joint))
    pivot = list(thing.pivot)
    pivot[axis] = extent - pivot[axis]
    joints = [_mirror_joint(joint, axis, extent) for joint in thing.joints]
    yaw = -thing.yaw_deg + 0.0
    return Thing(thing.id, thing.category, thing.fixture, parts, yaw, (pivot[0], pivot[1]), joints)


def _mirror_joint(joint: Joint, axis: int, extent: float) -> Joint:
    """A joint reflected with its thing. A reflection turns a rotation's sense around, so a hinge's axis is
    also reversed: a positive position still opens the part."""
    origin, direction = list(joint.origin), list(joint.axis)
    origin[axis] = extent - origin[axis]
    direction[axis] = -direction[axis]
    if joint.kind == "revolute":
        direction = [-c + 0.0 for c in direction]
    return replace(joint, origin=tuple(origin), axis=tuple(direction))


def _mirror_detail(detail: Detail, axis: int) -> Detail:
    face_axis, side = detail.face
    if face_axis == axis:
        return Detail((face_axis, -side), tuple((_flip_u(p), c, e) for p, c, e in detail.polygons))
    if face_axis == 2:  # a top or bottom: u runs along x, v along y
        flip = _flip_u if axis == 0 else _flip_v
        return Detail(detail.face, tuple((flip(p), c, e) for p, c, e in detail.polygons))
    # a side face: u runs along the other horizontal axis, so a reflection along it reverses u
    return Detail(detail.face, tuple((_flip_u(p), c, e) for p, c, e in detail.polygons))


def _flip_u(points):
    return tuple((1.0 - u, v) for u, v in points)


def _flip_v(points):
    return tuple((u, 1.0 - v) for u, v in points)


@dataclass
class PinholeCamera:
    position: Vec3
    yaw_deg: float
    pitch_deg: float
    width: int
    height: int
    horizontal_fov_deg: float

    @property
    def focal(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.horizontal_fov_deg) / 2)

    @property
    def centre(self) -> tuple[float, float]:
        return self.width / 2, self.height / 2

    @cached_property
    def rotation(self) -> np.ndarray:
        """world_from_camera. Columns: camera right, down, forward (OpenCV axes), in world axes (z up)."""
        yaw, pitch = math.radians(self.yaw_deg), math.radians(self.pitch_deg)
        forward = np.array(
            [math.cos(pitch) * math.cos(yaw), math.cos(pitch) * math.sin(yaw), math.sin(pitch)]
        )
        right = np.array([math.sin(yaw), -math.cos(yaw), 0.0])
        down = -np.cross(right, forward)
        return np.stack([right, down, forward], axis=1)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        return (points - np.asarray(self.position)) @ self.rotation

    def rays(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """World directions through pixel centres (u, v), scaled so that their camera z is 1."""
        cx, cy = self.centre
        x, y = np.broadcast_arrays((u + 0.5 - cx) / self.focal, (v + 0.5 - cy) / self.focal)
        return np.stack([x, y, np.ones_like(x)], axis=-1) @ self.rotation.T
