"""A depth-buffered rasteriser for the boxes of a scene, in numpy, on one core.

Every face of every box is a planar convex polygon, so over the screen its inverse depth is affine in the
pixel coordinates and its edges are lines: a face is drawn by evaluating those at the centres of the pixels
it covers. Depth and face meet in one int64 key per pixel (the float32 inverse depth's bits, which
order like the floats, above the face number), so keeping the nearest face is a maximum. Only the pixels a
face covers are evaluated: each face's run of them on each row, found for many faces at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from scenegen.render.faces import Faces
from scenegen.render.geometry import Color, PinholeCamera

NEAR = 0.05  # metres: geometry closer than this to the camera plane is clipped away
FACE_BITS = 21  # faces per scene < 2**21
BATCH_FRAGMENTS = 1 << 21  # pixels of faces evaluated at once
VERTICES = 5  # a box face cut by the near plane has at most five corners


@dataclass
class Patterns:
    """The detail seen at each pixel (-1: none), and each detail's colour and whether it glows."""

    index: np.ndarray  # (h, w) int32
    colors: np.ndarray  # (m, 3)
    emissive: np.ndarray  # (m,) bool


def clip_near(cam_points: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman against the plane z = NEAR, in camera coordinates."""
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


def rasterize(faces: Faces, camera: PinholeCamera) -> tuple[np.ndarray, np.ndarray]:
    """The nearest face at every pixel (-1: none) and its inverse depth."""
    width, height = camera.width, camera.height
    cam = camera.to_camera(faces.corners.reshape(-1, 3)).reshape(-1, 4, 3)
    normals = faces.normals @ camera.rotation
    offset = (normals * cam[:, 0]).sum(axis=1)  # the plane n.X = offset, in camera coordinates
    index, screen = _screen_polygons(cam, offset, camera)
    rows = _covered_rows(screen, width, height)
    planes = _inverse_depth_planes(normals[index], offset[index], camera)
    keys = np.zeros(width * height, np.int64)
    ends = np.cumsum(rows.count)
    first = 0
    while first < len(ends):
        last = int(np.searchsorted(ends, (ends[first - 1] if first else 0) + BATCH_FRAGMENTS, "right"))
        last = max(last, first + 1)
        _draw_rows(keys, width, rows.chunk(first, last), index, planes)
        first = last
    keys = keys.reshape(height, width)
    face = (keys & ((1 << FACE_BITS) - 1)).astype(np.int32) - 1
    inverse_depth = (keys >> FACE_BITS).astype(np.int32).view(np.float32)
    return face, inverse_depth


def _screen_polygons(
    cam: np.ndarray, offset: np.ndarray, camera: PinholeCamera
) -> tuple[np.ndarray, np.ndarray]:
    """The faces in front of the camera, as (which, screen polygons (n, VERTICES, 2)); a face cut by the
    near plane has five corners, the others repeat their last corner (an edge of length 0 bounds nothing)."""
    z = cam[:, :, 2]
    facing = ~(z < NEAR).all(axis=1) & (np.abs(offset) >= 1e-9)
    whole = facing & (z >= NEAR).all(axis=1)
    polygons = [np.concatenate([cam[whole], cam[whole][:, 3:]], axis=1)]
    which = [np.nonzero(whole)[0]]
    for index in np.nonzero(facing & ~whole)[0]:
        points = clip_near(cam[index])
        if len(points) >= 3:
            padded = np.concatenate([points, np.repeat(points[-1:], VERTICES - len(points), axis=0)])
            polygons.append(padded[None])
            which.append(np.array([index]))
    points = np.concatenate(polygons)
    screen = points[..., :2] / points[..., 2:3] * camera.focal + np.asarray(camera.centre)
    return np.concatenate(which), screen


@dataclass
class Rows:
    """Runs of covered pixels, one per face and pixel row: the face (a position among the polygons), the
    row, its first column and how many columns."""

    face: np.ndarray
    v: np.ndarray
    u: np.ndarray
    count: np.ndarray

    def chunk(self, first: int, last: int) -> Rows:
        return Rows(self.face[first:last], self.v[first:last], self.u[first:last], self.count[first:last])


def _covered_rows(screen: np.ndarray, width: int, height: int) -> Rows:
    """Every face's runs of pixels whose centres fall inside it, worked out for faces of a similar height
    at once."""
    lo, hi = screen.min(axis=1), screen.max(axis=1)
    u0 = np.maximum(0, np.ceil(lo[:, 0] - 0.5)).astype(np.int64)
    v0 = np.maximum(0, np.ceil(lo[:, 1] - 0.5)).astype(np.int64)
    u1 = np.minimum(width - 1, np.floor(hi[:, 0] - 0.5)).astype(np.int64)
    v1 = np.minimum(height - 1, np.floor(hi[:, 1] - 0.5)).astype(np.int64)
    on_screen = (u0 <= u1) & (v0 <= v1)
    edges = _edges(screen)
    buckets = np.zeros(len(screen), np.int64)
    buckets[on_screen] = _buckets((v1 - v0 + 1)[on_screen])
    runs: list[tuple[np.ndarray, ...]] = []
    for rows in np.unique(buckets[on_screen]):
        faces = np.nonzero(buckets == rows)[0]
        vs = v0[faces, None] + np.arange(rows)
        low, high = _spans(edges[faces], vs.astype(np.float64))
        first = np.maximum(np.ceil(low), u0[faces, None])
        last = np.minimum(np.floor(high), u1[faces, None])
        count = np.where(vs <= v1[faces, None], last - first + 1, 0)
        kept = count > 0
        runs.append(
            (
                np.broadcast_to(faces[:, None], vs.shape)[kept],
                vs[kept],
                first[kept].astype(np.int64),
                count[kept].astype(np.int64),
            )
        )
    if not runs:
        return Rows(*(np.zeros(0, np.int64) for _ in range(4)))
    return Rows(*(np.concatenate(parts) for parts in zip(*runs, strict=True)))


def _buckets(rows: np.ndarray) -> np.ndarray:
    """The power of two (at least 4) at or above each face's count of rows."""
    return np.left_shift(1, np.maximum(2, np.ceil(np.log2(rows)).astype(np.int64)))


def _inverse_depth_planes(normals: np.ndarray, offset: np.ndarray, camera: PinholeCamera) -> np.ndarray:
    """(n, 3) rows (a, b, c) with 1/z = a*u + b*v + c at the centre of pixel (u, v)."""
    cx, cy = camera.centre
    f = camera.focal
    a, b = normals[:, 0] / (f * offset), normals[:, 1] / (f * offset)
    c = (normals[:, 0] * (0.5 - cx) / f + normals[:, 1] * (0.5 - cy) / f + normals[:, 2]) / offset
    return np.stack([a, b, c], axis=1)


def _edges(screen: np.ndarray) -> np.ndarray:
    """(n, k, 3) rows (a, b, c): a pixel centre (u, v) is inside a polygon when a*u + b*v + c >= 0 for each
    of its edges."""
    following = np.roll(screen, -1, axis=1)
    ex, ey = following[..., 0] - screen[..., 0], following[..., 1] - screen[..., 1]
    area = (screen[..., 0] * following[..., 1] - following[..., 0] * screen[..., 1]).sum(axis=1)
    sign = np.where(area >= 0, 1.0, -1.0)[:, None]
    c = ex * (0.5 - screen[..., 1]) - ey * (0.5 - screen[..., 0])
    return np.stack([-ey * sign, ex * sign, c * sign], axis=2)


def _spans(edges: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows v (..., rows), the u interval a convex polygon covers: low and high, per row.

    `edges` is (..., k, 3); each edge bounds u from one side, or (flat in u) lets a row through or not.
    """
    a, b, c = edges[..., 0:1], edges[..., 1:2], edges[..., 2:3]
    rest = b * v[..., None, :] + c  # (..., k, rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = -rest / a
    low = np.where(a > 0, bound, -np.inf)
    high = np.where(a < 0, bound, np.inf)
    blocked = (a == 0) & (rest < 0)
    low = np.where(blocked, np.inf, low).max(axis=-2)
    high = high.min(axis=-2)
    return low, high


def _draw_rows(keys: np.ndarray, width: int, rows: Rows, index: np.ndarray, planes: np.ndarray) -> None:
    """Each run's pixels keep the nearer of what they hold and this face (row by row, so the writes run
    through memory in order)."""
    total = int(rows.count.sum())
    if total == 0:
        return
    starts = np.cumsum(rows.count) - rows.count
    step = np.ones(total, np.int64)  # u grows by one along a run and jumps to the next run's start
    step[0] = rows.u[0]
    step[starts[1:]] = rows.u[1:] - (rows.u[:-1] + rows.count[:-1] - 1)
    u = np.cumsum(step)
    plane = planes[rows.face]
    inverse = np.repeat(plane[:, 0], rows.count) * u + np.repeat(
        plane[:, 1] * rows.v + plane[:, 2], rows.count
    )
    pixel = np.repeat(rows.v * width, rows.count) + u
    key = (inverse.astype(np.float32).view(np.int32).astype(np.int64) << FACE_BITS) | np.repeat(
        index[rows.face] + 1, rows.count
    )
    ahead = inverse > 0
    np.maximum.at(keys, pixel[ahead], key[ahead])


def draw_details(faces: Faces, face: np.ndarray, camera: PinholeCamera) -> Patterns:
    """The patterns on the faces (doors, goods, screens), kept only where their own face is the one seen."""
    shown = np.zeros(len(faces.corners), bool)
    shown[np.unique(face[face >= 0])] = True
    canvas = Image.new("I", (camera.width, camera.height), 0)
    draw = ImageDraw.Draw(canvas)
    colors: list[Color] = []
    emissive: list[bool] = []
    owners: list[int] = []
    eye = np.asarray(camera.position)
    order = [i for i in np.nonzero(shown)[0] if faces.details[i]]
    order.sort(key=lambda i: -float(np.linalg.norm(faces.corners[i].mean(axis=0) - eye)))  # far first
    for index in order:
        corners = faces.corners[index]
        origin, along_u, along_v = corners[0], corners[1] - corners[0], corners[3] - corners[0]
        for detail in faces.details[index]:
            for points, color, glows in detail.polygons:
                uv = np.asarray(points, float)
                world = origin + uv[:, :1] * along_u + uv[:, 1:2] * along_v
                cam = camera.to_camera(world)
                if (cam[:, 2] < NEAR).any():
                    cam = clip_near(cam)
                    if len(cam) < 3:
                        continue
                screen = cam[:, :2] / cam[:, 2:3] * camera.focal + camera.centre
                colors.append(color)
                emissive.append(glows)
                owners.append(index)
                draw.polygon([tuple(p) for p in screen.tolist()], fill=len(colors))
    detail = np.asarray(canvas, np.int32) - 1
    if owners:
        owner = np.asarray(owners, np.int32)
        detail[(detail >= 0) & (owner[np.maximum(detail, 0)] != face)] = -1
    return Patterns(detail, np.array(colors, np.float32).reshape(-1, 3), np.array(emissive, bool))
