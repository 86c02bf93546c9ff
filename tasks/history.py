"""Stages that read and write the generation history."""

from __future__ import annotations

from datetime import datetime, timedelta

from prefect import task

from scenegen.backends import history_store
from scenegen.errors import InputError
from scenegen.history import HistoryStore
from scenegen.models import HistoryRecord, SceneSpec, check_scene_id, utcnow
from scenegen.settings import Settings
from tasks.retry import RETRIES


def recent_history(store: HistoryStore, days: int, now: datetime | None = None) -> list[HistoryRecord]:
    return store.records_since((now or utcnow()) - timedelta(days=days))


@task(name="load-history", **RETRIES)
def load_history(settings: Settings) -> list[HistoryRecord]:
    return recent_history(history_store(settings), settings.lookback_days)


@task(name="record-scene", **RETRIES)
def record_scene(record: HistoryRecord, settings: Settings) -> None:
    history_store(settings).save(record)


def rerun_specs(store: HistoryStore, scene_ids: list[str], since_days: int) -> list[SceneSpec]:
    """Specs to run again: the named scenes, or else every failed scene of the last `since_days`."""
    if scene_ids:
        records = []
        for scene_id in scene_ids:
            record = store.get(check_scene_id(scene_id))
            if record is None:
                raise InputError(f"scene {scene_id} is not in the history")
            records.append(record)
    else:
        records = [r for r in recent_history(store, since_days) if not r.success]
    return [record.to_spec() for record in records]


@task(name="load-failed-scenes", **RETRIES)
def load_rerun_specs(settings: Settings, scene_ids: list[str]) -> list[SceneSpec]:
    return rerun_specs(history_store(settings), scene_ids, settings.lookback_days)
