"""Every joint of a stage proven by using it in Newton: its part holds its pose, opens, keeps to its hinge or
its line, comes back, and pushes nothing else out of the way.

After the stage has stood for its 2 s at rest (scenegen.sim.at_rest):
- hold: over those 2 s each moving part stayed within 1 degree / 2 mm of the pose it was shown in;
- then, round by round (parts whose sweeps do not meet open together; the others are held where they are),
  each part is driven by a stiff drive set here (the stage's own drives are passive) to its open limit for
  3 s: it reaches at least 90% of its range; a hinge's part keeps to its axis (points on the axis move less
  than 5 mm) and a slide's to its line (off it less than 5 mm, turned less than 1 degree); its carcass
  moves less than 1 mm; no other body moves more than 1 cm (else the nearest opening part is named);
- and driven back for 3 s, it returns to within 2 degrees / 5 mm of its pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation

from scenegen.sim.at_rest import Simulation
from scenegen.sim.joints import StageJoint
from scenegen.sim.stage_checks import Finding

HOLD = (1.0, 0.002)  # degrees, metres
RETURN = (2.0, 0.005)
OPEN_SECONDS, REACHED_SHARE, SAMPLES = 3.0, 0.9, 12
HELD_OPEN_SECONDS = 0.5
OFF_AXIS_M, TURN_DEG = 0.005, 1.0
CARCASS_M, PUSHED_M = 0.001, 0.01
LIMIT_SLACK = 0.1  # radians, or metres
STIFFNESS_PER_INERTIA = 4000.0  # the test drive: about 63 rad/s, stiff against gravity, critically damped


@dataclass
class JointReport:
    joints: int = 0
    rounds: int = 0
    findings: list[Finding] = field(default_factory=list)
    largest_hinge_drift_m: float = 0.0
    largest_off_axis_m: float = 0.0
    least_reached: float = 1.0


class JointPositions:
    """The joints' positions (degrees, metres), read from the bodies (Newton's inverse kinematics)."""

    def __init__(self, simulation: Simulation, joints: list[StageJoint]) -> None:
        import warp

        self.simulation, self.joints = simulation, joints
        model = simulation.model
        index = [simulation.joints[joint.path] for joint in joints]
        self.q_start = model.joint_q_start.numpy()[index]
        self.dof_start = model.joint_qd_start.numpy()[index]
        self.lower = model.joint_limit_lower.numpy()[self.dof_start].copy()  # as the stage has them
        self.upper = model.joint_limit_upper.numpy()[self.dof_start].copy()
        self._q, self._qd = warp.zeros_like(model.joint_q), warp.zeros_like(model.joint_qd)

    def __call__(self) -> np.ndarray:
        import newton

        newton.eval_ik(self.simulation.model, self.simulation.state, self._q, self._qd)
        values = self._q.numpy()[self.q_start]
        return np.array(
            [math.degrees(v) if j.revolute else float(v) for v, j in zip(values, self.joints, strict=True)]
        )


def prove_joints(
    simulation: Simulation, positions: JointPositions, shown: np.ndarray, groups: list[list[int]]
) -> JointReport:
    """The hold check, then each round of `groups` opened and closed, on a simulation that has stood for its
    at-rest seconds since its joints were at `shown`."""
    joints = positions.joints
    report = JointReport(joints=len(joints), rounds=len(groups))
    if not joints:
        return report
    body = {path: index for index, path in simulation.bodies.items()}
    for joint, at, start in zip(joints, positions(), shown, strict=True):
        if abs(at - start) > HOLD[0 if joint.revolute else 1]:
            report.findings.append(
                _finding(joint, f"did not hold its pose: moved {_amount(joint, at - start)}")
            )
    for group in groups:
        targets = shown.copy()
        targets[group] = [joints[k].upper for k in group]
        before = simulation.poses()
        _drive(simulation, positions, body, targets)
        worst = np.zeros(len(joints))
        settled = 0.0  # how long every part of the round has stood at least REACHED_SHARE open
        for _ in range(SAMPLES):
            simulation.advance(OPEN_SECONDS / SAMPLES)
            worst = np.maximum(worst, _off_axis(joints, group, simulation.poses(), body, report))
            now = positions()
            reached = [now[k] / joints[k].upper >= REACHED_SHARE for k in group if joints[k].upper]
            settled = settled + OPEN_SECONDS / SAMPLES if all(reached) else 0.0
            if settled >= HELD_OPEN_SECONDS:  # open, and held there long enough to have pushed anything
                break
        opened = positions()
        for k in group:
            joint = joints[k]
            reached = opened[k] / joint.upper if joint.upper else 1.0
            report.least_reached = min(report.least_reached, reached)
            if reached < REACHED_SHARE:
                report.findings.append(
                    _finding(
                        joint,
                        f"reached {reached:.0%} of its range ({_amount(joint, opened[k])} of "
                        f"{_amount(joint, joint.upper)}) in {OPEN_SECONDS:g} s (at least "
                        f"{REACHED_SHARE:.0%}): something blocks it",
                    )
                )
            if worst[k] > OFF_AXIS_M:
                what = "its hinge's axis moved" if joint.revolute else "it left its line, or turned, by"
                report.findings.append(_finding(joint, f"{what} {worst[k] * 1000:.1f} mm (limit 5 mm)"))
        _pushed(simulation, [joints[k] for k in group], before, body, report)
        _drive(simulation, positions, body, shown)
        for _ in range(SAMPLES):
            simulation.advance(OPEN_SECONDS / SAMPLES)
            back = positions()
            if all(abs(back[k] - shown[k]) <= RETURN[0 if joints[k].revolute else 1] / 4 for k in group):
                break
        for k in group:
            if abs(back[k] - shown[k]) > RETURN[0 if joints[k].revolute else 1]:
                report.findings.append(
                    _finding(
                        joints[k],
                        f"did not come back: {_amount(joints[k], back[k] - shown[k])} from its pose",
                    )
                )
    return report


def _amount(joint: StageJoint, value: float) -> str:
    return f"{abs(value):.1f} deg" if joint.revolute else f"{abs(value) * 1000:.1f} mm"


def _finding(joint: StageJoint, message: str) -> Finding:
    return Finding("joint", (joint.fixture, joint.part), message)


def _drive(
    simulation: Simulation, positions: JointPositions, body: dict[str, int], targets: np.ndarray
) -> None:
    """Stiff, critically damped drives on every joint towards `targets` (degrees or metres)."""
    model = simulation.model
    stiffness, damping = model.joint_target_ke.numpy(), model.joint_target_kd.numpy()
    goal = simulation.control.joint_target_q.numpy()
    masses, inertia, centres = model.body_mass.numpy(), model.body_inertia.numpy(), model.body_com.numpy()
    for joint, dof, q, target in zip(
        positions.joints, positions.dof_start, positions.q_start, targets, strict=True
    ):
        child = body[joint.body1]
        if joint.revolute:
            axis = joint.axis1
            arm = centres[child] - joint.anchor1
            across = arm - (arm @ axis) * axis
            effective = float(axis @ inertia[child] @ axis + masses[child] * across @ across)
            goal[q] = math.radians(target)
        else:
            effective = float(masses[child])
            goal[q] = target
        stiffness[dof] = STIFFNESS_PER_INERTIA * effective
        damping[dof] = 2.0 * math.sqrt(stiffness[dof] * effective)
    model.joint_target_ke.assign(stiffness)
    model.joint_target_kd.assign(damping)
    simulation.control.joint_target_q.assign(goal)
    # XPBD drives a joint only while it is within its limits: a part that gravity holds against a stop
    # (an oven door, closed or open) would never leave it. While driven, the stops stand back a little;
    # the drive, not the stop, holds the part (the stage's limits stay as they are).
    lower, upper = model.joint_limit_lower.numpy(), model.joint_limit_upper.numpy()
    lower[positions.dof_start] = positions.lower - LIMIT_SLACK
    upper[positions.dof_start] = positions.upper + LIMIT_SLACK
    model.joint_limit_lower.assign(lower)
    model.joint_limit_upper.assign(upper)


def _frame(poses: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray]:
    return poses[index, :3], Rotation.from_quat(poses[index, 3:]).as_matrix()


def _off_axis(joints, group, poses, body, report: JointReport) -> np.ndarray:
    """How far each part of `group` is off its hinge's axis, or off its slide's line or turned (metres)."""
    worst = np.zeros(len(joints))
    for k in group:
        joint = joints[k]
        p0, r0 = _frame(poses, body[joint.body0])
        p1, r1 = _frame(poses, body[joint.body1])
        if joint.revolute:
            ends = [(joint.anchor0 + s * joint.axis0, joint.anchor1 + s * joint.axis1) for s in (-0.5, 0.5)]
            off = max(float(np.linalg.norm((p0 + r0 @ a) - (p1 + r1 @ b))) for a, b in ends)
            report.largest_hinge_drift_m = max(report.largest_hinge_drift_m, off)
        else:
            shift = (p1 + r1 @ joint.anchor1) - (p0 + r0 @ joint.anchor0)
            along = r0 @ joint.axis0
            off = float(np.linalg.norm(shift - (shift @ along) * along))
            report.largest_off_axis_m = max(report.largest_off_axis_m, off)
            if math.degrees(Rotation.from_matrix(r0.T @ r1).magnitude()) > TURN_DEG:
                off = max(off, 2 * OFF_AXIS_M)
        worst[k] = off
    return worst


def _pushed(
    simulation: Simulation, opened: list[StageJoint], before: np.ndarray, body, report: JointReport
) -> None:
    """Bodies that did not open this round, moved by it: more than 1 mm for a carcass, 1 cm for anything
    else; each named with the part that opened nearest it."""
    poses = simulation.poses()
    centres = _centres_of_mass(simulation, before)
    opening = {body[joint.body1] for joint in opened}
    carcasses = {body[joint.body0] for joint in opened}
    for index, path in simulation.bodies.items():
        if index in opening:
            continue
        moved = float(np.linalg.norm(poses[index, :3] - before[index, :3]))
        limit = CARCASS_M if index in carcasses else PUSHED_M
        if moved > limit:
            where = centres[index]  # where it stood: a body knocked far would be nearest to another part
            nearest = min(opened, key=lambda j: float(np.linalg.norm(centres[body[j.body1]] - where)))
            report.findings.append(
                _finding(
                    nearest,
                    f"opening it moved {path} by {moved * 100:.1f} cm (limit {limit * 100:g} cm): its swing "
                    "is not clear",
                )
            )


def _centres_of_mass(simulation: Simulation, poses: np.ndarray) -> np.ndarray:
    """Each body's centre of mass in the world at `poses` (a part's frame is its fixture's: its origin says
    little of where the part is)."""
    local = simulation.model.body_com.numpy()
    turns = Rotation.from_quat(poses[:, 3:])
    return poses[:, :3] + turns.apply(local)
