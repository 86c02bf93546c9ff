"""Where a procedural room is seen from: the pose that shows the most, and the next best views after it.

Candidates stand in each corner of the room (inset from both walls, further in when something stands there),
at each of the catalogue's heights, looking along the room's diagonal give or take a few degrees, tilted down
at least as far as puts the near floor in the frame. From each place one small, wide render of the faces
is drawn, and every aim from that place is read off it: which objects cover at least `min_object_pixels` of
the 2K frame, which cells of the floor are in it, and whether the view meets the review's needs (the floor
visible, the whole room in view, enough objects, no wall filling the frame). The first view shows the most
(objects, then floor) and never fewer objects than the seed's own pose; each further view adds the most of
what the views before it did not show. Ties go by the seed, so a spec always gets the same views.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from scenegen.catalogue import ReviewConfig, ViewsConfig
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH
from scenegen.render.faces import Faces
from scenegen.render.geometry import PinholeCamera, Vec3
from scenegen.render.looks import vantage
from scenegen.render.raster import rasterize

HORIZONTAL_FOV_DEG = 95.0
FULL_SIZE = (IMAGE_WIDTH, IMAGE_HEIGHT)  # poses are chosen for the 2K frame, whatever size is drawn
NEAR_FLOOR_SHARE = 0.3  # the floor is in frame from this share of the way across the room
MIN_PITCH_DEG = 10.0
STANDING_ROOM_M = 0.25  # a camera stands no closer than this to anything but the room's surfaces
FLOOR_SAMPLES = 40  # the floor sampled on a 40 x 40 grid to measure how much of it is in the frame


@dataclass(frozen=True)
class Pose:
    position: Vec3
    yaw_deg: float
    pitch_deg: float

    def camera(self, size: tuple[int, int] = FULL_SIZE) -> PinholeCamera:
        return PinholeCamera(
            self.position, self.yaw_deg, self.pitch_deg, size[0], size[1], HORIZONTAL_FOV_DEG
        )


@dataclass
class Subject:
    """What the chooser looks at: every face of the room, and which of its things count."""

    faces: Faces  # all of them (scenegen.render.faces.all_faces)
    room_size_m: tuple[float, float, float]
    counted: np.ndarray  # (things,) bool: an object, not the floor, a wall or the ceiling
    floor: int  # the floor's index among the things
    walls: np.ndarray  # the walls' indices
    obstacles: np.ndarray  # (n, 2, 3) low and high world corners of what a camera cannot stand in

    @cached_property
    def matters(self) -> np.ndarray:
        """(things,) bool: what a view is scored on (objects, floor, walls; not the ceiling)."""
        kept = self.counted.copy()
        kept[self.floor] = True
        kept[self.walls] = True
        return kept

    def floor_grid(self, cell_m: float) -> tuple[int, int]:
        """Columns (along x) and rows of the floor's cells."""
        return math.ceil(self.room_size_m[0] / cell_m), math.ceil(self.room_size_m[1] / cell_m)


@dataclass
class Seen:
    """What a pose shows, read off a small render."""

    pose: Pose
    objects: np.ndarray  # (things,) bool: seen by at least min_object_pixels
    floor: np.ndarray  # (cells,) bool: floor cells in the frame and not hidden
    fit: bool  # meets the review's needs

    def gain(self, objects: np.ndarray, floor: np.ndarray, weight: float) -> float:
        """What it adds to views that showed `objects` and `floor`: new objects as a share of the room's,
        and new floor as a share of the floor, weighted."""
        new_objects = np.count_nonzero(self.objects & ~objects) / max(len(objects), 1)
        new_floor = np.count_nonzero(self.floor & ~floor) / max(len(floor), 1)
        return round(new_objects + weight * new_floor, 9)


def choose_views(
    subject: Subject,
    seed_pose: Pose,
    count: int,
    tags: tuple[str, ...] | list[str],
    config: ViewsConfig,
    review: ReviewConfig,
    tie: random.Random,
) -> list[Pose]:
    """`count` poses: the one that shows the most, then each adding the most that the ones before did not
    show. The seed's own pose is a candidate, and the first pose never shows fewer objects than it (unless
    a vantage tag rules the seed's height out)."""
    low, high = vantage(tags)
    # the seed's pose stands among the candidates, unless a vantage tag puts it out of bounds
    seed_seen = _look(subject, seed_pose.position, [seed_pose], config, review)[0]
    seed_counts = low <= seed_pose.position[2] <= high
    seen = [seed_seen] if seed_counts else []
    for eye, aims in candidates(subject, tags, config):
        seen += _look(subject, eye, aims, config, review)
    tie.shuffle(seen)
    chosen: list[Seen] = []
    objects = np.zeros_like(seed_seen.objects)
    floor = np.zeros_like(seed_seen.floor)
    for k in range(count):
        left = [s for s in seen if all(s.pose != c.pose for c in chosen)] or seen
        pool = [s for s in left if s.fit] or left
        if k == 0 and seed_seen.fit and seed_counts:
            least = np.count_nonzero(seed_seen.objects)
            pool = [s for s in pool if np.count_nonzero(s.objects) >= least]
        best = max(pool, key=lambda s: s.gain(objects, floor, config.floor_weight))
        chosen.append(best)
        objects |= best.objects
        floor |= best.floor
    return [s.pose for s in chosen]


