"""Large runs fan out: each shard of specs is a child run of this flow's own deployment (its own Cloud Run
job); the parent waits for them and reads how each scene ended from the history."""

from __future__ import annotations

import time

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.runtime import deployment, flow_run

from scenegen.backends import history_store
from scenegen.models import SceneOutcome, SceneSpec
from scenegen.settings import Settings

POLL_SECONDS = 2.0


def own_deployment() -> str | None:
    """`flow/deployment` of the running flow, or None when it was not started from a deployment."""
    return f"{flow_run.flow_name}/{deployment.name}" if deployment.name else None


def run_shards(specs: list[SceneSpec], shard_size: int, settings: Settings, name: str) -> list[SceneOutcome]:
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
    return outcomes_from_history(specs, settings, reasons)


def outcomes_from_history(
    specs: list[SceneSpec], settings: Settings, missing_reasons: dict[str, str]
) -> list[SceneOutcome]:
    """How each scene ended, as its history record says (the children recorded them)."""
    store = history_store(settings)
    outcomes = []
    for spec in specs:
        record = store.get(spec.scene_id)
        if record is None:
            outcomes.append(
                SceneOutcome(spec=spec, status="failed", failure_reason=missing_reasons[spec.scene_id])
            )
            continue
        outcomes.append(
            SceneOutcome(
                spec=spec,
                status=record.status,
                scene_uri=record.image_uri.rsplit("/", 1)[0] if record.image_uri else None,
                failure_reason=record.failure_reason,
                cost_usd=record.cost_usd,
            )
        )
    return outcomes
