from collections import Counter
from datetime import UTC, datetime

from scenegen.catalogue import load_archetype_config
from scenegen.models import SCENE_ID_PATTERN
from scenegen.planning.prompts import LocalPromptWriter
from tests.helpers import record

CONFIG = load_archetype_config()
NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)


def prompt_writer() -> LocalPromptWriter:
    return LocalPromptWriter(CONFIG, image_model="procedural-v2")


def test_each_dimension_gets_its_least_covered_tag():
    kitchen = CONFIG.archetypes["kitchen"]
    lighting = list(kitchen.variations["lighting"])
    style = list(kitchen.variations["style"])
    # every lighting tag but the last and every style but the first are well covered
    history = [record("kitchen", [tag, "busy_state"]) for tag in lighting[:-1] for _ in range(3)]
    history += [record("kitchen", [tag]) for tag in style[1:] for _ in range(2)]
    [spec] = prompt_writer().write(["kitchen"], history, seed=3, now=NOW).specs
    assert lighting[-1] in spec.variation_tags
    assert style[0] in spec.variation_tags
    assert "busy_state" not in spec.variation_tags


def test_slots_of_one_batch_spread_over_the_tags():
    slots = ["office"] * 4
    specs = prompt_writer().write(slots, [], seed=1, now=NOW).specs
    lighting = Counter(tag for s in specs for tag in s.variation_tags if tag.endswith("_light"))
    assert len(lighting) == 4  # four office lighting tags, each used once


def test_a_prompt_already_in_the_history_is_never_emitted_again():
    [first] = prompt_writer().write(["lab"], [], seed=9, now=NOW).specs
    # the same seed and coverage would give the same prompt: a failed record holding its hash forbids it
    taken = record("lab", list(first.variation_tags), success=False, prompt=first.prompt)
    [second] = prompt_writer().write(["lab"], [taken], seed=9, now=NOW).specs
    assert second.prompt_hash != first.prompt_hash


def test_many_specs_have_unique_hashes_and_valid_ids_and_describe_the_camera():
    slots = [name for name in CONFIG.names for _ in range(25)]
    specs = prompt_writer().write(slots, [], seed=5, now=NOW).specs
    assert len({s.prompt_hash for s in specs}) == len(specs)
    assert len({s.scene_id for s in specs}) == len(specs)
    assert all(SCENE_ID_PATTERN.fullmatch(s.scene_id) for s in specs)
    assert [s.archetype for s in specs] == slots
    for phrase in ("corner", "1.5 to 2 metres", "rectilinear", "16:9", "no blind spots", "Photorealistic"):
        assert phrase in specs[0].prompt


def test_same_seed_same_specs():
    one = prompt_writer().write(["grocery", "warehouse"], [], seed=11, now=NOW).specs
    two = prompt_writer().write(["grocery", "warehouse"], [], seed=11, now=NOW).specs
    assert one == two


def test_a_near_copy_of_a_recent_prompt_is_rewritten_before_anything_is_made():
    from scenegen.quality.diversity import max_similarity

    [first] = prompt_writer().write(["lab"], [], seed=9, now=NOW).specs
    # the same scene in other words would pass the hash check; the similarity check catches it
    near_copy = record("lab", [], prompt=first.prompt.replace("Lighting:", "Light:"))  # tagless: same plan
    batch = prompt_writer().write(["lab"], [near_copy], seed=9, now=NOW)
    [second] = batch.specs
    assert max_similarity(first.prompt, [near_copy.prompt]) >= CONFIG.near_duplicate_threshold
    assert max_similarity(second.prompt, [near_copy.prompt]) < CONFIG.near_duplicate_threshold
    assert batch.near_duplicates_rewritten == 1 and "near-duplicate" in batch.notes[0]
