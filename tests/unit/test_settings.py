import pytest

from scenegen.errors import InputError
from scenegen.settings import load_settings


def test_defaults_match_the_contract(clean_environment):
    settings = load_settings()
    assert settings.scenes_per_run == 10 and settings.archetypes == () and settings.dry_run is False
    assert settings.max_concurrency == 4 and settings.lookback_days == 30
    assert settings.gemini_image_model == "gemini-3-pro-image"
    assert settings.gemini_text_model == "gemini-3.1-pro-preview"
    assert settings.history_path == clean_environment / "history.sqlite3"


def test_environment_is_read_and_parameters_override_it(monkeypatch):
    monkeypatch.setenv("SCENES_PER_RUN", "7")
    monkeypatch.setenv("ARCHETYPES", "kitchen, Lab ,")
    monkeypatch.setenv("DRY_RUN", "yes")
    settings = load_settings()
    assert (settings.scenes_per_run, settings.archetypes, settings.dry_run) == (7, ("kitchen", "lab"), True)
    overridden = load_settings(scenes_per_run=3, archetypes=["office"], dry_run=False)
    assert (overridden.scenes_per_run, overridden.archetypes, overridden.dry_run) == (3, ("office",), False)


def test_all_means_every_archetype(monkeypatch):
    monkeypatch.setenv("ARCHETYPES", "all")
    assert load_settings().archetypes == ()


@pytest.mark.parametrize("count", ["0", "1001", "abc", "2.5", "-4"])
def test_scene_count_must_be_an_integer_from_1_to_1000(count):
    with pytest.raises(InputError, match="SCENES_PER_RUN / --scenes"):
        load_settings(scenes_per_run=count)


def test_an_unparseable_boolean_in_the_environment_is_an_input_error(monkeypatch):
    monkeypatch.setenv("DRY_RUN", "maybe")
    with pytest.raises(InputError, match=r"DRY_RUN.*'maybe'"):
        load_settings()


def test_the_api_key_is_never_echoed_in_errors_or_repr(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "sk-very-secret")
    settings = load_settings()
    assert "sk-very-secret" not in repr(settings) and "sk-very-secret" not in str(settings.model_dump())
