"""The diversity report of a period of history: archetype shares against targets, (archetype x tag)
coverage, Vendi per archetype, near-duplicates and rejected images; with a heatmap and a contact sheet."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from PIL import Image
from pydantic import BaseModel

from scenegen.catalogue import ArchetypeConfig
from scenegen.quality.diversity import js_divergence, near_duplicate_rate, shares, vendi_score
from scenegen.quality.review import ReviewTally, review_markdown, tally_reviews
from scenegen.records import HistoryRecord
from scenegen.twins.agreement import AgreementTally, agreement_markdown, tally_agreements

THUMBNAIL = (344, 192)
SHEET_IMAGES = 24  # a contact sheet shows at most this many: a glance, whatever the size of the run


class DiversityReport(BaseModel):
    days: int
    scenes: int
    shares: dict[str, float]
    targets: dict[str, float]
    js_divergence: float
    coverage: dict[str, dict[str, int]]  # archetype -> tag -> stored scenes showing it
    vendi: dict[str, float]
    near_duplicate_rate: float
    statuses: dict[str, int]
    rejected_by_reason: dict[str, int]
    online_spend_usd: float = 0.0
    batch_spend_usd: float = 0.0
    review_spend_usd: float = 0.0
    reviews: dict[str, ReviewTally] = {}  # archetype -> verdicts and the reasons images failed
    agreements: dict[str, AgreementTally] = {}  # archetype -> twins measured, followed, median agreement


def rejection_kind(reason: str | None) -> str:
    """'ImageRejected: blurred (sharpness 0.01 < 0.035)' -> 'blurred';
    'ImageRejected: unsuitable for reconstruction: people in frame' -> 'unsuitable for reconstruction'."""
    text = (reason or "").split(":", 1)[-1]
    return re.split(r"[(:]", text, maxsplit=1)[0].strip() or "unknown"


def diversity_report(history: list[HistoryRecord], config: ArchetypeConfig, days: int) -> DiversityReport:
    stored = [r for r in history if r.success]
    prompts: dict[str, list[str]] = {}
    for record in stored:
        prompts.setdefault(record.archetype, []).append(record.prompt or record.prompt_summary)
    coverage = {
        name: {
            tag: sum(tag in r.variation_tags for r in stored if r.archetype == name) for tag in archetype.tags
        }
        for name, archetype in config.archetypes.items()
    }
    observed = shares(r.archetype for r in stored) if stored else {}
    return DiversityReport(
        days=days,
        scenes=len(stored),
        shares=observed,
        targets=config.base_weights(),
        js_divergence=js_divergence(observed, config.base_weights()) if stored else 0.0,
        coverage={name: dict(sorted(tags.items())) for name, tags in coverage.items()},
        vendi={name: vendi_score(texts) for name, texts in sorted(prompts.items())},
        near_duplicate_rate=near_duplicate_rate(prompts, config.near_duplicate_threshold),
        statuses=dict(Counter(r.status for r in history)),
        rejected_by_reason=dict(
            Counter(rejection_kind(r.failure_reason) for r in history if r.status == "rejected")
        ),
        online_spend_usd=round(sum(r.cost_usd - r.review_cost_usd for r in history if not r.batch_job), 6),
        batch_spend_usd=round(sum(r.cost_usd - r.review_cost_usd for r in history if r.batch_job), 6),
        review_spend_usd=round(sum(r.review_cost_usd for r in history), 6),
        reviews=tally_reviews((r.archetype, r.review) for r in history if r.review),
        agreements=tally_agreements((r.archetype, r.agreement) for r in history if r.agreement),
    )


def report_markdown(
    report: DiversityReport, near_duplicates_rewritten: int | None = None, review_mode: str = "required"
) -> str:
    lines = [
        f"# Diversity of the last {report.days} days: {report.scenes} stored scenes",
        "",
        f"Archetype mix against the targets: Jensen-Shannon divergence {report.js_divergence:.4f}; "
        f"near-duplicate prompt rate {report.near_duplicate_rate:.1%}.",
        "",
        "| archetype | share | target | Vendi | tags covered |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, target in report.targets.items():
        covered = sum(count > 0 for count in report.coverage[name].values())
        lines.append(
            f"| {name} | {report.shares.get(name, 0):.0%} | {target:.0%} | {report.vendi.get(name, 0):.2f} "
            f"| {covered}/{len(report.coverage[name])} |"
        )
    tags = sorted({tag for counts in report.coverage.values() for tag in counts})
    lines += ["", "Stored scenes per archetype and tag (- where the tag is not one of the archetype's):", ""]
    lines += [f"| archetype | {' | '.join(tags)} |", f"|---|{'---:|' * len(tags)}"]
    for name, counts in report.coverage.items():
        lines.append(f"| {name} | {' | '.join(str(counts.get(tag, '-')) for tag in tags)} |")
    missing = [f"{name}/{tag}" for name, tags in report.coverage.items() for tag, n in tags.items() if n == 0]
    shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
    lines += ["", f"Cells not yet covered: {len(missing)}{': ' + shown if missing else ''}."]
    if near_duplicates_rewritten is not None:
        lines.append(f"Near-duplicate prompts rewritten in this run: {near_duplicates_rewritten}.")
    rejected = ", ".join(f"{kind} {n}" for kind, n in sorted(report.rejected_by_reason.items())) or "none"
    statuses = ", ".join(f"{status} {n}" for status, n in sorted(report.statuses.items()))
    lines += [f"Images rejected, by reason: {rejected}.", f"Outcomes in the period: {statuses}."]
    lines.append(
        f"Estimated image spend in the period: ${report.online_spend_usd:.2f} online, "
        f"${report.batch_spend_usd:.2f} in batch jobs; reviews ${report.review_spend_usd:.2f}."
    )
    lines += ["", "## Review", "", *review_markdown(report.reviews, review_mode)]
    if report.agreements:
        lines += ["", "## Twins: agreement with the reference", "", *agreement_markdown(report.agreements)]
    return "\n".join(lines)


def coverage_heatmap(report: DiversityReport, path: Path) -> Path:
    """(archetype x tag) counts as a heatmap PNG: the empty cells are the ones to fill next."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here, nor on Cloud Run
    from matplotlib import pyplot as plt

    tags = sorted({tag for tags in report.coverage.values() for tag in tags})
    names = list(report.coverage)
    grid = [[report.coverage[name].get(tag, float("nan")) for tag in tags] for name in names]
    figure, axes = plt.subplots(figsize=(max(8, len(tags) * 0.45), 1.2 + 0.45 * len(names)), dpi=120)
    image = axes.imshow(grid, cmap="viridis", aspect="auto")
    axes.set_xticks(range(len(tags)), tags, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(names)), names, fontsize=9)
    for row, name in enumerate(names):
        for column, tag in enumerate(tags):
            if tag in report.coverage[name]:
                axes.text(
                    column, row, report.coverage[name][tag], ha="center", va="center", fontsize=7, color="w"
                )
    axes.set_title(f"Stored scenes per archetype and tag, last {report.days} days (blank: not a tag of it)")
    figure.colorbar(image, ax=axes, fraction=0.02)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def contact_sheet(images: list[Path], path: Path, columns: int = 4) -> Path | None:
    """Thumbnails of the first SHEET_IMAGES of `images` in a grid PNG (None when there is nothing to show)."""
    images = images[:SHEET_IMAGES]
    if not images:
        return None
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * THUMBNAIL[0], rows * THUMBNAIL[1]), (24, 24, 24))
    for index, image_path in enumerate(images):
        with Image.open(image_path) as image:
            thumbnail = image.convert("RGB").resize(THUMBNAIL, Image.Resampling.BILINEAR)
        sheet.paste(thumbnail, ((index % columns) * THUMBNAIL[0], (index // columns) * THUMBNAIL[1]))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
