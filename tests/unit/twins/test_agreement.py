"""The agreement check tells a photograph that follows its reference from one that does not: the copies the
loopback Gemini server answers a twin's request with, made from the half-size JPEG the request carries."""

import numpy as np
import pytest

from scenegen.catalogue import load_archetype_config
from scenegen.render import render_scene
from scenegen.twins.agreement import measure_agreement
from tests import restyle

CONFIG = load_archetype_config().agreement
SIZE = (2752, 1536)  # the frame: the check's thresholds are set for it
SPECS = [
    ("warehouse", ("night_light", "busy_state", "large_space", "heavy_clutter", "industrial_style"), 14),
    ("office", ("midday_light", "idle_state", "medium_space", "moderate_clutter", "modern_style"), 12),
    (
        "home_laundry",
        ("evening_light", "closed_state", "compact_space", "minimal_clutter", "retro_style"),
        13,
    ),
]


@pytest.fixture(scope="module", params=SPECS, ids=[archetype for archetype, _, _ in SPECS])
def reference(request):
    archetype, tags, seed = request.param
    return render_scene(archetype, tags, seed, SIZE)


def test_a_restyled_copy_follows_its_reference(reference):
    agreement = measure_agreement(
        restyle.restyled(restyle.as_shown(reference.image), 1, SIZE),
        reference.depth_mm,
        reference.instances,
        CONFIG,
    )
    assert agreement.passed, agreement.reasons
    assert agreement.frame >= CONFIG.min_frame
    assert agreement.objects and np.median(list(agreement.objects.values())) > 0.5


def test_a_moved_camera_is_found_and_rejected(reference):
    agreement = measure_agreement(
        restyle.moved_camera(restyle.as_shown(reference.image), 3, SIZE),
        reference.depth_mm,
        reference.instances,
        CONFIG,
    )
    assert not agreement.passed
    assert any(reason.startswith("camera moved") for reason in agreement.reasons) or agreement.frame < 0.3


def test_a_picture_of_another_room_is_rejected(reference):
    other = render_scene("grocery", ("midday_light", "moderate_clutter"), 99, SIZE).image
    agreement = measure_agreement(
        restyle.unrelated(restyle.as_shown(other), 4, SIZE), reference.depth_mm, reference.instances, CONFIG
    )
    assert not agreement.passed
    assert agreement.frame < CONFIG.min_frame


def test_an_object_painted_out_gets_a_low_photo_agreement_of_its_own(reference):
    removed, box = restyle.object_to_paint_out(
        reference.instances, {i for ids in reference.surfaces.values() for i in ids}
    )
    shown = restyle.as_shown(reference.image)
    kept = measure_agreement(
        restyle.restyled(shown, 5, SIZE), reference.depth_mm, reference.instances, CONFIG
    )
    painted = measure_agreement(
        restyle.painted_out(shown, box, 5, SIZE), reference.depth_mm, reference.instances, CONFIG
    )
    assert painted.objects[removed] <= 0.3
    assert kept.objects[removed] >= painted.objects[removed] + 0.3
    others = [painted.objects[i] for i in painted.objects if i != removed]
    assert np.median(others) > 0.5  # the rest of the room still follows
