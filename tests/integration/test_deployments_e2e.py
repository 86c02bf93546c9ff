"""The deployments for real: a `prefect server` on 127.0.0.1, `prefect deploy` of the local deployments (the
example downstream one with its trigger included), two process workers on one pool, and runs created through
the API with parameters as the UI's run form sends them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scenegen.prices import load_price_table
from tests import emulators
from tests.conftest import TEST_KEY, FakeGemini
from tests.helpers import events_named

REPO = Path(__file__).resolve().parents[2]
PREFECT = emulators.PREFECT
IMAGE_MODEL = "gemini-3-pro-image"
WORKERS = ("worker-a", "worker-b")
CAP_USD = 0.57  # three scenes held at $0.19: an image ($0.14) and its review ($0.05)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, fake_gemini_server: FakeGemini) -> Iterator[dict]:
    """Server, pool, deployments and two workers; everything started here is stopped by PID at the end."""
    work = tmp_path_factory.mktemp("deployments")
    env = emulators.prefect_environment(work / "prefect-home")
    started: list[subprocess.Popen] = []
    try:
        started.append(emulators.start_prefect_server(env, work / "server.log"))
        capped = json.dumps({"env": {"MAX_COST_USD": str(CAP_USD)}})
        for command in (
            [PREFECT, "work-pool", "create", "scenegen-local", "--type", "process"],
            [PREFECT, "--no-prompt", "deploy", "--name", "generate-scenes/scene-generation-local"],
            [PREFECT, "--no-prompt", "deploy", "--name", "generate-shard/scene-generation-local"],
            [PREFECT, "--no-prompt", "deploy", "--name", "rerun-failed-scenes-local"],
            [PREFECT, "--no-prompt", "deploy", "--name", "scene-handoff-local"],
            # a run capped by MAX_COST_USD in its job's environment, and its shards
            *(
                [
                    PREFECT,
                    "--no-prompt",
                    "deploy",
                    entrypoint,
                    "--name",
                    "capped",
                    "--pool",
                    "scenegen-local",
                    "--job-variable",
                    capped,
                ]
                for entrypoint in (
                    "flows/generate_scenes.py:generate_scenes",
                    "flows/generate_shard.py:generate_shard",
                )
            ),
        ):
            succeeds(command, env)
        output = work / "output"
        worker_env = env | {
            "OUTPUT_DIR": str(output),
            "GEMINI_API_KEY": TEST_KEY,
            "GEMINI_BASE_URL": fake_gemini_server.url,
            "PROMPT_BACKEND": "local",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
        }
        # Scene runs on two workers (the parent holds one of a worker's two slots: no worker can take every
        # shard); the hand-offs, from their own queue, on a third.
        for name, queue, limit in (
            (WORKERS[0], "default", "2"),
            (WORKERS[1], "default", "2"),
            ("worker-handoff", "handoff", "4"),
        ):
            started.append(
                subprocess.Popen(
                    [
                        PREFECT,
                        "worker",
                        "start",
                        "--pool",
                        "scenegen-local",
                        "--work-queue",
                        queue,
                        "--type",
                        "process",
                        "--name",
                        name,
                        "--limit",
                        limit,
                    ],
                    env=worker_env,
                    cwd=REPO,
                    stdout=open(work / f"{name}.log", "wb"),  # noqa: SIM115
                    stderr=subprocess.STDOUT,
                )
            )
        yield {"api": env["PREFECT_API_URL"], "output": output, "logs": work, "env": env}
    finally:
        for process in reversed(started):
            emulators.stop(process)


def succeeds(command: list[str], env: dict[str, str]) -> None:
    """A command run in the repository as a user would run it; its output shown when it fails."""
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _client(api: str):
    from prefect.client.orchestration import SyncPrefectClient

    return SyncPrefectClient(api)


def run(api: str, deployment: str, parameters: dict, logs: Path, timeout: float = 300):
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
    worker_logs = "".join((logs / f"{name}.log").read_text()[-3000:] for name in WORKERS)
    raise AssertionError(f"{deployment} did not finish: {worker_logs}")


def shard_runs(api: str, parent_started: datetime) -> list:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime, FlowRunFilterTags

    with _client(api) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=["scenegen-shard"]),
                start_time=FlowRunFilterStartTime(after_=parent_started),
            )
        )


def failures(output: Path, since: datetime) -> list[tuple]:
    from scenegen.backends.local.sqlite import SqliteHistoryStore

    records = SqliteHistoryStore(output / "history.sqlite3").records_since(since)
    return [(r.scene_id, r.status, r.failure_reason) for r in records if not r.success]


def stored(output: Path) -> set[str]:
    return {p.parent.name for p in (output / "scenes").glob("*/.scene_generation_complete")}


def test_ui_runs_reruns_fan_out_over_two_workers_budgets_and_the_downstream_trigger(
    deployed, fake_gemini_server
):
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
    assert len(stored(output)) == 1

    # rerun-failed completes it
    rerun = run(api, "rerun-failed-scenes/rerun-failed-scenes-local", {"since_days": 7}, logs)
    assert rerun.state.name == "Completed", rerun.state.message
    assert len(stored(output)) == 2

    # a fanned-out run: 8 scenes in shards of 2 are four runs of generate-shard, on both workers
    fan_out_started = datetime.now(UTC)
    parent = run(
        api, "generate-scenes/scene-generation-local", {"scenes": 8, "shard_size": 2, "seed": 9}, logs
    )
    assert parent.state.name == "Completed", (parent.state.message, failures(output, fan_out_started))
    assert "8 of 8 scenes stored" in parent.state.message
    children = shard_runs(api, fan_out_started)
    assert len(children) == 4 and all(child.state.name == "Completed" for child in children)
    workers = {child.state.message.rsplit("(worker ", 1)[1].rstrip(")") for child in children}
    assert workers == set(WORKERS), [child.state.message for child in children]
    assert len(stored(output)) == 10

    # a capped run fanned out: 6 scenes in shards of 2 with $0.57 spend three scenes' worth in total
    calls_before = len([r for r in fake_gemini_server.requests() if IMAGE_MODEL in r["path"]])
    capped_started = datetime.now(UTC)
    capped = run(api, "generate-scenes/capped", {"scenes": 6, "shard_size": 2, "seed": 11}, logs)
    from scenegen.backends.local.sqlite import SqliteHistoryStore

    history = SqliteHistoryStore(output / "history.sqlite3").records_since(capped_started)
    assert capped.state.name == "Failed" and "3 of 6 scenes" in capped.state.message, [
        (r.scene_id, r.status, r.failure_reason) for r in history
    ]
    image_calls = len([r for r in fake_gemini_server.requests() if IMAGE_MODEL in r["path"]]) - calls_before
    assert image_calls == 3  # as many as the run alone would start: the cap holds across its shards
    budgets = sorted(child.parameters["budget_usd"] for child in shard_runs(api, capped_started))
    prices = load_price_table()
    price = prices.expected(IMAGE_MODEL, image=True) + prices.expected(prices.default_text_model, image=False)
    assert budgets == pytest.approx([0.0, price, 2 * price])
    assert len(stored(output)) == 13, [(r.scene_id, r.status, r.failure_reason) for r in history]
    skipped = [r for r in history if r.status == "skipped"]
    assert len(skipped) == 3 and all("MAX_COST_USD" in r.failure_reason for r in skipped)
    assert sum(r.cost_usd for r in history) <= 3 * price

    # every stored scene announced itself, and each announcement started the downstream example with the
    # scene's id and folder
    scene_events = events_named("scenegen.scene.completed", started, expected=13, api=api)
    announced = {event.payload["scene_id"]: event.payload["scene_uri"] for event in scene_events}
    assert set(announced) == stored(output)
    hand_offs = hand_off_runs(api, expected=13, logs=logs)
    assert {r.parameters["scene_id"]: r.parameters["scene_uri"] for r in hand_offs} == announced
    assert all(r.state.name == "Completed" for r in hand_offs), [r.state.message for r in hand_offs]
    run_events = events_named("scenegen.run.completed", started, expected=11, api=api)
    assert len(run_events) >= 11  # the first run, the rerun, two parents and their seven shards
    shutil.rmtree(output)


def test_a_reconstruction_completed_event_scores_the_scene_beside_it(deployed, tmp_path):
    """The downstream's hand-back: `reconstruction.completed` for a stored twin starts the scoring
    deployment on the worker, which stores the score beside the scene."""
    from scenegen.backends.local.folder import LocalSceneStorage
    from scenegen.scoring.scorecard import MIN_PIXELS, ROOM_SURFACES
    from scenegen.storage import LAYOUT
    from tests.helpers import stored_scene

    api, output, env = deployed["api"], deployed["output"], deployed["env"]
    succeeds([PREFECT, "--no-prompt", "deploy", "--name", "score-reconstruction-local"], env)
    scene_id = stored_scene(output, "lab", 12)
    layout = json.loads(LocalSceneStorage(output).read_text(scene_id, LAYOUT))
    shown = [o for o in layout["objects"] if o["pixels"] >= MIN_PIXELS and o["category"] not in ROOM_SURFACES]
    dropped = {shown[0]["id"], shown[1]["id"]}
    reconstruction = tmp_path / "lab-reconstruction.json"
    kept = [o for o in layout["objects"] if o["id"] not in dropped]
    reconstruction.write_text(json.dumps({"objects": kept}))
    # as the downstream does when its USD is built: the example hand-off flow's announce_reconstruction
    announce = (
        "import sys\n"
        "from flows.hand_off_scene import announce_reconstruction\n"
        "announce_reconstruction(sys.argv[1], sys.argv[2])\n"
    )
    succeeds([sys.executable, "-c", announce, scene_id, reconstruction.as_uri()], env)
    [scored] = deployment_runs(api, "score-reconstruction-local", expected=1, logs=deployed["logs"])
    assert scored.state.name == "Completed", scored.state.message
    assert scored.parameters == {"scene": scene_id, "usd_uri": reconstruction.as_uri()}
    [score_file] = (output / "scenes" / scene_id).glob("score-*.json")
    document = json.loads(score_file.read_text())
    n = document["counted_objects"]
    assert document["at_iou"]["0.5"]["recall"] == (n - 2) / n and document["scene_id"] == scene_id
    assert document["reconstruction"]["uri"] == reconstruction.as_uri()


def hand_off_runs(api: str, expected: int, logs: Path, timeout: float = 240) -> list:
    """The runs of the downstream example, once `expected` of them have ended."""
    return deployment_runs(api, "scene-handoff-local", expected, logs, timeout)


def deployment_runs(api: str, deployment: str, expected: int, logs: Path, timeout: float = 240) -> list:
    """The runs of a deployment, once `expected` of them have ended."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    deadline = time.monotonic() + timeout
    with _client(api) as client:
        while True:
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment]))
            )
            ended = [r for r in runs if r.state and r.state.is_final()]
            if len(ended) >= expected or time.monotonic() > deadline:
                return ended
            time.sleep(2)
