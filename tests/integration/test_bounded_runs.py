"""Runs that never hang and never forget a scene: renders in worker processes that a stuck or killed render
cannot take with it, the run's own bound, and the history's `planned` records."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID

import pytest

from cli.main import main
from flows.generate_scenes import generate_scenes
from scenegen.backends.local.procedural import ProceduralRenderer, draw_scene
from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.catalogue import load_archetype_config
from scenegen.engine.pool import WorkerPool, warm_up
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.run.resources import WORKER_PRELOAD
from scenegen.storage import GROUND_TRUTH, MARKER
from tests import hooks
from tests.integration.test_flows import history, scene_folders

pytestmark = pytest.mark.usefixtures("prefect_api")
REPO = Path(__file__).resolve().parents[2]
TAGS = ("evening_light", "busy_state", "large_space", "heavy_clutter", "industrial_style")

# Two threads write ground truth at the same moment in a fresh process, whose first use of usd-core is
# theirs: what hung 1 run in 20 before usd-core's start-up was taken under a lock.
RACE = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from scenegen.render.ground_truth import write_ground_truth
    from scenegen.render.procedural import render_scene

    rendering = render_scene("office", TAGS, 3, (96, 54))
    assert "pxr" not in sys.modules
    barrier = threading.Barrier(2)

    def write(stem):
        barrier.wait()
        write_ground_truth(rendering, Path(sys.argv[1]), stem, 1)

    threads = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("ok")
    """
).replace("TAGS", repr(TAGS))


def test_the_ground_truth_writer_from_two_threads_at_once_never_hangs(tmp_path):
    def one(index: int) -> tuple[int, str]:
        try:
            done = subprocess.run(
                [sys.executable, "-c", RACE, str(tmp_path / str(index))],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=60,
            )
        except subprocess.TimeoutExpired:  # the process is killed by run(): a hang
            return -1, f"process {index} hung"
        return done.returncode, done.stdout + done.stderr

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one, range(30)))
    assert [code for code, _ in results] == [0] * 30, [said for code, said in results if code][:2]
    assert all(said.strip() == "ok" for _, said in results)
    assert len(list(tmp_path.glob("*/t*.scene.usda"))) == 60


def specs(archetypes: list[str], seed: int = 5):
    return LocalPromptWriter(load_archetype_config(), "procedural-v2").write(archetypes, [], seed).specs


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_same_spec_gives_the_same_bytes_with_one_and_with_two_workers(tmp_path):
    planned = specs(["kitchen", "grocery", "lab"], seed=9)
    made = {}
    for workers in (1, 2):
        pool = WorkerPool(workers, warm_up, WORKER_PRELOAD)
        renderer = ProceduralRenderer(pool, 120, size=(688, 384))
        folder = tmp_path / str(workers)
        try:
            with ThreadPoolExecutor(3) as threads:
                list(
                    threads.map(
                        lambda spec, r=renderer, f=folder: r.generate(spec, f / spec.scene_id / "i.png"),
                        planned,
                    )
                )
        finally:
            pool.close()
        made[workers] = {spec.scene_id: digests(folder / spec.scene_id) for spec in planned}
    assert made[1] == made[2]
    assert all(len(files) == 1 + len(GROUND_TRUTH) for files in made[1].values())  # the image and its truth


def test_a_pool_starts_the_workers_a_run_needs_and_reuses_the_last_one_used():
    pool = WorkerPool(2, warm_up, WORKER_PRELOAD)
    try:
        pool.start(1)  # a run of one scene
        pids = {pool.call("work", os.getpid, timeout=60) for _ in range(3)}
        assert len(pids) == 1 and os.getpid() not in pids
        assert len(family_of(os.getpid())) == len(pids)  # the other worker was never started
    finally:
        pool.close()


def family_of(pid: int) -> set[int]:
    """The worker processes of this process: the children of its forkserver, below its own children."""
    from bench import proc_tree

    parents = proc_tree.parents()
    return {member for member in proc_tree.family(pid) - {pid} if parents.get(member) != pid}


