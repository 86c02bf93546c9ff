"""Lookback read of a 30-day history, Firestore (Google's emulator on 127.0.0.1) beside SQLite.

    python bench/history_load.py [--records 5000] [--repeats 3]

Writes the same records to both stores, then prints the median seconds of one lookback read of each
and the ratio Firestore/SQLite. Needs java and the Firestore emulator jar, as the tests do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.emulators and tests.helpers

from scenegen.backends.google.firestore import FirestoreHistory
from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.models import utcnow
from scenegen.planning.history import recent_history
from tests.emulators import firestore_emulator
from tests.helpers import record


def median_seconds(read, repeats: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        count = len(read())
        times.append(time.perf_counter() - started)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    now = utcnow()
    records = [
        record(
            "warehouse",
            ["night_light", "busy_state"],
            scene_id=f"w-{i:06d}",
            when=now - timedelta(hours=i % 700),
        )
        for i in range(args.records)
    ]
    with tempfile.TemporaryDirectory() as workdir, firestore_emulator(Path(workdir)) as host:
        os.environ["FIRESTORE_EMULATOR_HOST"] = host
        firestore = FirestoreHistory(f"bench-{uuid.uuid4().hex[:8]}")
        collection = firestore.collection
        for start in range(0, len(records), 500):
            batch = firestore.client.batch()
            for each in records[start : start + 500]:
                batch.set(collection.document(each.scene_id), each.model_dump())
            batch.commit()
        sqlite = SqliteHistoryStore(Path(workdir) / "history.sqlite3")
        for each in records:
            sqlite.save(each)
        fs_seconds, fs_count = median_seconds(lambda: recent_history(firestore, 30), args.repeats)
        sql_seconds, sql_count = median_seconds(lambda: recent_history(sqlite, 30), args.repeats)
    print(f"records in the window: firestore {fs_count}, sqlite {sql_count}")
    print(
        f"lookback read, median of {args.repeats}: firestore {fs_seconds:.3f} s, sqlite {sql_seconds:.3f} s"
    )
    print(f"ratio firestore/sqlite: {fs_seconds / sql_seconds:.1f}")


if __name__ == "__main__":
    main()
