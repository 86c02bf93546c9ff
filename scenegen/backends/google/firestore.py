"""The generation history in Firestore: one document per scene in `scene_generation_history`, and one per
run's lease in `scene_generation_runs`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from scenegen.errors import transient_errors
from scenegen.planning.history import RUNS, SUMMARY_FIELDS, TABLE
from scenegen.records import HistoryRecord, RunLease, RunState

TIMEOUT_SECONDS = 60.0  # every call's deadline: a run never waits on Firestore for longer
BATCH_WRITES = 500  # Firestore's limit of writes in one batch
TAKEN_PER_TRANSACTION = 400  # scenes a rerun takes in one transaction, under that limit
# Worth trying again: the service is busy, or a write raced another.
_TRANSIENT = (
    exceptions.ServiceUnavailable,
    exceptions.DeadlineExceeded,
    exceptions.TooManyRequests,
    exceptions.InternalServerError,
    exceptions.Aborted,
)


class FirestoreHistory:
    """History in Firestore; credentials from ADC, or none when FIRESTORE_EMULATOR_HOST is set."""

    def __init__(self, project: str, client: firestore.Client | None = None) -> None:
        self.project = project
        self._client = client

    @property
    def client(self) -> firestore.Client:
        if self._client is None:  # made on first use: building a store for a check costs nothing
            self._client = firestore.Client(project=self.project)
        return self._client

    @property
    def collection(self) -> firestore.CollectionReference:
        return self.client.collection(TABLE)

    def records_since(self, since: datetime) -> list[HistoryRecord]:
        # A server-side range on the indexed timestamp, and only the fields a lookback needs.
        query = (
            self.collection.where(filter=FieldFilter("generated_at", ">=", since))
            .order_by("generated_at")
            .select(list(SUMMARY_FIELDS))
        )
        with transient_errors("Firestore", _TRANSIENT):
            return [
                HistoryRecord.model_validate(doc.to_dict()) for doc in query.stream(timeout=TIMEOUT_SECONDS)
            ]

    def get(self, scene_id: str) -> HistoryRecord | None:
        with transient_errors("Firestore", _TRANSIENT):
            snapshot = self.collection.document(scene_id).get(timeout=TIMEOUT_SECONDS)
        return HistoryRecord.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def submitted(self) -> list[HistoryRecord]:
        query = self.collection.where(filter=FieldFilter("status", "==", "submitted"))
        with transient_errors("Firestore", _TRANSIENT):
            records = [
                HistoryRecord.model_validate(doc.to_dict()) for doc in query.stream(timeout=TIMEOUT_SECONDS)
            ]
        return sorted(records, key=lambda r: (r.generated_at, r.scene_id))

    def save(self, record: HistoryRecord) -> None:
        self.save_all([record])

    @property
    def runs(self) -> firestore.CollectionReference:
        return self.client.collection(RUNS)

    def save_all(self, records: list[HistoryRecord]) -> None:
        """Each scene's document written whole but for `attempts`, which adds up over reruns; in batches of
        Firestore's 500 writes, each batch all or nothing."""
        self._write(records)

    def _write(self, records: list[HistoryRecord], lease: RunLease | None = None) -> None:
        """`records`, and `lease` with the last batch, so that the lease is there once its scenes are."""
        for start in range(0, max(len(records), 1), BATCH_WRITES - 1):
            batch = self.client.batch()
            chunk = records[start : start + BATCH_WRITES - 1]
            for record in chunk:
                values = {**_document(record), "attempts": firestore.Increment(record.attempts)}
                batch.set(self.collection.document(record.scene_id), values, merge=list(values))
            if lease is not None and start + BATCH_WRITES - 1 >= len(records):
                batch.set(self.runs.document(lease.run_id), lease.model_dump(mode="python"))
            with transient_errors("Firestore", _TRANSIENT):
                batch.commit(timeout=TIMEOUT_SECONDS)

    def start_run(
        self, lease: RunLease, planned: list[HistoryRecord], observed: list[HistoryRecord] = ()
    ) -> list[str]:
        """Fresh scenes in batches; a scene in `observed` in a transaction that reads it first and takes it
        only if it is still as observed (Firestore retries a transaction another one raced). The lease is
        written last, naming the scenes held."""
        seen = {record.scene_id: record for record in observed}
        fresh = [record for record in planned if record.scene_id not in seen]
        taking = [record for record in planned if record.scene_id in seen]
        held = [record.scene_id for record in fresh]
        if fresh:
            self._write(fresh)
        for start in range(0, len(taking), TAKEN_PER_TRANSACTION):
            chunk = taking[start : start + TAKEN_PER_TRANSACTION]
            with transient_errors("Firestore", _TRANSIENT):
                held += _take(self.client.transaction(), self.collection, chunk, seen)
        self._write([], lease.model_copy(update={"scenes": held}))
        return held

    def renew_run(self, run_id: str, until: datetime) -> bool:
        return self._if_running(run_id, {"lease_until": until})

    def end_run(self, run_id: str, state: RunState) -> bool:
        return self._if_running(run_id, {"state": state, "ended_at": firestore.SERVER_TIMESTAMP})

    def _if_running(self, run_id: str, values: dict[str, Any]) -> bool:
        """`values` written to the run's lease in a transaction, if the run is `running`."""
        with transient_errors("Firestore", _TRANSIENT):
            return _update_running(self.client.transaction(), self.runs.document(run_id), values)

    def get_run(self, run_id: str) -> RunLease | None:
        with transient_errors("Firestore", _TRANSIENT):
            snapshot = self.runs.document(run_id).get(timeout=TIMEOUT_SECONDS)
        return RunLease.model_validate(snapshot.to_dict()) if snapshot.exists else None

    def runs_since(self, since: datetime) -> list[RunLease]:
        query = self.runs.where(filter=FieldFilter("started_at", ">=", since)).order_by("started_at")
        with transient_errors("Firestore", _TRANSIENT):
            return [RunLease.model_validate(doc.to_dict()) for doc in query.stream(timeout=TIMEOUT_SECONDS)]


