"""Where a room is seen from: the chosen pose against the seed's own, and a room's further views, each
with ground truth that agrees with the room's one layout."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scenegen.backends.local.procedural import as_views, draw_scene, seen_pixels
from scenegen.catalogue import load_archetype_config
from scenegen.render.procedural import RenderOptions, draw, furnished_world, render_scene
from scenegen.render.views import choose_views
from scenegen.storage import DEPTH, INSTANCES, LAYOUT, ROOM_SURFACES, VIEW_MAPS
from tests.unit.render.test_ground_truth import SIZE, back_project, outside_box, spec

CONFIG = load_archetype_config()
OPTIONS = RenderOptions.of(CONFIG)
SEEN = CONFIG.views.min_object_pixels  # of the 2K frame


def objects_seen(instances: np.ndarray, things) -> int:
    counts = np.bincount(instances.reshape(-1).astype(np.int64))
    return sum(
        1
        for thing in things
        if thing.category not in ROOM_SURFACES and thing.id < len(counts) and counts[thing.id] >= SEEN
    )


@pytest.mark.parametrize("archetype", CONFIG.names)
def test_the_chosen_pose_never_shows_fewer_objects_than_the_seeds_own(archetype):
    """At the full 2K size, counted as the layout counts them: 200 pixels or more."""
    chosen = render_scene(archetype, (), 7, options=OPTIONS)
    world = furnished_world(archetype, (), 7, OPTIONS.articulation)
    seeds = draw(world, world.seed_pose.camera())
    assert chosen.camera.position_m != seeds.camera.position_m or chosen.camera != seeds.camera
    assert objects_seen(chosen.instances, chosen.things) >= objects_seen(seeds.instances, world.things)


def test_vantage_tags_set_the_height_among_the_candidates():
    world = furnished_world("office", ("low_vantage",), 3, OPTIONS.articulation)
    low = choose_views(
        world.subject(), world.seed_pose, 2, ("low_vantage",), CONFIG.views, CONFIG.review, random.Random(1)
    )
    world = furnished_world("office", ("high_vantage",), 3, OPTIONS.articulation)
    high = choose_views(
        world.subject(), world.seed_pose, 2, ("high_vantage",), CONFIG.views, CONFIG.review, random.Random(1)
    )
    assert all(pose.position[2] <= 1.6 for pose in low)
    assert all(pose.position[2] >= 1.9 for pose in high)


@pytest.fixture(scope="module")
def three_views(tmp_path_factory):
    folder = tmp_path_factory.mktemp("views")
    three = spec("warehouse", seed=3).model_copy(update={"views": 3})
    drawn = [draw_scene(three, folder / "w.png", SIZE, OPTIONS, view) for view in range(3)]
    return as_views(drawn, seen_pixels(SIZE, OPTIONS))


def test_each_further_view_adds_what_the_earlier_ones_did_not_show(three_views):
    layout = json.loads(Path(next(f.path for f in three_views.ground_truth if f.name == LAYOUT)).read_text())
    cameras = [three_views.camera, *(view.camera for view in three_views.views)]
    assert len({tuple(camera.position_m) for camera in cameras}) == 3  # three places
    seen_in = [set() for _ in range(3)]
    for entry in layout["objects"]:
        for k in entry["views"]:
            seen_in[k].add(entry["id"])
    assert seen_in[1] - seen_in[0] and seen_in[2] - seen_in[0] - seen_in[1]
    # layout.json's views are the views' own instance maps, at the 200-pixel count
    for k, view in enumerate(three_views.each_view()):
        with Image.open(next(f.path for f in view.ground_truth if f.name == INSTANCES)) as instances:
            counts = np.bincount(np.asarray(instances, np.int64).reshape(-1))
        shown = {i for i in range(len(counts)) if counts[i] >= seen_pixels(SIZE, OPTIONS)}
        assert seen_in[k] == shown & {entry["id"] for entry in layout["objects"]}


def test_every_views_depth_lands_on_the_boxes_of_the_one_layout(three_views):
    layout = json.loads(Path(next(f.path for f in three_views.ground_truth if f.name == LAYOUT)).read_text())
    boxes = {entry["id"]: entry for entry in layout["objects"]}
    for view in three_views.each_view():
        files = {f.name: Path(f.path) for f in view.ground_truth}
        assert set(VIEW_MAPS) <= set(files) and len({files[name] for name in VIEW_MAPS}) == len(VIEW_MAPS)
        with Image.open(files[DEPTH]) as depth, Image.open(files[INSTANCES]) as instances:
            depth_m = np.asarray(depth, np.float64) / 1000
            ids = np.asarray(instances, np.int64)
        checked = 0
        for object_id in np.unique(ids[ids > 0])[::7]:  # every seventh object each view shows
            vs, us = np.nonzero(ids == object_id)
            points = back_project(view, us, vs, depth_m[vs, us])
            assert outside_box(points, boxes[int(object_id)]).max() <= 0.02, (view.path, object_id)
            checked += 1
        assert checked >= 5


def test_a_spec_gives_the_same_views_and_bytes_every_time(tmp_path, three_views):
    again = draw_scene(
        spec("warehouse", seed=3).model_copy(update={"views": 3}), tmp_path / "w.png", SIZE, OPTIONS, 2
    )
    assert again.sha256 == three_views.views[1].sha256
    assert [f.sha256 for f in again.ground_truth if f.name in VIEW_MAPS] == [
        f.sha256 for f in three_views.views[1].files
    ]
