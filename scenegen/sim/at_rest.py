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


def simulate(stage, seconds: float = SIMULATED_SECONDS) -> list[Motion]:
    """How far each rigid body of an open stage moved and turned in `seconds` of simulated time."""
    start_newton()
    import newton

    with USD_LOCK:
        builder = newton.ModelBuilder()
        imported = builder.add_usd(stage)
    model = builder.finalize(device="cpu")
    if model.body_count == 0:
        return []
    solver = newton.solvers.SolverXPBD(model, iterations=SOLVER_ITERATIONS)
    state, following = model.state(), model.state()
    control = model.control()
    pipeline = newton.CollisionPipeline(model)
    contacts = pipeline.contacts()
    start = state.body_q.numpy().copy()
    step = 1.0 / STEPS_PER_SECOND
    for _ in range(round(seconds * STEPS_PER_SECOND)):
        state.clear_forces()
        pipeline.collide(state, contacts)
        solver.step(state, following, control, contacts, step)
        state, following = following, state
    end = state.body_q.numpy()  # per body: position, then the turn as a quaternion (x, y, z, w)
    moved = np.linalg.norm(end[:, :3] - start[:, :3], axis=1)
    alignment = np.clip(np.abs(np.sum(end[:, 3:] * start[:, 3:], axis=1)), 0.0, 1.0)
    turned = np.degrees(2 * np.arccos(alignment))
    paths = {index: prim for prim, index in imported["path_body_map"].items()}
    return [
        Motion(paths.get(index, f"body {index}"), float(moved[index]), float(turned[index]))
        for index in range(model.body_count)
    ]
