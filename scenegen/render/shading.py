"""Lighting the rasterised frame: every pixel lit by the room's own fixtures and windows, per its normal.

The light a surface gets from the fixtures is n . G(P), where G sums, over the lights, the direction to the
light weighted by its falloff. G changes slowly across the room, so it is computed on a coarse grid of the
frame's own points and interpolated; the normal, which changes abruptly at every edge, is taken per pixel.
Near the floor and under things the light is dimmed, a cheap stand-in for the shadows they would cast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageChops, ImageFilter

from scenegen.render.faces import Faces
from scenegen.render.geometry import PinholeCamera, Thing
from scenegen.render.looks import Lighting
from scenegen.render.raster import Patterns

COARSE = 8  # the light field is computed at every 8th pixel in each direction
OCCUPANCY_CELL_M = 0.25
METERED_GREY, MAX_METERED_GAIN = 62.0, 4.0


@dataclass(frozen=True)
class Lights:
    look: Lighting
    fixtures: np.ndarray  # (k, 3) positions of the ceiling fixtures
    windows: np.ndarray  # (m, 3) points where daylight comes in
    fixture_level: float  # how strongly the fixtures shine (some are off in a closed room)
    window_level: float  # how strongly daylight comes in
    falloff_m: float
    exposure: float


def shade(
    faces: Faces,
    face: np.ndarray,
    inverse_depth: np.ndarray,
    patterns: Patterns,
    camera: PinholeCamera,
    lights: Lights,
    things: list[Thing],
    room_size: tuple[float, float, float],
) -> Image.Image:
    """The finished picture of a rasterised frame."""
    height, width = face.shape
    seen = np.maximum(face, 0)
    normals = faces.normals.astype(np.float32)
    normals[faces.emissive] = 0.0  # a glowing face is its own colour
    nx, ny, nz = (normals[:, k][seen] for k in range(3))

    coarse_face = face[COARSE // 2 :: COARSE, COARSE // 2 :: COARSE]
    coarse_depth = 1.0 / np.maximum(inverse_depth[COARSE // 2 :: COARSE, COARSE // 2 :: COARSE], 1e-6)
    rows, cols = coarse_face.shape
    us = np.arange(cols) * COARSE + COARSE // 2
    vs = np.arange(rows) * COARSE + COARSE // 2
    rays = camera.rays(us[None, :].astype(float), vs[:, None].astype(float))
    points = np.asarray(camera.position) + rays * coarse_depth[..., None]
    shadow = _dimming(points, things, room_size)
    # the fixtures, and the windows as lights of their own strength (dim at night): one field
    sources = np.concatenate([lights.fixtures, lights.windows])
    strength = np.concatenate(
        [
            np.full(len(lights.fixtures), lights.fixture_level),
            np.full(len(lights.windows), lights.window_level),
        ]
    )
    fields = [*_light_field(points, sources, strength, lights.falloff_m, shadow), shadow]
    fx, fy, fz, dim = (_upsample(field, width, height) for field in fields)

    look = lights.look
    fixtures = np.maximum(nx * fx + ny * fy + nz * fz, 0.0)
    elevation = math.radians(look.sun_elevation_deg)
    towards_sun = np.array([0.25, math.cos(elevation), math.sin(elevation)], np.float32)
    sun = np.maximum(nx * towards_sun[0] + ny * towards_sun[1] + nz * towards_sun[2], 0.0) * dim
    del nx, ny, nz, fx, fy, fz

    # one colour table: the faces', the patterns', and black for a pixel where nothing is (none in a room)
    colors = np.concatenate([faces.colors, patterns.colors, np.zeros((1, 3))]).astype(np.float32)
    glows = np.concatenate([faces.emissive, patterns.emissive, [True]])
    which = np.where(patterns.index >= 0, len(faces.colors) + patterns.index, seen)
    which[face < 0] = len(colors) - 1
    glowing = glows[which]
    gain = 0.75 * lights.exposure
    channels = []
    for channel in range(3):
        level = (look.ambient[channel] * gain * 0.55) + (look.ambient[channel] * gain * 0.45) * dim
        level += (look.ceiling[channel] / 1.6 * gain) * fixtures
        level += (look.sun[channel] * 0.6 * gain) * sun
        level[glowing] = 1.0
        level *= colors[:, channel][which]
        np.minimum(level, 255, out=level)
        channels.append(Image.fromarray(level.astype(np.uint8)))
    return _finish(_metered(Image.merge("RGB", channels)))


def _metered(image: Image.Image) -> Image.Image:
    """A camera's auto-exposure, upwards only: a dim room (night, a closed warehouse under a high roof) is
    brightened until its mean grey reaches METERED_GREY, so it stays moody but shows what is in it."""
    mean = float(np.asarray(image.reduce(8).convert("L"), dtype=np.float32).mean())
    if mean >= METERED_GREY:
        return image
    gain = min(METERED_GREY / max(mean, 1.0), MAX_METERED_GAIN)
    return image.point([min(255, round(value * gain)) for value in range(256)] * 3)


def _light_field(
    points: np.ndarray, lights: np.ndarray, strength: np.ndarray, falloff: float, shadow: np.ndarray
) -> tuple[np.ndarray, ...]:
    """G(P): over the lights, the unit direction to each times its strength / (1 + (d / falloff)^2)."""
    field = np.zeros(points.shape, np.float32)
    for light, level in zip(lights, strength, strict=True):
        offset = (light - points).astype(np.float32)
        distance = np.sqrt((offset * offset).sum(axis=-1)) + 1e-3
        field += offset * (level / (distance * (1.0 + (distance / falloff) ** 2)))[..., None]
    field *= (0.35 + 0.65 * shadow)[..., None]
    return field[..., 0], field[..., 1], field[..., 2]


def _dimming(points: np.ndarray, things: list[Thing], room_size: tuple[float, float, float]) -> np.ndarray:
    """1 in the open, less under and beside things and close to the floor."""
    width, depth, _ = room_size
    cols, rows = max(1, math.ceil(width / OCCUPANCY_CELL_M)), max(1, math.ceil(depth / OCCUPANCY_CELL_M))
    cover = np.zeros((rows, cols), np.float32)
    for thing in things:
        if thing.category in ("floor", "wall", "ceiling", "ceiling_light", "window", "floor_marking"):
            continue
        (x0, y0, _), (x1, y1, z1) = _footprint(thing)
        cover[
            max(0, int(y0 / OCCUPANCY_CELL_M)) : max(0, math.ceil(y1 / OCCUPANCY_CELL_M)),
            max(0, int(x0 / OCCUPANCY_CELL_M)) : max(0, math.ceil(x1 / OCCUPANCY_CELL_M)),
        ] = min(1.0, 0.4 + z1 / 2.5)
    blurred = _soften(_soften(cover, 2), 2)
    col = np.clip((points[..., 0] / OCCUPANCY_CELL_M).astype(int), 0, cols - 1)
    row = np.clip((points[..., 1] / OCCUPANCY_CELL_M).astype(int), 0, rows - 1)
    low = np.exp(-np.maximum(points[..., 2], 0) / 0.5).astype(np.float32)
    return np.clip(1.0 - 0.55 * blurred[row, col] * low - 0.12 * low, 0.2, 1.0)


def _soften(values: np.ndarray, radius: int) -> np.ndarray:
    """A box blur along both axes (twice over, it is close to a Gaussian)."""
    for axis in (0, 1):
        padded = np.pad(values, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        summed = np.cumsum(padded, axis=axis, dtype=np.float64)
        summed = np.concatenate([np.zeros_like(summed.take([0], axis=axis)), summed], axis=axis)
        size = 2 * radius + 1
        upper = summed.take(range(size, summed.shape[axis]), axis=axis)
        lower = summed.take(range(0, summed.shape[axis] - size), axis=axis)
        values = ((upper - lower) / size).astype(np.float32)
    return values


def _footprint(thing: Thing) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = thing.bounds()
    corners = np.array([[x, y, lo[2]] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])])
    world = thing.to_world(corners)
    return np.array([*world[:, :2].min(axis=0), lo[2]]), np.array([*world[:, :2].max(axis=0), hi[2]])


def _upsample(field: np.ndarray, width: int, height: int) -> np.ndarray:
    image = Image.fromarray(np.ascontiguousarray(field, np.float32), "F")
    return np.asarray(image.resize((width, height), Image.BILINEAR), np.float32)


def _finish(image: Image.Image) -> Image.Image:
    """A soft glow around light sources and lens vignetting (Pillow's C paths: fast)."""
    glow = image.reduce(8).point(lambda value: max(0, value - 230) * 5).filter(ImageFilter.GaussianBlur(6))
    image = ImageChops.add(image, glow.resize(image.size, Image.BILINEAR))
    return ImageChops.multiply(image, _vignette(image.size))


@cache
def _vignette(size: tuple[int, int]) -> Image.Image:
    ys = np.linspace(-1, 1, size[1], dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, size[0], dtype=np.float32)[None, :]
    falloff = (255 * (1.0 - 0.22 * (xs**2 + ys**2) / 2)).astype(np.uint8)
    return Image.fromarray(falloff, "L").convert("RGB")
