"""A depth-buffered rasteriser for the boxes of a scene, in numpy, on one core.

Every face of every box is a planar convex polygon, so over the screen its inverse depth is affine in the
pixel coordinates and its edges are lines: a face is drawn by evaluating those at the pixel centres of its
screen rectangle. Depth and face meet in one int64 key per pixel (the float32 inverse depth's bits, which
order like the floats, above the face number), so keeping the nearest face is a maximum. Small faces are
drawn many at a time, large ones one by one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from scenegen.render.geometry import Color, Detail, PinholeCamera, Thing

NEAR = 0.05  # metres: geometry closer than this to the camera plane is clipped away
FACE_BITS = 21  # faces per scene < 2**21
BATCH_PIXELS = 1 << 20  # fragments evaluated at once for small faces
LARGE = 256  # a face whose screen rectangle is wider or taller than this is drawn on its own

# The six faces of a box: (axis, side), the axes along which u and v run, and the corners' (u, v) order.
FACES = [(axis, side) for axis in range(3) for side in (-1, 1)]
UV_AXES = {0: (1, 2), 1: (0, 2), 2: (0, 1)}


@dataclass
class Faces:
    """Every face that can be seen, as arrays: world corners (n, 4, 3), normals, and what they belong to."""

    corners: np.ndarray
    normals: np.ndarray
    things: np.ndarray  # index into the scene's things
    colors: np.ndarray  # (n, 3)
    emissive: np.ndarray  # (n,) bool
    details: list[list[Detail]]


@dataclass
class Patterns:
    """The detail seen at each pixel (-1: none), and each detail's colour and whether it glows."""

    index: np.ndarray  # (h, w) int32
    colors: np.ndarray  # (m, 3)
    emissive: np.ndarray  # (m,) bool


def visible_faces(things: list[Thing], eye: np.ndarray) -> Faces:
    """The faces of every part that turn towards the eye (a box's far faces are hidden by its near ones)."""
    corners, normals, owners, colors, emissive, details = [], [], [], [], [], []
    for index, thing in enumerate(things):
        yaw = math.radians(thing.yaw_deg)
        turn = np.array([[math.cos(yaw), -math.sin(yaw), 0], [math.sin(yaw), math.cos(yaw), 0], [0, 0, 1]])
        for part in thing.parts:
            lo, hi = np.asarray(part.lo, float), np.asarray(part.hi, float)
            for axis, side in FACES:
                u_axis, v_axis = UV_AXES[axis]
                if hi[u_axis] <= lo[u_axis] or hi[v_axis] <= lo[v_axis]:
                    continue  # a flat box has only its two broad faces
                normal = turn[:, axis] * side
                face = _face_corners(lo, hi, axis, side)
                world = thing.to_world(face)
                if float((eye - world[0]) @ normal) <= 1e-9:
                    continue
                corners.append(world)
                normals.append(normal)
                owners.append(index)
                colors.append(part.color)
                emissive.append(part.emissive)
                details.append([d for d in part.details if d.face == (axis, side)])
    return Faces(
        np.array(corners).reshape(-1, 4, 3),
        np.array(normals).reshape(-1, 3),
        np.array(owners, np.int32),
        np.array(colors, np.float32).reshape(-1, 3),
        np.array(emissive, bool),
        details,
    )


