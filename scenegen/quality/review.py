"""The review every image gets before it is stored: one rubric of what 3D reconstruction needs of it (the
rubric and the review are models, scenegen.models; the thresholds are the catalogue's).

Reconstruction wants the whole room of the planned kind, seen from an elevated corner through a rectilinear
lens, the floor in view, several separable objects, and nobody and no lettering in frame. A reviewer fills
the rubric (Gemini by looking at the image, the procedural backend from its ground truth); `judge` turns it
into the verdict by the same rule for both, so that no reviewer can pass an image whose own answers fail it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from pydantic import BaseModel, Field

from scenegen.catalogue import ReviewConfig
from scenegen.errors import ImageRejected, Unreviewed
from scenegen.models import RenderedImage, Review, ReviewMode, Rubric, SceneSpec

WRONG_ROOM = "wrong archetype"
# The rubric's yes/no items, each with the phrase an image gets when it has the wrong answer.
NEEDED = {
    "whole_room_in_view": "not the whole room",
    "floor_visible": "floor not visible",
    "elevated_corner_view": "not an elevated corner view",
    "rectilinear_lens": "lens not rectilinear",
}
UNWANTED = {"people_present": "people in frame", "text_or_watermark": "text or watermark"}
TOO_FEW, JUDGED = "too few objects", "judged unsuitable"
OTHER_ROOM = "does not match its reference"
PROBLEMS = (*NEEDED.values(), *UNWANTED.values(), TOO_FEW, OTHER_ROOM, JUDGED)


def problems(review: Review) -> list[str]:
    """What the reports count of a review: the fixed phrases among its reasons, or `unreviewed`."""
    if review.verdict == "unreviewed":
        return ["unreviewed"]
    return [WRONG_ROOM if r.startswith(WRONG_ROOM) else r for r in review.reasons if _fixed(r)]


def _fixed(reason: str) -> bool:
    return reason in PROBLEMS or reason.startswith(WRONG_ROOM)


def judge(
    rubric: Rubric,
    planned: str,
    config: ReviewConfig,
    reviewer: str,
    cost_usd: float,
    reference: bool = False,
) -> Review:
    """The verdict on an image from its rubric: unsuitable when any item fails, whatever the reviewer's own
    verdict says; the reviewer's reasons follow the fixed phrases. With a `reference` shown (a twin), the
    image must be the reference's room: anything but a yes fails it."""
    seen = rubric.archetype_seen.strip().lower()
    reasons = []
    if not rubric.archetype_matches or seen != planned:
        reasons.append(f"{WRONG_ROOM} ({seen or 'unknown'}, planned {planned})")
    reasons += [phrase for item, phrase in NEEDED.items() if not getattr(rubric, item)]
    reasons += [phrase for item, phrase in UNWANTED.items() if getattr(rubric, item)]
    if rubric.distinct_objects < config.min_distinct_objects:
        reasons.append(TOO_FEW)
    if reference and rubric.matches_reference is not True:
        reasons.append(OTHER_ROOM)
    if rubric.verdict == "unsuitable" and not reasons:
        reasons.append(JUDGED)
    if reasons:
        reasons += [said for said in rubric.reasons if said.strip()]
    return Review(
        verdict="unsuitable" if reasons else "suitable",
        reasons=reasons,
        rubric=rubric,
        reviewer=reviewer,
        cost_usd=cost_usd,
    )


def unreviewed(reason: str, reviewer: str, cost_usd: float = 0.0) -> Review:
    """No usable answer: never taken for a pass."""
    return Review(verdict="unreviewed", reasons=[reason], reviewer=reviewer, cost_usd=cost_usd)


class Reviewer(Protocol):
    model: str  # the review model, or "ground-truth"
    expected_cost_usd: float  # a typical review's price, held against MAX_COST_USD with its image's

    def review(self, spec: SceneSpec, rendered: RenderedImage) -> Review:
        """The staged image of `spec` reviewed against the rubric."""
        ...


def scene_review(reviews: list[Review]) -> Review:
    """A scene's review over its views (view 0 first): suitable when every view is; otherwise the worst
    verdict, with each failing view's reasons named by its index. The cost is every view's."""
    first = reviews[0]
    failing = [(k, r) for k, r in enumerate(reviews) if r.verdict != "suitable"]
    worst = next((r for _, r in failing if r.verdict == "unsuitable"), failing[0][1] if failing else first)
    reasons = [
        reason if len(reviews) == 1 else f"view {k}: {reason}" for k, r in failing for reason in r.reasons
    ]
    return first.model_copy(
        update={
            "verdict": worst.verdict,
            "reasons": reasons if failing else first.reasons,
            "rubric": worst.rubric,
            "cost_usd": sum(r.cost_usd for r in reviews),
        }
    )


def enforce(review: Review | None, mode: ReviewMode) -> None:
    """Under REVIEW=required only a suitable image goes on to storage: ImageRejected for an unsuitable one,
    Unreviewed for one without a verdict. Advisory stores every image with its verdict."""
    if review is None or mode != "required" or review.verdict == "suitable":
        return
    reasons = "; ".join(review.reasons)
    if review.verdict == "unsuitable":
        raise ImageRejected(f"unsuitable for reconstruction: {reasons}")
    raise Unreviewed(f"unreviewed: {reasons}")


def review_summary(review: Review | None, mode: ReviewMode) -> dict[str, object]:
    """What scene.json and the downstream event say of the review."""
    if review is None:
        return {"mode": mode, "verdict": "unreviewed", "reasons": ["review off"]}
    return {"mode": mode, **review.model_dump(mode="json")}


class ReviewTally(BaseModel):
    """The reviews of one archetype: how many, how many passed, and the reasons of the others."""

    reviewed: int = 0
    suitable: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)

    @property
    def pass_rate(self) -> float:
        return self.suitable / self.reviewed if self.reviewed else 0.0


def tally_reviews(reviews: Iterable[tuple[str, Review]]) -> dict[str, ReviewTally]:
    """(archetype, review) pairs counted per archetype, in name order."""
    counts: dict[str, tuple[int, int, Counter[str]]] = {}
    for archetype, review in reviews:
        reviewed, suitable, reasons = counts.get(archetype, (0, 0, Counter()))
        reasons.update(problems(review))
        counts[archetype] = (reviewed + 1, suitable + (review.verdict == "suitable"), reasons)
    return {
        name: ReviewTally(reviewed=reviewed, suitable=suitable, reasons=dict(reasons.most_common()))
        for name, (reviewed, suitable, reasons) in sorted(counts.items())
    }


def review_markdown(tallies: dict[str, ReviewTally], mode: str) -> list[str]:
    """The pass rate overall and per archetype, with the reasons images failed."""
    reviewed = sum(t.reviewed for t in tallies.values())
    if not reviewed:
        return [f"Images reviewed: none (REVIEW={mode})."]
    suitable = sum(t.suitable for t in tallies.values())
    lines = [
        f"Images reviewed for reconstruction (REVIEW={mode}): {suitable} of {reviewed} suitable "
        f"({suitable / reviewed:.0%}).",
        "",
        "| archetype | reviewed | suitable | pass rate | reasons |",
        "|---|---:|---:|---:|---|",
    ]
    for name, tally in tallies.items():
        reasons = ", ".join(f"{reason} {n}" for reason, n in tally.reasons.items()) or "-"
        lines.append(f"| {name} | {tally.reviewed} | {tally.suitable} | {tally.pass_rate:.0%} | {reasons} |")
    return lines
