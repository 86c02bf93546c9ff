"""Procedural scene images: a furnished 3D room seen from an elevated corner, lit per its tags.

It stands in for the image model offline, so the whole pipeline runs without a Google account; each
archetype is recognisable by its fixtures and every variation tag changes the picture.
"""

from __future__ import annotations

import math
import random
from functools import cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, Camera
from scenegen.render import looks
from scenegen.render.layouts import layout_of
from scenegen.render.raster import PinholeCamera, draw_boxes
from scenegen.render.rooms import Room, ceiling_lights, scatter_props, shell

HORIZONTAL_FOV_DEG = 95.0
SUPERSAMPLE = 2  # drawn at twice the size and reduced: anti-aliased edges


def render_image(
    archetype: str,
    tags: tuple[str, ...] | list[str],
    seed: int,
    size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT),
) -> tuple[Image.Image, Camera]:
    """The picture and its camera; a pure function of its arguments."""
    rng = random.Random(f"{archetype}:{seed}")
    light = looks.pick(looks.LIGHTING, tags, looks.NEUTRAL_LIGHT)
    palette = looks.pick(looks.PALETTES, tags, looks.NEUTRAL_PALETTE)
    scale = looks.pick(looks.SIZE_SCALE, tags, 1.0)
    activity = looks.pick(looks.ACTIVITY, tags, 1.0)
    layout = layout_of(archetype)
    width, depth, height = layout.size_m
    room = Room(
        width=width * scale,
        depth=depth * scale,
        height=height * looks.pick(layout.height_scale, tags, 1.0),
        palette=palette,
        rng=rng,
        density=looks.pick(looks.CLUTTER, tags, 1.0) * activity,
        busy=activity,
        window=light.window,
    )
    lights_on = looks.pick(looks.ACTIVITY_LIGHTS, tags, 1.0)
    fixture_glow = (255, 236, 200) if light.sun == (0, 0, 0) else (250, 250, 246)
    light_points = ceiling_lights(room, layout.light_spacing_m, fixture_glow)
    layout.furnish(room)
    scatter_props(room, round((6 + room.width * room.depth / 8) * room.density))
    pieces = shell(room, layout.tile_m, "far" if layout.windows else None)

    camera = PinholeCamera(
        position=(rng.uniform(0.45, 0.7), rng.uniform(0.45, 0.7), rng.uniform(1.5, 2.0)),
        yaw_deg=math.degrees(math.atan2(room.depth, room.width)) + rng.uniform(-3, 3),
        pitch_deg=-rng.uniform(11, 16),
        width=size[0],
        height=size[1],
        horizontal_fov_deg=HORIZONTAL_FOV_DEG,
    )
    shade = _shader(light, np.array(light_points), lights_on, layout.light_spacing_m)
    canvas = Image.new("RGB", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), palette.ceiling)
    draw_boxes(ImageDraw.Draw(canvas), pieces + room.boxes, camera, shade, SUPERSAMPLE)
    image = _finish(canvas.reduce(SUPERSAMPLE), light.exposure * (0.75 + 0.25 * lights_on))
    return image, _describe(camera)


def _shader(light: looks.Lighting, lights: np.ndarray, lights_on: float, spacing: float):
    ambient = np.array(light.ambient)
    ceiling = np.array(light.ceiling) * lights_on / 1.6
    sun = np.array(light.sun)
    elevation = math.radians(light.sun_elevation_deg)
    towards_sun = np.array([0.25, math.cos(elevation), math.sin(elevation)])  # windows on the far wall
    towards_sun /= np.linalg.norm(towards_sun)
    falloff = spacing * 0.9

    def shade(normal: np.ndarray, centre: np.ndarray, colour):
        offsets = lights - centre
        distance = np.linalg.norm(offsets, axis=1) + 1e-6
        lambert = np.clip(offsets @ normal / distance, 0.0, None)
        received = float((lambert / (1 + (distance / falloff) ** 2)).sum())
        level = 0.75 * (ambient + ceiling * received + sun * max(0.0, float(normal @ towards_sun)))
        return tuple(np.asarray(colour) * level)

    return shade


def _finish(image: Image.Image, exposure: float) -> Image.Image:
    """Exposure, a soft glow around light sources and lens vignetting (Pillow's C paths: fast)."""
    image = image.point(lambda value: min(255, int(value * exposure)))
    glow = image.reduce(8).point(lambda value: max(0, value - 230) * 5).filter(ImageFilter.GaussianBlur(6))
    image = ImageChops.add(image, glow.resize(image.size, Image.BILINEAR))
    return ImageChops.multiply(image, _vignette(image.size))


@cache
def _vignette(size: tuple[int, int]) -> Image.Image:
    ys = np.linspace(-1, 1, size[1], dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, size[0], dtype=np.float32)[None, :]
    falloff = (255 * (1.0 - 0.22 * (xs**2 + ys**2) / 2)).astype(np.uint8)
    return Image.fromarray(falloff, "L").convert("RGB")


def _describe(camera: PinholeCamera) -> Camera:
    return Camera(
        width=camera.width,
        height=camera.height,
        fx=camera.focal,
        fy=camera.focal,
        cx=camera.width / 2,
        cy=camera.height / 2,
        horizontal_fov_deg=camera.horizontal_fov_deg,
        position_m=camera.position,
        yaw_deg=camera.yaw_deg,
        pitch_deg=camera.pitch_deg,
        world_from_camera=np.round(camera.rotation, 6).tolist(),
    )
