"""The embedded history store: one SQLite file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from scenegen.errors import InputError
from scenegen.planning.history import TABLE
from scenegen.records import HistoryRecord

_JSON_FIELDS = ("variation_tags", "review", "agreement")  # kept as JSON text


class SqliteHistoryStore:
    """History in one SQLite file; the embedded default."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._check()

    def _check(self) -> None:
        """A history file that is there must be SQLite: found now, before any work, and left as it is."""
        if not self.path.exists():
            return
        if not self.path.is_file():
            raise InputError(f"HISTORY_DB: {self.path} is not a file")
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                db.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"HISTORY_DB: {self.path} is not an SQLite database ({exc})") from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.row_factory = sqlite3.Row
            db.execute(
                f"""CREATE TABLE IF NOT EXISTS {TABLE} (
                    scene_id TEXT PRIMARY KEY, archetype TEXT NOT NULL, prompt_hash TEXT NOT NULL,
                    prompt_summary TEXT NOT NULL, variation_tags TEXT NOT NULL, generated_at TEXT NOT NULL,
                    success INTEGER NOT NULL, prompt TEXT NOT NULL, status TEXT NOT NULL,
                    failure_reason TEXT, image_uri TEXT, sha256 TEXT, cost_usd REAL NOT NULL,
                    flow_run_id TEXT, attempts INTEGER NOT NULL, seed INTEGER NOT NULL,
                    image_model TEXT NOT NULL, prompt_model TEXT NOT NULL, phash TEXT, batch_job TEXT,
                    review TEXT, planned_until TEXT, twin INTEGER NOT NULL DEFAULT 0, agreement TEXT)"""
            )
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({TABLE})")}
            # a history file from before image checks, batch mode, reviews, planned records, twins
            for added, kind in (
                ("phash", "TEXT"),
                ("batch_job", "TEXT"),
                ("review", "TEXT"),
                ("planned_until", "TEXT"),
                ("twin", "INTEGER NOT NULL DEFAULT 0"),
                ("agreement", "TEXT"),
            ):
                if added not in columns:
                    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN {added} {kind}")
            db.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_generated_at ON {TABLE} (generated_at)")
            yield db

    def records_since(self, since: datetime) -> list[HistoryRecord]:
        if not self.path.exists():  # reading never creates the file: a dry run writes nothing
            return []
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM {TABLE} WHERE generated_at >= ? ORDER BY generated_at, scene_id",
                (_stamp(since),),
            ).fetchall()
        return [_record(row) for row in rows]

    def get(self, scene_id: str) -> HistoryRecord | None:
        if not self.path.exists():
            return None
        with self._connect() as db:
            row = db.execute(f"SELECT * FROM {TABLE} WHERE scene_id = ?", (scene_id,)).fetchone()
        return _record(row) if row else None

    def submitted(self) -> list[HistoryRecord]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM {TABLE} WHERE status = 'submitted' ORDER BY generated_at, scene_id"
            ).fetchall()
        return [_record(row) for row in rows]

    def save(self, record: HistoryRecord) -> None:
        self.save_all([record])

    def save_all(self, records: list[HistoryRecord]) -> None:
        """One transaction: every record or none."""
        rows = [_row(record) for record in records]
        if not rows:
            return
        names = list(rows[0])
        columns = ", ".join(names)
        placeholders = ", ".join(f":{name}" for name in names)
        updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "attempts")
        with self._connect() as db:
            db.executemany(
                f"INSERT INTO {TABLE} ({columns}) VALUES ({placeholders}) ON CONFLICT(scene_id) DO UPDATE "
                f"SET {updates}, attempts = {TABLE}.attempts + excluded.attempts",
                rows,
            )


def _stamp(moment: datetime) -> str:
    """One fixed-width UTC text form, so that SQL compares timestamps as text correctly."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _row(record: HistoryRecord) -> dict[str, object]:
    values = record.model_dump(mode="json")
    values["generated_at"] = _stamp(record.generated_at)
    for field in _JSON_FIELDS:
        values[field] = None if values[field] is None else json.dumps(values[field])
    return values


def _record(row: sqlite3.Row) -> HistoryRecord:
    values = dict(row)
    for field in _JSON_FIELDS:
        if values.get(field) is not None:
            values[field] = json.loads(values[field])
    return HistoryRecord.model_validate(values)
