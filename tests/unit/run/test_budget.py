import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from scenegen.prices import load_price_table
from scenegen.run.budget import RunGate, scene_hold

PRICES = load_price_table()


def test_the_gate_admits_renders_until_the_spend_and_holds_reach_the_budget():
    gate = RunGate(max_cost_usd=0.30, spent_usd=0.05)
    assert gate.admit(0.14) is None
    gate.settle(0.14, 0.14)  # the first paid render ends: the others may start side by side
    admitted = [gate.admit(0.14) is None for _ in range(3)]
    assert admitted == [True, False, False]  # 0.19 spent, then 0.33 with one held >= 0.30
    gate.settle(0.14, 0.0)  # a cached render cost nothing: room again
    assert gate.admit(0.14) is None
    refusal = gate.admit(0.14)
    assert refusal and "MAX_COST_USD ($0.30)" in refusal


def test_the_first_paid_render_goes_alone_and_a_fatal_answer_stops_the_waiting_ones():
    gate = RunGate(max_cost_usd=None)
    assert gate.admit(0.14) is None
    with ThreadPoolExecutor(3) as pool:
        waiting = [pool.submit(gate.admit, 0.14) for _ in range(3)]
        time.sleep(0.2)
        assert not any(f.done() for f in waiting)
        assert gate.admit(0.0) is None  # free work (a cached render's cost is unknown up front) is not held
        gate.stop("404 NOT_FOUND: no such model")
        assert all("404 NOT_FOUND" in (f.result(timeout=5) or "") for f in waiting)


def test_the_others_go_once_the_first_paid_call_has_gone_its_time_alone_without_an_answer():
    gate = RunGate(max_cost_usd=None, first_call_alone_seconds=0.5)
    started = time.monotonic()
    assert gate.admit(0.14) is None  # the first call is under way, and stays so
    with ThreadPoolExecutor(3) as pool:
        waiting = [pool.submit(gate.admit, 0.14) for _ in range(3)]
        time.sleep(0.2)
        assert not any(f.done() for f in waiting)
        assert all(f.result(timeout=5) is None for f in waiting)
    assert 0.5 <= time.monotonic() - started < 3


def test_a_free_backend_is_never_stopped_by_the_budget_but_a_stop_stops_everything():
    gate = RunGate(max_cost_usd=0.0)
    assert gate.admit(0.0) is None
    gate.stop("400 INVALID_ARGUMENT: API key not valid")
    gate.stop("a later error")
    assert gate.admit(0.0) == "not started: the run stopped after 400 INVALID_ARGUMENT: API key not valid"


def test_side_by_side_admissions_never_hold_more_than_the_budget_allows():
    gate = RunGate(max_cost_usd=1.0)
    gate.admit(0.25)
    gate.settle(0.25, 0.25)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: gate.admit(0.25), range(40)))
    assert sum(r is None for r in results) == 3


def test_a_runs_budget_is_split_across_its_shards_in_whole_renders_first_shards_first():
    from scenegen.run.budget import split_budget

    price = 0.134
    # alone, a run with $0.40 left starts renders at $0, $0.134 and $0.268: three; its shards get three
    assert split_budget(0.402, 0.0, price, [2, 2, 2]) == [0.268, 0.134, 0.0]
    assert split_budget(0.40, 0.0, price, [2, 2, 2]) == [0.268, 0.134, 0.0]
    assert split_budget(1.0, 0.2, price, [25, 25]) == [round(6 * price, 6), 0.0]  # prompts spent $0.20
    assert split_budget(100.0, 0.0, price, [3, 2]) == [round(3 * price, 6), round(2 * price, 6)]
    assert split_budget(None, 0.0, price, [3, 2]) == [None, None]  # no cap
    assert split_budget(1.0, 0.0, 0.0, [3]) == [None]  # free images need no budget
    assert split_budget(0.1, 0.5, price, [3]) == [0.0]  # already spent


def test_a_shard_with_a_share_of_whole_renders_starts_exactly_that_many():
    from scenegen.run.budget import RunGate

    gate = RunGate(max_cost_usd=3 * 0.134, first_call_alone_seconds=0)
    started = 0
    while gate.admit(0.134) is None:
        gate.settle(0.134, 0.134)
        started += 1
    assert started == 3


def test_a_shards_share_is_never_exceeded_even_when_renders_cost_less_than_expected():
    from scenegen.run.budget import RunGate

    gate = RunGate(max_cost_usd=0.14, first_call_alone_seconds=0, share=True)
    assert gate.admit(0.14) is None
    gate.settle(0.14, 0.1375)  # cheaper than expected: a run alone would start another, a share may not
    assert "share" in gate.admit(0.14)


def test_a_scene_holds_every_views_image_and_review_before_its_first_image():
    assert scene_hold(1, False, 0.14, 0.002, 0.05) == (0.14, 0.05)
    images, reviews = scene_hold(4, False, 0.14, 0.002, 0.05)
    assert images == pytest.approx(0.56) and reviews == pytest.approx(0.2)
    # a twin: each request carries its reference, and views 1..K-1 the first photograph too
    images, reviews = scene_hold(3, True, 0.14, 0.002, 0.05)
    assert images == pytest.approx(3 * 0.142 + 2 * 0.002) and reviews == pytest.approx(0.15)
    gate = RunGate(max_cost_usd=0.5, spent_usd=0.0, first_call_alone_seconds=0)
    assert gate.admit(sum(scene_hold(3, True, 0.14, 0.002, 0.05))) is None
    assert gate.admit(0.01) is not None  # the three views' hold reached the budget: nothing else starts
