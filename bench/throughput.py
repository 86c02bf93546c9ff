"""Image slots, measured: a run of Gemini scenes against the tests' Gemini-compatible server, which answers
each image after a fixed latency with a pre-made picture (so that it costs little CPU), through a real
local Prefect server.

Prints the image phase (first image request to last answer) against its bound, scenes x latency /
MAX_CONCURRENCY; the peak number of image calls in flight; and the CPU seconds per scene, review included,
spent by the run (this process and its worker processes) and by its Prefect server (after a warm-up run,
until the server has written the run's events and logs).

    python bench/throughput.py [--scenes 32] [--latency 10] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import proc_tree  # noqa: E402
from tests import emulators  # noqa: E402

IMAGE_MODEL = "gemini-3-pro-image"


def peak_in_flight(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def settled(pid: int, idle_per_second: float = 0.1, longest: float = 60.0) -> float:
    """The CPU seconds of `pid` once it has gone a second using less than `idle_per_second` (its backlog
    of events and logs written), or after `longest` seconds."""
    deadline = time.monotonic() + longest
    last = proc_tree.cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = proc_tree.cpu_seconds(pid)
        if now - last < idle_per_second:
            return now
        last = now
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=32)
    parser.add_argument("--latency", type=float, default=10.0, help="seconds per image answer")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="scenegen-bench-throughput-"))
    env = emulators.prefect_environment(work / "prefect-home")
    server = emulators.start_prefect_server(env, work / "server.log")
    premade = {"FAKE_GEMINI_PREMADE": str(args.scenes + 8)}
    fake, url = emulators.start_fake_gemini(work / "fake-gemini.log", env | premade)
    try:
        os.environ.update(env)
        os.environ |= {
            "GEMINI_API_KEY": "bench-key",
            "GEMINI_BASE_URL": url,
            "PROMPT_BACKEND": "local",
            "MAX_CONCURRENCY": str(args.concurrency),
            "OUTPUT_DIR": str(work / "output"),
        }
        from flows.generate_scenes import generate_scenes

        def run_cpu() -> float:  # this process and its worker processes, not the two servers
            return proc_tree.cpu_seconds(os.getpid(), exclude=(server.pid, fake.pid))

        generate_scenes(scenes=2, seed=1, return_state=True)  # a fresh server's first runs cost more
        settled(server.pid)
        emulators.script_fake_gemini(url, {IMAGE_MODEL: [f"slow:{args.latency}"] * (args.scenes + 8)})
        server_cpu, own_cpu = proc_tree.cpu_seconds(server.pid), run_cpu()
        started = time.perf_counter()
        state = generate_scenes(scenes=args.scenes, seed=2026, return_state=True)
        wall = time.perf_counter() - started
        own_cpu = run_cpu() - own_cpu
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)
        server_cpu = settled(server.pid) - server_cpu  # the server's work for the run, however late
        with urllib.request.urlopen(f"{url}/_fake/requests", timeout=10) as response:
            requests = [r for r in json.loads(response.read()) if r["model"] == IMAGE_MODEL]
    finally:
        emulators.stop(fake)
        emulators.stop(server)

    intervals = [(r["time"], r["answered"]) for r in requests]
    phase = max(end for _, end in intervals) - min(start for start, _ in intervals)
    bound = args.scenes * args.latency / args.concurrency
    print(f"run: {state.name}: {state.message} ({wall:.1f} s in all)")
    print(f"image calls: {len(requests)} for {args.scenes} scenes, latency {args.latency:.0f} s")
    print(
        f"image phase: {phase:.1f} s; bound {args.scenes} x {args.latency:.0f} / {args.concurrency} = "
        f"{bound:.1f} s; ratio {phase / bound:.2f} (target <= 1.15)"
    )
    print(f"peak image calls in flight: {peak_in_flight(intervals)} (target {args.concurrency})")
    print(
        f"CPU seconds per scene, review included: {(own_cpu + server_cpu) / args.scenes:.2f} = run "
        f"{own_cpu / args.scenes:.2f} + Prefect server {server_cpu / args.scenes:.2f} (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
