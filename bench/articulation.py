"""Articulated twins, measured: procedural scenes of every archetype (the local prompt writer's specs), each
drawn with its ground truth and its stage validated as `scenegen validate` does it (usd-core's and NVIDIA's
validators, at rest in Newton, then every joint held, opened and closed).

Prints per archetype the joints per scene (mean, min, max) and by kind, and over all by type; the share of
joints that passed every check in Newton (target 100%); the largest hinge drift and slide off its line; the
validate time per scene (target 60 s for the busiest, on two cores); and the render with all its ground truth
per scene (target a 1.2 s median on one core). Every finding is printed.

    python bench/articulation.py [--per 10] [--archetypes kitchen,lab] [--seed 2026]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sampling import sample_arguments, sampled_specs  # noqa: E402
from scenegen.backends.local.procedural import draw_scene  # noqa: E402
from scenegen.catalogue import load_archetype_config  # noqa: E402
from scenegen.engine.memory import keep_large_buffers  # noqa: E402
from scenegen.engine.usd import first_use  # noqa: E402
from scenegen.sim.at_rest import start_newton  # noqa: E402
from scenegen.sim.validate import validate  # noqa: E402


def kind(part: str) -> str:
    """A part's kind: its name without numbers and sides ("door_1_left" -> "door")."""
    words = [w for w in part.split("_") if not w.isdigit() and w not in ("left", "right", "upper", "lower")]
    return "_".join(words) or part


def main() -> None:
    args = sample_arguments(__doc__.splitlines()[0])
    first_use()
    start_newton()
    config = load_archetype_config()
    names, specs = sampled_specs(args, config)
    rows: dict[str, dict] = {
        n: {"joints": [], "kinds": Counter(), "render": [], "validate": [], "failed": 0} for n in names
    }
    types: Counter[str] = Counter()
    drift = slide = 0.0
    findings: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for spec in specs:
            row = rows[spec.archetype]
            image = Path(folder) / f"{spec.scene_id}.png"
            if hasattr(os, "sched_setaffinity"):
                cores = os.sched_getaffinity(0)
                os.sched_setaffinity(0, {min(cores)})  # the render on one core, as a worker draws it
                keep_large_buffers()
            started = time.perf_counter()
            draw_scene(spec, image)
            row["render"].append(time.perf_counter() - started)
            if hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(0, cores)
            joints = json.loads(image.with_suffix(".layout.json").read_text())["joints"]
            row["joints"].append(len(joints))
            row["kinds"].update(kind(joint["part"]) for joint in joints)
            types.update(joint["type"] for joint in joints)
            started = time.perf_counter()
            result = validate(image.with_suffix(".scene.usda"))
            row["validate"].append(time.perf_counter() - started)
            failed_parts = {f.prims for f in result.findings if f.check == "joint"}
            row["failed"] += len(failed_parts)
            drift = max(drift, result.joints.largest_hinge_drift_m)
            slide = max(slide, result.joints.largest_off_axis_m)
            findings += [f"{spec.scene_id}: {finding.line()}" for finding in result.findings]
            print(
                f"{spec.scene_id}: {len(joints)} joints, render {row['render'][-1]:.2f} s, validate "
                f"{row['validate'][-1]:.1f} s, {len(result.findings)} finding(s)",
                flush=True,
            )
    print(
        f"\n{'archetype':<14} joints mean  min  max  passed   validate median/max s  render median s  kinds"
    )
    every, passed = 0, 0
    for name, row in rows.items():
        total = sum(row["joints"])
        every += total
        passed += total - row["failed"]
        share = (total - row["failed"]) / total if total else 1.0
        kinds = ", ".join(f"{k} {n}" for k, n in row["kinds"].most_common())
        counts = row["joints"]
        print(
            f"{name:<14} {statistics.mean(counts):11.1f} {min(counts):4d} {max(counts):4d} {share:7.1%}   "
            f"{statistics.median(row['validate']):8.1f} / {max(row['validate']):5.1f}"
            f"      {statistics.median(row['render']):10.2f}       {kinds}"
        )
    renders = [s for row in rows.values() for s in row["render"]]
    by_type = (f"{t} {n} ({n / len(specs):.1f} per scene)" for t, n in types.most_common())
    print("by type: " + ", ".join(by_type))
    print(
        f"\n{passed} of {every} joints passed every check in Newton ({passed / max(every, 1):.1%}, target "
        f"100%); largest hinge drift {drift * 1000:.1f} mm, largest slide off its line {slide * 1000:.1f} mm "
        "(limits 5)"
    )
    print(
        f"busiest validate {max(s for row in rows.values() for s in row['validate']):.1f} s (target 60 s); "
        f"render with its ground truth, median {statistics.median(renders):.2f} s on one core (target 1.2 s)"
    )
    if findings:
        print("\nFindings:\n" + "\n".join(findings))


if __name__ == "__main__":
    main()
