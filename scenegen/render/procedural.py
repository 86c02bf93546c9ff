"""Procedural scenes: a furnished 3D room seen from a high corner, lit per its tags, and its ground truth.

It stands in for the image model offline, so the whole pipeline runs without a Google account. The room is
built from boxes whose every position is known, so beside the picture come the depth, the instance of each
pixel and the layout of every object. All of it is a pure function of (archetype, tags, seed, size).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image

from scenegen.catalogue import ArchetypeConfig, ArticulationConfig, ReviewConfig, ViewsConfig
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, Camera
from scenegen.render import looks
from scenegen.render.articulation import leave_open, limit_swings, sweeps
from scenegen.render.faces import Faces, all_faces
from scenegen.render.geometry import PinholeCamera, Thing, box_corners, mirrored
from scenegen.render.layouts import RoomLayout, layout_of
from scenegen.render.raster import draw_details, rasterize
from scenegen.render.rooms import Room, ceiling_lights, light_sources, scatter_props, shell, windows
from scenegen.render.settle import clear_attachments, settle
from scenegen.render.shading import Lights, shade
from scenegen.render.views import HORIZONTAL_FOV_DEG, NEAR_FLOOR_SHARE, Pose, Subject, choose_views
from scenegen.storage import ROOM_SURFACES

MAX_DEPTH_MM = 65535  # what a 16-bit depth image holds


@dataclass(frozen=True)
class RenderOptions:
    """The catalogue's say in a render: how often doors are left open, how views are chosen, and what the
    review needs of a view."""

    articulation: ArticulationConfig = field(default_factory=ArticulationConfig)
    views: ViewsConfig = field(default_factory=ViewsConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)

    @classmethod
    def of(cls, catalogue: ArchetypeConfig) -> RenderOptions:
        return cls(catalogue.articulation, catalogue.views, catalogue.review)


DEFAULT_OPTIONS = RenderOptions()


@dataclass
class Rendering:
    image: Image.Image
    camera: Camera
    depth_mm: np.ndarray  # (h, w) uint16, along the optical axis; 0 where nothing is hit
    instances: np.ndarray  # (h, w) uint16, the thing seen; 0 where nothing is
    parts: np.ndarray  # (h, w) uint16, the joint whose moving part is seen; 0 where none is
    normals: np.ndarray  # (h, w, 3) uint8, the camera-frame normal seen, encoded; 0 where nothing is
    things: list[Thing]
    room_size_m: tuple[float, float, float]
    surfaces: dict[str, list[int]]  # floor, wall and ceiling ids
    lights: Lights  # the fixtures and windows lit as the image shows
    views: list[Camera] = field(default_factory=list)  # every view of the scene; this one is `index`
    index: int = 0


@dataclass
class World:
    """A furnished room, lit, in the world frame the cameras share, with every face built once."""

    things: list[Thing]
    room: Room
    lights: Lights
    surfaces: dict[str, list[int]]
    seed_pose: Pose  # the pose the seed alone gives (before poses were chosen, every scene's)
    faces: Faces

    @property
    def size_m(self) -> tuple[float, float, float]:
        return (self.room.width, self.room.depth, self.room.height)

    def subject(self) -> Subject:
        index = {thing.id: k for k, thing in enumerate(self.things)}
        solid = [k for k, thing in enumerate(self.things) if thing.category not in ROOM_SURFACES]
        obstacles = np.zeros((len(solid), 2, 3))
        for row, k in enumerate(solid):
            corners = self.things[k].to_world(box_corners(*self.things[k].bounds()))
            obstacles[row] = corners.min(axis=0), corners.max(axis=0)
        counted = np.zeros(len(self.things), bool)
        counted[solid] = True
        return Subject(
            self.faces,
            self.size_m,
            counted,
            index[self.surfaces["floor"][0]],
            np.array([index[i] for i in self.surfaces["wall"]], np.int64),
            obstacles,
        )


def render_scene(
    archetype: str,
    tags: tuple[str, ...] | list[str],
    seed: int,
    size: tuple[int, int] = (IMAGE_WIDTH, IMAGE_HEIGHT),
    options: RenderOptions = DEFAULT_OPTIONS,
    views: int = 1,
    view: int = 0,
) -> Rendering:
    """View `view` of the `views` a spec's room is seen from (scenegen.render.views chooses them), with
    its camera and ground truth."""
    world = furnished_world(archetype, tags, seed, options.articulation)
    poses = choose_views(
        world.subject(),
        world.seed_pose,
        views,
        tags,
        options.views,
        options.review,
        random.Random(f"{archetype}:{seed}:views"),
    )
    rendering = draw(world, poses[view].camera(size))
    rendering.views = [describe_camera(pose.camera(size)) for pose in poses]
    rendering.index = view
    return rendering


def furnished_world(
    archetype: str, tags: tuple[str, ...] | list[str], seed: int, articulation: ArticulationConfig
) -> World:
    """The spec's room, furnished and lit, reflected so that its plan faces the seed's corner."""
    rng = random.Random(f"{archetype}:{seed}")
    layout = layout_of(archetype)
    opening = (random.Random(f"{archetype}:{seed}:open"), articulation)
    room, lights, surfaces = _furnished_room(layout, tags, rng, opening)
    corner = rng.randrange(4)  # which corner the seed's camera stands in: the plan, reflected to face it
    things = room.things
    fixtures, daylight = lights.fixtures.copy(), lights.windows.copy()
    for axis, extent in ((0, room.width), (1, room.depth)):
        if corner >> axis & 1:
            things = [mirrored(thing, axis, extent) for thing in things]
            for points in (fixtures, daylight):
                points[:, axis] = extent - points[:, axis]
    lights = replace(lights, fixtures=fixtures, windows=daylight)
    seed_pose = _seed_pose(room, corner, rng)
    return World(things, room, lights, surfaces, seed_pose, all_faces(things))


def draw(world: World, camera: PinholeCamera) -> Rendering:
    """The room seen by `camera`: the picture and its ground truth."""
    faces = world.faces.facing(np.asarray(camera.position))
    face, inverse_depth = rasterize(faces, camera)
    patterns = draw_details(faces, face, camera)
    image = shade(faces, face, inverse_depth, patterns, camera, world.lights, world.things, world.size_m)
    ids = np.array([0] + [thing.id for thing in world.things], np.uint16)
    seen = np.maximum(face, 0)
    instances = ids[np.where(face >= 0, faces.things[seen] + 1, 0)]
    parts = np.where(face >= 0, faces.joints[seen], 0).astype(np.uint16)
    with np.errstate(divide="ignore"):
        depth = np.where(face >= 0, np.rint(1000.0 / inverse_depth), 0)
    depth_mm = np.clip(depth, 0, MAX_DEPTH_MM).astype(np.uint16)
    described = describe_camera(camera)
    return Rendering(
        image,
        described,
        depth_mm,
        instances,
        parts,
        _encoded_normals(faces, face, camera),
        world.things,
        world.size_m,
        world.surfaces,
        world.lights,
        [described],
    )


def _encoded_normals(faces: Faces, face: np.ndarray, camera: PinholeCamera) -> np.ndarray:
    """Each pixel's face normal in the camera frame (OpenCV axes), as round((n + 1) / 2 * 255); one table
    row per face, so the frame is a single lookup."""
    in_camera = np.asarray(faces.normals, np.float64) @ camera.rotation  # R^T n, for every face at once
    table = np.rint((in_camera + 1.0) / 2.0 * 255.0).astype(np.uint8)
    table = np.concatenate([table, np.zeros((1, 3), np.uint8)])  # the last row: nothing hit
    return table[np.where(face >= 0, face, len(table) - 1)]


def _furnished_room(
    layout: RoomLayout, tags, rng: random.Random, opening: tuple[random.Random, ArticulationConfig]
) -> tuple[Room, Lights, dict[str, list[int]]]:
    light = looks.pick(looks.LIGHTING, tags, looks.NEUTRAL_LIGHT)
    palette = looks.varied(looks.pick(looks.PALETTES, tags, looks.NEUTRAL_PALETTE), rng)
    scale = looks.pick(looks.SIZE_SCALE, tags, 1.0)
    activity = looks.pick(looks.ACTIVITY, tags, 1.0)
    width, depth, height = layout.size_m
    room = Room(
        width=round(width * scale * rng.uniform(0.85, 1.18), 2),
        depth=round(depth * scale * rng.uniform(0.85, 1.18), 2),
        height=round(height * looks.pick(layout.height_scale, tags, 1.0) * rng.uniform(0.94, 1.08), 2),
        palette=palette,
        rng=rng,
        density=looks.pick(looks.CLUTTER, tags, 1.0) * activity,
        busy=activity,
        window=light.window,
    )
    lights_on = looks.pick(looks.ACTIVITY_LIGHTS, tags, 1.0)
    fixture_glow = (255, 236, 200) if light.sun == (0, 0, 0) else (250, 250, 246)
    surfaces = shell(room, layout.tile_m * rng.choice((0.5, 1.0, 1.0, 2.0)))
    spacing = layout.light_spacing_m * rng.uniform(0.8, 1.25)
    ceiling_lights(room, spacing, fixture_glow)
    if layout.windows:
        windows(room, max(1, int(room.width // 4)))
    layout.furnish(room)
    scatter_props(room, round((6 + room.width * room.depth / 8) * room.density))
    limit_swings(room.things)
    leave_open(room.things, *opening)
    room.things = settle(clear_attachments(room.things), sweeps(room.things))
    fixtures, daylight = light_sources(room)
    lights = Lights(
        look=light,
        fixtures=np.array(fixtures, float).reshape(-1, 3),
        windows=np.array(daylight, float).reshape(-1, 3),
        fixture_level=lights_on,
        window_level=0.9 * sum(light.window) / 765,
        falloff_m=spacing * 0.9,
        exposure=light.exposure * (0.75 + 0.25 * lights_on) * rng.uniform(0.93, 1.07),
    )
    return room, lights, surfaces


def _seed_pose(room: Room, corner: int, rng: random.Random) -> Pose:
    """The pose the seed alone gives: near the corner, looking across to the far one."""
    inset_x, inset_y = rng.uniform(0.45, 0.7), rng.uniform(0.45, 0.7)
    x = room.width - inset_x if corner & 1 else inset_x
    y = room.depth - inset_y if corner & 2 else inset_y
    towards_x = -room.width if corner & 1 else room.width
    towards_y = -room.depth if corner & 2 else room.depth
    height = rng.uniform(1.5, 2.0)
    yaw_deg = math.degrees(math.atan2(towards_y, towards_x)) + rng.uniform(-6, 6)
    # Tilted down far enough that the frame's lower edge meets the floor within the near part of the room:
    # in a small room a shallow tilt shows walls and appliances but hardly any floor.
    across = math.hypot(room.width - 2 * inset_x, room.depth - 2 * inset_y)
    half_vertical_fov = math.atan(math.tan(math.radians(HORIZONTAL_FOV_DEG) / 2) * IMAGE_HEIGHT / IMAGE_WIDTH)
    floor_in_frame = math.atan(height / (NEAR_FLOOR_SHARE * across)) - half_vertical_fov
    return Pose((x, y, height), yaw_deg, -max(rng.uniform(9, 17), math.degrees(floor_in_frame)))


def describe_camera(camera: PinholeCamera) -> Camera:
    cx, cy = camera.centre
    return Camera(
        width=camera.width,
        height=camera.height,
        fx=camera.focal,
        fy=camera.focal,
        cx=cx,
        cy=cy,
        horizontal_fov_deg=camera.horizontal_fov_deg,
        position_m=camera.position,
        yaw_deg=camera.yaw_deg,
        pitch_deg=camera.pitch_deg,
        world_from_camera=camera.rotation.tolist(),
    )