@firestore.transactional
def _take(
    transaction: firestore.Transaction,
    collection: firestore.CollectionReference,
    planned: list[HistoryRecord],
    observed: dict[str, HistoryRecord],
) -> list[str]:
    """The scenes of `planned` whose documents are still as `observed`, each replaced by its planned record
    (its attempts kept)."""
    references = [collection.document(record.scene_id) for record in planned]
    now = {
        snapshot.id: HistoryRecord.model_validate(snapshot.to_dict())
        for snapshot in transaction.get_all(references, timeout=TIMEOUT_SECONDS)
        if snapshot.exists
    }
    taken = []
    for record, reference in zip(planned, references, strict=True):
        current, was = now.get(record.scene_id), observed[record.scene_id]
        if current is None:
            continue
        if (current.status, current.flow_run_id) == ("planned", record.flow_run_id):  # ours: a retry
            taken.append(record.scene_id)
        elif (current.status, current.flow_run_id, current.generated_at) == (
            was.status,
            was.flow_run_id,
            was.generated_at,
        ):
            values = {k: v for k, v in _document(record).items() if k != "attempts"}
            transaction.set(reference, values, merge=list(values))
            taken.append(record.scene_id)
    return taken


@firestore.transactional
def _update_running(
    transaction: firestore.Transaction, reference: firestore.DocumentReference, values: dict[str, Any]
) -> bool:
    snapshot = next(iter(transaction.get(reference, timeout=TIMEOUT_SECONDS)), None)
    if snapshot is None or not snapshot.exists or snapshot.get("state") != "running":
        return False
    transaction.update(reference, values)
    return True


def _document(record: HistoryRecord) -> dict[str, Any]:
    values = record.model_dump(mode="python")
    values["generated_at"] = record.generated_at  # stored as a Firestore timestamp
    return values
