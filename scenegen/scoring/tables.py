"""A score and a period's reconstruction quality as markdown tables for people (the CLI, the artifacts, the
diversity report)."""

from __future__ import annotations

from typing import Any


def _seen_in(views: list[int]) -> str:
    return "the image" if len(views) == 1 else f"any of its {len(views)} views"


def score_markdown(document: dict[str, Any]) -> str:
    """The score as a table for people: the headline figures, then recall per category."""

    def figure(value: float | None, unit: str = "", digits: int = 1) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}{unit}"

    lines = [
        f"# Reconstruction of {document['scene_id']}",
        "",
        f"`{document['reconstruction']['uri']}` ({document['reconstruction']['format']}), frame "
        f"{document['frame']}, scale {document['transform']['scale']:.3f}; "
        f"{document['counted_objects']} objects visible in {_seen_in(document.get('views', [0]))}",
        "",
        "| IoU | precision | recall | F1 | matched |",
        "|---|---|---|---|---|",
    ]
    for threshold, row in document["at_iou"].items():
        shares = " | ".join(f"{row[name]:.3f}" for name in ("precision", "recall", "f1"))
        lines.append(f"| {threshold} | {shares} | {row['matched']} |")
    lines += [
        "",
        "| centre error | size error | yaw error | Chamfer | F-score at 5 cm |",
        "|---|---|---|---|---|",
        f"| {figure(document['centre_error_cm'], ' cm')} | {figure(document['size_error_pct'], ' %')} | "
        f"{figure(document['yaw_error_deg'], ' deg')} | {figure(document['chamfer_m'] * 100, ' cm')} | "
        f"{document['fscore_5cm']:.3f} |",
        "",
    ]
    if "articulation" in document:
        joints = document["articulation"]
        lines += [
            "| joints | matched | precision | recall | type | axis error | axis position | range error |",
            "|---|---|---|---|---|---|---|---|",
            f"| {joints['twin_joints']} | {joints['matched']} | {figure(joints['precision'], '', 3)} | "
            f"{figure(joints['recall'], '', 3)} | {figure(joints['type_accuracy'], '', 3)} | "
            f"{figure(joints['axis_error_deg'], ' deg')} | "
            f"{figure(joints['axis_position_error_cm'], ' cm')} | "
            f"{figure(joints['range_error_pct'], ' %')} |",
            "",
        ]
    lines += [
        "| category | in the image | matched | recall |",
        "|---|---|---|---|",
    ]
    for category, row in document["per_category"].items():
        lines.append(f"| {category} | {row['twin']} | {row['matched']} | {row['recall']:.2f} |")
    return "\n".join(lines)


def quality_markdown(quality: dict[str, dict[str, float]], days: int) -> str:
    lines = [f"## Reconstruction quality, last {days} days", ""]
    if not quality:
        return "\n".join(
            [*lines, "No reconstruction of a scene of the period was scored (`scenegen score`)."]
        )
    lines += [
        "| archetype | reconstructions | F1 at IoU 0.25 | F1 at IoU 0.5 | Chamfer |",
        "|---|---:|---:|---:|---:|",
    ]
    for archetype, row in quality.items():
        lines.append(
            f"| {archetype} | {row['reconstructions']:.0f} | {row['f1_0.25']:.3f} | {row['f1_0.5']:.3f} "
            f"| {row['chamfer_cm']:.1f} cm |"
        )
    return "\n".join(lines)
