"""scene.usda: a procedural room as a stage a robot can be dropped into (metres, kilograms, Z up).

- /World/PhysicsScene: gravity.
- /World/Looks/<surface>: one material per surface kind (archetypes/physical_properties.json), a
  UsdPreviewSurface whose base colour is each part's own `displayColor` (the colour the renderer drew),
  with the kind's roughness and metalness; the same prim is the physics material (friction, restitution).
- /World/Objects/<category>_<id>: an Xform at the object's box centre turned by its yaw, labelled with its
  category (SemanticsLabelsAPI, and the older Semantics attributes); a guide Cube, `bounds`, of its box; its
  parts, `part_<k>`, each a Cube that collides, with its colour and material. A loose object is a rigid
  body with a mass from its category's density. Floor, walls and ceiling keep their tiles as one visual
  Mesh, and collide through one guide slab behind their surface, so nothing can fall through a seam.
- /World/Lights: the renderer's light sources: a RectLight per ceiling fixture (its size, colour and level),
  one per window (daylight coming in), a DistantLight for the sun when there is one, and a DomeLight for
  the ambient light.
- /World/Camera: the camera of scene.json.

Authored on the layer directly (Sdf), in one change block, with the schemas' own names: the stage-level API
takes seconds for a few hundred objects. Under scenegen.engine.usd's lock, whichever thread calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scenegen.engine.usd import USD_LOCK, first_use
from scenegen.models import Camera
from scenegen.render.faces import joint_ids
from scenegen.render.geometry import Box, Thing
from scenegen.render.shading import Lights
from scenegen.render.stage_joints import author_articulation
from scenegen.render.stage_view import author_camera, author_lights
from scenegen.render.usd_authoring import api_schemas, attribute, op_order, relationship, unit_colour
from scenegen.sim.physical import PhysicalCatalogue, physical_catalogue
from scenegen.storage import ROOM_SURFACES

SHELL_THICKNESS_M = 0.2  # the collision slab behind a floor, wall or ceiling
MIN_PART_SIZE_M = 1e-4  # a flat part still gets an invertible scale
GRAVITY_M_S2 = 9.81


def write_stage(
    layout: dict[str, Any],
    things: list[Thing],
    camera: Camera,
    lights: Lights,
    path: Path,
    further_views: Sequence[Camera] = (),
) -> None:
    """The stage; `camera` is view 0's (/World/Camera), each further view's is /World/Camera_<k>."""
    with USD_LOCK:
        first_use()
        from pxr import Sdf  # a heavy import, needed only here

        catalogue = physical_catalogue()
        layer = Sdf.Layer.CreateAnonymous(".usda")
        with Sdf.ChangeBlock():
            layer.pseudoRoot.SetInfo("upAxis", "Z")
            layer.pseudoRoot.SetInfo("metersPerUnit", 1.0)
            layer.pseudoRoot.SetInfo("kilogramsPerUnit", 1.0)
            layer.defaultPrim = "World"
            world = Sdf.PrimSpec(layer, "World", Sdf.SpecifierDef, "Xform")
            _physics_scene(world)
            _materials(world, catalogue, {catalogue.category(t.category).surface for t in things})
            objects = Sdf.PrimSpec(world, "Objects", Sdf.SpecifierDef, "Scope")
            by_id = {thing.id: thing for thing in things}
            first_joints = dict(zip((thing.id for thing in things), joint_ids(things), strict=True))
            room_centre = np.asarray(layout["room"]["size_m"], float) / 2
            for entry in layout["objects"]:
                thing = by_id[entry["id"]]
                _object(objects, entry, thing, catalogue, room_centre, first_joints[thing.id])
            author_lights(world, things, lights, room_centre)
            author_camera(world, camera)
            for index, view in enumerate(further_views, start=1):
                author_camera(world, view, f"Camera_{index}")
        text = layer.ExportToString()
    path.write_text(text, encoding="utf-8")


def _physics_scene(world) -> None:
    from pxr import Gf, Sdf

    scene = Sdf.PrimSpec(world, "PhysicsScene", Sdf.SpecifierDef, "PhysicsScene")
    attribute(scene, "physics:gravityDirection", Sdf.ValueTypeNames.Vector3f, Gf.Vec3f(0, 0, -1))
    attribute(scene, "physics:gravityMagnitude", Sdf.ValueTypeNames.Float, GRAVITY_M_S2)


def _materials(world, catalogue: PhysicalCatalogue, kinds: set[str]) -> None:
    from pxr import Gf, Sdf

    names = Sdf.ValueTypeNames
    looks = Sdf.PrimSpec(world, "Looks", Sdf.SpecifierDef, "Scope")
    for kind in sorted(kinds):
        surface = catalogue.surfaces[kind]
        material = Sdf.PrimSpec(looks, kind, Sdf.SpecifierDef, "Material")
        api_schemas(material, "PhysicsMaterialAPI")
        attribute(material, "physics:staticFriction", names.Float, surface.static_friction)
        attribute(material, "physics:dynamicFriction", names.Float, surface.dynamic_friction)
        attribute(material, "physics:restitution", names.Float, surface.restitution)
        base = material.path.AppendChild("PreviewSurface")
        output = attribute(material, "outputs:surface", names.Token)
        output.connectionPathList.explicitItems = [base.AppendProperty("outputs:surface")]

        colour = Sdf.PrimSpec(material, "PartColour", Sdf.SpecifierDef, "Shader")
        attribute(colour, "info:id", names.Token, "UsdPrimvarReader_float3", uniform=True)
        attribute(colour, "inputs:varname", names.String, "displayColor")
        attribute(colour, "inputs:fallback", names.Float3, Gf.Vec3f(0.5, 0.5, 0.5))
        attribute(colour, "outputs:result", names.Float3)

        shader = Sdf.PrimSpec(material, "PreviewSurface", Sdf.SpecifierDef, "Shader")
        attribute(shader, "info:id", names.Token, "UsdPreviewSurface", uniform=True)
        diffuse = attribute(shader, "inputs:diffuseColor", names.Color3f, Gf.Vec3f(0.5, 0.5, 0.5))
        diffuse.connectionPathList.explicitItems = [colour.path.AppendProperty("outputs:result")]
        attribute(shader, "inputs:roughness", names.Float, surface.roughness)
        attribute(shader, "inputs:metallic", names.Float, surface.metallic)
        attribute(shader, "outputs:surface", names.Token)


def _object(
    parent, entry: dict[str, Any], thing: Thing, catalogue: PhysicalCatalogue, room_centre, first_joint: int
) -> None:
    from pxr import Gf, Sdf, Vt

    names = Sdf.ValueTypeNames
    category = catalogue.category(entry["category"])
    material = f"/World/Looks/{category.surface}"
    prim = Sdf.PrimSpec(parent, f"{entry['category']}_{entry['id']}", Sdf.SpecifierDef, "Xform")
    schemas = ["SemanticsLabelsAPI:class"]
    lo, hi = thing.bounds()
    centre = (lo + hi) / 2
    if category.loose:
        schemas += ["PhysicsRigidBodyAPI", "PhysicsMassAPI"]
        volume = sum(float(np.prod(np.subtract(part.hi, part.lo))) for part in thing.parts)
        attribute(prim, "physics:mass", names.Float, category.loose_density_kg_m3 * volume)
    if thing.joints:
        schemas.append("PhysicsArticulationRootAPI")
    api_schemas(prim, *schemas)
    attribute(prim, "semantics:labels:class", names.TokenArray, Vt.TokenArray([entry["category"]]))
    # the older Semantics schema's attributes, which Isaac's Replicator read before SemanticsLabelsAPI
    attribute(prim, "semantic:Semantics:params:semanticType", names.String, "class", custom=True)
    attribute(prim, "semantic:Semantics:params:semanticData", names.String, entry["category"], custom=True)
    attribute(prim, "scenegen:id", names.Int, entry["id"], custom=True)
    attribute(prim, "scenegen:fixture", names.String, entry["fixture"] or "", custom=True)
    attribute(prim, "xformOp:translate", names.Double3, Gf.Vec3d(*entry["center_m"]))
    attribute(prim, "xformOp:rotateZ", names.Float, float(entry["yaw_deg"]))
    op_order(prim, "xformOp:translate", "xformOp:rotateZ")
    size = np.maximum(entry["size_m"], MIN_PART_SIZE_M)
    _cube(prim, "bounds", np.zeros(3), size, purpose="guide")
    if entry["category"] in ROOM_SURFACES:
        _shell(prim, thing, centre, np.asarray(room_centre) - centre, material)
        _collision_slab(prim, size, np.asarray(entry["center_m"]) - room_centre, material)
        return

    def collider(body, name: str, part: Box, offset: np.ndarray) -> None:
        cube = _cube(body, name, offset, np.maximum(np.subtract(part.hi, part.lo), MIN_PART_SIZE_M))
        api_schemas(cube, "PhysicsCollisionAPI", "MaterialBindingAPI")
        relationship(cube, "material:binding", material)
        colour = Vt.Vec3fArray([Gf.Vec3f(*unit_colour(part.color))])
        shown = attribute(cube, "primvars:displayColor", names.Color3fArray, colour)
        shown.SetInfo("interpolation", "constant")

    if thing.joints:
        density = catalogue.panel_density_kg_m3
        author_articulation(prim, thing, centre, entry, first_joint, density, collider)
        return
    for number, part in enumerate(thing.parts):
        collider(prim, f"part_{number}", part, np.add(part.lo, part.hi) / 2 - centre)


def _cube(parent, name: str, offset: np.ndarray, size: np.ndarray, *, purpose: str | None = None):
    from pxr import Gf, Sdf

    names = Sdf.ValueTypeNames
    cube = Sdf.PrimSpec(parent, name, Sdf.SpecifierDef, "Cube")
    attribute(cube, "size", names.Double, 1.0)
    if purpose:
        attribute(cube, "purpose", names.Token, purpose, uniform=True)
    attribute(cube, "xformOp:translate", names.Double3, Gf.Vec3d(*offset.tolist()))
    attribute(cube, "xformOp:scale", names.Float3, Gf.Vec3f(*size.tolist()))
    op_order(cube, "xformOp:translate", "xformOp:scale")
    return cube


def _collision_slab(prim, size: np.ndarray, from_room_centre: np.ndarray, material: str) -> None:
    """A floor, wall or ceiling collides as a slab behind its visible face, away from the room."""
    thin = int(np.argmin(size))
    outward = 1.0 if from_room_centre[thin] >= 0 else -1.0
    offset = np.zeros(3)
    offset[thin] = outward * SHELL_THICKNESS_M / 2
    slab = size.copy()
    slab[thin] = SHELL_THICKNESS_M
    cube = _cube(prim, "collider", offset, slab, purpose="guide")
    api_schemas(cube, "PhysicsCollisionAPI", "MaterialBindingAPI")
    relationship(cube, "material:binding", material)


def _shell(prim, thing: Thing, centre: np.ndarray, towards_room: np.ndarray, material: str) -> None:
    """A floor's, wall's or ceiling's tiles as one polygonal Mesh: a quad per flat tile, facing into the
    room (a box tile: its six faces), corners shared between tiles, and each face's colour an index into
    the tiles' colours."""
    from pxr import Sdf, Vt

    names = Sdf.ValueTypeNames
    quads, colours = [], []
    for part in thing.parts:
        lo, hi = np.asarray(part.lo, float) - centre, np.asarray(part.hi, float) - centre
        for quad in _faces(lo, hi, towards_room):
            quads.append(quad)
            colours.append(unit_colour(part.color))
    corners = np.round(np.concatenate(quads), 6)
    points, indices = np.unique(corners, axis=0, return_inverse=True)
    palette, colour_index = np.unique(np.array(colours, np.float32), axis=0, return_inverse=True)
    mesh = Sdf.PrimSpec(prim, "geometry", Sdf.SpecifierDef, "Mesh")
    api_schemas(mesh, "MaterialBindingAPI")
    relationship(mesh, "material:binding", material)
    attribute(mesh, "subdivisionScheme", names.Token, "none", uniform=True)
    attribute(mesh, "points", names.Point3fArray, Vt.Vec3fArray.FromNumpy(points.astype(np.float32)))
    counts = np.full(len(quads), 4, np.int32)
    attribute(mesh, "faceVertexCounts", names.IntArray, Vt.IntArray.FromNumpy(counts))
    attribute(mesh, "faceVertexIndices", names.IntArray, Vt.IntArray.FromNumpy(indices.astype(np.int32)))
    extent = Vt.Vec3fArray.FromNumpy(np.array([points.min(axis=0), points.max(axis=0)], np.float32))
    attribute(mesh, "extent", names.Float3Array, extent)
    _indexed_primvar(mesh, "primvars:displayColor", names.Color3fArray, palette, colour_index)
    # polygonal, so its shading normals are authored: each face's own, as an indexed primvar
    edges = np.stack([quad[1] - quad[0] for quad in quads]), np.stack([quad[3] - quad[0] for quad in quads])
    facing = np.cross(*edges)
    facing /= np.linalg.norm(facing, axis=1, keepdims=True)
    normals, normal_index = np.unique(np.round(facing, 6).astype(np.float32), axis=0, return_inverse=True)
    _indexed_primvar(mesh, "primvars:normals", names.Normal3fArray, normals, normal_index)


