"""Procedural scene images: a furnished 3D room seen from an elevated corner, lit per its tags.

It stands in for the image model offline, so the whole pipeline runs without a Google account; each
archetype is recognisable by its fixtures and every variation tag changes the picture.
"""

from __future__ import annotations

import math
import os
import random
import time
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from scenegen.imaging import sha256_file
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, Camera, RenderedImage, SceneSpec
from scenegen.render import looks
from scenegen.render.raster import PinholeCamera, draw_boxes
from scenegen.render.rooms import (
    LIGHT_SPACING,
    PLANS,
    ROOM_SIZE,
    TILE_SIZE,
    Room,
    ceiling_lights,
    scatter_props,
    shell,
)

HORIZONTAL_FOV_DEG = 95.0
SUPERSAMPLE = 2  # drawn at twice the size and reduced: anti-aliased edges
WINDOWED = {"office", "lab", "home_laundry", "kitchen"}
HEIGHT_SCALE = {"compact_space": 0.92, "medium_space": 1.0, "large_space": 1.1}


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
    width, depth, height = ROOM_SIZE.get(archetype, (10.0, 8.0, 3.2))
    room = Room(
        width=width * scale,
        depth=depth * scale,
        height=height * looks.pick(HEIGHT_SCALE, tags, 1.0),
        palette=palette,
        rng=rng,
        density=looks.pick(looks.CLUTTER, tags, 1.0) * activity,
        busy=activity,
        window=light.window,
    )
    lights_on = looks.pick(looks.ACTIVITY_LIGHTS, tags, 1.0)
    fixture_glow = (255, 236, 200) if light.sun == (0, 0, 0) else (250, 250, 246)
    light_points = ceiling_lights(room, LIGHT_SPACING.get(archetype, 2.8), fixture_glow)
    PLANS.get(archetype, lambda _room: None)(room)
    scatter_props(room, round((6 + room.width * room.depth / 8) * room.density))
    pieces = shell(room, TILE_SIZE.get(archetype, 1.0), "far" if archetype in WINDOWED else None)

    camera = PinholeCamera(
        position=(rng.uniform(0.45, 0.7), rng.uniform(0.45, 0.7), rng.uniform(1.5, 2.0)),
        yaw_deg=math.degrees(math.atan2(room.depth, room.width)) + rng.uniform(-3, 3),
        pitch_deg=-rng.uniform(11, 16),
        width=size[0],
        height=size[1],
        horizontal_fov_deg=HORIZONTAL_FOV_DEG,
    )
    shade = _shader(light, np.array(light_points), lights_on, LIGHT_SPACING.get(archetype, 2.8))
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


class ProceduralRenderer:
    """The embedded `ImageGenerator`: free, offline, deterministic."""

    name = "procedural"
    model = "procedural-v1"
    expected_cost_usd = 0.0

    def __init__(self, size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT)) -> None:
        self.size = size

    def generate(self, spec: SceneSpec, destination: Path) -> RenderedImage:
        started = time.perf_counter()
        image, camera = render_image(spec.archetype, spec.variation_tags, spec.seed, self.size)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".part")
        image.save(partial, format="PNG", compress_level=1)  # fast; the pixels, not the zlib level, matter
        os.replace(partial, destination)
        return RenderedImage(
            path=str(destination),
            sha256=sha256_file(destination),
            width=image.width,
            height=image.height,
            backend=self.name,
            model=self.model,
            seconds=round(time.perf_counter() - started, 3),
            camera=camera,
        )
