"""An articulated fixture in scene.usda, as Isaac Sim and Newton read one: an articulation fixed to the world.

/World/Objects/<category>_<id> (PhysicsArticulationRootAPI) holds:
- `carcass`: a rigid body of the fixture's fixed parts, tied to the world by the PhysicsFixedJoint `anchor`
  (body0 empty, so the world); its collisions with its own moving parts are filtered (FilteredPairsAPI);
- one rigid body per moving part (`door_left`, `drawer_2`, ...), its boxes authored closed in its own frame,
  the body placed at the pose the image shows;
- one joint per moving part, `<part>_joint`: a PhysicsRevoluteJoint (limits in degrees) or
  PhysicsPrismaticJoint (metres), body0 the carcass and body1 the part, its frame at the hinge (or the
  part's centre) turned so that the joint's axis is +X, +Y or +Z, and a passive PhysicsDriveAPI of the
  matching kind (angular or linear): damping, no stiffness, so a robot meets some resistance.
Masses are the panel density of the catalogue times the volume of each body's boxes.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from scenegen.render.geometry import Box, Thing
from scenegen.render.usd_authoring import api_schemas, attribute, op_order, relationship

ANGULAR_DAMPING = 0.05  # N m s per degree: a hinge a robot feels
LINEAR_DAMPING = 100.0  # N s per metre: a drawer on its runners
# 180 degrees about a perpendicular axis: a joint frame whose X, Y or Z runs along a negative axis.
FLIP = {0: (0.0, 0.0, 0.0, 1.0), 1: (0.0, 0.0, 0.0, 1.0), 2: (0.0, 1.0, 0.0, 0.0)}  # w, x, y, z


def author_articulation(
    prim, thing: Thing, centre: np.ndarray, entry: dict, first_joint: int, density: float, part
) -> None:
    """The fixture's bodies and joints under its prim (already placed at its box centre, turned by its
    yaw); `part(parent, name, box, offset)` authors one collider box of a body."""
    from pxr import Gf, Sdf

    names = Sdf.ValueTypeNames
    body_names = _unique([joint.part for joint in thing.joints])
    carcass = _body(prim, "carcass", [p for p in thing.parts if not p.joint], centre, density, part)
    anchor = Sdf.PrimSpec(prim, "anchor", Sdf.SpecifierDef, "PhysicsFixedJoint")
    relationship(anchor, "physics:body1", str(carcass.path))
    yaw = Rotation.from_euler("z", float(entry["yaw_deg"]), degrees=True)
    attribute(anchor, "physics:localPos0", names.Point3f, Gf.Vec3f(*entry["center_m"]))
    attribute(anchor, "physics:localRot0", names.Quatf, _quat(yaw))
    attribute(anchor, "physics:localPos1", names.Point3f, Gf.Vec3f(0, 0, 0))
    attribute(anchor, "physics:localRot1", names.Quatf, Gf.Quatf(1, 0, 0, 0))
    moving = []
    for number, (joint, name) in enumerate(zip(thing.joints, body_names, strict=True), start=1):
        boxes = [p for p in thing.parts if p.joint == number]
        body = _body(prim, name, boxes, centre, density, part)
        rotation, shift = joint.transform()
        placed = rotation @ centre + shift - centre  # the body's frame, closed, is the fixture's
        attribute(body, "xformOp:translate", names.Double3, Gf.Vec3d(*placed.tolist()))
        attribute(body, "xformOp:orient", names.Quatf, _quat(Rotation.from_matrix(rotation)))
        op_order(body, "xformOp:translate", "xformOp:orient")
        attribute(body, "scenegen:jointId", names.Int, first_joint + number, custom=True)
        moving.append(str(body.path))
        _joint(prim, f"{name}_joint", joint, boxes, carcass, body, centre, first_joint + number)
    api_schemas(carcass, "PhysicsRigidBodyAPI", "PhysicsMassAPI", "PhysicsFilteredPairsAPI")
    filtered = Sdf.RelationshipSpec(carcass, "physics:filteredPairs", False)
    filtered.targetPathList.explicitItems = [Sdf.Path(path) for path in moving]


def _body(prim, name: str, boxes: list[Box], centre: np.ndarray, density: float, part):
    from pxr import Sdf

    body = Sdf.PrimSpec(prim, name, Sdf.SpecifierDef, "Xform")
    api_schemas(body, "PhysicsRigidBodyAPI", "PhysicsMassAPI")
    volume = sum(float(np.prod(np.subtract(box.hi, box.lo))) for box in boxes)
    attribute(body, "physics:mass", Sdf.ValueTypeNames.Float, max(density * volume, 0.1))
    for number, box in enumerate(boxes):
        part(body, f"part_{number}", box, np.add(box.lo, box.hi) / 2 - centre)
    return body


def _joint(prim, name: str, joint, boxes: list[Box], carcass, body, centre: np.ndarray, joint_id: int):
    from pxr import Gf, Sdf

    names = Sdf.ValueTypeNames
    revolute = joint.kind == "revolute"
    kind = "PhysicsRevoluteJoint" if revolute else "PhysicsPrismaticJoint"
    spec = Sdf.PrimSpec(prim, name, Sdf.SpecifierDef, kind)
    relationship(spec, "physics:body0", str(carcass.path))
    relationship(spec, "physics:body1", str(body.path))
    axis = np.asarray(joint.axis, float)
    index = int(np.argmax(np.abs(axis)))
    attribute(spec, "physics:axis", names.Token, "XYZ"[index], uniform=True)
    turn = Gf.Quatf(1, 0, 0, 0) if axis[index] > 0 else Gf.Quatf(*FLIP[index])
    # a hinge's frame on its axis; a slide's at its part's centre of mass, where gravity turns it least
    origin = np.asarray(joint.origin, float)
    if not revolute:
        volumes = np.array([np.prod(np.subtract(b.hi, b.lo)) for b in boxes])
        middles = np.array([np.add(b.lo, b.hi) / 2 for b in boxes])
        origin = volumes @ middles / max(float(volumes.sum()), 1e-12)
    anchor = Gf.Vec3f(*(origin - centre).tolist())
    for side in ("0", "1"):  # the part's frame, closed, is the carcass's: one anchor in both
        attribute(spec, f"physics:localPos{side}", names.Point3f, anchor)
        attribute(spec, f"physics:localRot{side}", names.Quatf, turn)
    attribute(spec, "physics:lowerLimit", names.Float, 0.0)
    attribute(spec, "physics:upperLimit", names.Float, float(joint.upper))
    drive = "angular" if revolute else "linear"
    api_schemas(spec, f"PhysicsDriveAPI:{drive}")
    attribute(spec, f"drive:{drive}:physics:type", names.Token, "force", uniform=True)
    attribute(spec, f"drive:{drive}:physics:stiffness", names.Float, 0.0)
    damping = ANGULAR_DAMPING if revolute else LINEAR_DAMPING
    attribute(spec, f"drive:{drive}:physics:damping", names.Float, damping)
    attribute(spec, "scenegen:jointId", names.Int, joint_id, custom=True)
    attribute(spec, "scenegen:position", names.Float, float(joint.position), custom=True)


def _quat(rotation: Rotation):
    from pxr import Gf

    x, y, z, w = rotation.as_quat()
    return Gf.Quatf(float(w), float(x), float(y), float(z))


def _unique(names: list[str]) -> list[str]:
    """The parts' names, a number added to any that repeats."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if names.count(name) == 1 else f"{name}_{seen[name]}")
    return unique
