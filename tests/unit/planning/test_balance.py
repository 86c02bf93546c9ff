"""30 simulated days of 10 scenes: archetype balance and tag coverage, with and without ARCHETYPES days."""

from collections import Counter
from datetime import timedelta

import pytest

from scenegen.catalogue import load_archetype_config
from scenegen.planning.prompts import recent_prompts
from scenegen.planning.simulate import naive_planner, scenegen_planner, simulate
from scenegen.quality.diversity import coverage_day, js_divergence, near_duplicate_rate, shares, vendi_score

CONFIG = load_archetype_config()
EVERY_CELL = {(name, tag) for name, archetype in CONFIG.archetypes.items() for tag in archetype.tags}


def earliest_possible_coverage_day(per_day: int) -> int:
    """No archetype can show its n tags of a dimension in fewer than n scenes, at its base share of a day."""
    base = CONFIG.base_weights()
    return max(
        -(-max(len(tags) for tags in archetype.variations.values()) // (base[name] * per_day))
        for name, archetype in CONFIG.archetypes.items()
    )


def test_thirty_days_from_an_empty_history_match_the_base_mix_and_cover_every_cell_as_early_as_possible():
    run = simulate(scenegen_planner(CONFIG), days=30, per_day=10)
    assert js_divergence(shares(r.archetype for r in run.records), CONFIG.base_weights()) <= 0.002
    assert coverage_day(run.daily_cells, EVERY_CELL) == earliest_possible_coverage_day(10)


def test_the_naive_baseline_does_worse_on_every_measure():
    ours = simulate(scenegen_planner(CONFIG), days=30, per_day=10)
    naive = simulate(naive_planner(CONFIG), days=30, per_day=10)
    ours_prompts, naive_prompts = recent_prompts(ours.records), recent_prompts(naive.records)
    for name in CONFIG.names:
        assert vendi_score(ours_prompts[name]) > vendi_score(naive_prompts[name]), name
    threshold = CONFIG.near_duplicate_threshold
    assert near_duplicate_rate(ours_prompts, threshold) < near_duplicate_rate(naive_prompts, threshold)
    base = CONFIG.base_weights()
    assert js_divergence(shares(r.archetype for r in naive.records), base) > js_divergence(
        shares(r.archetype for r in ours.records), base
    )
    assert (coverage_day(naive.daily_cells, EVERY_CELL) or 99) > coverage_day(ours.daily_cells, EVERY_CELL)


@pytest.mark.parametrize("days", [30, 90])
def test_days_restricted_to_some_archetypes_do_not_unbalance_the_others(days):
    subset = ("kitchen", "lab")
    run = simulate(
        scenegen_planner(CONFIG), days=days, per_day=10, restricted=lambda d: subset if d % 5 == 0 else None
    )
    last_window = [
        r for r in run.records if r.generated_at >= run.records[-1].generated_at - timedelta(days=29)
    ]
    others = [r.archetype for r in last_window if r.archetype not in subset]
    base_others = {n: w for n, w in CONFIG.base_weights().items() if n not in subset}
    assert js_divergence(shares(others), base_others) <= 0.002
    assert js_divergence(shares(r.archetype for r in last_window), CONFIG.base_weights()) <= 0.002
    assert set(Counter(r.archetype for r in run.records[:10])) == set(subset)  # day 0 made only the subset
