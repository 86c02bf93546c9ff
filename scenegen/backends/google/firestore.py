"""The generation history in Firestore: one document per scene in `scene_generation_history`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from scenegen.errors import transient_errors
from scenegen.planning.history import SUMMARY_FIELDS, TABLE
from scenegen.records import HistoryRecord

TIMEOUT_SECONDS = 60.0  # every call's deadline: a run never waits on Firestore for longer
BATCH_WRITES = 500  # Firestore's limit of writes in one batch
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

    def save_all(self, records: list[HistoryRecord]) -> None:
        """Each scene's document written whole but for `attempts`, which adds up over reruns; in batches of
        Firestore's 500 writes, each batch all or nothing."""
        for start in range(0, len(records), BATCH_WRITES):
            batch = self.client.batch()
            for record in records[start : start + BATCH_WRITES]:
                values = {**_document(record), "attempts": firestore.Increment(record.attempts)}
                batch.set(self.collection.document(record.scene_id), values, merge=list(values))
            with transient_errors("Firestore", _TRANSIENT):
                batch.commit(timeout=TIMEOUT_SECONDS)


def _document(record: HistoryRecord) -> dict[str, Any]:
    values = record.model_dump(mode="python")
    values["generated_at"] = record.generated_at  # stored as a Firestore timestamp
    return values