def _face_corners(lo: np.ndarray, hi: np.ndarray, axis: int, side: int) -> np.ndarray:
    """Corners ordered (u0v0, u1v0, u1v1, u0v1), u and v running as UV_AXES says."""
    u_axis, v_axis = UV_AXES[axis]
    corners = np.empty((4, 3))
    corners[:, axis] = hi[axis] if side > 0 else lo[axis]
    for k, (u, v) in enumerate(((0, 0), (1, 0), (1, 1), (0, 1))):
        corners[k, u_axis] = hi[u_axis] if u else lo[u_axis]
        corners[k, v_axis] = hi[v_axis] if v else lo[v_axis]
    return corners


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
    keys = np.zeros((height, width), np.int64)
    cam = camera.to_camera(faces.corners.reshape(-1, 3)).reshape(-1, 4, 3)
    normals = faces.normals @ camera.rotation
    offset = (normals * cam[:, 0]).sum(axis=1)  # the plane n.X = offset, in camera coordinates
    polygons: list[tuple[int, np.ndarray]] = []
    for index in range(len(cam)):
        z = cam[index, :, 2]
        if (z < NEAR).all() or abs(offset[index]) < 1e-9:
            continue
        points = cam[index] if (z >= NEAR).all() else clip_near(cam[index])
        if len(points) >= 3:
            polygons.append((index, points[:, :2] / points[:, 2:3] * camera.focal + camera.centre))
    batches: dict[tuple[int, int], list] = {}
    for index, screen in polygons:
        rect = _pixel_rect(screen, width, height)
        if rect is None:
            continue
        plane = _inverse_depth_plane(normals[index], offset[index], camera)
        edges = _edges(screen)
        if rect[2] - rect[0] >= LARGE or rect[3] - rect[1] >= LARGE:
            _draw_one(keys, index, rect, plane, edges)
        else:
            shape = (_bucket(rect[3] - rect[1] + 1), _bucket(rect[2] - rect[0] + 1))
            batches.setdefault(shape, []).append((index, rect, plane, edges))
    flat = keys.reshape(-1)
    for shape, items in batches.items():
        step = max(1, BATCH_PIXELS // (shape[0] * shape[1]))
        for start in range(0, len(items), step):
            _draw_many(flat, width, shape, items[start : start + step])
    face = (keys & ((1 << FACE_BITS) - 1)).astype(np.int32) - 1
    inverse_depth = (keys >> FACE_BITS).astype(np.int32).view(np.float32)
    return face, inverse_depth


def _bucket(size: int) -> int:
    return 1 << max(2, (size - 1).bit_length())


def _pixel_rect(screen: np.ndarray, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The pixels whose centres may fall inside: (u0, v0, u1, v1), inclusive; None if off screen."""
    lo, hi = screen.min(axis=0), screen.max(axis=0)
    u0, v0 = max(0, math.ceil(lo[0] - 0.5)), max(0, math.ceil(lo[1] - 0.5))
    u1, v1 = min(width - 1, math.floor(hi[0] - 0.5)), min(height - 1, math.floor(hi[1] - 0.5))
    if u0 > u1 or v0 > v1:
        return None
    return u0, v0, u1, v1


def _inverse_depth_plane(normal: np.ndarray, offset: float, camera: PinholeCamera) -> np.ndarray:
    """(a, b, c) with 1/z = a*u + b*v + c at the centre of pixel (u, v)."""
    cx, cy = camera.centre
    f = camera.focal
    a, b = normal[0] / (f * offset), normal[1] / (f * offset)
    c = (normal[0] * (0.5 - cx) / f + normal[1] * (0.5 - cy) / f + normal[2]) / offset
    return np.array([a, b, c])


def _edges(screen: np.ndarray) -> np.ndarray:
    """(k, 3) rows (a, b, c): a pixel centre (u, v) is inside when a*u + b*v + c >= 0 for every edge."""
    following = np.roll(screen, -1, axis=0)
    ex, ey = following[:, 0] - screen[:, 0], following[:, 1] - screen[:, 1]
    area = float((screen[:, 0] * following[:, 1] - following[:, 0] * screen[:, 1]).sum())
    sign = 1.0 if area >= 0 else -1.0
    c = ex * (0.5 - screen[:, 1]) - ey * (0.5 - screen[:, 0])
    return np.stack([-ey, ex, c], axis=1) * sign


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


def _key(inverse_depth: np.ndarray, face: np.ndarray | int) -> np.ndarray:
    return (inverse_depth.astype(np.float32).view(np.int32).astype(np.int64) << FACE_BITS) | (face + 1)


def _draw_one(keys: np.ndarray, index: int, rect, plane: np.ndarray, edges: np.ndarray) -> None:
    u0, v0, u1, v1 = rect
    us = np.arange(u0, u1 + 1, dtype=np.float64)
    vs = np.arange(v0, v1 + 1, dtype=np.float64)
    low, high = _spans(edges, vs)
    inverse = (plane[0] * us).astype(np.float32)[None, :] + (plane[1] * vs + plane[2]).astype(np.float32)[
        :, None
    ]
    inside = (us[None, :] >= low[:, None]) & (us[None, :] <= high[:, None]) & (inverse > 0)
    view = keys[v0 : v1 + 1, u0 : u1 + 1]
    np.maximum(view, np.where(inside, _key(inverse, index), 0), out=view)


def _draw_many(flat: np.ndarray, width: int, shape: tuple[int, int], items: list) -> None:
    rows, cols = shape
    count = len(items)
    index = np.array([item[0] for item in items], np.int64)
    rects = np.array([item[1] for item in items], np.int64)
    planes = np.array([item[2] for item in items])
    most = max(len(item[3]) for item in items)
    edges = np.zeros((count, most, 3))  # padded with edges that let everything through
    for k, item in enumerate(items):
        edges[k, : len(item[3])] = item[3]
    us = rects[:, 0:1] + np.arange(cols)  # (n, cols)
    vs = rects[:, 1:2] + np.arange(rows)  # (n, rows)
    low, high = _spans(edges, vs.astype(np.float64))
    low = np.maximum(low, rects[:, 0:1] - 0.5)  # the padding beyond each face's rectangle
    high = np.minimum(high, rects[:, 2:3])
    high = np.where(vs <= rects[:, 3:4], high, -np.inf)
    inverse = (planes[:, 0:1] * us)[:, None, :] + (planes[:, 1:2] * vs + planes[:, 2:3])[:, :, None]
    inside = (us[:, None, :] >= low[:, :, None]) & (us[:, None, :] <= high[:, :, None]) & (inverse > 0)
    pixels = (vs[:, :, None] * width + us[:, None, :])[inside]
    keys = _key(inverse, index[:, None, None])[inside]
    np.maximum.at(flat, pixels, keys)


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
