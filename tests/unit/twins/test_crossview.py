"""The cross-view check of a twin's views: a restyled photograph of another view of the room passes, one
whose things changed colour is refused, and a view that shares too little with the first is not judged."""

from __future__ import annotations

import pytest
from PIL import Image

from scenegen.catalogue import load_archetype_config
from scenegen.render.procedural import RenderOptions, render_scene
from scenegen.twins.crossview import compare_views, object_colours
from tests import restyle

SIZE = (1376, 768)
CONFIG = load_archetype_config()


@pytest.fixture(scope="module")
def two_views(tmp_path_factory):
    """A kitchen's two views: for each, its instance map and a photograph-like restyle of its render; and a
    recoloured photograph of the second view."""
    folder = tmp_path_factory.mktemp("crossview")
    for k in range(2):
        rendering = render_scene("kitchen", (), 3, SIZE, RenderOptions.of(CONFIG), views=2, view=k)
        Image.fromarray(rendering.instances).save(folder / f"instances{k}.png")
        restyle.restyled(rendering.image, 10 + k, SIZE).save(folder / f"photo{k}.png")
        if k:
            restyle.recoloured(rendering.image, 20, SIZE).save(folder / "recoloured1.png")
    return folder


def test_a_restyled_view_passes_and_a_recoloured_one_is_refused(two_views):
    first = object_colours(two_views / "photo0.png", two_views / "instances0.png")
    restyled = compare_views(
        1, first, object_colours(two_views / "photo1.png", two_views / "instances1.png"), CONFIG.views
    )
    assert restyled.passed and restyled.shared_objects >= CONFIG.views.min_shared_objects
    assert restyled.colour_difference < CONFIG.views.max_colour_difference / 2
    recoloured = compare_views(
        1, first, object_colours(two_views / "recoloured1.png", two_views / "instances1.png"), CONFIG.views
    )
    assert not recoloured.passed
    assert recoloured.colour_difference > CONFIG.views.max_colour_difference
    assert recoloured.reason.startswith("view 1: its objects' colours differ from view 0's")


def test_too_few_shared_objects_is_not_judged():
    import numpy as np

    first = {1: np.array([0.2, 0.3, 0.4]), 2: np.array([0.8, 0.1, 0.1])}
    other = {1: np.array([0.9, 0.9, 0.1]), 2: np.array([0.1, 0.9, 0.9]), 3: np.array([0.5, 0.5, 0.5])}
    verdict = compare_views(2, first, other, CONFIG.views)
    assert verdict.passed and verdict.colour_difference is None and verdict.shared_objects == 2
