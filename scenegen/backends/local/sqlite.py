"""The embedded history store: one SQLite file, with the scenes' records and the runs' leases."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from scenegen.errors import InputError
from scenegen.planning.history import RUNS, TABLE
from scenegen.records import HistoryRecord, RunLease, RunState

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
                    review TEXT, planned_until TEXT, twin INTEGER NOT NULL DEFAULT 0, agreement TEXT,
                    views INTEGER NOT NULL DEFAULT 1)"""
            )
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({TABLE})")}
            # a history file from before image checks, batch mode, reviews, planned records, twins, views
            for added, kind in (
                ("phash", "TEXT"),
                ("batch_job", "TEXT"),
                ("review", "TEXT"),
                ("planned_until", "TEXT"),
                ("twin", "INTEGER NOT NULL DEFAULT 0"),
                ("agreement", "TEXT"),
                ("views", "INTEGER NOT NULL DEFAULT 1"),
            ):
                if added not in columns:
                    db.execute(f"ALTER TABLE {TABLE} ADD COLUMN {added} {kind}")
            db.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_generated_at ON {TABLE} (generated_at)")
            db.execute(
                f"""CREATE TABLE IF NOT EXISTS {RUNS} (
                    run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, lease_until TEXT NOT NULL,
                    host TEXT NOT NULL, machine TEXT NOT NULL, pid INTEGER NOT NULL,
                    process_started REAL NOT NULL, scenes TEXT NOT NULL, state TEXT NOT NULL,
                    ended_at TEXT)"""
            )
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
        row = self._fetch_one(f"SELECT * FROM {TABLE} WHERE scene_id = ?", scene_id)
        return _record(row) if row else None

    def _fetch_one(self, query: str, key: str) -> sqlite3.Row | None:
        if not self.path.exists():  # reading never creates the file
            return None
        with self._connect() as db:
            return db.execute(query, (key,)).fetchone()

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
        if records:
            with self._connect() as db:
                _upsert(db, records)

    def start_run(
        self, lease: RunLease, planned: list[HistoryRecord], observed: list[HistoryRecord] = ()
    ) -> list[str]:
        """One transaction. A scene in `observed` is taken by an UPDATE whose WHERE is its record as read:
        SQLite runs one writer at a time, so of two runs taking a scene, the second finds it changed."""
        seen = {record.scene_id: record for record in observed}
        fresh = [record for record in planned if record.scene_id not in seen]
        with self._connect() as db:
            _upsert(db, fresh)
            held = [record.scene_id for record in fresh]
            for record in planned:
                if record.scene_id in seen and _take(db, record, seen[record.scene_id]):
                    held.append(record.scene_id)
            values = lease.model_copy(update={"scenes": held}).model_dump(mode="json")
            values.update(
                started_at=_stamp(lease.started_at),
                lease_until=_stamp(lease.lease_until),
                ended_at=lease.ended_at and _stamp(lease.ended_at),
                scenes=json.dumps(held),
            )
            db.execute(
                f"INSERT OR REPLACE INTO {RUNS} ({', '.join(values)}) "
                f"VALUES ({', '.join(':' + name for name in values)})",
                values,
            )
        return held

    def renew_run(self, run_id: str, until: datetime) -> bool:
        with self._connect() as db:
            cursor = db.execute(
                f"UPDATE {RUNS} SET lease_until = ? WHERE run_id = ? AND state = 'running'",
                (_stamp(until), run_id),
            )
        return cursor.rowcount == 1

    def end_run(self, run_id: str, state: RunState) -> bool:
        with self._connect() as db:
            cursor = db.execute(
                f"UPDATE {RUNS} SET state = ?, ended_at = ? WHERE run_id = ? AND state = 'running'",
                (state, _stamp(datetime.now(UTC)), run_id),
            )
        return cursor.rowcount == 1

    def get_run(self, run_id: str) -> RunLease | None:
        row = self._fetch_one(f"SELECT * FROM {RUNS} WHERE run_id = ?", run_id)
        return _lease(row) if row else None

    def runs_since(self, since: datetime) -> list[RunLease]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM {RUNS} WHERE started_at >= ? ORDER BY started_at, run_id", (_stamp(since),)
            ).fetchall()
        return [_lease(row) for row in rows]


def _upsert(db: sqlite3.Connection, records: list[HistoryRecord]) -> None:
    """Each record inserted, or replacing the scene's, adding its attempts to the earlier ones."""
    rows = [_row(record) for record in records]
    if not rows:
        return
    names = list(rows[0])
    columns = ", ".join(names)
    placeholders = ", ".join(f":{name}" for name in names)
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "attempts")
    db.executemany(
        f"INSERT INTO {TABLE} ({columns}) VALUES ({placeholders}) ON CONFLICT(scene_id) DO UPDATE "
        f"SET {updates}, attempts = {TABLE}.attempts + excluded.attempts",
        rows,
    )


def _take(db: sqlite3.Connection, record: HistoryRecord, observed: HistoryRecord) -> bool:
    """`record` in place of the scene's record, if that is still `observed` (its attempts kept)."""
    row = _row(record)
    updates = ", ".join(f"{name} = :{name}" for name in row if name not in ("scene_id", "attempts"))
    cursor = db.execute(
        f"UPDATE {TABLE} SET {updates} WHERE scene_id = :scene_id AND status = :was_status "
        "AND generated_at = :was_generated_at AND flow_run_id IS :was_flow_run_id",
        row
        | {
            "was_status": observed.status,
            "was_generated_at": _stamp(observed.generated_at),
            "was_flow_run_id": observed.flow_run_id,
        },
    )
    if cursor.rowcount == 1:
        return True
    now = db.execute(f"SELECT status, flow_run_id FROM {TABLE} WHERE scene_id = ?", (record.scene_id,))
    return tuple(now.fetchone() or ()) == ("planned", record.flow_run_id)  # ours already: a retry


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


def _lease(row: sqlite3.Row) -> RunLease:
    values = dict(row)
    values["scenes"] = json.loads(values["scenes"])
    return RunLease.model_validate(values)
