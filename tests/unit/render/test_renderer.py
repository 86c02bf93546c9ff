import itertools
import math

import numpy as np
import pytest
from PIL import Image

from scenegen.backends.local.procedural import draw_scene
from scenegen.catalogue import load_archetype_config
from scenegen.images import verify_png
from scenegen.models import IMAGE_HEIGHT, IMAGE_WIDTH, SceneSpec
from scenegen.render import looks, render_scene
from scenegen.render.layouts import LAYOUTS

SMALL = (344, 192)
TAGS = ("midday_light", "moderate_activity", "medium_space", "moderate_clutter", "modern_style")


def spec(archetype="kitchen", tags=TAGS, seed=7) -> SceneSpec:
    return SceneSpec(
        scene_id=f"{archetype}-test",
        archetype=archetype,
        prompt="p",
        variation_tags=tags,
        seed=seed,
        prompt_hash="0" * 64,
        image_model="procedural-v2",
        prompt_model="local",
    )


def pixels(archetype="kitchen", tags=TAGS, seed=7) -> np.ndarray:
    return np.asarray(render_scene(archetype, tags, seed, SMALL).image, np.float32)


def test_full_size_png_with_its_camera(tmp_path):
    rendered = draw_scene(spec("warehouse"), tmp_path / "a.png")
    assert verify_png(tmp_path / "a.png", (IMAGE_WIDTH, IMAGE_HEIGHT)) == (2752, 1536)
    assert Image.open(tmp_path / "a.png").mode == "RGB"
    camera = rendered.camera
    assert camera.fx == pytest.approx((2752 / 2) / math.tan(math.radians(camera.horizontal_fov_deg) / 2))
    assert (camera.cx, camera.cy) == (1376, 768)
    assert 1.5 <= camera.position_m[2] <= 2.0 and camera.pitch_deg < 0
    rotation = np.array(camera.world_from_camera)
    assert np.allclose(rotation.T @ rotation, np.eye(3), atol=1e-5)


def test_the_same_spec_gives_a_byte_identical_png(tmp_path):
    first = draw_scene(spec("grocery"), tmp_path / "1.png")
    second = draw_scene(spec("grocery"), tmp_path / "2.png")
    assert (tmp_path / "1.png").read_bytes() == (tmp_path / "2.png").read_bytes()
    assert first.sha256 == second.sha256
    assert draw_scene(spec("grocery", seed=8), tmp_path / "3.png").sha256 != first.sha256


def test_every_archetype_has_a_plan_and_they_all_look_different():
    names = load_archetype_config().names
    assert set(names) <= set(LAYOUTS)
    images = {name: pixels(name) for name in names}
    for a, b in itertools.combinations(names, 2):
        assert np.abs(images[a] - images[b]).mean() > 8, (a, b)


def test_every_tag_in_the_catalogue_is_drawn_by_the_renderer():
    known = (
        set(looks.LIGHTING)
        | set(looks.PALETTES)
        | set(looks.SIZE_SCALE)
        | set(looks.CLUTTER)
        | set(looks.ACTIVITY)
    )
    for archetype in load_archetype_config().archetypes.values():
        assert archetype.tags <= known


def with_tag(tag: str) -> tuple[str, ...]:
    dimension_of = {
        **dict.fromkeys(looks.LIGHTING, 0),
        **dict.fromkeys(looks.ACTIVITY, 1),
        **dict.fromkeys(looks.SIZE_SCALE, 2),
        **dict.fromkeys(looks.CLUTTER, 3),
        **dict.fromkeys(looks.PALETTES, 4),
    }
    tags = list(TAGS)
    tags[dimension_of[tag]] = tag
    return tuple(tags)


def test_lighting_tags_change_level_and_colour():
    midday, night, evening = (
        pixels("office", with_tag(t)) for t in ("midday_light", "night_light", "evening_light")
    )
    assert night.mean() < midday.mean() - 20
    warmth = lambda image: image[..., 0].mean() - image[..., 2].mean()  # noqa: E731
    assert warmth(evening) > warmth(midday) + 5


def test_size_clutter_and_style_tags_change_the_picture():
    base = pixels("lab")
    for tag in ("large_space", "heavy_clutter", "industrial_style", "closed_state"):
        assert np.abs(pixels("lab", with_tag(tag)) - base).mean() > 3, tag


def test_the_camera_and_the_room_vary_with_the_seed_within_the_brief():
    corners, rows_along, sizes = set(), set(), set()
    for seed in range(16):
        rendering = render_scene("warehouse", TAGS, seed, (172, 96))
        camera = rendering.camera
        width, depth, _ = rendering.room_size_m
        sizes.add((width, depth))
        x, y, z = camera.position_m
        corners.add((x > width / 2, y > depth / 2))
        assert 1.5 <= z <= 2.0 and -17 <= camera.pitch_deg <= -9
        assert min(x, width - x) <= 0.7 and min(y, depth - y) <= 0.7  # in a corner
        # looking into the room: the room's centre is ahead, within the horizontal field of view
        centre = np.array([width / 2, depth / 2, z]) - np.array(camera.position_m)
        forward = np.array(camera.world_from_camera)[:, 2]
        ahead = centre @ forward / np.linalg.norm(centre) / np.linalg.norm(forward[:2])
        assert ahead > math.cos(math.radians(camera.horizontal_fov_deg / 2))
        racks = [t for t in rendering.things if t.category == "pallet_rack"]
        lo, hi = racks[0].bounds()
        rows_along.add("x" if hi[0] - lo[0] > hi[1] - lo[1] else "y")
    assert len(corners) == 4 and rows_along == {"x", "y"} and len(sizes) == 16
