"""The review of a procedural image, computed from its ground truth instead of looked at: the same rubric
as Gemini's, with true answers, so the embedded backend runs the review stage for real."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scenegen.catalogue import ReviewConfig
from scenegen.models import Camera, RenderedImage, Review, Rubric, SceneSpec
from scenegen.quality.review import judge, unreviewed
from scenegen.render.views import corner_distance, floor_in_view
from scenegen.storage import LAYOUT, ROOM_SURFACES


def floor_in_frame(room_size_m: list[float], camera: Camera) -> float:
    """The share of the floor's area that projects inside the camera's frame (what stands on it aside)."""
    size = (camera.width, camera.height)
    centre = (camera.cx, camera.cy)
    return floor_in_view(room_size_m, camera.position_m, camera.world_from_camera, camera.fx, centre, size)


def ground_truth_rubric(
    pixels: Mapping[int, int], layout: dict[str, Any], camera: Camera, archetype: str, config: ReviewConfig
) -> Rubric:
    """The rubric, exactly: each object's share of the frame (`pixels`: id -> pixels of the instance mask),
    the layout's categories, the camera's pose.

    The renderer draws the planned archetype's room through a pinhole camera, with no people and no
    lettering in its catalogue of things: those three items are true by construction.
    """
    total = camera.width * camera.height
    floor_share = pixels.get(layout["room"]["floor_id"], 0) / total
    objects = sum(
        1
        for o in layout["objects"]
        if o["category"] not in ROOM_SURFACES and pixels.get(o["id"], 0) / total >= config.min_object_share
    )
    room = layout["room"]["size_m"]
    height = camera.position_m[2]
    return Rubric(
        archetype_seen=archetype,
        archetype_matches=True,
        whole_room_in_view=floor_in_frame(room, camera) >= config.min_floor_in_view,
        floor_visible=floor_share >= config.min_floor_share,
        elevated_corner_view=height >= config.min_camera_height_m
        and camera.pitch_deg < 0
        and corner_distance(room, camera.position_m) <= config.max_corner_distance_m,
        rectilinear_lens=True,
        people_present=False,
        text_or_watermark=False,
        distinct_objects=objects,
        verdict="suitable",
        reasons=[],
    )


def review_from_ground_truth(spec: SceneSpec, rendered: RenderedImage, config: ReviewConfig) -> Review:
    """The rubric from the staged layout and the view's pixels of each object (counted from the instance
    mask when it was drawn, so nothing is decoded here), judged."""
    files = {staged.name: Path(staged.path) for staged in rendered.ground_truth}
    if rendered.camera is None or LAYOUT not in files:
        return unreviewed(
            f"the {rendered.backend} image has no ground truth to review", GroundTruthReviewer.model
        )
    layout = json.loads(files[LAYOUT].read_text(encoding="utf-8"))
    pixels = rendered.object_pixels  # a further view's own; view 0's are also in the layout
    if pixels is None:
        pixels = {entry["id"]: entry["pixels"] for entry in layout["objects"]}
    rubric = ground_truth_rubric(pixels, layout, rendered.camera, spec.archetype, config)
    return judge(rubric, spec.archetype, config, GroundTruthReviewer.model, 0.0)


class GroundTruthReviewer:
    """The `Reviewer` of procedural images: reads the staged layout; free."""

    model = "ground-truth"
    expected_cost_usd = 0.0

    def __init__(self, config: ReviewConfig) -> None:
        self.config = config

    def review(self, spec: SceneSpec, rendered: RenderedImage) -> Review:
        return review_from_ground_truth(spec, rendered, self.config)