def candidates(
    subject: Subject, tags: tuple[str, ...] | list[str], config: ViewsConfig
) -> list[tuple[Vec3, list[Pose]]]:
    """Each place a camera may stand (a corner, a height) with the aims tried from it."""
    width, depth, _ = subject.room_size_m
    low, high = vantage(tags)
    heights = [h for h in config.heights_m if low <= h <= high] or [(low + high) / 2]
    half_vertical = math.atan(math.tan(math.radians(HORIZONTAL_FOV_DEG) / 2) * IMAGE_HEIGHT / IMAGE_WIDTH)
    places = []
    for corner in range(4):
        for height in heights:
            for inset in config.insets_m:
                x = width - inset if corner & 1 else inset
                y = depth - inset if corner & 2 else inset
                if _blocked(subject, (x, y, height)):
                    continue
                diagonal = math.degrees(
                    math.atan2(-depth if corner & 2 else depth, -width if corner & 1 else width)
                )
                across = math.hypot(width - 2 * inset, depth - 2 * inset)
                floor_in_frame = math.degrees(math.atan(height / (NEAR_FLOOR_SHARE * across)) - half_vertical)
                least = max(MIN_PITCH_DEG, floor_in_frame)
                aims = [
                    Pose((x, y, height), diagonal + yaw, -(least + pitch))
                    for yaw in config.yaw_offsets_deg
                    for pitch in config.pitch_offsets_deg
                ]
                places.append(((x, y, height), aims))
                break
    return places


def _blocked(subject: Subject, eye: Vec3) -> bool:
    low = subject.obstacles[:, 0] - STANDING_ROOM_M
    high = subject.obstacles[:, 1] + STANDING_ROOM_M
    point = np.asarray(eye)
    return bool(((low <= point) & (point <= high)).all(axis=1).any())


def _look(
    subject: Subject, eye: Vec3, aims: list[Pose], config: ViewsConfig, review: ReviewConfig
) -> list[Seen]:
    """What each aim from `eye` shows, from one small render wide enough for all of them."""
    wide = _wide_camera(eye, aims, config.small_scale)
    faces = subject.faces.outlines(np.asarray(eye))
    face, inverse = rasterize(faces, wide)
    hit = np.flatnonzero(face >= 0)
    owner = faces.things[face.reshape(-1)[hit]]
    kept = subject.matters[owner]  # the ceiling counts for nothing
    hit, owner = hit[kept], owner[kept]
    v, u = np.divmod(hit, wide.width)
    # each pixel's ray in the small render's axes, 1 deep
    local = np.stack(
        [(u + 0.5 - wide.width / 2) / wide.focal, (v + 0.5 - wide.height / 2) / wide.focal], axis=1
    )
    local = np.concatenate([local, np.ones((len(hit), 1))], axis=1)
    cameras = [pose.camera() for pose in aims]
    # ... and in every aim's axes (right, down, forward) at once
    turns = np.concatenate([wide.rotation.T @ camera.rotation for camera in cameras], axis=1)
    along = (local @ turns).reshape(len(hit), len(aims), 3)
    z = np.maximum(along[..., 2], 1e-6)
    focal = cameras[0].focal
    inside = (np.abs(along[..., 0]) <= z * (IMAGE_WIDTH / 2 / focal)) & (along[..., 2] > 1e-6)
    inside &= np.abs(along[..., 1]) <= z * (IMAGE_HEIGHT / 2 / focal)
    # a small pixel's share of the 2K frame: (f / f_small)^2 / z^3, z its depth along the 2K axis
    weight = inside * ((focal / wide.focal) ** 2 / (z * z * z))
    things = len(subject.counted)
    slots = owner[:, None] + things * np.arange(len(aims))
    pixels = np.bincount(slots.reshape(-1), weights=weight.reshape(-1), minlength=things * len(aims))
    pixels = pixels.reshape(len(aims), things)
    on_floor = owner == subject.floor
    cells = _floor_cells(
        subject, eye, (local[on_floor] @ wide.rotation.T) / inverse.reshape(-1)[hit[on_floor], None], config
    )
    frame = IMAGE_WIDTH * IMAGE_HEIGHT
    whole_room = _floor_in_views(subject.room_size_m, eye, cameras)
    seen = []
    for k, pose in enumerate(aims):
        objects = subject.counted & (pixels[k] >= config.min_object_pixels)
        floor = np.zeros(math.prod(subject.floor_grid(config.floor_cell_m)), bool)
        floor[cells[inside[on_floor, k]]] = True
        distinct = np.count_nonzero(subject.counted & (pixels[k] >= review.min_object_share * frame))
        fit = (
            pixels[k, subject.floor] >= review.min_floor_share * frame
            and distinct >= review.min_distinct_objects
            and pixels[k, subject.walls].max(initial=0.0) <= config.max_wall_share * frame
            and whole_room[k] >= review.min_floor_in_view
            and pose.position[2] >= review.min_camera_height_m
            and corner_distance(subject.room_size_m, pose.position) <= review.max_corner_distance_m
        )
        seen.append(Seen(pose, objects, floor, bool(fit)))
    return seen