def _indexed_primvar(mesh, name: str, value_type, values: np.ndarray, index: np.ndarray) -> None:
    """A primvar given once per face, as a table of distinct values and each face's index into it."""
    from pxr import Sdf, Vt

    primvar = attribute(mesh, name, value_type, Vt.Vec3fArray.FromNumpy(values))
    primvar.SetInfo("interpolation", "uniform")
    indices = Vt.IntArray.FromNumpy(index.reshape(-1).astype(np.int32))
    attribute(mesh, f"{name}:indices", Sdf.ValueTypeNames.IntArray, indices)


def _faces(lo: np.ndarray, hi: np.ndarray, towards_room: np.ndarray) -> list[np.ndarray]:
    """The quads of a box (4 corners each, counter-clockwise seen from outside): one for a flat box, facing
    into the room, six for a solid one."""
    flat = [axis for axis in range(3) if hi[axis] - lo[axis] <= 1e-9]
    faces = []
    for axis in flat or range(3):
        u, v = (axis + 1) % 3, (axis + 2) % 3
        sides = (1.0 if towards_room[axis] > 0 else -1.0,) if flat else (-1.0, 1.0)
        for side in sides:
            quad = np.empty((4, 3))
            quad[:, axis] = hi[axis] if side > 0 else lo[axis]
            order = [(0, 0), (1, 0), (1, 1), (0, 1)] if side > 0 else [(0, 0), (0, 1), (1, 1), (1, 0)]
            for k, (a, b) in enumerate(order):
                quad[k, u] = hi[u] if a else lo[u]
                quad[k, v] = hi[v] if b else lo[v]
            faces.append(quad)
    return faces
