"""The stage that writes a scene's history record, whether it succeeded or not."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from scenegen.models import HistoryRecord
from scenegen.resources import Resources
from tasks.retry import RETRIES


@task(name="record-scene", cache_policy=NO_CACHE, **RETRIES)
def record_scene(record: HistoryRecord, resources: Resources) -> None:
    resources.history.save(record)
