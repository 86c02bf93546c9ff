"""The deployments for real: a `prefect server` on 127.0.0.1, `prefect deploy` of the local deployments, a
process worker, and runs triggered through the API with parameters as the UI sends them."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests import emulators
from tests.conftest import TEST_KEY, FakeGemini
from tests.helpers import events_named

REPO = Path(__file__).resolve().parents[2]
PREFECT = emulators.PREFECT
IMAGE_MODEL = "gemini-3-pro-image"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, fake_gemini_server: FakeGemini) -> Iterator[dict]:
    """Server, pool, deployments and worker; everything started here is stopped by PID at the end."""
    work = tmp_path_factory.mktemp("deployments")
    env = emulators.prefect_environment(work / "prefect-home")
    started: list[subprocess.Popen] = []
    try:
        started.append(emulators.start_prefect_server(env, work / "server.log"))
        cli = {"env": env, "cwd": REPO, "capture_output": True, "text": True, "timeout": 300}
        for command in (
            [PREFECT, "work-pool", "create", "scenegen-local", "--type", "process"],
            [PREFECT, "--no-prompt", "deploy", "--name", "scene-generation-local"],
            [PREFECT, "--no-prompt", "deploy", "--name", "rerun-failed-scenes-local"],
        ):
            done = subprocess.run(command, **cli)
            assert done.returncode == 0, done.stdout + done.stderr
        output = work / "output"
        worker_env = env | {
            "OUTPUT_DIR": str(output),
            "GEMINI_API_KEY": TEST_KEY,
            "GEMINI_BASE_URL": fake_gemini_server.url,
            "PROMPT_BACKEND": "local",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
        }
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "scenegen-local", "--type", "process"],
            env=worker_env,
            cwd=REPO,
            stdout=open(work / "worker.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        started.append(worker)
        yield {"api": env["PREFECT_API_URL"], "output": output, "logs": work}
    finally:
        for process in reversed(started):
            emulators.stop(process)


def _client(api: str):
    from prefect.client.orchestration import SyncPrefectClient

    return SyncPrefectClient(api)


def run(api: str, deployment: str, parameters: dict, logs: Path, timeout: float = 240):
    """Create a flow run as the UI's run form does, and wait for its final state."""
    with _client(api) as client:
        target = client.read_deployment_by_name(deployment)
        flow_run = client.create_flow_run_from_deployment(target.id, parameters=parameters)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            flow_run = client.read_flow_run(flow_run.id)
            if flow_run.state and flow_run.state.is_final():
                return flow_run
            time.sleep(1)
    raise AssertionError(f"{deployment} did not finish: {(logs / 'worker.log').read_text()[-4000:]}")


def test_ui_runs_reruns_fan_out_and_events_through_a_worker(deployed, fake_gemini_server):
    api, output, logs = deployed["api"], deployed["output"], deployed["logs"]
    started = datetime.now(UTC)

    # a bad value is refused by the API, as the UI's form would refuse it
    from prefect.exceptions import PrefectHTTPStatusError

    with _client(api) as client, pytest.raises(PrefectHTTPStatusError, match="scenes"):
        target = client.read_deployment_by_name("generate-scenes/scene-generation-local")
        client.create_flow_run_from_deployment(target.id, parameters={"scenes": 0})

    # a normal run, with one scene failing on purpose (the model answers with text only)
    fake_gemini_server.script(**{IMAGE_MODEL: ["text_only"]})
    first = run(
        api, "generate-scenes/scene-generation-local", {"scenes": 2, "archetypes": ["lab"], "seed": 4}, logs
    )
    assert first.state.name == "Failed" and "1 of 2 scenes failed" in first.state.message
    stored = sorted(p.parent.name for p in (output / "scenes").glob("*/.scene_generation_complete"))
    assert len(stored) == 1

    # rerun-failed completes it, on the same worker
    rerun = run(api, "rerun-failed-scenes/rerun-failed-scenes-local", {"since_days": 7}, logs)
    assert rerun.state.name == "Completed", rerun.state.message
    assert len(list((output / "scenes").glob("*/.scene_generation_complete"))) == 2

    # a fanned-out run: 4 scenes in shards of 2 are two child runs of the same deployment
    parent = run(
        api, "generate-scenes/scene-generation-local", {"scenes": 4, "shard_size": 2, "seed": 9}, logs
    )
    assert parent.state.name == "Completed", parent.state.message
    assert "4 of 4 scenes stored" in parent.state.message
    with _client(api) as client:
        runs = client.read_flow_runs(limit=50)
    children = [r for r in runs if r.tags and "scenegen-shard" in r.tags]
    assert len(children) == 2 and all(r.state.name == "Completed" for r in children)
    assert len(list((output / "scenes").glob("*/.scene_generation_complete"))) == 6

    scene_events = events_named("scenegen.scene.completed", started, expected=6, api=api)
    assert len({e.resource.id for e in scene_events}) == 6
    run_events = events_named("scenegen.run.completed", started, expected=5, api=api)
    assert len(run_events) >= 5  # the first run, the rerun, the parent and its two shards
    shutil.rmtree(output)
