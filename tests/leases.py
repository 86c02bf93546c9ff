"""What every history store does with runs' leases, checked the same way on SQLite and on Firestore."""

from __future__ import annotations

from datetime import timedelta

from scenegen.models import utcnow
from scenegen.planning.history import HistoryStore
from scenegen.records import HistoryRecord, RunLease
from tests.helpers import record


def lease(run_id: str, seconds: float = 60, **fields) -> RunLease:
    now = utcnow()
    values = dict(
        run_id=run_id,
        started_at=now,
        lease_until=now + timedelta(seconds=seconds),
        host="host-a",
        machine="machine-a",
        pid=4242,
        process_started=1.7e9,
    )
    return RunLease(**(values | fields))


def planned(scene_ids: list[str], run_id: str) -> list[HistoryRecord]:
    until = utcnow() + timedelta(hours=1)
    return [HistoryRecord.planned(record("lab", scene_id=s).to_spec(), run_id, until) for s in scene_ids]


def a_run_holds_its_scenes_under_a_lease_it_renews_and_ends(store: HistoryStore) -> None:
    held = store.start_run(lease("run-1"), planned(["lab-a", "lab-b"], "run-1"))
    assert held == ["lab-a", "lab-b"]
    written = store.get_run("run-1")
    assert written is not None and written.scenes == ["lab-a", "lab-b"] and written.state == "running"
    assert {store.get(s).flow_run_id for s in held} == {"run-1"}
    assert [r.run_id for r in store.runs_since(utcnow() - timedelta(minutes=5))] == ["run-1"]

    later = utcnow() + timedelta(minutes=5)
    assert store.renew_run("run-1", later)
    assert abs((store.get_run("run-1").lease_until - later).total_seconds()) < 0.001
    assert store.end_run("run-1", "completed")
    assert not store.end_run("run-1", "crashed")  # the first final state stays
    assert not store.renew_run("run-1", later + timedelta(minutes=1))
    ended = store.get_run("run-1")
    assert ended.state == "completed" and ended.ended_at is not None
    assert store.get_run("run-unknown") is None and not store.renew_run("run-unknown", later)


def two_runs_taking_the_same_scenes_take_each_once(store: HistoryStore) -> None:
    """Both read the scenes as they were; the first takes them, the second finds them changed. A scene
    that changed after it was read is not taken either; a retry of the first take holds what it took."""
    store.start_run(lease("dead"), planned(["lab-1", "lab-2", "lab-3"], "dead"))
    failed = record("lab", success=False, scene_id="lab-4")
    store.save(failed)
    read = [store.get(s) for s in ("lab-1", "lab-2", "lab-3", "lab-4")]
    store.save(HistoryRecord.of(read[2].to_spec(), flow_run_id="dead"))  # lab-3 ended after it was read

    first = store.start_run(lease("rerun-1"), planned(["lab-1", "lab-2", "lab-3", "lab-4"], "rerun-1"), read)
    second = store.start_run(lease("rerun-2"), planned(["lab-1", "lab-2", "lab-3", "lab-4"], "rerun-2"), read)
    assert sorted(first) == ["lab-1", "lab-2", "lab-4"] and second == []
    assert store.get_run("rerun-1").scenes == first and store.get_run("rerun-2").scenes == []
    assert {store.get(s).flow_run_id for s in first} == {"rerun-1"}
    assert store.get("lab-3").status == "succeeded"
    assert store.get("lab-4").attempts == failed.attempts  # taking a scene is no attempt
    again = store.start_run(lease("rerun-1"), planned(["lab-1", "lab-2", "lab-4"], "rerun-1"), read)
    assert sorted(again) == sorted(first)
