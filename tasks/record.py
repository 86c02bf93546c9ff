"""The stages that write the history: every scene `planned` before the first render, then each scene's
record as it ends, whether it succeeded or not."""

from __future__ import annotations

from datetime import datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from scenegen.models import SceneSpec
from scenegen.records import HistoryRecord, RunLease
from scenegen.run.resources import Resources
from tasks.retry import RETRIES


@task(name="record-scene", cache_policy=NO_CACHE, **RETRIES)
def record_scene(record: HistoryRecord, resources: Resources) -> None:
    resources.history.save(record)


@task(name="record-planned", cache_policy=NO_CACHE, **RETRIES)
def record_planned(
    specs: list[SceneSpec], resources: Resources, flow_run_id: str | None, until: datetime
) -> None:
    """Scenes recorded `planned` by a run under way (a rejected image's replacement): its lease holds them."""
    resources.history.save_all([HistoryRecord.planned(spec, flow_run_id, until) for spec in specs])


@task(name="record-run-planned", cache_policy=NO_CACHE, **RETRIES)
def record_run_planned(
    specs: list[SceneSpec],
    lease: RunLease,
    resources: Resources,
    until: datetime,
    taking: list[HistoryRecord] | None = None,
) -> list[str]:
    """Every scene of the run recorded `planned`, with the run's bound and its lease, in one write before the
    first render starts: a run that dies, or cannot record how a scene ended, leaves them for rerun-failed.
    A rerun's scenes (`taking`, as it read them) are taken only if still so; the ids the run holds."""
    planned = [HistoryRecord.planned(spec, lease.run_id, until) for spec in specs]
    return resources.history.start_run(lease, planned, taking or [])
