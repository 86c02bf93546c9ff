"""Which planned scenes rerun-failed takes: those of runs that are over, told from their leases."""

from datetime import timedelta

import pytest

from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.engine.process import this_process
from scenegen.models import utcnow
from scenegen.planning.reruns import RunJudge, run_rows, select_reruns, table
from scenegen.records import HistoryRecord
from tests.helpers import record
from tests.leases import lease, planned


@pytest.fixture
def store(tmp_path) -> SqliteHistoryStore:
    return SqliteHistoryStore(tmp_path / "h.sqlite3")


def judge(store, gone=None, final=()) -> RunJudge:
    """A judge whose process checks answer `gone` (None: another machine) and whose API knows `final`."""
    return RunJudge(store, lambda run_id: run_id in final, process_gone=lambda *_: gone)


def test_a_live_run_keeps_its_scenes_and_the_rerun_says_until_when(store):
    store.start_run(lease("run-1", seconds=60, host="box"), planned(["lab-1", "lab-2"], "run-1"))
    store.save(record("lab", success=False, scene_id="lab-3"))
    reruns = select_reruns(store, [], 30, judge(store, gone=None))
    assert [r.scene_id for r in reruns.records] == ["lab-3"]
    [left] = reruns.left
    assert left.run_id == "run-1" and left.scenes == ["lab-1", "lab-2"]
    assert "left 2 planned scene(s) to run run-1 on box (pid 4242)" in left.line()
    assert "its lease lapses at" in left.line()
    # named, they are left too: a run that may be going keeps them
    assert select_reruns(store, ["lab-1"], 30, judge(store, gone=False)).left[0].scenes == ["lab-1"]


@pytest.mark.parametrize(
    ("how", "seconds", "gone", "final", "why"),
    [
        ("its process is gone from this machine", 60, True, (), "its process (host-a, pid 4242) is gone"),
        ("its lease lapsed, on another machine", -1, None, (), "its lease lapsed at"),
        ("its flow run is final", 60, None, ("run-1",), "its flow run is in a final state"),
    ],
)
def test_the_planned_scenes_of_a_run_that_is_over_are_taken(store, how, seconds, gone, final, why):
    store.start_run(lease("run-1", seconds=seconds), planned(["lab-1", "lab-2"], "run-1"))
    reruns = select_reruns(store, [], 30, judge(store, gone=gone, final=final))
    assert [r.scene_id for r in reruns.records] == ["lab-1", "lab-2"] and not reruns.left, how
    assert why in reruns.over["run-1"].why


def test_a_run_that_ended_says_so_and_a_record_without_a_lease_waits_for_its_bound(store):
    store.start_run(lease("run-1"), planned(["lab-1"], "run-1"))
    store.end_run("run-1", "failed")
    old_until = utcnow() - timedelta(minutes=5)
    store.save(HistoryRecord.planned(record("lab", scene_id="lab-old").to_spec(), "run-0", old_until))
    store.save(HistoryRecord.planned(record("lab", scene_id="lab-new").to_spec(), "run-2", utcnow()))
    reruns = select_reruns(store, [], 30, judge(store, gone=False))
    assert sorted(r.scene_id for r in reruns.records) == ["lab-1", "lab-old"]
    assert reruns.over["run-1"].why == "its run ended failed"
    assert [left.run_id for left in reruns.left] == ["run-2"] and "bound passes" in reruns.left[0].line()


def test_this_process_is_never_judged_gone(store):
    me = this_process()
    held = lease("run-1", machine=me.machine, pid=me.pid, process_started=me.started)
    store.start_run(held, planned(["lab-1"], "run-1"))
    assert select_reruns(store, [], 30, RunJudge(store)).left[0].scenes == ["lab-1"]


def test_the_runs_table_gives_each_runs_state_lease_scenes_and_what_a_rerun_would_take(store):
    store.start_run(lease("live", machine="x"), planned(["lab-1"], "live"))
    store.start_run(lease("dead"), planned(["lab-2", "lab-3"], "dead"))
    store.save(HistoryRecord.of(record("lab", scene_id="lab-2").to_spec(), flow_run_id="dead"))
    store.start_run(lease("done"), planned(["lab-4"], "done"))
    store.end_run("done", "completed")
    rows = run_rows(store, 7, RunJudge(store, process_gone=lambda machine, pid, started: machine != "x"))
    by_run = {row["run"]: row for row in rows}
    assert [row["run"] for row in rows] == ["done", "dead", "live"]  # newest first
    assert by_run["dead"]["state"] == "over, not ended" and by_run["dead"]["rerun-failed takes"] == "1"
    assert by_run["dead"]["scenes"] == "planned 1, succeeded 1"
    assert by_run["done"]["state"] == "completed" and by_run["done"]["lease"] == "ended"
    assert by_run["live"]["state"] == "running" and by_run["live"]["rerun-failed takes"] == "0"
    assert table(rows).startswith("| run | started | host | state | lease | scenes | rerun-failed takes |")