def test_a_render_that_never_returns_is_ended_retried_once_and_recorded(
    clean_environment, monkeypatch, tmp_path
):
    log = tmp_path / "started"
    monkeypatch.setenv("RENDER_TIMEOUT_SECONDS", "4")
    monkeypatch.setattr(
        ProceduralRenderer,
        "draw",
        staticmethod(functools.partial(hooks.never_returns, frozenset({"lab"}), log)),
    )
    started = time.monotonic()
    state = generate_scenes(scenes=4, archetypes=["lab", "office"], seed=3, return_state=True)
    took = time.monotonic() - started
    records = history(clean_environment)
    hung = [r for r in records.values() if r.archetype == "lab"]
    assert hung and all(r.status == "failed" for r in hung)
    assert all("render timed out after 4 s" in (r.failure_reason or "") for r in hung)
    stored = [r for r in records.values() if r.archetype == "office"]
    assert stored and all(r.status == "succeeded" for r in stored)
    assert set(scene_folders(clean_environment)) == {r.scene_id for r in stored}
    assert state.is_failed() and f"{len(hung)} left for `scenegen rerun-failed`" in state.message
    # each stuck render took a worker of its own, and each worker was killed, not left behind
    tries = hooks.started(log)
    assert all(len(set(tries[r.scene_id])) == 2 for r in hung)
    assert not any(alive(pid) for r in hung for pid in tries[r.scene_id])
    assert took < 4 * 2 * len(hung) + 60


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_a_worker_killed_mid_render_is_replaced_and_no_partial_file_is_used(
    clean_environment, monkeypatch, tmp_path
):
    log = tmp_path / "started"
    monkeypatch.setattr(ProceduralRenderer, "draw", staticmethod(functools.partial(hooks.killed_once, log)))
    state = generate_scenes(scenes=2, archetypes=["grocery"], seed=8, return_state=True)
    assert state.is_completed(), state.message
    folders = scene_folders(clean_environment)
    for scene_id, workers in hooks.started(log).items():
        assert len(workers) == 2 and workers[0] != workers[1]  # made again in a new worker
        assert (folders[scene_id] / MARKER).is_file()
    # The stored files are those of a clean render of the same spec, byte for byte.
    for record in history(clean_environment).values():
        clean = tmp_path / "clean" / record.scene_id
        draw_scene(record.to_spec(), clean / "x.png")
        stored = digests(folders[record.scene_id])
        assert stored["source_image.png"] == digests(clean)["x.png"]
        assert stored["depth.png"] == digests(clean)["x.depth.png"]


def test_a_run_past_its_bound_records_every_scene_and_exits_1(
    clean_environment, monkeypatch, tmp_path, capsys
):
    from prefect.artifacts import Artifact

    log = tmp_path / "started"
    everything = frozenset(load_archetype_config().names)
    monkeypatch.setattr(
        ProceduralRenderer, "draw", staticmethod(functools.partial(hooks.never_returns, everything, log))
    )
    monkeypatch.setenv("RUN_TIMEOUT_SECONDS", "12")
    monkeypatch.setenv("RENDER_WORKERS", "2")
    monkeypatch.setenv("MAX_CONCURRENCY", "2")
    started = time.monotonic()
    assert main(["generate", "--scenes", "5", "--seed", "4"]) == 1
    took = time.monotonic() - started
    said = capsys.readouterr().out
    records = history(clean_environment)
    statuses = sorted(r.status for r in records.values())
    assert statuses == ["failed", "failed", "skipped", "skipped", "skipped"], statuses
    for record in records.values():
        assert "run timed out after 12 s" in (record.failure_reason or ""), record.failure_reason
    assert not scene_folders(clean_environment)
    assert "5 left for `scenegen rerun-failed`" in said
    summary = Artifact.get("scenegen-summary").data
    assert "0 of 5 scenes stored" in summary and "run timed out" in summary
    assert took < 12 + 15 + 45  # the bound, the scenes' grace, and the CLI's own start and end
    tries = hooks.started(log)
    assert not any(alive(pid) for pids in tries.values() for pid in pids)


