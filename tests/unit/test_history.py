from datetime import timedelta

from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.models import utcnow
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
