"""Large runs fan out: each shard of specs is a run of the generate-shard flow's deployment of the same name
(its own Cloud Run job, or any worker of the pool), started with its share of the run's budget; the parent
waits for them and reads how each scene ended from the history."""

from __future__ import annotations

import time

from prefect import get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.runtime import deployment

from scenegen.engine.deadline import RUN_GRACE_SECONDS
from scenegen.models import SceneSpec
from scenegen.planning.history import outcomes_from_history
from scenegen.records import SceneOutcome
from scenegen.run.budget import split_budget
from tasks.resources import Run

POLL_SECONDS = 2.0
SHARD_FLOW = "generate-shard"


def own_deployment() -> str | None:
    """The running deployment's name, or None when this run was not started from a deployment."""
    return deployment.name or None


def run_shards(
    specs: list[SceneSpec], shard_size: int, run: Run, deployment_name: str, spent_usd: float = 0.0
) -> list[SceneOutcome]:
    """Every spec made by a shard run; with paid images the first shard goes first, and the others start
    only once it has stored a scene, so a refused key costs one call, not one per shard."""
    logger = get_run_logger()
    shards = [specs[start : start + shard_size] for start in range(0, len(specs), shard_size)]
    price = run.resources.scene_expected_cost_usd  # an image and its review
    budgets = split_budget(run.settings.max_cost_usd, spent_usd, price, [len(shard) for shard in shards])
    target = f"{SHARD_FLOW}/{deployment_name}"

    def start(index: int) -> FlowRun:
        return run_deployment(
            target,
            parameters={
                "specs": [spec.model_dump(mode="json") for spec in shards[index]],
                "budget_usd": budgets[index],
                "lookback_days": run.settings.lookback_days,
                "deadline_at": run.deadline.at.isoformat(),
            },
            timeout=0,  # start, then wait below: the shards run side by side
            tags=["scenegen-shard"],
        )

    children = [start(0)]
    if price > 0 and len(shards) > 1:
        opened, why = _first_shard_stores_a_scene(children[0], shards[0], run)
        if not opened:
            logger.error("the other %d shards were not started: %s", len(shards) - 1, why)
            missing = {spec.scene_id: ("skipped", f"not started: {why}") for spec in specs}
            outcomes = outcomes_from_history(run.resources.history, specs, missing)
            return _report(outcomes, shards, budgets, children, _wait(children, logger, run))
    children += [start(index) for index in range(len(children), len(shards))]
    logger.info("%d scenes in %d shard runs of %s; budgets %s", len(specs), len(children), target, budgets)
    ended = _wait(children, logger, run)
    reasons = {
        spec.scene_id: (
            "failed",
            f"its shard run {child.name} ended {ended[child.id].name} before recording it"
            if child.id in ended
            else f"its shard run {child.name} had not ended by the run's bound",
        )
        for child, shard in zip(children, shards, strict=True)
        for spec in shard
    }
    return _report(
        outcomes_from_history(run.resources.history, specs, reasons), shards, budgets, children, ended
    )


def _first_shard_stores_a_scene(child: FlowRun, shard: list[SceneSpec], run: Run) -> tuple[bool, str]:
    """Whether the first shard stored a scene (then the key and the model work); else why it did not."""
    history = run.resources.history
    with get_client(sync_client=True) as client:
        while not run.deadline.passed:
            state = client.read_flow_run(child.id).state  # read first: a final state means all is recorded
            if any((record := history.get(spec.scene_id)) and record.success for spec in shard):
                return True, ""
            if state is not None and state.is_final():
                return (
                    False,
                    f"the first shard run {child.name} stored no scene ({state.name}: {state.message})",
                )
            time.sleep(POLL_SECONDS)
    return False, f"the first shard run {child.name} stored no scene before the run's bound"


def _wait(children: list[FlowRun], logger, run: Run) -> dict:
    """The final state of each shard run that ended, waiting as long as they may last: the run's bound (the
    shards' too) and the time they have after it to record their scenes."""
    ended = {}
    until = time.monotonic() + run.deadline.left() + 2 * RUN_GRACE_SECONDS
    with get_client(sync_client=True) as client:
        while len(ended) < len(children):
            for child in (c for c in children if c.id not in ended):
                state = client.read_flow_run(child.id).state
                if state is not None and state.is_final():
                    ended[child.id] = state
                    logger.info("shard run %s ended %s: %s", child.name, state.name, state.message)
            if len(ended) < len(children):
                if time.monotonic() > until:
                    logger.error("%d shard runs had not ended by the run's bound", len(children) - len(ended))
                    break
                time.sleep(POLL_SECONDS)
    return ended


def _report(
    outcomes: list[SceneOutcome],
    shards: list[list[SceneSpec]],
    budgets: list[float | None],
    children: list[FlowRun] | None = None,
    ended: dict | None = None,
) -> list[SceneOutcome]:
    """One row per shard: who ran it, what it stored, and what it spent of its share."""
    by_id = {outcome.spec.scene_id: outcome for outcome in outcomes}
    rows = []
    for index, (shard, budget) in enumerate(zip(shards, budgets, strict=True)):
        child = children[index] if children and index < len(children) else None
        spent = sum(by_id[spec.scene_id].cost_usd for spec in shard)
        state = ended.get(child.id) if child and ended else None
        rows.append(
            {
                "shard": index + 1,
                "run": child.name if child else "not started",
                "ended": f"{state.name}: {state.message}" if state else "",
                "scenes": len(shard),
                "stored": sum(by_id[spec.scene_id].succeeded for spec in shard),
                "reserved_usd": "no cap" if budget is None else f"{budget:.3f}",
                "spent_usd": f"{spent:.3f}",
                "unspent_usd": "" if budget is None else f"{max(0.0, budget - spent):.3f}",
            }
        )
    get_run_logger().info(
        "shards: %s",
        "; ".join(
            f"{r['shard']}: {r['stored']}/{r['scenes']} stored, ${r['spent_usd']} of "
            f"{r['reserved_usd']} ({r['unspent_usd'] or '-'} unspent)"
            for r in rows
        ),
    )
    create_table_artifact(key="scenegen-shards", table=rows, description="The shard runs and their budgets")
    return outcomes
