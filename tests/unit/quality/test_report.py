"""The diversity report's numbers on a small history checked by hand."""

import pytest
from PIL import Image

from scenegen.catalogue import load_archetype_config
from scenegen.quality.report import contact_sheet, coverage_heatmap, diversity_report, report_markdown
from tests.helpers import record

CONFIG = load_archetype_config()


def rejected(archetype: str, reason: str):
    failed = record(archetype, success=False, prompt=f"{archetype} {reason}")
    return failed.model_copy(update={"status": "rejected", "failure_reason": f"ImageRejected: {reason}"})


def test_the_report_counts_what_the_history_holds(tmp_path):
    history = [
        record("kitchen", ["morning_light", "busy_state"], prompt="steel counters and a dish pit at dawn"),
        record("kitchen", ["morning_light", "idle_state"], prompt="steel counters and a dish pit at dawn"),
        record("lab", ["overcast_light"], prompt="fume hoods, glassware shelves and epoxy benches"),
        record("lab", ["overcast_light"], prompt="pallet racks beside a forklift charging bay"),
        rejected("office", "blurred (sharpness 0.010 < 0.035)"),
        rejected("office", "blurred (sharpness 0.020 < 0.035)"),
        rejected("lab", "blank or flat (contrast 1.0 < 4.0)"),
    ]
    report = diversity_report(history, CONFIG, days=30)
    assert report.scenes == 4
    assert report.shares == {"kitchen": 0.5, "lab": 0.5}
    assert report.coverage["kitchen"]["morning_light"] == 2 and report.coverage["kitchen"]["busy_state"] == 1
    assert report.coverage["lab"]["overcast_light"] == 2 and report.coverage["office"]["morning_light"] == 0
    assert report.vendi["kitchen"] == pytest.approx(1.0)  # two copies of one prompt: one distinct item
    assert report.vendi["lab"] == pytest.approx(2.0)  # two prompts with no word in common: two
    assert report.near_duplicate_rate == pytest.approx(0.25)  # the second kitchen prompt
    assert report.rejected_by_reason == {"blurred": 2, "blank or flat": 1}
    assert report.statuses == {"succeeded": 4, "rejected": 3}
    markdown = report_markdown(report, near_duplicates_rewritten=1)
    assert "| kitchen | 50% | 18% | 1.00 | 3/" in markdown and "blurred 2" in markdown
    [header] = [line for line in markdown.splitlines() if line.startswith("| archetype | budget_style")]
    tags = header.strip("| ").split(" | ")[1:]
    [lab_row] = [line for line in markdown.splitlines() if line.startswith("| lab | ") and "%" not in line]
    lab = dict(zip(tags, lab_row.strip("| ").split(" | ")[1:], strict=True))
    assert lab["overcast_light"] == "2" and lab["busy_state"] == "0" and lab["evening_light"] == "-"
    heatmap = coverage_heatmap(report, tmp_path / "coverage.png")
    assert Image.open(heatmap).size[0] > 600


def test_a_contact_sheet_tiles_thumbnails_and_needs_images(tmp_path):
    images = []
    for index in range(5):
        images.append(tmp_path / f"{index}.png")
        Image.new("RGB", (2752, 1536), (index * 40, 80, 120)).save(images[-1])
    sheet = contact_sheet(images, tmp_path / "sheet.png", columns=4)
    assert Image.open(sheet).size == (4 * 344, 2 * 192)
    assert Image.open(sheet).getpixel((344 + 10, 10)) == (40, 80, 120)
    assert contact_sheet([], tmp_path / "none.png") is None


def test_the_report_gives_twins_pass_rate_and_median_agreement_per_archetype():
    def twin(archetype: str, frame: float, passed: bool, prompt: str):
        agreement = {"frame": frame, "passed": passed}
        return record(archetype, prompt=prompt, success=passed).model_copy(
            update={"twin": True, "agreement": agreement, "status": "succeeded" if passed else "rejected"}
        )

    history = [
        twin("kitchen", 0.9, True, "steel counters at dawn"),
        twin("kitchen", 0.7, True, "a dish pit in the rush"),
        twin("kitchen", 0.2, False, "walk-in cooler doors"),
        twin("lab", 0.8, True, "fume hoods and benches"),
        record("lab", prompt="a procedural lab, no twin"),
    ]
    report = diversity_report(history, CONFIG, days=30)
    assert report.agreements["kitchen"].measured == 3 and report.agreements["kitchen"].passed == 2
    assert report.agreements["kitchen"].median_frame == pytest.approx(0.7)
    assert report.agreements["lab"].measured == 1
    markdown = report_markdown(report)
    assert "Twins' photographs following their reference: 3 of 4 (75%)." in markdown
    assert "| kitchen | 3 | 2 | 67% | 0.70 |" in markdown
