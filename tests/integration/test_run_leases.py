"""Run leases: a killed run's scenes come back at once, a live run keeps its scenes, a lease that lapses
hands them over, and two reruns at once never make one scene twice (real flows, Prefect APIs, SQLite,
Firestore's emulator and the loopback Gemini server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from cli.main import main
from scenegen.backends.google.firestore import FirestoreHistory
from scenegen.backends.local.sqlite import SqliteHistoryStore
from scenegen.catalogue import load_archetype_config
from scenegen.models import utcnow
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.records import HistoryRecord
from scenegen.storage import MARKER
from tests.integration.test_flows import history, scene_folders
from tests.integration.test_gemini_backends import IMAGE_MODEL
from tests.leases import lease

pytestmark = pytest.mark.usefixtures("prefect_api")
REPO = Path(__file__).resolve().parents[2]


def cli(*arguments: str, env: dict[str, str]) -> subprocess.Popen:
    """`scenegen ARGUMENTS` in a process group of its own, so that a kill takes all of it (as an OOM kill
    or an evicted container does): the run, its worker processes and its temporary Prefect API."""
    script = f"import sys\nfrom cli.main import main\nsys.exit(main({list(arguments)!r}))\n"
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def stored(output: Path) -> set[str]:
    return {name for name, folder in scene_folders(output).items() if (folder / MARKER).is_file()}


def image_requests_by_scene(gemini, records: dict[str, HistoryRecord]) -> Counter[str]:
    """How many times each scene's image was asked for (a request carries its scene's prompt)."""
    by_prompt = {record.prompt: scene_id for scene_id, record in records.items()}
    asked: Counter[str] = Counter()
    for request in gemini.requests(IMAGE_MODEL):
        text = request["body"]["contents"][0]["parts"][0]["text"]
        asked.update(scene for prompt, scene in by_prompt.items() if text.startswith(prompt))
    return asked


def test_a_killed_runs_scenes_are_taken_at_once_and_no_finished_image_is_bought_again(
    clean_environment, gemini, capsys
):
    """A run on its temporary API, killed with SIGKILL once its first scene is stored and more images are
    under way: an immediate rerun-failed (another API, which never knew that run) sees from the lease that
    its process is gone, takes every scene it left and stores them all. An image whose render had finished
    before the kill is not asked for again; only those under way at the kill are."""
    gemini.script(**{IMAGE_MODEL: ["slow:1.5"] * 40})
    env = os.environ | {"PROMPT_BACKEND": "local", "MAX_CONCURRENCY": "2", "RENDER_WORKERS": "1"}
    run = cli("generate", "--scenes", "6", env=env)
    try:
        wait_for(lambda: stored(clean_environment) or run.poll() is not None, 180)
        wait_for(lambda: len(gemini.requests(IMAGE_MODEL)) > len(stored(clean_environment)) + 1, 30)
        assert run.poll() is None, run.stderr.read()
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    cache = clean_environment / ".cache"
    cached = {path.name for path in cache.iterdir()} if cache.exists() else set()
    records = history(clean_environment)
    assert len(records) == 6 and len(stored(clean_environment)) < 6
    asked_before = image_requests_by_scene(gemini, records)
    finished = {s for s, r in records.items() if f"render-{IMAGE_MODEL}-{r.to_spec().fingerprint}" in cached}

    started = time.monotonic()
    assert main(["rerun-failed"]) == 0, capsys.readouterr().err
    assert time.monotonic() - started < 120  # not the killed run's bound (55 min), nor its lease's minute
    assert stored(clean_environment) == set(records)
    assert {r.status for r in history(clean_environment).values()} == {"succeeded"}
    asked = image_requests_by_scene(gemini, records)
    assert all(asked[scene] == 1 for scene in finished), (finished, asked)
    in_flight = {scene for scene in asked_before if scene not in finished}
    assert sum(asked.values()) - len(records) <= len(in_flight)
    [killed] = [
        r
        for r in SqliteHistoryStore(clean_environment / "history.sqlite3").runs_since(
            utcnow() - timedelta(hours=1)
        )
        if r.state == "crashed"
    ]
    assert set(killed.scenes) == set(records)


def test_a_lease_that_lapses_on_another_host_is_taken_once_it_has_lapsed(cloud, capsys):
    """Firestore shared with another machine whose run holds two planned scenes under a lease of a few
    seconds: rerun-failed leaves them, says to which run and until when, and exits 1; once the lease has
    lapsed (nobody renewed it), it takes and makes them, and marks that run crashed."""
    store = FirestoreHistory(cloud.project)
    specs = LocalPromptWriter(load_archetype_config(), "procedural-v2").write(["office", "lab"], [], 4).specs
    until = utcnow() + timedelta(minutes=55)
    elsewhere = lease("run-elsewhere", seconds=6, host="other-host", machine="other-machine/pid:[1]")
    store.start_run(elsewhere, [HistoryRecord.planned(spec, "run-elsewhere", until) for spec in specs])

    assert main(["rerun-failed"]) == 1
    said = capsys.readouterr().out
    assert "left 2 planned scene(s) to run run-elsewhere on other-host (pid 4242)" in said
    assert f"its lease lapses at {elsewhere.lease_until:%Y-%m-%d %H:%M:%S} UTC" in said
    assert {store.get(spec.scene_id).flow_run_id for spec in specs} == {"run-elsewhere"}

    time.sleep(max(0.0, (elsewhere.lease_until - utcnow()).total_seconds()) + 0.5)
    assert main(["rerun-failed"]) == 0, capsys.readouterr().err
    assert {store.get(spec.scene_id).status for spec in specs} == {"succeeded"}
    assert store.get_run("run-elsewhere").state == "crashed"
    objects = cloud.objects()
    assert all(f"scenes/{spec.scene_id}/{MARKER}" in objects for spec in specs)


def test_two_reruns_started_together_make_each_scene_once(cloud, gemini, prefect_api):
    """Two `scenegen rerun-failed` at once over one Firestore, as two machines would: each failed scene is
    taken by one of them (a transaction that reads it first), so each image is asked for once. One that
    reads the scenes after the other took them leaves them to it, a live run, and says so (exit 1)."""
    store = FirestoreHistory(cloud.project)
    archetypes = ["office", "lab", "kitchen", "grocery", "warehouse", "utility_room"]
    specs = LocalPromptWriter(load_archetype_config(), IMAGE_MODEL).write(archetypes, [], 11).specs
    failed = [HistoryRecord.of(spec, failure="ServerError: 503", flow_run_id="run-0") for spec in specs]
    store.save_all(failed)
    gemini.script(**{IMAGE_MODEL: ["slow:0.5"] * 20})
    env = os.environ | {"PREFECT_API_URL": prefect_api, "PROMPT_BACKEND": "local", "REVIEW": "off"}
    reruns = [cli("rerun-failed", env=env) for _ in range(2)]
    try:
        for rerun in reruns:
            rerun.wait(timeout=240)
        assert sorted(rerun.returncode for rerun in reruns) in ([0, 0], [0, 1])
        for rerun in reruns:
            said = rerun.stderr.read()
            assert rerun.returncode == 0 or "which may still be going: its lease lapses at" in said, said
    finally:
        for rerun in reruns:
            if rerun.poll() is None:
                os.killpg(rerun.pid, signal.SIGKILL)
    assert {store.get(spec.scene_id).status for spec in specs} == {"succeeded"}
    records = {spec.scene_id: store.get(spec.scene_id) for spec in specs}
    assert image_requests_by_scene(gemini, records) == Counter(list(records))
    takers = [r for r in store.runs_since(utcnow() - timedelta(hours=1)) if r.run_id != "run-0"]
    assert sorted(s for r in takers for s in r.scenes) == sorted(records)  # each held by one rerun
