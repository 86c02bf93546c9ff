"""The review, end to end: `scenegen generate` on the Gemini backends against the tests' Gemini-compatible
server on 127.0.0.1, whose review model judges one image in three unsuitable (people in frame), through a
real local Prefect server.

Prints how many images were reviewed and judged unsuitable, what became of each unsuitable image (replaced,
or recorded when its replacement failed too), how many carry a completion marker (target: none), and what
the reviews cost.

    python bench/review_run.py [--scenes 12] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import emulators  # noqa: E402

REVIEW_MODEL = "gemini-review-bench"  # a model of its own, so that its script holds reviews only
UNSUITABLE = {"people_present": True, "verdict": "unsuitable", "reasons": ["a worker stands in the aisle"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="scenegen-bench-review-"))
    env = emulators.prefect_environment(work / "prefect-home")
    server = emulators.start_prefect_server(env, work / "server.log")
    fake, url = emulators.start_fake_gemini(work / "fake-gemini.log", env)
    output = work / "output"
    try:
        one_in_three = ["review", "review", f"review:{json.dumps(UNSUITABLE)}"] * args.scenes
        emulators.script_fake_gemini(url, {REVIEW_MODEL: one_in_three})
        run_env = env | {
            "GEMINI_API_KEY": "bench-key",
            "GEMINI_BASE_URL": url,
            "GEMINI_REVIEW_MODEL": REVIEW_MODEL,
            "MAX_CONCURRENCY": str(args.concurrency),
            "OUTPUT_DIR": str(output),
        }
        started = datetime.now(UTC)
        command = [str(Path(sys.executable).with_name("scenegen")), "generate", "--scenes", str(args.scenes)]
        done = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=900)
    finally:
        emulators.stop(fake)
        emulators.stop(server)

    from scenegen.backends.local.sqlite import SqliteHistoryStore
    from scenegen.storage import MARKER

    records = SqliteHistoryStore(output / "history.sqlite3").records_since(started)
    marked = {p.parent.name for p in (output / "scenes").glob(f"*/{MARKER}")}
    reviewed = [r for r in records if r.review]
    unsuitable = [r for r in reviewed if r.review.verdict == "unsuitable"]
    replaced_ids = {r.scene_id for r in unsuitable}
    print(f"scenegen generate --scenes {args.scenes}: exit {done.returncode}; {done.stdout.strip()[-200:]}")
    print(
        f"images reviewed: {len(reviewed)}; judged unsuitable: {len(unsuitable)} "
        f"({len(unsuitable) / len(reviewed):.0%})"
    )
    print(
        f"unsuitable images: {sum(r.status == 'rejected' for r in unsuitable)} recorded rejected with their "
        f"reasons, {sum(r.scene_id in marked for r in unsuitable)} with a marker (target 0)"
    )
    print(
        f"scenes stored with a marker: {len(marked)} of {args.scenes} planned, each reviewed suitable: "
        f"{all(r.review and r.review.verdict == 'suitable' for r in records if r.scene_id in marked)}"
    )
    spent = sum(r.review.cost_usd for r in reviewed)
    print(
        f"review spend: ${spent:.4f} (${spent / len(reviewed):.4f} a review); "
        f"scene ids judged unsuitable: {', '.join(sorted(replaced_ids))}"
    )


if __name__ == "__main__":
    main()
