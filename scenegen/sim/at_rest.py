"""Whether a twin's loose objects stay where the stage puts them: Newton (the physics engine of Isaac Lab)
loads scene.usda through its UsdPhysics importer and simulates it on the CPU through Warp.

Newton and Warp are the `sim` extra. Warp compiles its kernels the first time (about a minute on two
cores) into its cache and loads them from there afterwards. Call it from a process's main thread before
any other thread starts, or in a process of its own: Warp initialises itself lazily.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

import numpy as np

from scenegen.engine.usd import USD_LOCK
from scenegen.errors import InputError

SIMULATED_SECONDS = 2.0
STEPS_PER_SECOND = 240
SOLVER_ITERATIONS = 5
# How near two shapes must come for their contact to be worked out: Newton's default (0.1 m) sends many
# pairs of a furnished room's boxes to the costly narrow phase; at 240 Hz nothing crosses 2 cm in a step.
CONTACT_GAP_M = 0.02
INSTALL_HINT = "scenegen validate needs Newton: pip install 'scenegen[sim]' (or: pip install -e '.[sim]')"


@dataclass(frozen=True)
class Motion:
    body: str  # the rigid body's prim path
    moved_m: float
    turned_deg: float


def require_newton() -> None:
    """One line on how to install Newton when it is missing."""
    try:
        found = all(importlib.util.find_spec(name) for name in ("newton", "warp"))
    except ImportError:
        found = False
    if not found:
        raise InputError(INSTALL_HINT)


def start_newton() -> None:
    """Newton installed, and Warp started, quietly: call it before any thread starts."""
    require_newton()
    import warp

    warp.config.quiet = True
    warp.config.log_level = warp.LOG_WARNING  # no line per kernel module loaded
    saved = os.dup(2)
    try:  # Warp's native start-up says on stderr that this machine has no CUDA driver: it needs none
        with open(os.devnull, "w") as nothing:
            os.dup2(nothing.fileno(), 2)
            warp.init()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class Simulation:
    """A stage loaded into Newton once, stepped on: SolverXPBD at STEPS_PER_SECOND on the CPU. The bodies
    `fixed` (an articulation's base, tied to the world by a fixed joint) are held immovable, as PhysX holds
    a fixed-base articulation's root: in maximal coordinates their joint to the world would give a little
    under the load of what stands on them, and the parts jointed to them would creep."""

    def __init__(self, stage, fixed: set[str] = frozenset()) -> None:
        start_newton()
        import newton

        with USD_LOCK:
            builder = newton.ModelBuilder()
            builder.rigid_gap = CONTACT_GAP_M
            imported = builder.add_usd(stage)
        self.model = builder.finalize(device="cpu")
        self.bodies = {index: path for path, index in imported["path_body_map"].items()}
        held = [index for index, path in self.bodies.items() if path in fixed]
        if held:
            inverse_mass = self.model.body_inv_mass.numpy()
            inverse_inertia = self.model.body_inv_inertia.numpy()
            inverse_mass[held], inverse_inertia[held] = 0.0, 0.0
            self.model.body_inv_mass.assign(inverse_mass)
            self.model.body_inv_inertia.assign(inverse_inertia)
        self.joints = dict(imported["path_joint_map"])  # joint prim path -> Newton's joint index
        self.state, self._next = self.model.state(), self.model.state()
        self.control = self.model.control()
        if self.model.body_count:
            self._solver = newton.solvers.SolverXPBD(self.model, iterations=SOLVER_ITERATIONS)
            self._pipeline = newton.CollisionPipeline(self.model)
            self._contacts = self._pipeline.contacts()

    def advance(self, seconds: float) -> None:
        step = 1.0 / STEPS_PER_SECOND
        for _ in range(round(seconds * STEPS_PER_SECOND)):
            self.state.clear_forces()
            self._pipeline.collide(self.state, self._contacts)
            self._solver.step(self.state, self._next, self.control, self._contacts, step)
            self.state, self._next = self._next, self.state

    def poses(self) -> np.ndarray:
        """Per body: position, then its turn as a quaternion (x, y, z, w)."""
        return self.state.body_q.numpy().copy()


def motions(simulation: Simulation, start: np.ndarray, end: np.ndarray) -> list[Motion]:
    """How far each body moved and turned between two of its poses."""
    moved = np.linalg.norm(end[:, :3] - start[:, :3], axis=1)
    alignment = np.clip(np.abs(np.sum(end[:, 3:] * start[:, 3:], axis=1)), 0.0, 1.0)
    turned = np.degrees(2 * np.arccos(alignment))
    return [
        Motion(simulation.bodies.get(index, f"body {index}"), float(moved[index]), float(turned[index]))
        for index in range(len(start))
    ]


def simulate(stage, seconds: float = SIMULATED_SECONDS) -> tuple[Simulation, list[Motion]]:
    """The stage loaded into Newton, and how far each rigid body moved and turned in `seconds` of
    simulated time (the simulation goes on from there)."""
    simulation = Simulation(stage)
    if simulation.model.body_count == 0:
        return simulation, []
    start = simulation.poses()
    simulation.advance(seconds)
    return simulation, motions(simulation, start, simulation.poses())
