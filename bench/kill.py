"""Killed runs, recovered: `scenegen generate --scenes 10` on the Gemini backends (the tests' loopback
server, each image answered after a fixed latency) is killed with SIGKILL at a random moment after it has
planned its scenes (the run, its worker processes and all), then `scenegen rerun-failed` runs at once.

Prints, per trial and over all of them: the scenes stored once the rerun ended (target 10 of 10 every
trial), the images bought twice against those in flight at the kill (target: no more than those), and the
seconds from the kill to every scene stored. Both commands talk to one local Prefect server, which still
shows the killed run as Running: only its lease tells the rerun that the run is gone.

    python bench/kill.py [--trials 20] [--latency 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import emulators  # noqa: E402

IMAGE_MODEL = "gemini-3-pro-image"
SCENES = 10


def scenegen(*arguments: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *arguments],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a process group: the kill takes the run and its workers
    )


def rows(history: Path, sql: str) -> list[tuple]:
    if not history.exists():
        return []
    with sqlite3.connect(history, timeout=30) as db:
        try:
            return db.execute(sql).fetchall()
        except sqlite3.OperationalError:  # the table is not there yet
            return []


def image_requests(url: str) -> list[dict]:
    with urllib.request.urlopen(f"{url}/_fake/requests", timeout=30) as response:
        every = json.loads(response.read())
    return [r for r in every if r["path"].endswith(f"{IMAGE_MODEL}:generateContent")]


def by_scene(requests: list[dict], prompts: dict[str, str]) -> Counter[str]:
    asked: Counter[str] = Counter()
    for request in requests:
        text = request["body"]["contents"][0]["parts"][0]["text"]
        asked.update(scene for prompt, scene in prompts.items() if text == prompt)
    return asked


def fingerprints(history: Path) -> dict[str, str]:
    """Scene id -> the cache key of its render (the spec's fingerprint), from the planned records."""
    from scenegen.backends.local.sqlite import SqliteHistoryStore

    store = SqliteHistoryStore(history)
    ids = rows(history, "SELECT scene_id FROM scene_generation_history")
    records = [store.get(scene_id) for (scene_id,) in ids]
    return {r.scene_id: f"render-{IMAGE_MODEL}-{r.to_spec().fingerprint}" for r in records if r}


def trial(number: int, env: dict[str, str], url: str, work: Path, typical: float, rng: random.Random) -> dict:
    output = work / f"trial-{number}"
    history = output / "history.sqlite3"
    env = env | {"OUTPUT_DIR": str(output)}
    emulators.script_fake_gemini(url, {IMAGE_MODEL: [f"slow:{env['BENCH_LATENCY']}"] * 60})
    run = scenegen("generate", "--scenes", str(SCENES), env=env)
    deadline = time.monotonic() + 120
    while len(rows(history, "SELECT 1 FROM scene_generation_history WHERE status = 'planned'")) < SCENES:
        assert time.monotonic() < deadline and run.poll() is None, "the run never planned its scenes"
        time.sleep(0.05)
    time.sleep(rng.uniform(0, typical))
    os.killpg(run.pid, signal.SIGKILL)
    killed = time.monotonic()
    run.wait()
    cache = output / ".cache"
    cached = {p.name for p in cache.iterdir()} if cache.exists() else set()
    keys = fingerprints(history)
    written = rows(history, "SELECT scene_id, prompt FROM scene_generation_history")
    prompts = {prompt: scene for scene, prompt in written}
    before = by_scene(image_requests(url), prompts)
    stored_at_kill = len(list(output.glob("scenes/*/.scene_generation_complete")))
    in_flight = sum(1 for scene in before if keys.get(scene) not in cached)

    rerun = scenegen("rerun-failed", env=env)
    exit_status = rerun.wait(timeout=600)
    recovered = time.monotonic() - killed
    after = by_scene(image_requests(url), prompts)
    stored = len(list(output.glob("scenes/*/.scene_generation_complete")))
    return {
        "trial": number,
        "stored_at_kill": stored_at_kill,
        "stored": stored,
        "rerun_exit": exit_status,
        "bought_twice": sum(n - 1 for n in after.values() if n > 1),
        "in_flight": in_flight,
        "seconds": recovered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per image answer")
    parser.add_argument("--seed", type=int, default=7, help="of the kill moments")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="scenegen-bench-kill-"))
    env = emulators.prefect_environment(work / "prefect-home")
    server = emulators.start_prefect_server(env, work / "server.log")
    fake, url = emulators.start_fake_gemini(work / "fake-gemini.log", env | {"FAKE_GEMINI_PREMADE": "12"})
    base = (
        os.environ
        | env
        | {
            "GEMINI_API_KEY": "bench-key",
            "GEMINI_BASE_URL": url,
            "PROMPT_BACKEND": "local",
            "MAX_CONCURRENCY": "4",
            "BENCH_LATENCY": str(args.latency),
        }
    )
    try:
        emulators.script_fake_gemini(url, {IMAGE_MODEL: [f"slow:{args.latency}"] * 60})
        started = time.monotonic()
        whole = scenegen("generate", "--scenes", str(SCENES), env=base | {"OUTPUT_DIR": str(work / "whole")})
        assert whole.wait() == 0, "an uninterrupted run failed"
        typical = time.monotonic() - started
        print(f"an uninterrupted run of {SCENES} scenes: {typical:.1f} s; each trial kills one at random")
        print("trial  stored at kill  stored after rerun  rerun exit  bought twice  in flight  kill to all")
        results = []
        for number in range(1, args.trials + 1):
            result = trial(number, base, url, work, typical, rng)
            results.append(result)
            print(
                f"{number:5d}  {result['stored_at_kill']:14d}  {result['stored']:15d}/{SCENES}  "
                f"{result['rerun_exit']:10d}  {result['bought_twice']:12d}  {result['in_flight']:9d}  "
                f"{result['seconds']:13.1f} s",
                flush=True,
            )
    finally:
        emulators.stop(fake)
        emulators.stop(server)
    complete = sum(r["stored"] == SCENES for r in results)
    within = sum(r["bought_twice"] <= r["in_flight"] for r in results)
    seconds = [r["seconds"] for r in results]
    print(
        f"\n{complete} of {len(results)} trials: all {SCENES} scenes stored by one immediate rerun-failed "
        f"(target: every trial)\n"
        f"images bought twice: {sum(r['bought_twice'] for r in results)} in all, against "
        f"{sum(r['in_flight'] for r in results)} in flight at the kills; within the in-flight count in "
        f"{within} of {len(results)} trials (target: every trial)\n"
        f"kill to every scene stored: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s"
    )


if __name__ == "__main__":
    main()
