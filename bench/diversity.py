"""30 simulated days of 10 scenes from an empty history: scenegen's planning beside a naive baseline.

    python bench/diversity.py [--days 30] [--per-day 10] [--images [--baseline CHECKOUT]]

Baseline: weighted-random archetypes, random tags, a template prompt. Prints, for each: the Jensen-Shannon
divergence of the archetype shares from the base weights, the day every (archetype, tag) cell was covered,
the Vendi score of each archetype's prompts (and their mean), the near-duplicate rate; last line, the ratios
ours/baseline (lower is better for JS, coverage day and near-duplicates; higher for Vendi).

--images then renders the same number of days through the procedural renderer and the image checks (about
a second per image, on every core) and prints the perceptual-hash distances between same-archetype images,
with --baseline the same for the renderer of another checkout (`git worktree add /tmp/before <commit>`).
Targets: no pair within 6 bits, at most 1% within 10, no day with a failed scene.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/diversity.py` from anywhere

from bench.image_variety import Renderers, describe, run_days
from scenegen.catalogue import load_archetype_config
from scenegen.planning.prompts import recent_prompts
from scenegen.planning.simulate import Simulation, naive_planner, scenegen_planner, simulate
from scenegen.quality.diversity import coverage_day, js_divergence, near_duplicate_rate, shares, vendi_score


def measures(run: Simulation, config) -> dict[str, float]:
    every_cell = {(name, tag) for name, archetype in config.archetypes.items() for tag in archetype.tags}
    by_archetype = recent_prompts(run.records)
    vendi = {name: vendi_score(prompts) for name, prompts in sorted(by_archetype.items())}
    day = coverage_day(run.daily_cells, every_cell)
    return {
        "js": js_divergence(shares(r.archetype for r in run.records), config.base_weights()),
        "coverage_day": float(day) if day else float("inf"),
        "vendi_mean": sum(vendi.values()) / len(vendi),
        "near_duplicates": near_duplicate_rate(by_archetype, config.near_duplicate_threshold),
        **{f"vendi_{name}": value for name, value in vendi.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=10)
    parser.add_argument("--images", action="store_true", help="also render the days and compare the images")
    parser.add_argument("--baseline", type=Path, help="a checkout whose renderer to measure beside this one")
    args = parser.parse_args()
    config = load_archetype_config()
    ours = measures(simulate(scenegen_planner(config), args.days, args.per_day), config)
    naive = measures(simulate(naive_planner(config), args.days, args.per_day), config)
    print(f"{'measure':<24}{'scenegen':>12}{'baseline':>12}")
    for key in ours:
        print(f"{key:<24}{ours[key]:>12.4f}{naive[key]:>12.4f}")
    ratios = {key: ours[key] / naive[key] if naive[key] else float("nan") for key in ours}
    print(
        "ratios ours/baseline: "
        f"js {ratios['js']:.3f}, coverage_day {ratios['coverage_day']:.2f}, "
        f"vendi_mean {ratios['vendi_mean']:.2f}, near_duplicates {ratios['near_duplicates']:.3f}"
    )
    if args.images:
        checkouts = {"this renderer": Path(__file__).resolve().parent.parent}
        if args.baseline:
            checkouts["baseline renderer"] = args.baseline.resolve()
        for label, checkout in checkouts.items():
            renderers = Renderers(checkout, os.cpu_count() or 1)
            try:
                describe(f"{label} ({checkout})", run_days(config, renderers, args.days, args.per_day))
            finally:
                renderers.close()


if __name__ == "__main__":
    main()
