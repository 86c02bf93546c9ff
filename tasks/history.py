"""Stages that read and write the generation history."""

from __future__ import annotations

from prefect import task

from scenegen.backends import history_store
from scenegen.history import recent_history, rerun_specs
from scenegen.models import HistoryRecord, SceneSpec
from scenegen.settings import Settings
from tasks.retry import RETRIES


@task(name="load-history", **RETRIES)
def load_history(settings: Settings) -> list[HistoryRecord]:
    return recent_history(history_store(settings), settings.lookback_days)


@task(name="record-scene", **RETRIES)
def record_scene(record: HistoryRecord, settings: Settings) -> None:
    history_store(settings).save(record)


@task(name="load-failed-scenes", **RETRIES)
def load_rerun_specs(settings: Settings, scene_ids: list[str]) -> list[SceneSpec]:
    return rerun_specs(history_store(settings), scene_ids, settings.lookback_days)
