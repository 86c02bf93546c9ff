"""What a run shows in the Prefect UI: the plan, progress as scenes finish, the summary and the diversity
report as artifacts, and its final state."""

from __future__ import annotations

import base64
import io
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

from PIL import Image
from prefect import get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State

from scenegen.models import PromptBatch
from scenegen.planning.reruns import RUNS_TABLE_DAYS, RunJudge, run_rows
from scenegen.records import SceneOutcome
from scenegen.run.report import write_diversity_report
from scenegen.run.resources import Resources
from scenegen.run.summary import plan_rows, run_verdict, scene_rows, spend_line, summary_markdown
from scenegen.storage import IMAGE_NAME, local_path
from tasks.planning import flow_run_final


def scenes_root(resources: Resources) -> str:
    return f"{resources.storage.root_uri}/scenes"


def final_state(outcomes: list[SceneOutcome], resources: Resources) -> State:
    """Completed when every scene was stored; Failed, naming the failed scenes, otherwise."""
    stored_all, message = run_verdict(outcomes, scenes_root(resources))
    return Completed(message=message) if stored_all else Failed(message=message)


@task(name="publish-runs", cache_policy=NO_CACHE)
def publish_runs(resources: Resources) -> None:
    """The recent runs, their leases and scenes, and what rerun-failed takes of each (`scenegen runs`)."""
    judge = RunJudge(resources.history, flow_run_final)
    create_table_artifact(
        key="scenegen-runs",
        table=run_rows(resources.history, RUNS_TABLE_DAYS, judge),
        description=f"Runs of the last {RUNS_TABLE_DAYS} days: state, lease, scenes, what rerun-failed takes",
    )


@task(name="publish-plan")
def publish_plan(prompts: PromptBatch, shares: dict[str, float], dry_run: bool) -> None:
    logger = get_run_logger()
    for spec in prompts.specs:
        logger.info("planned %s [%s]: %s", spec.scene_id, ", ".join(spec.variation_tags), spec.prompt[:120])
    for note in prompts.notes:
        logger.warning("prompts: %s", note)
    mix = ", ".join(f"{name} {share:.0%}" for name, share in shares.items() if share > 0)
    writers = ", ".join(f"{model} {n}" for model, n in Counter(s.prompt_model for s in prompts.specs).items())
    notes = "".join(f"\n- {note}" for note in prompts.notes)
    title = "Dry run: nothing will be rendered" if dry_run else "Plan"
    create_markdown_artifact(
        key="scenegen-plan",
        markdown=f"# {title}\n\n{len(prompts.specs)} scenes; archetype shares after coverage correction: "
        f"{mix}.\n\nPrompts by {writers}; estimated ${prompts.cost_usd:.3f}.{notes}",
        description="The scenes this run plans to make",
    )
    create_table_artifact(
        key="scenegen-planned-scenes", table=plan_rows(prompts.specs), description="Planned scenes"
    )


@task(name="publish-report", cache_policy=NO_CACHE)
def publish_report(
    outcomes: list[SceneOutcome],
    shares: dict[str, float] | None,
    resources: Resources,
    prompts_cost_usd: float = 0.0,
) -> None:
    logger = get_run_logger()
    logger.info(spend_line(outcomes, prompts_cost_usd))
    reviews = [review for outcome in outcomes for review in outcome.reviews]
    if reviews:
        suitable = sum(review.verdict == "suitable" for review in reviews)
        logger.info("review: %d of %d images suitable for reconstruction", suitable, len(reviews))
    agreements = [agreement for outcome in outcomes for agreement in outcome.agreements]
    if agreements:
        followed = sum(bool(agreement["passed"]) for agreement in agreements)
        median = statistics.median(float(agreement["frame"]) for agreement in agreements)
        logger.info(
            "twins: %d of %d photographs follow their reference (median agreement %.2f)",
            followed,
            len(agreements),
            median,
        )
    create_markdown_artifact(
        key="scenegen-summary",
        markdown=summary_markdown(
            outcomes, shares, scenes_root(resources), prompts_cost_usd, resources.settings.review
        ),
        description="Per-archetype counts and failures",
    )
    create_table_artifact(
        key="scenegen-scenes", table=scene_rows(outcomes), description="Every scene of this run"
    )


class Progress:
    """A progress artifact and a log line, updated as scenes finish, from whichever thread. The artifact
    moves at most once a second (and at the end): a run of quick scenes need not keep the API busy."""

    EVERY_SECONDS = 1.0

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.logger = get_run_logger()
        self.artifact_id = create_progress_artifact(
            progress=0.0, key="scenegen-progress", description=f"Scenes finished out of {total}"
        )
        self._shown_at = time.monotonic()
        self._lock = threading.Lock()

    def advance(self, outcome: SceneOutcome) -> None:
        with self._lock:
            self.done += 1
            done = self.done
            if done == self.total or time.monotonic() - self._shown_at >= self.EVERY_SECONDS:
                update_progress_artifact(self.artifact_id, progress=100.0 * done / self.total)
                self._shown_at = time.monotonic()
        scene = outcome.spec.scene_id
        if outcome.succeeded:
            self.logger.info("scene %d/%d stored: %s (%.1f s)", done, self.total, scene, outcome.seconds)
        else:
            self.logger.error("scene %d/%d failed: %s: %s", done, self.total, scene, outcome.failure_reason)


@task(name="publish-diversity", cache_policy=NO_CACHE)
def publish_diversity(
    outcomes: list[SceneOutcome], resources: Resources, near_duplicates_rewritten: int | None
) -> None:
    """The diversity report as an artifact, with this run's images as a contact sheet."""
    folders = [local_path(o.scene_uri) for o in outcomes if o.succeeded]
    images = [folder / IMAGE_NAME for folder in folders if folder]
    markdown, pictures = write_diversity_report(
        resources, str(flow_run.id or "local"), images, near_duplicates_rewritten
    )
    # Inline, so the UI shows the pictures themselves (it renders data URIs in markdown artifacts).
    shown = "\n\n".join(f"![{p.stem}]({data_uri(p)})\n\n`{p.resolve().as_uri()}`" for p in pictures)
    create_markdown_artifact(
        key="scenegen-diversity",
        markdown=f"{markdown}\n\n## Coverage heatmap and this run's contact sheet\n\n{shown}",
        description="Archetype shares, tag coverage, Vendi scores, near-duplicates and rejected images",
    )


def data_uri(picture: Path, width: int = 1100) -> str:
    """A picture as a JPEG data URI, scaled to `width`: small enough to live in an artifact."""
    with Image.open(picture) as image:
        scaled = image.convert("RGB")
        if scaled.width > width:
            scaled = scaled.resize(
                (width, round(scaled.height * width / scaled.width)), Image.Resampling.LANCZOS
            )
    buffer = io.BytesIO()
    scaled.save(buffer, format="JPEG", quality=80)
    return f"data:image/jpeg;base64,{base64.b64encode(buffer.getvalue()).decode()}"
