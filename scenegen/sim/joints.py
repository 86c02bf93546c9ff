"""A stage's joints as authored: each revolute and prismatic joint with its bodies, frames and range; the
space each moving part sweeps through its range; and the rounds in which parts can open side by side
without meeting each other (so that one test can open many, as a robot would open them one at a time)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from scenegen.engine.usd import USD_LOCK
from scenegen.sim.stage_checks import Finding

SWEEP_STEPS = 6


@dataclass(frozen=True)
class StageJoint:
    path: str
    fixture: str  # the articulation's prim
    part: str  # the moving part's name
    revolute: bool
    body0: str
    body1: str
    axis_index: int  # the joint frame's axis: X, Y or Z
    anchor0: np.ndarray  # the joint frame's origin in body0's frame
    rotation0: np.ndarray  # and its turn
    anchor1: np.ndarray  # in body1's frame
    rotation1: np.ndarray
    upper: float  # degrees or metres; lower is 0

    @property
    def axis0(self) -> np.ndarray:
        """The joint's axis in body0's frame."""
        return self.rotation0[:, self.axis_index]

    @property
    def axis1(self) -> np.ndarray:
        return self.rotation1[:, self.axis_index]


def stage_joints(stage) -> list[StageJoint]:
    with USD_LOCK:
        from pxr import UsdPhysics

        found = []
        for prim in stage.Traverse():
            revolute = prim.IsA(UsdPhysics.RevoluteJoint)
            if not (revolute or prim.IsA(UsdPhysics.PrismaticJoint)):
                continue
            joint = UsdPhysics.Joint(prim)
            typed = UsdPhysics.RevoluteJoint(prim) if revolute else UsdPhysics.PrismaticJoint(prim)
            found.append(
                StageJoint(
                    path=str(prim.GetPath()),
                    fixture=str(prim.GetParent().GetPath()),
                    part=prim.GetName().removesuffix("_joint"),
                    revolute=revolute,
                    body0=_target(joint.GetBody0Rel()),
                    body1=_target(joint.GetBody1Rel()),
                    axis_index="XYZ".index(typed.GetAxisAttr().Get()),
                    anchor0=np.array(joint.GetLocalPos0Attr().Get(), float),
                    rotation0=_rotation(joint.GetLocalRot0Attr().Get()),
                    anchor1=np.array(joint.GetLocalPos1Attr().Get(), float),
                    rotation1=_rotation(joint.GetLocalRot1Attr().Get()),
                    upper=float(typed.GetUpperLimitAttr().Get()),
                )
            )
        return found


def anchored_bodies(stage) -> set[str]:
    """The bodies tied to the world by a fixed joint with no body0: the articulations' bases."""
    with USD_LOCK:
        from pxr import UsdPhysics

        anchored = set()
        for prim in stage.Traverse():
            if prim.IsA(UsdPhysics.FixedJoint):
                joint = UsdPhysics.Joint(prim)
                if not joint.GetBody0Rel().GetTargets():
                    anchored.add(_target(joint.GetBody1Rel()))
        return anchored


def reversed_joints(joints: list[StageJoint], anchored: set[str]) -> list[Finding]:
    return [
        Finding(
            "joint",
            (joint.fixture, joint.part),
            f"authored backwards: body0 {joint.body0} is the moving part and body1 {joint.body1} the carcass "
            "tied to the world (body0 must be the carcass)",
        )
        for joint in joints
        if joint.body1 in anchored and joint.body0 not in anchored
    ]


def sweeps(stage, joints: list[StageJoint], shown: np.ndarray) -> np.ndarray:
    """(n, 2, 3): the world bounds of each joint's moving part over its whole range, from the pose it is
    shown in (`shown`, degrees or metres) to closed and to open."""
    with USD_LOCK:
        from pxr import UsdGeom, UsdPhysics

        cache = UsdGeom.XformCache()
        bounds = np.zeros((len(joints), 2, 3))
        for k, joint in enumerate(joints):
            corners = []
            for prim in stage.GetPrimAtPath(joint.body1).GetChildren():
                if prim.IsA(UsdGeom.Cube) and prim.HasAPI(UsdPhysics.CollisionAPI):
                    unit = np.array(
                        [[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)]
                    )
                    matrix = np.array(cache.GetLocalToWorldTransform(prim), float)
                    corners.append(unit @ matrix[:3, :3] + matrix[3, :3])
            if not corners:
                continue
            points = np.concatenate(corners)
            body0 = np.array(cache.GetLocalToWorldTransform(stage.GetPrimAtPath(joint.body0)), float)
            frame_rotation = body0[:3, :3].T @ joint.rotation0  # USD's rows: the joint frame in the world
            frame_origin = joint.anchor0 @ body0[:3, :3] + body0[3, :3]
            local = (points - frame_origin) @ frame_rotation
            seen = []
            for step in range(SWEEP_STEPS + 1):
                amount = joint.upper * step / SWEEP_STEPS - shown[k]
                moved = _moved(local, joint, amount) @ frame_rotation.T + frame_origin
                seen.append(moved)
            everything = np.concatenate(seen)
            bounds[k] = everything.min(axis=0), everything.max(axis=0)
        return bounds


def _moved(points: np.ndarray, joint: StageJoint, amount: float) -> np.ndarray:
    """Points of the joint's frame moved by `amount` of its motion (degrees, or metres)."""
    axis = np.eye(3)[joint.axis_index]
    if joint.revolute:
        return points @ Rotation.from_rotvec(np.radians(amount) * axis).as_matrix().T
    return points + amount * axis


def rounds(bounds: np.ndarray, touching_m: float = 0.002) -> list[list[int]]:
    """The joints in rounds: in each, no two parts' sweeps meet, so they can open at the same time."""
    grouped: list[list[int]] = []
    for k in range(len(bounds)):
        for group in grouped:
            others = bounds[group]
            meets = np.all(
                (others[:, 0] < bounds[k, 1] - touching_m) & (others[:, 1] > bounds[k, 0] + touching_m),
                axis=1,
            )
            if not meets.any():
                group.append(k)
                break
        else:
            grouped.append([k])
    return grouped


def _target(relationship) -> str:
    targets = relationship.GetTargets()
    return str(targets[0]) if targets else ""


def _rotation(quaternion) -> np.ndarray:
    if quaternion is None:
        return np.eye(3)
    imaginary = quaternion.GetImaginary()
    return Rotation.from_quat([imaginary[0], imaginary[1], imaginary[2], quaternion.GetReal()]).as_matrix()
