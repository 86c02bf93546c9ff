"""How well the agreement check tells a twin's photograph that follows its reference from one that does not.

    python bench/twin_agreement.py [--per-archetype 13] [--processes 2]

For each reference (specs of every archetype, from the local prompt writer) the loopback Gemini server's
answers are made as it makes them, from the half-size JPEG a request carries: a restyled copy, the room from
a moved camera, a large object painted out (tests.restyle.object_to_paint_out), and another room of the same
archetype restyled. Prints the frame agreement of each kind, the verdicts, the margin between the lowest
restyled score and the highest negative one (target: no overlap, every restyled copy passes and every moved or
unrelated one fails), the painted-out object's own `photo_agreement` against the same object's in the
restyled copy, and the time of one agreement check on one core (target: at most 0.3 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from scenegen.backends.local.procedural import MODEL
from scenegen.catalogue import load_archetype_config
from scenegen.models import SceneSpec
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.render import render_scene
from scenegen.twins.agreement import measure_twin, reference_edges, save_reference_edges
from tests import restyle

TARGET_SECONDS = 0.3
KINDS = ("restyled", "moved", "painted", "unrelated")


def score_pair(job: tuple[SceneSpec, SceneSpec, int]) -> dict[str, object]:
    spec, other, seed = job
    config = load_archetype_config()
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed)
    shell = {i for ids in rendering.surfaces.values() for i in ids}
    painted_id, box = restyle.object_to_paint_out(rendering.instances, shell)
    shown = restyle.as_shown(rendering.image)
    other_shown = restyle.as_shown(render_scene(other.archetype, other.variation_tags, other.seed).image)
    photos = {
        "restyled": restyle.restyled(shown, seed),
        "moved": restyle.moved_camera(shown, seed),
        "painted": restyle.painted_out(shown, box, seed),
        "unrelated": restyle.unrelated(other_shown, seed),
    }
    result: dict[str, object] = {"archetype": spec.archetype}
    with tempfile.TemporaryDirectory() as folder:
        reference = Path(folder, "reference.png")
        rendering.image.save(reference, compress_level=1)
        save_reference_edges(reference, rendering.depth_mm, rendering.instances, config.agreement)
        for kind, photo in photos.items():
            staged = Path(folder, f"{kind}.png")
            photo.save(staged, compress_level=1)
            agreement = measure_twin(staged, reference, Path(), Path(), config.agreement)
            result[kind] = (
                agreement.frame,
                agreement.passed,
                agreement.objects.get(painted_id),
                agreement.seconds,
            )
    return result


def check_time(spec: SceneSpec, repeats: int = 5) -> float:
    """Median seconds of one agreement check, in this process, pinned to one core."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    config = load_archetype_config()
    rendering = render_scene(spec.archetype, spec.variation_tags, spec.seed)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        reference, photo = Path(folder, "reference.png"), Path(folder, "photo.png")
        rendering.image.save(reference, compress_level=1)
        restyle.restyled(restyle.as_shown(rendering.image), 1).save(photo, compress_level=1)
        reference_edges(rendering.depth_mm, rendering.instances, config.agreement)  # warm
        save_reference_edges(reference, rendering.depth_mm, rendering.instances, config.agreement)
        for _ in range(repeats):
            started = time.perf_counter()
            measure_twin(photo, reference, Path(), Path(), config.agreement)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-archetype", type=int, default=13, help="references per archetype")
    parser.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    config = load_archetype_config()
    slots = [name for name in config.names for _ in range(args.per_archetype)]
    specs = LocalPromptWriter(config, MODEL).write(slots, [], seed=2026).specs
    others = LocalPromptWriter(config, MODEL).write(slots, [], seed=4052).specs
    jobs = [(spec, other, index) for index, (spec, other) in enumerate(zip(specs, others, strict=True))]
    started = time.perf_counter()
    with get_context("forkserver").Pool(args.processes) as pool:
        results = pool.map(score_pair, jobs, chunksize=1)
    print(
        f"{len(results)} references over {len(config.names)} archetypes "
        f"({time.perf_counter() - started:.0f} s)"
    )
    print("| kind | min | median | max | passed |")
    print("|---|---:|---:|---:|---:|")
    frames = {kind: [r[kind][0] for r in results] for kind in KINDS}
    for kind in KINDS:
        passed = sum(r[kind][1] for r in results)
        values = frames[kind]
        print(
            f"| {kind} | {min(values):.2f} | {statistics.median(values):.2f} | {max(values):.2f} | "
            f"{passed}/{len(values)} |"
        )
    negatives = frames["moved"] + frames["unrelated"]
    lowest_restyled = min(frames["restyled"])
    highest_negative = max(negatives)
    verdicts_right = all(r["restyled"][1] for r in results) and not any(
        r["moved"][1] or r["unrelated"][1] for r in results
    )
    print(
        f"frame agreement: lowest restyled {lowest_restyled:.2f}, highest moved or unrelated "
        f"{highest_negative:.2f}, margin {lowest_restyled - highest_negative:+.2f} "
        f"({'no overlap' if lowest_restyled > highest_negative else 'OVERLAP'})"
    )
    print(
        f"verdicts: {'all right' if verdicts_right else 'SOME WRONG'} "
        "(restyled pass, moved and unrelated fail)"
    )
    painted = [(r["restyled"][2], r["painted"][2]) for r in results if r["painted"][2] is not None]
    kept = [p for p, _ in painted if p is not None]
    removed = [q for _, q in painted]
    print(
        f"painted-out object's photo_agreement: median {statistics.median(removed):.2f} "
        f"(max {max(removed):.2f}) against {statistics.median(kept):.2f} (min {min(kept):.2f}) "
        f"for the same object restyled, over {len(painted)} references"
    )
    seconds = check_time(specs[0])
    print(f"one agreement check, one core: {seconds:.3f} s (target <= {TARGET_SECONDS} s)")


if __name__ == "__main__":
    main()
