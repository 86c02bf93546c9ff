"""The review every image gets before it is stored: one rubric of what 3D reconstruction needs of it.

Reconstruction wants the whole room of the planned kind, seen from an elevated corner through a rectilinear
lens, the floor in view, several separable objects, and nobody and no lettering in frame. A reviewer fills
the rubric (Gemini by looking at the image, the procedural backend from its ground truth); `judge` turns it
into the verdict by the same rule for both, so that no reviewer can pass an image whose own answers fail it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from scenegen.errors import ImageRejected, Unreviewed

if TYPE_CHECKING:
    from scenegen.models import RenderedImage, SceneSpec

ReviewMode = Literal["required", "advisory", "off"]
Verdict = Literal["suitable", "unsuitable", "unreviewed"]


class ReviewConfig(BaseModel):
    """The thresholds of the rubric (in the archetype catalogue, beside the image checks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_distinct_objects: int = Field(6, ge=0)  # separable objects, room surfaces not counted
    # Ground truth: an object counts when it covers this share of the frame; the floor is visible above
    # min_floor_share; the whole room is in view when this share of the floor's area lies inside the frame.
    min_object_share: float = Field(0.0002, ge=0, le=1)
    min_floor_share: float = Field(0.04, ge=0, le=1)
    min_floor_in_view: float = Field(0.6, ge=0, le=1)
    # An elevated corner view: the camera at least this high, looking down, this close to a corner.
    min_camera_height_m: float = Field(1.4, ge=0)
    max_corner_distance_m: float = Field(1.5, gt=0)


class Rubric(BaseModel):
    """What reconstruction needs of one image, item by item. Gemini answers in this schema."""

    archetype_seen: str = Field(description="the listed archetype the room is, or 'other'")
    archetype_matches: bool = Field(description="the room is the planned archetype")
    whole_room_in_view: bool = Field(description="the room is seen whole, not a close-up of one part")
    floor_visible: bool = Field(description="a good share of the floor is visible")
    elevated_corner_view: bool = Field(description="seen from high up in a corner, looking across and down")
    rectilinear_lens: bool = Field(description="straight lines stay straight: no fisheye, no panorama")
    people_present: bool = Field(description="a person or part of one is in frame")
    text_or_watermark: bool = Field(description="readable text, a logo or a watermark is in frame")
    distinct_objects: int = Field(ge=0, description="about how many separable objects are in view")
    matches_reference: bool | None = Field(
        None,
        description="when a reference rendering is attached: the same room as it, the same objects in the "
        "same places, seen from the same point; null when there is no reference",
    )
    verdict: Literal["suitable", "unsuitable"] = Field(description="usable for 3D reconstruction")
    reasons: list[str] = Field(description="why unsuitable; empty when suitable")


class Review(BaseModel):
    """A review's outcome: the verdict, its reasons (fixed phrases first, see `judge`) and the rubric."""

    verdict: Verdict
    reasons: list[str] = Field(default_factory=list)
    rubric: Rubric | None = None  # None: unreviewed
    reviewer: str  # the review model, or "ground-truth"
    cost_usd: float = 0.0

    @property
    def problems(self) -> list[str]:
        """What the reports count: the fixed phrases among the reasons, or `unreviewed`."""
        if self.verdict == "unreviewed":
            return ["unreviewed"]
        return [WRONG_ROOM if r.startswith(WRONG_ROOM) else r for r in self.reasons if _fixed(r)]


def _fixed(reason: str) -> bool:
    return reason in PROBLEMS or reason.startswith(WRONG_ROOM)


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
        reasons.update(review.problems)
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
