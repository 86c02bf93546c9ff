"""The review's rule, its ground-truth rubric on hand-built scenes, and how the verdicts are counted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scenegen.backends.local.ground_truth_review import (
    corner_distance,
    floor_in_frame,
    ground_truth_rubric,
    review_from_ground_truth,
)
from scenegen.catalogue import ReviewConfig, load_archetype_config
from scenegen.errors import ImageRejected, InputError, Unreviewed
from scenegen.models import Camera, Review, Rubric
from scenegen.quality.review import (
    OTHER_ROOM,
    enforce,
    judge,
    problems,
    review_markdown,
    tally_reviews,
    unreviewed,
)
from scenegen.render.geometry import PinholeCamera
from scenegen.settings import load_settings

CONFIG = ReviewConfig()
SUITABLE = Rubric(
    archetype_seen="lab",
    archetype_matches=True,
    whole_room_in_view=True,
    floor_visible=True,
    elevated_corner_view=True,
    rectilinear_lens=True,
    people_present=False,
    text_or_watermark=False,
    distinct_objects=20,
    verdict="suitable",
    reasons=[],
)


def verdict(**changes) -> Review:
    return judge(SUITABLE.model_copy(update=changes), "lab", CONFIG, "reviewer", 0.01)


def test_a_rubric_that_meets_every_need_is_suitable():
    review = verdict()
    assert (review.verdict, review.reasons, review.cost_usd) == ("suitable", [], 0.01)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"people_present": True}, "people in frame"),
        ({"archetype_seen": "office", "archetype_matches": False}, "wrong archetype (office, planned lab)"),
        ({"archetype_seen": "office"}, "wrong archetype (office, planned lab)"),  # its own answers disagree
        ({"whole_room_in_view": False}, "not the whole room"),
        ({"floor_visible": False}, "floor not visible"),
        ({"elevated_corner_view": False}, "not an elevated corner view"),
        ({"rectilinear_lens": False}, "lens not rectilinear"),
        ({"text_or_watermark": True}, "text or watermark"),
        ({"distinct_objects": CONFIG.min_distinct_objects - 1}, "too few objects"),
    ],
)
def test_any_failed_item_makes_the_image_unsuitable_whatever_the_reviewer_concluded(changes, reason):
    review = verdict(**changes)  # the reviewer's own verdict still says suitable
    assert review.verdict == "unsuitable" and review.reasons == [reason]
    assert problems(review) == [reason.split(" (")[0]]


def test_the_reviewer_s_own_no_is_kept_with_its_words():
    review = verdict(verdict="unsuitable", reasons=["the image is a collage"])
    assert review.reasons == ["judged unsuitable", "the image is a collage"]
    assert problems(review) == ["judged unsuitable"]
    both = verdict(people_present=True, verdict="unsuitable", reasons=["a chemist at the bench"])
    assert both.reasons == ["people in frame", "a chemist at the bench"]


def test_required_stores_only_suitable_images_advisory_and_off_store_all():
    enforce(verdict(), "required")
    with pytest.raises(ImageRejected, match="unsuitable for reconstruction: people in frame"):
        enforce(verdict(people_present=True), "required")
    with pytest.raises(Unreviewed, match="unreviewed: no answer"):
        enforce(unreviewed("no answer", "reviewer"), "required")
    for mode in ("advisory", "off"):
        enforce(verdict(people_present=True), mode)
        enforce(unreviewed("no answer", "reviewer"), mode)


def test_pass_rates_and_reasons_are_counted_per_archetype():
    reviews = [
        ("lab", verdict()),
        ("lab", verdict(people_present=True)),
        ("lab", unreviewed("bad json", "reviewer")),
        ("office", verdict()),
    ]
    tallies = tally_reviews(reviews)
    assert (tallies["lab"].reviewed, tallies["lab"].suitable) == (3, 1)
    assert tallies["lab"].reasons == {"people in frame": 1, "unreviewed": 1}
    assert tallies["office"].pass_rate == 1.0
    lines = review_markdown(tallies, "required")
    assert lines[0] == "Images reviewed for reconstruction (REVIEW=required): 2 of 4 suitable (50%)."
    assert "| lab | 3 | 1 | 33% | people in frame 1, unreviewed 1 |" in lines
    assert review_markdown({}, "off") == ["Images reviewed: none (REVIEW=off)."]


def test_review_settings_default_to_required_by_the_text_model_and_refuse_other_modes(monkeypatch):
    settings = load_settings()
    assert settings.review == "required" and settings.review_model == settings.gemini_text_model
    monkeypatch.setenv("REVIEW", "Advisory")
    monkeypatch.setenv("GEMINI_REVIEW_MODEL", "gemini-3-flash")
    assert (load_settings().review, load_settings().review_model) == ("advisory", "gemini-3-flash")
    monkeypatch.setenv("REVIEW", "sometimes")
    with pytest.raises(InputError, match=r"^REVIEW: .*'sometimes'"):
        load_settings()


# A hand-built scene: a 10 x 8 x 3 m room and a 100 x 56 pixel frame.
ROOM = [10.0, 8.0, 3.0]
FLOOR, WALL, CEILING = 1, 2, 3


def layout(objects: dict[int, str]) -> dict:
    entries = [{"id": FLOOR, "category": "floor"}, {"id": WALL, "category": "wall"}]
    entries += [{"id": CEILING, "category": "ceiling"}]
    entries += [{"id": i, "category": category} for i, category in objects.items()]
    return {"room": {"size_m": ROOM, "floor_id": FLOOR}, "objects": entries}


def corner_camera(height: float = 1.8, pitch: float = -14.0, at=(0.6, 0.5)) -> Camera:
    pinhole = PinholeCamera(
        position=(*at, height),
        yaw_deg=math.degrees(math.atan2(ROOM[1], ROOM[0])),
        pitch_deg=pitch,
        width=100,
        height=56,
        horizontal_fov_deg=95.0,
    )
    return Camera(
        width=100,
        height=56,
        fx=pinhole.focal,
        fy=pinhole.focal,
        cx=50,
        cy=28,
        horizontal_fov_deg=95.0,
        position_m=pinhole.position,
        yaw_deg=pinhole.yaw_deg,
        pitch_deg=pitch,
        world_from_camera=pinhole.rotation.tolist(),
    )


def overhead_camera(focal: float) -> Camera:
    """Straight down from 10 m over the middle of the room: x right is world x, y down is world -y."""
    return Camera(
        width=100,
        height=56,
        fx=focal,
        fy=focal,
        cx=50,
        cy=28,
        horizontal_fov_deg=2 * math.degrees(math.atan(50 / focal)),
        position_m=(5.0, 4.0, 10.0),
        yaw_deg=0.0,
        pitch_deg=-90.0,
        world_from_camera=[[1, 0, 0], [0, -1, 0], [0, 0, -1]],
    )


def test_the_floor_in_view_is_the_share_of_its_area_inside_the_frame():
    assert floor_in_frame(ROOM, overhead_camera(60)) == 1.0  # 5 m at 10 m: 30 px of the 50 px half width
    # at focal 120 the frame spans x 5 +- 4.17 m and y 4 +- 2.33 m: (8.33 / 10) * (4.67 / 8) of the floor
    assert floor_in_frame(ROOM, overhead_camera(120)) == pytest.approx(0.486, abs=0.03)
    assert floor_in_frame(ROOM, corner_camera(pitch=60.0)) == 0.0  # looking up at the ceiling
    assert corner_distance(ROOM, corner_camera(at=(9.0, 7.0)).position_m) == pytest.approx(math.hypot(1, 1))


def counts(instances: np.ndarray) -> dict[int, int]:
    """Pixels per id of an instance mask, as layout.json's `pixels` holds them."""
    return dict(enumerate(np.bincount(instances.ravel()).tolist()))


