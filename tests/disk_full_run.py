"""A disk that fills mid-run, for tests/integration/test_bounded_runs.py: run inside a mount namespace of
its own (`unshare --mount --map-root-user python tests/disk_full_run.py FOLDER`), it mounts a 100 MB tmpfs
at FOLDER, runs the `scenegen` command there against the Prefect API in PREFECT_API_URL, and prints what
happened as one line of JSON. Everything it mounts goes away with the namespace."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SCENEGEN = str(Path(sys.executable).with_name("scenegen"))
TMPFS_MB = 100
SCENES = 6


def scenegen(output: Path, *arguments: str, timeout: float = 300) -> dict:
    done = subprocess.run(
        [SCENEGEN, *arguments],
        env=environment(output),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return {"exit": done.returncode, "said": done.stdout + done.stderr[-2000:]}


def environment(output: Path) -> dict[str, str]:
    import os

    return os.environ | {"OUTPUT_DIR": str(output), "RENDER_WORKERS": "2", "MAX_CONCURRENCY": "4"}


def markers(output: Path) -> int:
    return len(list((output / "scenes").glob("*/.scene_generation_complete")))


def statuses(output: Path) -> list[str]:
    with sqlite3.connect(output / "history.sqlite3") as db:
        return sorted(row[0] for row in db.execute("SELECT status FROM scene_generation_history"))


def fill(folder: Path) -> Path:
    """Write a file until the disk has no byte left."""
    filler = folder / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(chunk)
        except OSError:
            pass
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def main() -> None:
    disk = Path(sys.argv[1])
    disk.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m", "tmpfs", str(disk)], check=True)
    result: dict = {}

    too_large = disk / "too-large"
    refused = scenegen(too_large, "generate", "--scenes", "40", "--seed", "1")
    result["too_large"] = refused | {
        "history": (too_large / "history.sqlite3").exists(),
        "scenes": markers(too_large),
    }

    output = disk / "filled"
    run = subprocess.Popen(
        [SCENEGEN, "generate", "--scenes", str(SCENES), "--seed", "2"],
        env=environment(output),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    while markers(output) < 1 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    filler = fill(disk)
    said, _ = run.communicate(timeout=300)
    result["filled"] = {"exit": run.returncode, "said": said[-3000:], "stored": markers(output)}

    filler.unlink()
    rerun = scenegen(output, "rerun-failed")
    result["rerun"] = rerun | {"statuses": statuses(output), "markers": markers(output)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
