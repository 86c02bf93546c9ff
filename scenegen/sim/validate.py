"""`scenegen validate`: is a stored twin's stage one a robot can be dropped into, and use?

usd-core's validators find no error, and NVIDIA's Asset Validator no issue of the SimReady capabilities; no
two objects cut into each other by more than 5 mm where the scene starts; in 2 s of Newton every loose object
moves less than 1 cm and turns less than 2 degrees; and every joint holds, opens, keeps to its axis or line
and comes back, pushing nothing aside (scenegen.sim.joints).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scenegen.errors import InputError
from scenegen.models import SCENE_ID_PATTERN
from scenegen.sim.at_rest import SIMULATED_SECONDS, Motion, Simulation, motions, require_newton
from scenegen.sim.joints import StageJoint, anchored_bodies, reversed_joints, rounds, stage_joints, sweeps
from scenegen.sim.opening import JointPositions, JointReport, prove_joints
from scenegen.sim.simready import simready_findings
from scenegen.sim.stage_checks import Finding, colliders, open_stage, overlap_findings, overlaps, usd_findings
from scenegen.storage import STAGE, SceneStorage

MAX_MOVE_M = 0.01
MAX_TURN_DEG = 2.0


@dataclass
class Validation:
    stage: Path
    findings: list[Finding] = field(default_factory=list)
    bodies: int = 0
    joints: JointReport = field(default_factory=JointReport)
    largest_move_m: float = 0.0
    largest_turn_deg: float = 0.0
    largest_overlap_m: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        verdict = "passed" if self.passed else f"{len(self.findings)} finding(s)"
        line = (
            f"{self.stage}: {verdict}; {self.bodies} loose object(s), largest move "
            f"{self.largest_move_m * 100:.2f} cm, largest turn {self.largest_turn_deg:.2f} deg, largest "
            f"overlap {self.largest_overlap_m * 1000:.1f} mm"
        )
        if self.joints.joints:
            line += (
                f"; {self.joints.joints} joint(s) opened and closed in {self.joints.rounds} round(s), least "
                f"opened {self.joints.least_reached:.0%} of its range, largest hinge drift "
                f"{self.joints.largest_hinge_drift_m * 1000:.1f} mm, largest slide off its line "
                f"{self.joints.largest_off_axis_m * 1000:.1f} mm"
            )
        return line


def stage_of(given: Path) -> Path:
    """A scene's folder or its scene.usda."""
    path = given / STAGE if given.is_dir() else given
    if not path.is_file():
        raise InputError(f"{given}: no such stage (a scene folder holding {STAGE}, or a .usd/.usda file)")
    if path.suffix not in (".usd", ".usda", ".usdc"):
        raise InputError(f"{given}: not a USD stage")
    return path


def stored_stage(storage: SceneStorage, scene_id: str, folder: Path) -> Path:
    """A stored scene's stage, copied into `folder`."""
    if not SCENE_ID_PATTERN.fullmatch(scene_id):
        raise InputError(f"{scene_id}: neither a file or folder here nor a scene id")
    try:
        text = storage.read_text(scene_id, STAGE)
    except FileNotFoundError:
        raise InputError(
            f"scene {scene_id}: no {STAGE} in {storage.root_uri} (twins and procedural scenes have one)"
        ) from None
    path = folder / STAGE
    path.write_text(text, encoding="utf-8")
    return path


def validate(path: Path) -> Validation:
    """Every check on the stage at `path`; Newton must be installed (the `sim` extra)."""
    require_newton()
    result = Validation(path)
    stage = open_stage(path)
    result.findings += usd_findings(stage)
    deepest = overlaps(colliders(stage))
    result.findings += overlap_findings(deepest)
    result.largest_overlap_m = max(deepest.values(), default=0.0)
    result.findings += simready_findings(stage)
    joints = stage_joints(stage)
    anchored = anchored_bodies(stage)
    backwards = reversed_joints(joints, anchored)
    if backwards:  # Newton refuses to load a joint authored backwards
        result.findings += backwards
        return result
    simulation = Simulation(stage, anchored)
    positions = JointPositions(simulation, joints)
    shown, start = positions(), simulation.poses()
    simulation.advance(SIMULATED_SECONDS)
    jointed = _jointed(joints)
    everything = motions(simulation, start, simulation.poses())
    loose = [motion for motion in everything if motion.body not in jointed]
    result.bodies = len(loose)
    result.largest_move_m = max((m.moved_m for m in loose), default=0.0)
    result.largest_turn_deg = max((m.turned_deg for m in loose), default=0.0)
    result.findings += [_restless(motion) for motion in loose if _moved(motion)]
    groups = rounds(sweeps(stage, joints, shown))
    result.joints = prove_joints(simulation, positions, shown, groups)
    result.findings += result.joints.findings
    return result


def _jointed(joints: list[StageJoint]) -> set[str]:
    """The bodies of articulations: carcasses and moving parts, which the joints' checks answer for."""
    return {joint.body0 for joint in joints} | {joint.body1 for joint in joints}


def _moved(motion: Motion) -> bool:
    return motion.moved_m >= MAX_MOVE_M or motion.turned_deg >= MAX_TURN_DEG


def _restless(motion: Motion) -> Finding:
    return Finding(
        "at rest",
        (motion.body,),
        f"moved {motion.moved_m * 100:.1f} cm and turned {motion.turned_deg:.1f} deg in "
        f"{SIMULATED_SECONDS:g} s (limits {MAX_MOVE_M * 100:.0f} cm, {MAX_TURN_DEG:.0f} deg)",
    )
