from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from scenegen.catalogue import load_archetype_config
from scenegen.planning.weights import archetype_shares, plan_slots
from tests.helpers import record

BASE = load_archetype_config().base_weights()


def test_with_no_history_the_weights_are_the_base_weights():
    assert archetype_shares(BASE, [], 10, 30) == pytest.approx(BASE)


def test_an_archetype_made_too_rarely_gets_more_and_one_made_too_often_less():
    history = [record("kitchen") for _ in range(40)] + [record("lab") for _ in range(2)]
    shares = archetype_shares(BASE, history, 10, 30)
    assert shares["kitchen"] < BASE["kitchen"]
    assert shares["warehouse"] > BASE["warehouse"]
    assert sum(shares.values()) == pytest.approx(1.0)


def test_failed_scenes_do_not_count_as_coverage():
    failed = [record("warehouse", success=False) for _ in range(30)]
    assert archetype_shares(BASE, failed, 10, 30) == pytest.approx(BASE)


def test_plan_has_exactly_n_slots_and_is_reproducible_for_a_seed():
    for count in (1, 7, 10, 1000):
        slots = plan_slots(BASE, count, seed=42)
        assert len(slots) == count and set(slots) <= set(BASE)
        assert slots == plan_slots(BASE, count, seed=42)
    assert len({tuple(plan_slots(BASE, 10, seed)) for seed in range(20)}) > 1


def test_plan_rounds_each_archetype_to_floor_or_ceil_of_its_share():
    for seed in range(50):
        counts = Counter(plan_slots(BASE, 10, seed))
        for name, share in BASE.items():
            assert int(share * 10) <= counts[name] <= int(share * 10) + 1


def test_daily_runs_converge_on_the_base_mix_even_from_a_skewed_start():
    """Ninety simulated days of ten scenes, each day seeing only the last thirty days of history."""
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    history = [record("kitchen", when=start + timedelta(days=day)) for day in range(30) for _ in range(10)]
    for day in range(30, 120):
        now = start + timedelta(days=day)
        window = [r for r in history if now - r.generated_at <= timedelta(days=30)]
        slots = plan_slots(archetype_shares(BASE, window, 10, 30, now=now), 10, seed=day)
        history += [record(name, when=now) for name in slots]
    made = Counter(r.archetype for r in history if now - r.generated_at < timedelta(days=30))
    for name, share in BASE.items():
        assert made[name] / 300 == pytest.approx(share, abs=0.015), name


def test_recent_records_weigh_more_than_ones_about_to_leave_the_window():
    now = datetime(2026, 6, 1, tzinfo=UTC)
    fresh = [record("lab", when=now - timedelta(days=1)) for _ in range(10)]
    fading = [record("lab", when=now - timedelta(days=28)) for _ in range(10)]
    assert (
        archetype_shares(BASE, fresh, 10, 30, now=now)["lab"]
        < archetype_shares(BASE, fading, 10, 30, now=now)["lab"]
    )
