"""The generation history: what was made recently, so the next batch can differ from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from scenegen.engine.deadline import RUN_GRACE_SECONDS
from scenegen.errors import InputError
from scenegen.models import SceneSpec, check_scene_id, utcnow
from scenegen.records import HistoryRecord, SceneOutcome, Status

TABLE = "scene_generation_history"
# A run past its bound has recorded its scenes within its grace (and a few seconds more, for clocks that
# differ): a record still planned after that is not waiting for its run any more.
PLANNED_GRACE_SECONDS = RUN_GRACE_SECONDS + 10
# The same spec would be refused again: the model blocked it, or its (cached) image failed a check or
# the review (whose answer is cached with it).
REFUSED = {"blocked", "rejected", "unreviewed"}
# What the weights, the prompt writers and the rerun selection read from a lookback.
SUMMARY_FIELDS = (
    "scene_id",
    "archetype",
    "prompt_hash",
    "prompt_summary",
    "prompt",  # near-duplicate checks compare whole prompts
    "variation_tags",
    "generated_at",
    "success",
    "status",
    "phash",
    "cost_usd",  # the report splits the spend into online and batch
    "batch_job",
    "review",  # the report counts the verdicts and reasons
    "flow_run_id",  # with planned_until: whether a planned scene's run has ended
    "planned_until",
    "agreement",  # the report's agreement of twins with their references
)


class HistoryStore(Protocol):
    def records_since(self, since: datetime) -> list[HistoryRecord]:
        """Records generated at or after `since`, oldest first; at least the fields in SUMMARY_FIELDS."""
        ...

    def get(self, scene_id: str) -> HistoryRecord | None: ...

    def submitted(self) -> list[HistoryRecord]:
        """Whole records of every scene waiting in a batch job (status `submitted`), oldest first."""
        ...

    def save(self, record: HistoryRecord) -> None:
        """Insert or replace the record of `record.scene_id`, adding its attempts to earlier ones."""
        ...

    def save_all(self, records: list[HistoryRecord]) -> None:
        """`save` for each record, in as few writes as the store allows (a run's planned scenes)."""
        ...


def recent_history(store: HistoryStore, days: int, now: datetime | None = None) -> list[HistoryRecord]:
    return store.records_since((now or utcnow()) - timedelta(days=days))


def abandoned(
    record: HistoryRecord, run_is_final: Callable[[str], bool], now: datetime | None = None
) -> bool:
    """Whether a `planned` scene's run will never end it: that run is in a final state, or its bound
    (`planned_until`) has passed with the grace a run has after it (a run killed outright never reaches a
    final state). A scene planned by a run that may still be going is not abandoned, whatever this process
    can see of that run."""
    if record.status != "planned":
        return False
    if not record.flow_run_id:
        return True
    until = record.planned_until or record.generated_at
    if ((now or utcnow()) - until).total_seconds() > PLANNED_GRACE_SECONDS:
        return True
    return run_is_final(record.flow_run_id)


def rerun_specs(
    store: HistoryStore,
    scene_ids: list[str],
    since_days: int,
    is_abandoned: Callable[[HistoryRecord], bool],
) -> list[SceneSpec]:
    """Specs to run again: the named scenes, or else every failed scene of the last `since_days`, and every
    planned scene whose run has ended without recording how it ended (`is_abandoned`).

    A named scene must match the id pattern and be in the history; anything else is an InputError.
    Scenes refused as they are (statuses in REFUSED) are rerun only when named: the same spec fails again.
    A scene in a batch job, or planned by a run that may still be going, is never rerun.
    """
    if scene_ids:
        records = []
        for scene_id in scene_ids:
            record = store.get(check_scene_id(scene_id))
            if record is None:
                raise InputError(f"scene {scene_id} is not in the history")
            if record.status == "submitted":  # made again now, it would be paid for twice
                raise InputError(
                    f"scene {scene_id} waits in batch job {record.batch_job}: `scenegen collect` takes it"
                )
            if record.status == "planned" and not is_abandoned(record):
                raise InputError(
                    f"scene {scene_id} is planned by run {record.flow_run_id}, which may still be going"
                )
            records.append(record)
    else:
        recent = recent_history(store, since_days)
        left = [
            r
            for r in recent
            if (not r.success and r.status not in (*REFUSED, "submitted", "planned"))
            or (r.status == "planned" and is_abandoned(r))
        ]
        records = [store.get(r.scene_id) or r for r in left]  # the lookback read may be a summary
    return [record.to_spec() for record in records]


def outcomes_from_history(
    store: HistoryStore, specs: list[SceneSpec], missing: dict[str, tuple[Status, str]]
) -> list[SceneOutcome]:
    """How each scene ended, as its history record says (another process recorded it: a shard run).

    A scene with no record, or still `planned` (its shard never started, or ended before recording it), is
    recorded now, with the status and reason `missing` gives it, so that rerun-failed finds it.
    """
    outcomes = []
    for spec in specs:
        record = store.get(spec.scene_id)
        if record is None or record.status == "planned":
            status, reason = missing[spec.scene_id]
            store.save(HistoryRecord.of(spec, failure=reason, failure_status=status))
            outcomes.append(SceneOutcome(spec=spec, status=status, failure_reason=reason))
            continue
        outcomes.append(
            SceneOutcome(
                spec=spec,
                status=record.status,
                scene_uri=record.image_uri.rsplit("/", 1)[0] if record.image_uri else None,
                failure_reason=record.failure_reason,
                cost_usd=record.cost_usd,
                review_cost_usd=record.review_cost_usd,
                review=record.review,
            )
        )
    return outcomes
