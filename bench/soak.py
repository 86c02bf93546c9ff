"""Daily runs, one after another, as the schedule makes them: `scenegen generate` on the embedded defaults,
each in a process of its own under a hard bound, against one local Prefect server and one history.

Prints each day's outcome and then days completed / hung / failed (the target: all completed, none hung).
A run still going at its bound counts as hung: where py-spy is installed, its threads (C frames included)
are printed before it is killed.

    python bench/soak.py [--days 30] [--scenes 10] [--bound 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import emulators  # noqa: E402

SCENEGEN = str(Path(sys.executable).with_name("scenegen"))


def dump_threads(pid: int) -> str:
    """Every thread of a hung run and of its workers, where py-spy is installed."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return "(py-spy is not installed: no thread dump)"
    done = subprocess.run([spy, "dump", "--native", "--pid", str(pid)], capture_output=True, text=True)
    return done.stdout + done.stderr


def one_day(day: int, scenes: int, bound: float, env: dict[str, str]) -> tuple[str, float, str]:
    """'completed', 'failed' or 'hung', the wall seconds, and what the run said last."""
    started = time.monotonic()
    run = subprocess.Popen(
        [SCENEGEN, "generate", "--scenes", str(scenes), "--seed", str(1000 + day)],
        env=env | {"PYTHONPATH": str(REPO)},  # this checkout's code, whichever the console script came from
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a hung run is killed with its workers
    )
    try:
        said, _ = run.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        dump = dump_threads(run.pid)
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        return "hung", time.monotonic() - started, dump
    last = said.strip().splitlines()[-1] if said.strip() else ""
    return ("completed" if run.returncode == 0 else "failed"), time.monotonic() - started, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scenes", type=int, default=10)
    parser.add_argument("--bound", type=float, default=300.0, help="seconds a day's run may take")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scenegen-bench-soak-"))
    env = emulators.prefect_environment(work / "prefect-home") | {"OUTPUT_DIR": str(work / "output")}
    server = emulators.start_prefect_server(env, work / "server.log")
    outcomes: dict[str, int] = {"completed": 0, "hung": 0, "failed": 0}
    try:
        for day in range(1, args.days + 1):
            outcome, seconds, said = one_day(day, args.scenes, args.bound, env)
            outcomes[outcome] += 1
            print(f"day {day:2d}: {outcome} in {seconds:.0f} s: {said}", flush=True)
    finally:
        emulators.stop(server)
    print(
        f"days completed / hung / failed: {outcomes['completed']} / {outcomes['hung']} / "
        f"{outcomes['failed']} (target {args.days} / 0 / 0), {args.scenes} scenes a day, "
        f"each run bounded at {args.bound:.0f} s"
    )


if __name__ == "__main__":
    main()
