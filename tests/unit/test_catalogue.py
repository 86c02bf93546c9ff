import json
from pathlib import Path

import pytest

from scenegen.catalogue import REQUIRED_DIMENSIONS, default_config_path, load_archetype_config
from scenegen.errors import InputError

EXPECTED_WEIGHTS = {
    "kitchen": 18,
    "warehouse": 17,
    "grocery": 15,
    "lab": 12,
    "office": 12,
    "home_laundry": 10,
    "loading_dock": 8,
    "utility_room": 8,
}


def test_shipped_catalogue_has_the_eight_archetypes_with_their_weights():
    config = load_archetype_config()
    assert {name: a.base_weight for name, a in config.archetypes.items()} == EXPECTED_WEIGHTS
    for archetype in config.archetypes.values():
        assert set(REQUIRED_DIMENSIONS) <= set(archetype.variations)
        assert len(archetype.fixtures) >= 3 and len(archetype.materials) >= 2
        assert all(len(tags) >= 2 for tags in archetype.variations.values())
    assert "morning_light" in config.archetypes["kitchen"].tags
    assert "compact_space" in config.archetypes["home_laundry"].tags


def test_base_weights_are_normalised_over_the_chosen_subset():
    shares = load_archetype_config().base_weights(["kitchen", "lab"])
    assert shares == pytest.approx({"kitchen": 18 / 30, "lab": 12 / 30})


def _write(tmp_path: Path, mutate) -> Path:
    raw = json.loads(default_config_path().read_text())
    mutate(raw)
    path = tmp_path / "archetypes.json"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda raw: raw["archetypes"]["kitchen"].pop("base_weight"), "archetypes.kitchen.base_weight"),
        (lambda raw: raw["archetypes"]["lab"].update(base_weight=-3), "archetypes.lab.base_weight"),
        (
            lambda raw: raw["archetypes"]["office"]["variations"]["lighting"].update({"Bad Tag": "x"}),
            "archetypes.office.variations.lighting",
        ),
        (lambda raw: raw["archetypes"]["grocery"]["variations"].pop("clutter"), "archetypes.grocery"),
        (lambda raw: raw["archetypes"]["warehouse"].update(colour="red"), "archetypes.warehouse.colour"),
    ],
)
def test_a_malformed_catalogue_fails_with_one_message_naming_file_and_field(tmp_path, mutate, field):
    path = _write(tmp_path, mutate)
    with pytest.raises(InputError) as caught:
        load_archetype_config(path)
    message = str(caught.value)
    assert str(path) in message and field in message
    assert "\n" not in message


def test_unreadable_json_and_missing_file_are_input_errors(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"archetypes": {')
    with pytest.raises(InputError, match="not valid JSON"):
        load_archetype_config(broken)
    with pytest.raises(InputError, match="file not found"):
        load_archetype_config(tmp_path / "absent.json")


def test_unknown_archetype_names_are_refused_with_the_known_ones():
    with pytest.raises(InputError, match=r"spaceship.*known: kitchen"):
        load_archetype_config().check_names(["kitchen", "spaceship"])
