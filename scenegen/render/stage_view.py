"""The lights and the camera of scene.usda, as the renderer lit and framed the image.

- a RectLight per ceiling fixture, at the fixture's lower face, shining down: its size, colour and level;
- a RectLight per window, at the glass, shining into the room: daylight at the look's window colour;
- a DistantLight for the sun when the look has one, and a DomeLight for the ambient light;
- the camera of scene.json, with the image's intrinsics.
"""

from __future__ import annotations

import math

import numpy as np

from scenegen.models import Camera
from scenegen.render.geometry import Thing
from scenegen.render.shading import Lights
from scenegen.render.usd_authoring import attribute, transform, unit_colour

APERTURE_MM = 20.955  # USD's default horizontal aperture; only its ratio to the focal length matters
# The renderer's light levels are relative; these make them USD intensities (nits) of a plausible room.
FIXTURE_NITS, WINDOW_NITS, SUN_INTENSITY, DOME_NITS = 4000.0, 2500.0, 3.0, 600.0


def author_lights(world, things: list[Thing], lights: Lights, room_centre: np.ndarray) -> None:
    from pxr import Gf, Sdf

    names = Sdf.ValueTypeNames
    scope = Sdf.PrimSpec(world, "Lights", Sdf.SpecifierDef, "Scope")
    look = lights.look

    def light(name: str, kind: str, colour, intensity: float):
        prim = Sdf.PrimSpec(scope, name, Sdf.SpecifierDef, kind)
        attribute(prim, "inputs:color", names.Color3f, Gf.Vec3f(*colour))
        attribute(prim, "inputs:intensity", names.Float, float(intensity))
        return prim

    ambient = np.asarray(look.ambient, float)
    dome = light("Ambient", "DomeLight", ambient / max(ambient.max(), 1e-6), DOME_NITS * ambient.max())
    transform(dome, np.eye(3), (0.0, 0.0, 0.0))
    for thing in things:
        if thing.category == "ceiling_light":
            (part,) = thing.parts
            size = np.subtract(part.hi, part.lo)
            low_face = [(part.lo[0] + part.hi[0]) / 2, (part.lo[1] + part.hi[1]) / 2, part.lo[2]]
            prim = light(
                f"Fixture_{thing.id}",
                "RectLight",
                unit_colour(part.color),
                FIXTURE_NITS * lights.fixture_level * lights.exposure,
            )
            attribute(prim, "inputs:width", names.Float, float(size[0]))
            attribute(prim, "inputs:height", names.Float, float(size[1]))
            transform(prim, np.eye(3), thing.to_world(np.array([low_face]))[0])  # shines down its -z
        elif thing.category == "window":
            (part,) = thing.parts
            size = np.subtract(part.hi, part.lo)
            into_room = -1.0 if part.lo[1] > room_centre[1] else 1.0  # windows are in a wall across y
            glass = [(part.lo[0] + part.hi[0]) / 2, part.lo[1] if into_room < 0 else part.hi[1]]
            axes = np.array([[into_room, 0, 0], [0, 0, 1.0], [0, -into_room, 0]])  # x along, y up, z out
            level = WINDOW_NITS * lights.window_level
            prim = light(f"Window_{thing.id}", "RectLight", unit_colour(look.window), level)
            attribute(prim, "inputs:width", names.Float, float(size[0]))
            attribute(prim, "inputs:height", names.Float, float(size[2]))
            transform(prim, axes, (*glass, (part.lo[2] + part.hi[2]) / 2))
    if max(look.sun) > 0:
        elevation = math.radians(look.sun_elevation_deg)
        towards = np.array([0.25, math.cos(elevation), math.sin(elevation)])
        towards /= np.linalg.norm(towards)
        side = np.cross([0.0, 0.0, 1.0], towards)
        side /= np.linalg.norm(side)
        sun = np.asarray(look.sun, float)
        prim = light("Sun", "DistantLight", sun / sun.max(), SUN_INTENSITY * sun.max() * lights.window_level)
        attribute(prim, "inputs:angle", names.Float, 0.53)
        transform(prim, np.array([side, np.cross(towards, side), towards]), (0.0, 0.0, 0.0))


def author_camera(world, camera: Camera, name: str = "Camera") -> None:
    """OpenCV axes (x right, y down, z forward) to USD's (x right, y up, looking down -z)."""
    from pxr import Gf, Sdf

    names = Sdf.ValueTypeNames
    prim = Sdf.PrimSpec(world, name, Sdf.SpecifierDef, "Camera")
    attribute(prim, "projection", names.Token, "perspective")
    attribute(prim, "horizontalAperture", names.Float, APERTURE_MM)
    attribute(prim, "verticalAperture", names.Float, APERTURE_MM * camera.height / camera.width)
    attribute(prim, "focalLength", names.Float, camera.fx * APERTURE_MM / camera.width)
    attribute(
        prim,
        "horizontalApertureOffset",
        names.Float,
        (camera.cx - camera.width / 2) * APERTURE_MM / camera.width,
    )
    attribute(
        prim,
        "verticalApertureOffset",
        names.Float,
        -(camera.cy - camera.height / 2) * APERTURE_MM / camera.width,
    )
    attribute(prim, "clippingRange", names.Float2, Gf.Vec2f(0.05, 1000.0))
    rotation = np.asarray(camera.world_from_camera) @ np.diag([1.0, -1.0, -1.0])
    transform(prim, rotation.T, camera.position_m)
    for name, value in (("fx", camera.fx), ("fy", camera.fy), ("cx", camera.cx), ("cy", camera.cy)):
        attribute(prim, f"scenegen:{name}", names.Double, value, custom=True)
    fov = math.degrees(2 * math.atan(camera.width / 2 / camera.fx))
    attribute(prim, "scenegen:horizontalFovDeg", names.Double, fov, custom=True)
