"""The stages that write the history: every scene `planned` before the first render, then each scene's
record as it ends, whether it succeeded or not."""

from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from scenegen.models import SceneSpec
from scenegen.records import HistoryRecord
from scenegen.run.resources import Resources
from tasks.retry import RETRIES


@task(name="record-scene", cache_policy=NO_CACHE, **RETRIES)
def record_scene(record: HistoryRecord, resources: Resources) -> None:
    resources.history.save(record)


@task(name="record-planned", cache_policy=NO_CACHE, **RETRIES)
def record_planned(
    specs: list[SceneSpec], resources: Resources, flow_run_id: str | None, until: datetime
) -> None:
    """Every scene of the run recorded `planned`, with the run's bound, before the first render starts: a
    run that dies, or cannot record how a scene ended, leaves them for rerun-failed."""
    resources.history.save_all([HistoryRecord.planned(spec, flow_run_id, until) for spec in specs])
