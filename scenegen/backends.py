"""The one place that picks each backend from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from scenegen.config import ArchetypeConfig
from scenegen.costs import load_price_table
from scenegen.diversify import LocalPromptDiversifier, PromptDiversifier
from scenegen.errors import InputError
from scenegen.gemini import GeminiImageGenerator
from scenegen.gemini_prompts import GeminiPromptDiversifier
from scenegen.history import HistoryStore, SqliteHistoryStore
from scenegen.imaging import ImageGenerator
from scenegen.render import ProceduralRenderer
from scenegen.settings import Settings
from scenegen.storage import LocalSceneStorage, SceneStorage

if TYPE_CHECKING:
    from prefect.filesystems import WritableFileSystem

SECRET_BLOCK = "gemini-api-key"  # a Prefect Secret block that may hold the key instead of GEMINI_API_KEY


def image_backend_name(settings: Settings) -> str:
    if settings.image_backend == "auto":
        return "gemini" if settings.gemini_api_key else "procedural"
    return settings.image_backend


def prompt_backend_name(settings: Settings) -> str:
    if settings.prompt_backend == "auto":
        return "gemini" if settings.gemini_api_key else "local"
    return settings.prompt_backend


def image_generator(settings: Settings) -> ImageGenerator:
    if image_backend_name(settings) == "gemini":
        return GeminiImageGenerator(settings, load_price_table())
    return ProceduralRenderer()


def prompt_diversifier(settings: Settings, config: ArchetypeConfig) -> PromptDiversifier:
    image_model = image_generator(settings).model
    if prompt_backend_name(settings) == "gemini":
        return GeminiPromptDiversifier(settings, config, load_price_table(), image_model)
    return LocalPromptDiversifier(config, image_model=image_model)


def with_gemini_key(settings: Settings) -> Settings:
    """The settings, with the key from the Prefect Secret block when a Gemini backend needs one."""
    needed = "gemini" in (image_backend_name(settings), prompt_backend_name(settings))
    if not needed or settings.gemini_api_key:
        return settings
    from prefect.blocks.system import Secret  # only here: asking Prefect needs its API

    try:
        key = Secret.load(SECRET_BLOCK, _sync=True).get()
    except ValueError:
        raise InputError(
            f"a Gemini backend is selected but GEMINI_API_KEY is unset and there is no Prefect Secret "
            f"block named {SECRET_BLOCK}"
        ) from None
    return settings.model_copy(update={"gemini_api_key": SecretStr(str(key))})


def history_store(settings: Settings) -> HistoryStore:
    if settings.firestore_project:
        from scenegen.firestore_history import FirestoreHistory  # the Google clients load only when used

        return FirestoreHistory(settings.firestore_project)
    return SqliteHistoryStore(settings.history_path)


def scene_storage(settings: Settings) -> SceneStorage:
    if settings.bucket:
        from scenegen.gcs_storage import GcsSceneStorage

        return GcsSceneStorage(settings.bucket)
    return LocalSceneStorage(settings.output_dir)


def result_storage(settings: Settings) -> Path | WritableFileSystem:
    """Where Prefect keeps the render and upload cache: beside the scenes, in the bucket or the folder."""
    if settings.bucket:
        from scenegen.gcs_storage import cache_bucket

        return cache_bucket(settings.bucket)
    return settings.cache_dir


def check_backends(settings: Settings, config: ArchetypeConfig) -> None:
    """Build every backend once, so a setting that cannot work fails before any work starts."""
    image_generator(settings)
    prompt_diversifier(settings, config)
    history_store(settings)
    scene_storage(settings)
    if settings.bucket:
        from scenegen.gcs_storage import BLOCK_PREFIX, resolve_bucket

        if settings.bucket.startswith(BLOCK_PREFIX):
            try:
                resolve_bucket(settings.bucket)
            except ValueError:
                raise InputError(f"BUCKET: there is no saved GcsBucket block {settings.bucket!r}") from None


def resolve_settings(**overrides: object) -> Settings:
    """Settings for one run, with the archetype names and the backends checked: bad input fails here."""
    from scenegen.config import load_archetype_config
    from scenegen.settings import load_settings

    settings = with_gemini_key(load_settings(**overrides))
    config = load_archetype_config(settings.archetype_config)
    config.check_names(settings.archetypes)
    check_backends(settings, config)
    return settings
