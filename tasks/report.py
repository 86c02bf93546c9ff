"""What a run tells its watchers: the plan, progress as scenes finish, a summary, and its final state."""

from __future__ import annotations

import base64
import io
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
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State

from scenegen.backends import scene_storage
from scenegen.models import PromptBatch, SceneOutcome, SceneSpec
from scenegen.report import write_diversity_report
from scenegen.settings import Settings
from scenegen.storage import IMAGE_NAME, local_path


def plan_rows(specs: list[SceneSpec]) -> list[dict[str, str]]:
    return [
        {
            "scene_id": s.scene_id,
            "archetype": s.archetype,
            "tags": ", ".join(s.variation_tags),
            "prompt_model": s.prompt_model,
            "prompt": s.prompt[:160],
        }
        for s in specs
    ]


def scene_rows(outcomes: list[SceneOutcome]) -> list[dict[str, str]]:
    return [
        {
            "scene_id": o.spec.scene_id,
            "archetype": o.spec.archetype,
            "tags": ", ".join(o.spec.variation_tags),
            "uri": o.scene_uri or "",
            "status": o.status,
            "cost_usd": f"{o.cost_usd:.3f}",
            "reason": o.failure_reason or "",
            "replaces": o.replaces or "",
        }
        for o in outcomes
    ]


def spend_line(outcomes: list[SceneOutcome], prompts_cost_usd: float) -> str:
    images = sum(o.cost_usd for o in outcomes)
    return (
        f"Estimated spend: ${images + prompts_cost_usd:.2f} "
        f"(images ${images:.2f}, prompts ${prompts_cost_usd:.2f})"
    )


def summary_markdown(
    outcomes: list[SceneOutcome], shares: dict[str, float] | None, where: str, prompts_cost_usd: float = 0.0
) -> str:
    planned = Counter(o.spec.archetype for o in outcomes)
    made = Counter(o.spec.archetype for o in outcomes if o.succeeded)
    failed = [o for o in outcomes if not o.succeeded]
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(Counter(o.status for o in failed).items()))
    lines = [
        f"# Scene generation: {len(outcomes) - len(failed)} of {len(outcomes)} scenes stored",
        "",
        f"Scenes are under `{where}`. {spend_line(outcomes, prompts_cost_usd)}."
        + (f" Not stored: {statuses}." if failed else ""),
        "",
        "| archetype | target share | planned | stored | failed |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in sorted(set(planned) | set(shares or {})):
        share = f"{shares[name]:.0%}" if shares and name in shares else "-"
        lines.append(f"| {name} | {share} | {planned[name]} | {made[name]} | {planned[name] - made[name]} |")
    replaced = [o for o in outcomes if o.replaces]
    if replaced:
        lines += ["", "## Images rejected and made again", ""]
        lines += [f"- `{o.spec.scene_id}` replaces `{o.replaces}`" for o in replaced]
    if failed:
        lines += ["", "## Failures", ""]
        lines += [
            f"- `{o.spec.scene_id}` ({o.spec.archetype}, {o.status}): {o.failure_reason}" for o in failed
        ]
    return "\n".join(lines)


def scenes_root(settings: Settings) -> str:
    return f"{scene_storage(settings).root_uri}/scenes"


def final_state(outcomes: list[SceneOutcome], settings: Settings) -> State:
    """Completed when every scene was stored; Failed, naming the failed scenes, otherwise.

    A run stopped early (a fatal error, the budget) leads with why, since that is what to fix.
    """
    failed = [o.spec.scene_id for o in outcomes if not o.succeeded and o.status != "skipped"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    stored = len(outcomes) - len(failed) - len(skipped)
    if failed or skipped:
        parts = [f"{len(skipped)} of {len(outcomes)} scenes {skipped[0].failure_reason}"] if skipped else []
        if failed:
            parts.append(f"{len(failed)} of {len(outcomes)} scenes failed: {', '.join(failed)}")
        return Failed(message=f"{'; '.join(parts)} ({stored} stored under {scenes_root(settings)})")
    return Completed(message=f"{stored} of {len(outcomes)} scenes stored under {scenes_root(settings)}")


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


@task(name="publish-report")
def publish_report(
    outcomes: list[SceneOutcome],
    shares: dict[str, float] | None,
    settings: Settings,
    prompts_cost_usd: float = 0.0,
) -> None:
    get_run_logger().info(spend_line(outcomes, prompts_cost_usd))
    create_markdown_artifact(
        key="scenegen-summary",
        markdown=summary_markdown(outcomes, shares, scenes_root(settings), prompts_cost_usd),
        description="Per-archetype counts and failures",
    )
    create_table_artifact(
        key="scenegen-scenes", table=scene_rows(outcomes), description="Every scene of this run"
    )


class Progress:
    """A progress artifact and a log line, updated as each scene finishes."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.logger = get_run_logger()
        self.artifact_id = create_progress_artifact(
            progress=0.0, key="scenegen-progress", description=f"Scenes finished out of {total}"
        )

    def advance(self, outcome: SceneOutcome) -> None:
        self.done += 1
        update_progress_artifact(self.artifact_id, progress=100.0 * self.done / self.total)
        if outcome.succeeded:
            self.logger.info(
                "scene %d/%d stored: %s (%.1f s)",
                self.done,
                self.total,
                outcome.spec.scene_id,
                outcome.seconds,
            )
        else:
            self.logger.error(
                "scene %d/%d failed: %s: %s",
                self.done,
                self.total,
                outcome.spec.scene_id,
                outcome.failure_reason,
            )


@task(name="publish-diversity")
def publish_diversity(
    outcomes: list[SceneOutcome], settings: Settings, near_duplicates_rewritten: int | None
) -> None:
    """The diversity report as an artifact, with this run's images as a contact sheet."""
    folders = [local_path(o.scene_uri) for o in outcomes if o.succeeded]
    images = [folder / IMAGE_NAME for folder in folders if folder]
    markdown, pictures = write_diversity_report(
        settings, str(flow_run.id or "local"), images, near_duplicates_rewritten
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
