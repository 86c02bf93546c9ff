from datetime import timedelta

from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.models import utcnow
from tests import leases
from tests.helpers import record


def test_records_round_trip_and_the_window_excludes_old_ones(tmp_path):
    store = SqliteHistoryStore(tmp_path / "h.sqlite3")
    now = utcnow()
    old = record("lab", ["night_light"], when=now - timedelta(days=45), scene_id="lab-old")
    recent = record("kitchen", ["morning_light", "busy_state"], when=now - timedelta(days=2), scene_id="k-1")
    newest = record("office", success=False, when=now - timedelta(hours=1), scene_id="o-1")
    for item in (newest, old, recent):
        store.save(item)
    window = store.records_since(now - timedelta(days=30))
    assert [r.scene_id for r in window] == ["k-1", "o-1"]
    assert window[0] == recent
    assert store.get("o-1").failure_reason == "RuntimeError: boom"
    assert store.get("missing") is None


def test_saving_again_replaces_the_record_and_adds_up_attempts(tmp_path):
    store = SqliteHistoryStore(tmp_path / "h.sqlite3")
    failed = record("lab", success=False, scene_id="lab-1")
    store.save(failed)
    store.save(failed.model_copy(update={"success": True, "status": "succeeded", "failure_reason": None}))
    again = store.get("lab-1")
    assert again.success and again.failure_reason is None and again.attempts == 2


def test_a_review_round_trips_and_an_older_file_gains_the_column(tmp_path):
    import sqlite3

    from scenegen.quality.review import unreviewed

    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as db:  # a history file from before reviews (and batch jobs)
        db.execute(
            "CREATE TABLE scene_generation_history (scene_id TEXT PRIMARY KEY, archetype TEXT NOT NULL, "
            "prompt_hash TEXT NOT NULL, prompt_summary TEXT NOT NULL, variation_tags TEXT NOT NULL, "
            "generated_at TEXT NOT NULL, success INTEGER NOT NULL, prompt TEXT NOT NULL, "
            "status TEXT NOT NULL, failure_reason TEXT, image_uri TEXT, sha256 TEXT, "
            "cost_usd REAL NOT NULL, flow_run_id TEXT, "
            "attempts INTEGER NOT NULL, seed INTEGER NOT NULL, image_model TEXT NOT NULL, "
            "prompt_model TEXT NOT NULL, phash TEXT)"
        )
    store = SqliteHistoryStore(path)
    reviewed = record("lab", success=False, scene_id="lab-1").model_copy(
        update={"status": "unreviewed", "review": unreviewed("no answer", "gemini-x", 0.008)}
    )
    store.save(reviewed)
    store.save(record("lab", scene_id="lab-2"))
    assert store.get("lab-1").review == reviewed.review and store.get("lab-2").review is None
    assert [r.review for r in store.records_since(utcnow() - timedelta(days=3))] == [reviewed.review, None]


def test_a_run_holds_its_scenes_under_a_lease_it_renews_and_ends(tmp_path):
    leases.a_run_holds_its_scenes_under_a_lease_it_renews_and_ends(SqliteHistoryStore(tmp_path / "h.sqlite3"))


def test_two_runs_taking_the_same_scenes_take_each_once(tmp_path):
    leases.two_runs_taking_the_same_scenes_take_each_once(SqliteHistoryStore(tmp_path / "h.sqlite3"))