def test_planned_scenes_of_a_run_still_going_are_left_alone_and_those_of_a_killed_run_are_made_at_once(
    clean_environment, prefect_api, tmp_path, capsys
):
    """A run (its own process, renders that never end) is planned and rendering: rerun-failed leaves its
    scenes alone, says to which run, and exits 1. It is killed with SIGKILL mid-render, its workers go with
    it, and at once (no waiting for its bound or its lease) rerun-failed makes every scene it planned, and
    marks the run crashed, in its lease and in the Prefect API that still shows it running."""
    log = tmp_path / "started"
    everything = set(load_archetype_config().names)
    script = (
        "import sys, pathlib\n"
        "from tests import hooks\n"
        f"hooks.install(hooks.never_returns, frozenset({everything!r}), pathlib.Path({str(log)!r}))\n"
        "from cli.main import main\n"
        "sys.exit(main(['generate', '--scenes', '3', '--seed', '6']))\n"
    )
    env = os.environ | {"PREFECT_API_URL": prefect_api, "RENDER_WORKERS": "2", "MAX_CONCURRENCY": "2"}
    going = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: len(hooks.started(log)) == 2 or going.poll() is not None, 120)
        assert going.poll() is None, "the run ended before it was killed"
        planned = history(clean_environment)
        assert len(planned) == 3 and {r.status for r in planned.values()} == {"planned"}
        assert all(r.flow_run_id and r.attempts == 0 and r.planned_until for r in planned.values())
        [run_id] = {r.flow_run_id for r in planned.values()}

        assert main(["rerun-failed"]) == 1  # the run is going: its scenes are not taken
        said = capsys.readouterr().out
        assert f"left 3 planned scene(s) to run {run_id} on" in said and "its lease lapses at" in said
        assert main(["rerun-failed", "--scene-id", next(iter(planned))]) == 1  # named, the same
        assert history(clean_environment) == planned
    finally:
        going.kill()
        going.wait()
    workers = [pid for pids in hooks.started(log).values() for pid in pids]
    wait_for(lambda: not any(alive(pid) for pid in workers), 30)  # gone with their run

    assert main(["rerun-failed"]) == 0
    ended = history(clean_environment)
    assert {r.status for r in ended.values()} == {"succeeded"}
    assert set(scene_folders(clean_environment)) == set(planned)
    assert all((folder / MARKER).is_file() for folder in scene_folders(clean_environment).values())
    assert SqliteHistoryStore(clean_environment / "history.sqlite3").get_run(run_id).state == "crashed"
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        assert client.read_flow_run(UUID(run_id)).state.is_crashed()


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


DISK = REPO / "tests" / "disk_full_run.py"


def test_a_disk_that_fills_mid_run_loses_no_scene(prefect_api, tmp_path):
    """On a 100 MB tmpfs of its own (a mount namespace): a run too large for it is refused before it
    starts; a run whose disk fills after its first scene leaves the rest planned or failed; once space is
    freed, rerun-failed makes every one of them."""
    env = os.environ | {"PREFECT_API_URL": prefect_api}
    done = subprocess.run(
        ["unshare", "--mount", "--map-root-user", sys.executable, str(DISK), str(tmp_path / "disk")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    too_large = result["too_large"]
    assert too_large["exit"] == 1 and "not enough disk space" in too_large["said"]
    assert too_large["history"] is False and too_large["scenes"] == 0
    filled = result["filled"]
    assert filled["exit"] == 1
    assert 1 <= filled["stored"] < 6, filled
    assert f"{6 - filled['stored']} left for `scenegen rerun-failed`" in filled["said"]
    assert result["rerun"]["exit"] == 0
    assert result["rerun"]["statuses"] == ["succeeded"] * 6
    assert result["rerun"]["markers"] == 6
