"""The generation history: what was made recently, so the next batch can differ from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from scenegen.models import SceneSpec, utcnow
from scenegen.records import HistoryRecord, RunLease, RunState, SceneOutcome, Status

TABLE = "scene_generation_history"
RUNS = "scene_generation_runs"  # one lease per run, keyed by its flow run id
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
        """`save` for each record, in as few writes as the store allows."""
        ...

    # Runs' leases, in RUNS: which run holds which planned scenes, and whether it still lives.
    def start_run(
        self, lease: RunLease, planned: list[HistoryRecord], observed: list[HistoryRecord] = ()
    ) -> list[str]:
        """A run's `planned` records and its lease (whose `scenes` become the ids it holds), written
        together. A scene in `observed` (a rerun's, as it was read) is taken only if its record is still
        that one, by a conditional write: of two runs taking a scene, one gets it. The ids held."""
        ...

    def renew_run(self, run_id: str, until: datetime) -> bool:
        """The lease held until `until`, while its run is `running`; False when it is not any more."""
        ...

    def end_run(self, run_id: str, state: RunState) -> bool:
        """A running run's lease ended in `state` (the first final state stays); False if it had ended."""
        ...

    def get_run(self, run_id: str) -> RunLease | None: ...

    def runs_since(self, since: datetime) -> list[RunLease]:
        """The leases of runs started at or after `since`, oldest first."""
        ...


def recent_history(store: HistoryStore, days: int, now: datetime | None = None) -> list[HistoryRecord]:
    return store.records_since((now or utcnow()) - timedelta(days=days))


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
