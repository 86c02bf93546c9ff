"""A small painter's-algorithm rasteriser for axis-aligned boxes seen through a pinhole camera.

Boxes never interpenetrate in our rooms, so a separating axis between two boxes tells which one may
hide the other; drawing in that order (a topological sort) needs no depth buffer.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from PIL import ImageDraw

Color = tuple[float, float, float]
NEAR = 0.05  # metres: geometry closer than this to the camera plane is clipped away

# Face ids: axis (0 x, 1 y, 2 z) and side (+1 the high face, -1 the low face).
Face = tuple[int, int]
UP: Face = (2, 1)


@dataclass(frozen=True)
class Detail:
    """A flat pattern drawn on one face: polygons in face coordinates (u, v in [0, 1], v up)."""

    face: Face
    polygons: tuple[tuple[tuple[tuple[float, float], ...], Color, bool], ...]  # (points, colour, emissive)


@dataclass
class Box:
    lo: tuple[float, float, float]
    hi: tuple[float, float, float]
    color: Color
    emissive: bool = False
    details: list[Detail] = field(default_factory=list)
    sort_last: bool = False  # shell pieces are drawn first, everything else after, in occlusion order


@dataclass
class PinholeCamera:
    position: tuple[float, float, float]
    yaw_deg: float
    pitch_deg: float
    width: int
    height: int
    horizontal_fov_deg: float

    @property
    def focal(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.horizontal_fov_deg) / 2)

    @cached_property
    def rotation(self) -> np.ndarray:
        """Columns: camera right, down, forward, in world axes (z up)."""
        yaw, pitch = math.radians(self.yaw_deg), math.radians(self.pitch_deg)
        forward = np.array(
            [math.cos(pitch) * math.cos(yaw), math.cos(pitch) * math.sin(yaw), math.sin(pitch)]
        )
        right = np.array([math.sin(yaw), -math.cos(yaw), 0.0])
        down = -np.cross(right, forward)
        return np.stack([right, down, forward], axis=1)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        return (points - np.asarray(self.position)) @ self.rotation

    def project(self, cam_points: np.ndarray) -> np.ndarray:
        z = cam_points[:, 2:3]
        return cam_points[:, :2] * self.focal / z + np.array([self.width / 2, self.height / 2])


def face_corners(box: Box, face: Face) -> np.ndarray:
    """The four corners of a face, ordered (u0v0, u1v0, u1v1, u0v1) with v pointing up (or +y on flats)."""
    axis, side = face
    lo, hi = np.asarray(box.lo, float), np.asarray(box.hi, float)
    fixed = hi[axis] if side > 0 else lo[axis]
    if axis == 2:
        u_axis, v_axis = 0, 1
    else:
        u_axis, v_axis = 1 - axis, 2  # a wall-like face: u runs along it, v up
    corners = []
    for u, v in ((0, 0), (1, 0), (1, 1), (0, 1)):
        point = np.empty(3)
        point[axis] = fixed
        point[u_axis] = lo[u_axis] + u * (hi[u_axis] - lo[u_axis])
        point[v_axis] = lo[v_axis] + v * (hi[v_axis] - lo[v_axis])
        corners.append(point)
    return np.array(corners)


def visible_faces(box: Box, eye: np.ndarray) -> list[Face]:
    faces = []
    for axis in range(3):
        if any(box.hi[other] - box.lo[other] <= 0 for other in range(3) if other != axis):
            continue  # a flat box (a floor tile, a wall strip) has only its two broad faces
        if eye[axis] > box.hi[axis]:
            faces.append((axis, 1))
        elif eye[axis] < box.lo[axis]:
            faces.append((axis, -1))
    return faces


def on_face(corners: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Points in face coordinates mapped onto the face (bilinear on a planar rectangle)."""
    origin, along_u, along_v = corners[0], corners[1] - corners[0], corners[3] - corners[0]
    return origin + uv[:, :1] * along_u + uv[:, 1:2] * along_v