def _floor_cells(subject: Subject, eye: Vec3, offsets: np.ndarray, config: ViewsConfig) -> np.ndarray:
    """The floor cell under each of the floor points `eye + offsets`."""
    points = np.asarray(eye) + offsets
    columns, rows = subject.floor_grid(config.floor_cell_m)
    cell_x = np.clip((points[:, 0] / config.floor_cell_m).astype(np.int64), 0, columns - 1)
    cell_y = np.clip((points[:, 1] / config.floor_cell_m).astype(np.int64), 0, rows - 1)
    return cell_x * rows + cell_y


def _floor_in_views(room_size_m, eye: Vec3, cameras: list[PinholeCamera]) -> list[float]:
    """floor_in_view of every 2K camera at `eye`, at once."""
    turns = np.concatenate([camera.rotation for camera in cameras], axis=1)
    in_camera = ((floor_samples(room_size_m) - np.asarray(eye)) @ turns).reshape(-1, len(cameras), 3)
    return _inside_share(in_camera, cameras[0].focal, cameras[0].centre, (IMAGE_WIDTH, IMAGE_HEIGHT)).tolist()


def _wide_camera(eye: Vec3, aims: list[Pose], scale: float) -> PinholeCamera:
    """A pinhole at `eye` whose frame holds every aim's 2K frame, at `scale` of the 2K focal length."""
    yaw = float(np.mean([a.yaw_deg for a in aims]))
    pitch = float(np.mean([a.pitch_deg for a in aims]))
    middle = PinholeCamera(eye, yaw, pitch, 2, 2, 90.0)
    u = np.array([-0.5, IMAGE_WIDTH - 0.5, -0.5, IMAGE_WIDTH - 0.5])
    v = np.array([-0.5, -0.5, IMAGE_HEIGHT - 0.5, IMAGE_HEIGHT - 0.5])
    corners = np.concatenate([aim.camera().rays(u, v) for aim in aims]) @ middle.rotation
    reach = np.abs(corners[:, :2] / corners[:, 2:3]).max(axis=0)
    focal = aims[0].camera().focal * scale
    width, height = (2 * math.ceil(focal * r) for r in reach)
    fov = 2 * math.degrees(math.atan(width / 2 / focal))
    return PinholeCamera(eye, yaw, pitch, width, height, fov)


def floor_in_view(
    room_size_m, position, world_from_camera, focal: float, centre: tuple[float, float], size: tuple[int, int]
) -> float:
    """The share of the floor's area that projects inside a pinhole's frame (what stands on it aside)."""
    in_camera = (floor_samples(room_size_m) - np.asarray(position)) @ np.asarray(world_from_camera)
    return float(_inside_share(in_camera[:, None, :], focal, centre, size)[0])


def floor_samples(room_size_m) -> np.ndarray:
    steps = (np.arange(FLOOR_SAMPLES) + 0.5) / FLOOR_SAMPLES
    xs, ys = np.meshgrid(steps * room_size_m[0], steps * room_size_m[1])
    return np.stack([xs.ravel(), ys.ravel(), np.zeros(xs.size)], axis=1)


def _inside_share(in_camera: np.ndarray, focal: float, centre, size) -> np.ndarray:
    """For points (n, cameras, 3) in each camera's axes: the share of them each camera's frame holds."""
    ahead = in_camera[..., 2] > 1e-6
    z = np.where(ahead, in_camera[..., 2], 1.0)
    u = centre[0] + focal * in_camera[..., 0] / z
    v = centre[1] + focal * in_camera[..., 1] / z
    inside = ahead & (u >= 0) & (u <= size[0]) & (v >= 0) & (v <= size[1])
    return inside.mean(axis=0)


def corner_distance(room_size_m, position) -> float:
    """How far (in plan, metres) a camera stands from the nearest corner of the room."""
    x, y = position[0], position[1]
    width, depth = room_size_m[0], room_size_m[1]
    return min(math.hypot(x - cx, y - cy) for cx in (0.0, width) for cy in (0.0, depth))
