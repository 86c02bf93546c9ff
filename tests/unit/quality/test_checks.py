"""Each image check rejects what it should and passes a good render."""

from pathlib import Path

import pytest
from PIL import Image, ImageEnhance, ImageFilter

from scenegen.backends.local.procedural import draw_scene
from scenegen.catalogue import load_archetype_config
from scenegen.errors import ImageRejected
from scenegen.images import decode
from scenegen.planning.prompts import LocalPromptWriter
from scenegen.quality.checks import inspect_image, measure
from scenegen.render import render_scene

CONFIG = load_archetype_config()
QUALITY = CONFIG.quality


@pytest.fixture(scope="module")
def render(tmp_path_factory) -> Path:
    [spec] = LocalPromptWriter(CONFIG, "procedural-v2").write(["kitchen"], [], seed=3).specs
    path = tmp_path_factory.mktemp("quality") / "good.png"
    draw_scene(spec, path)
    return path


def variant(render: Path, tmp_path: Path, change) -> Path:
    path = tmp_path / "variant.png"
    change(Image.open(render).convert("RGB")).save(path)
    return path


def test_a_good_render_passes_and_gets_a_hash(render):
    phash = inspect_image(decode(render), [], QUALITY)
    assert len(phash) == 16
    assert inspect_image(decode(render), ["0000000000000000", "ffffffffffffffff"], QUALITY) == phash


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda im: Image.new("RGB", im.size, (128, 128, 128)), "blank or flat"),
        (lambda im: im.filter(ImageFilter.GaussianBlur(6)), "blurred"),
        (lambda im: im.resize((2048, 1143)), "size 2048x1143"),
        (lambda im: im.point(lambda v: max(0, v - 150)), "too dark to reconstruct"),
        (lambda im: im.point(lambda v: min(255, v * 8 + 60)), "too washed out to reconstruct"),
    ],
)
def test_blank_blurred_and_resized_images_are_rejected(change, reason, render, tmp_path):
    with pytest.raises(ImageRejected, match=reason) as caught:
        inspect_image(decode(variant(render, tmp_path, change)), [], QUALITY)
    assert caught.value.status == "rejected"


def test_a_near_copy_of_a_recent_image_is_rejected(render, tmp_path):
    recent = inspect_image(decode(render), [], QUALITY)
    brighter = variant(render, tmp_path, lambda im: ImageEnhance.Brightness(im).enhance(1.1))
    with pytest.raises(ImageRejected, match="near copy"):
        inspect_image(decode(brighter), [recent], QUALITY)


@pytest.mark.parametrize("archetype", CONFIG.names)
def test_every_archetypes_darkest_look_stays_above_the_exposure_floor(archetype):
    """Night (or, where an archetype has none, evening) in a closed, large, dark-finished room: the
    darkest the renderer makes it, moody, but with enough seen to reconstruct."""
    lighting = CONFIG.archetypes[archetype].variations["lighting"]
    darkest = "night_light" if "night_light" in lighting else "evening_light"
    for seed in (1, 2, 3):
        tags = (darkest, "closed_state", "large_space", "moderate_clutter", "industrial_style")
        measures = measure(render_scene(archetype, tags, seed, (688, 384)).image)
        assert measures.dark_share <= QUALITY.max_dark_share, (seed, measures.dark_share)
        assert measures.clipped_share <= QUALITY.max_clipped_share, (seed, measures.clipped_share)