def clip_near(cam_points: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman against the plane z = NEAR, in camera coordinates."""
    if (cam_points[:, 2] >= NEAR).all():
        return cam_points
    kept = []
    count = len(cam_points)
    for i in range(count):
        a, b = cam_points[i], cam_points[(i + 1) % count]
        a_in, b_in = a[2] >= NEAR, b[2] >= NEAR
        if a_in:
            kept.append(a)
        if a_in != b_in:
            t = (NEAR - a[2]) / (b[2] - a[2])
            kept.append(a + t * (b - a))
    return np.array(kept) if kept else np.empty((0, 3))


def draw_order(boxes: list[Box], camera: PinholeCamera) -> list[int]:
    """Indices of `boxes`, farthest-possible occluders last; shell pieces (sort_last False) lead."""
    eye = np.asarray(camera.position)
    shell = [i for i, b in enumerate(boxes) if not b.sort_last]
    movable = [i for i, b in enumerate(boxes) if b.sort_last]
    if not movable:
        return shell
    lo = np.array([boxes[i].lo for i in movable])
    hi = np.array([boxes[i].hi for i in movable])
    # Screen-space bounds, from the 8 corners; anything reaching behind the camera covers the screen.
    corners = np.stack(
        [
            np.stack([np.where(m, hi, lo)[:, k] for k, m in enumerate(bits)], 1)
            for bits in np.ndindex(2, 2, 2)
        ],
        axis=1,
    )  # (n, 8, 3)
    cam = camera.to_camera(corners.reshape(-1, 3)).reshape(-1, 8, 3)
    behind = (cam[:, :, 2] < NEAR).any(axis=1)
    safe = cam.copy()
    safe[:, :, 2] = np.maximum(safe[:, :, 2], NEAR)
    screen = camera.project(safe.reshape(-1, 3)).reshape(-1, 8, 2)
    smin, smax = screen.min(axis=1), screen.max(axis=1)
    smin[behind], smax[behind] = -1e9, 1e9
    overlap = (
        (smin[:, None, 0] < smax[None, :, 0])
        & (smin[None, :, 0] < smax[:, None, 0])
        & (smin[:, None, 1] < smax[None, :, 1])
        & (smin[None, :, 1] < smax[:, None, 1])
    )
    # before[i, j]: i must be drawn before j (j may hide i, i cannot hide j).
    i_below_j = hi[:, None, :] <= lo[None, :, :] + 1e-9
    j_below_i = hi[None, :, :] <= lo[:, None, :] + 1e-9
    before = ((i_below_j & (eye >= lo[None, :, :])) | (j_below_i & (eye <= hi[None, :, :]))).any(axis=2)
    before &= overlap
    np.fill_diagonal(before, False)
    centre = (lo + hi) / 2
    distance = np.linalg.norm(centre - eye, axis=1)
    waiting = before.sum(axis=0)  # how many must come before each box
    heap = [(-distance[k], k) for k in range(len(movable)) if waiting[k] == 0]
    heapq.heapify(heap)
    done = np.zeros(len(movable), bool)
    order: list[int] = []
    while len(order) < len(movable):
        if not heap:  # a cycle: break it at the farthest box still waiting
            k = int(np.argmax(np.where(done, -np.inf, distance)))
        else:
            k = heapq.heappop(heap)[1]
            if done[k]:
                continue
        done[k] = True
        order.append(k)
        for j in np.nonzero(before[k] & ~done)[0]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(heap, (-distance[j], int(j)))
    return shell + [movable[k] for k in order]


ShadeFn = Callable[[np.ndarray, np.ndarray, Color], Color]  # (normal, centre, base colour) -> colour


def draw_boxes(
    draw: ImageDraw.ImageDraw, boxes: list[Box], camera: PinholeCamera, shade: ShadeFn, scale: float
) -> None:
    """Draw every visible face of every box, in occlusion order, with its details on top."""
    eye = np.asarray(camera.position)
    for index in draw_order(boxes, camera):
        box = boxes[index]
        for face in visible_faces(box, eye):
            corners = face_corners(box, face)
            normal = np.zeros(3)
            normal[face[0]] = face[1]
            centre = corners.mean(axis=0)
            colour = box.color if box.emissive else shade(normal, centre, box.color)
            _fill(draw, camera, corners, colour, scale)
            for detail in box.details:
                if detail.face != face:
                    continue
                for points, detail_colour, emissive in detail.polygons:
                    shaded = detail_colour if emissive else shade(normal, centre, detail_colour)
                    _fill(draw, camera, on_face(corners, np.asarray(points, float)), shaded, scale)


def _fill(draw: ImageDraw.ImageDraw, camera: PinholeCamera, world: np.ndarray, colour: Color, scale: float):
    cam = clip_near(camera.to_camera(world))
    if len(cam) < 3:
        return
    screen = camera.project(cam) * scale
    rgb = tuple(int(max(0, min(255, c))) for c in colour)
    draw.polygon([tuple(p) for p in screen.tolist()], fill=rgb)