def test_the_ground_truth_rubric_says_what_the_hand_built_scene_shows():
    instances = np.full((56, 100), WALL, np.uint16)
    instances[:5] = CEILING
    instances[20:] = FLOOR  # 36 rows of 56: 64% floor
    instances[30:40, 10:20] = 4  # 100 px: 1.8% of the frame, an object
    instances[45:48, 60:63] = 5  # 9 px: 0.16%, an object
    instances[50, 90] = 6  # 1 px: 0.018%, under min_object_share (0.02%)
    scene = layout({4: "lab_bench", 5: "stool", 6: "pipette", 7: "fume_hood"})  # 7: hidden
    rubric = ground_truth_rubric(counts(instances), scene, corner_camera(), "lab", CONFIG)
    assert rubric.distinct_objects == 2
    assert rubric.floor_visible and rubric.elevated_corner_view and rubric.whole_room_in_view
    assert (rubric.archetype_seen, rubric.people_present, rubric.text_or_watermark) == ("lab", False, False)
    assert judge(rubric, "lab", CONFIG, "ground-truth", 0.0).reasons == ["too few objects"]

    instances[20:55] = WALL  # one row of floor: 1.8%, under min_floor_share (4%)
    low_in_the_middle = corner_camera(height=1.0, at=(5.0, 4.0))
    rubric = ground_truth_rubric(counts(instances), scene, low_in_the_middle, "lab", CONFIG)
    assert not rubric.floor_visible and not rubric.elevated_corner_view
    looking_up = ground_truth_rubric(counts(instances), scene, corner_camera(pitch=40.0), "lab", CONFIG)
    assert not looking_up.elevated_corner_view and not looking_up.whole_room_in_view


def test_a_rendered_scene_is_reviewed_from_its_staged_ground_truth(tmp_path):
    from scenegen.backends.local.procedural import draw_scene
    from scenegen.planning.prompts import LocalPromptWriter

    catalogue = load_archetype_config()
    [spec] = LocalPromptWriter(catalogue, "procedural-v2").write(["home_laundry"], [], seed=3).specs
    rendered = draw_scene(spec, tmp_path / "scene.png", (688, 384))
    review = review_from_ground_truth(spec, rendered, catalogue.review)
    assert review.verdict == "suitable", review.reasons
    assert review.reviewer == "ground-truth" and review.cost_usd == 0.0
    assert review.rubric and review.rubric.archetype_seen == "home_laundry"
    without = rendered.model_copy(update={"ground_truth": []})
    assert review_from_ground_truth(spec, without, catalogue.review).verdict == "unreviewed"


def test_a_twin_must_show_its_references_room():
    shown = SUITABLE.model_copy(update={"matches_reference": True})
    assert judge(shown, "lab", CONFIG, "reviewer", 0.01, reference=True).verdict == "suitable"
    for answer in (False, None):  # a no, or no answer to the question: never a pass
        other = SUITABLE.model_copy(update={"matches_reference": answer})
        review = judge(other, "lab", CONFIG, "reviewer", 0.01, reference=True)
        assert review.verdict == "unsuitable" and review.reasons[0] == OTHER_ROOM
    # without a reference the question is not asked, whatever the answer
    assert judge(SUITABLE, "lab", CONFIG, "reviewer", 0.01).verdict == "suitable"
