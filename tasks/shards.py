"""Large runs fan out: each shard of specs is a child run of this flow's own deployment (its own Cloud Run
job); the parent waits for them and reads how each scene ended from the history."""

from __future__ import annotations

import time

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.runtime import deployment, flow_run

from scenegen.history import outcomes_from_history
from scenegen.models import SceneOutcome, SceneSpec
from scenegen.resources import Resources

POLL_SECONDS = 2.0


def own_deployment() -> str | None:
    """`flow/deployment` of the running flow, or None when it was not started from a deployment."""
    return f"{flow_run.flow_name}/{deployment.name}" if deployment.name else None


def run_shards(
    specs: list[SceneSpec], shard_size: int, resources: Resources, name: str
) -> list[SceneOutcome]:
    logger = get_run_logger()
    shards = [specs[start : start + shard_size] for start in range(0, len(specs), shard_size)]
    children = [
        run_deployment(
            name,
            parameters={"shard": [spec.model_dump(mode="json") for spec in shard]},
            timeout=0,  # start them all, then wait: the shards run side by side
            tags=["scenegen-shard"],
        )
        for shard in shards
    ]
    logger.info("%d scenes in %d shard runs of %s", len(specs), len(children), name)
    ended = {}
    with get_client(sync_client=True) as client:
        while True:
            for child in (c for c in children if c.id not in ended):
                state = client.read_flow_run(child.id).state
                if state is not None and state.is_final():
                    ended[child.id] = state
                    logger.info("shard run %s ended %s: %s", child.name, state.name, state.message)
            if len(ended) == len(children):
                break
            time.sleep(POLL_SECONDS)
    reasons = {
        spec.scene_id: f"its shard run {child.name} ended {ended[child.id].name} before recording it"
        for child, shard in zip(children, shards, strict=True)
        for spec in shard
    }
    return outcomes_from_history(resources.history, specs, reasons)
