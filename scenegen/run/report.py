"""The diversity report of a run's period, written where the run keeps its reports."""

from __future__ import annotations

from pathlib import Path

from scenegen.planning.history import recent_history
from scenegen.quality.report import (
    SHEET_IMAGES,
    contact_sheet,
    coverage_heatmap,
    diversity_report,
    report_markdown,
)
from scenegen.records import HistoryRecord
from scenegen.run.resources import Resources
from scenegen.storage import local_path


def write_diversity_report(
    resources: Resources, name: str, images: list[Path], near_duplicates_rewritten: int | None = None
) -> tuple[str, list[Path]]:
    """The period's report as markdown, and its PNGs written under OUTPUT_DIR/reports/<name>/."""
    settings = resources.settings
    history = recent_history(resources.history, settings.lookback_days)
    report = diversity_report(history, resources.catalogue, settings.lookback_days)
    folder = settings.output_dir / "reports" / name
    pictures = [coverage_heatmap(report, folder / "coverage.png")]
    sheet = contact_sheet(images, folder / "contact_sheet.png")
    markdown = report_markdown(report, near_duplicates_rewritten, settings.review)
    return markdown, pictures + ([sheet] if sheet else [])


def stored_images(history: list[HistoryRecord], limit: int = SHEET_IMAGES) -> list[Path]:
    """The most recent stored images that are local files (a bucket's are not fetched for thumbnails)."""
    newest_first = sorted((r for r in history if r.success), key=lambda r: r.generated_at, reverse=True)
    paths = [local_path(r.image_uri) for r in newest_first]
    return [path for path in paths if path and path.is_file()][:limit]
