"""Run settings: environment variables (the contract's table), overridden by flow parameters."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from scenegen.errors import InputError
from scenegen.models import MAX_VIEWS, ReviewMode

# The cores this process may run on: the default number of worker processes, and what CPU work beside the
# image calls is bounded by.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2


class Settings(BaseSettings):
    """One run's configuration. Field names are the environment variables, case-insensitively."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_ignore_empty=True)

    gemini_api_key: SecretStr | None = None
    bucket: str | None = None
    scenes_per_run: int = Field(10, ge=1, le=1000)
    archetypes: Annotated[tuple[str, ...], NoDecode] = ()
    dry_run: bool = False
    batch: bool = False  # images through Gemini's Batch API at half the price, collected later
    twins: bool = False  # each image a Gemini photograph of a procedural room, with that room's ground truth
    views: int = Field(1, ge=1, le=MAX_VIEWS)  # posed views of each room; view 0 is the scene's own image
    firestore_project: str | None = None
    output_dir: Path = Path("output")
    history_db: Path | None = None
    image_backend: Literal["auto", "gemini", "procedural"] = "auto"
    prompt_backend: Literal["auto", "gemini", "local"] = "auto"
    gemini_base_url: str | None = None
    gemini_image_model: str = "gemini-3-pro-image"
    gemini_text_model: str = "gemini-3.1-pro-preview"
    gemini_review_model: str | None = None  # default: the text model
    review: ReviewMode = "required"  # required: only suitable images are stored; advisory: all, with verdicts
    gemini_timeout_seconds: float = Field(300, gt=0, le=3600)
    max_concurrency: int = Field(4, ge=1, le=64)
    render_workers: int = Field(CORES, ge=1, le=64)  # processes for renders and the other CPU-heavy stages
    render_timeout_seconds: float = Field(120, gt=0, le=3600)  # one render (or check) in a worker
    # The whole run, under Cloud Run's 3600 s job timeout: past it no scene starts, those under way are
    # ended and recorded, and the run reports and ends Failed.
    run_timeout_seconds: float = Field(3300, gt=0, le=24 * 3600)
    # A run's lease on its planned scenes: renewed this often while it lives, held this long past each
    # renewal; a lease not renewed in time has lapsed, and rerun-failed takes the run's scenes.
    run_lease_seconds: float = Field(60, gt=0, le=3600)
    run_lease_renew_seconds: float = Field(15, gt=0, le=3600)
    max_cost_usd: float | None = Field(None, ge=0)
    lookback_days: int = Field(30, ge=1, le=3650)
    archetype_config: Path | None = None

    @field_validator("archetypes", mode="before")
    @classmethod
    def _split_archetypes(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            names = tuple(str(v).strip().lower() for v in value if str(v).strip())
            return () if names == ("all",) else names
        return value

    @field_validator("review", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _renewed_within_the_lease(self) -> Settings:
        if self.run_lease_renew_seconds >= self.run_lease_seconds:
            raise ValueError(
                f"RUN_LEASE_RENEW_SECONDS ({self.run_lease_renew_seconds:g}) must be less than "
                f"RUN_LEASE_SECONDS ({self.run_lease_seconds:g}): a lease would lapse between renewals"
            )
        return self

    @property
    def review_model(self) -> str:
        return self.gemini_review_model or self.gemini_text_model

    @property
    def history_path(self) -> Path:
        return self.history_db or self.output_dir / "history.sqlite3"

    @property
    def staging_dir(self) -> Path:
        """Rendered images wait here until they are stored; kept so a failed upload never re-renders."""
        return self.output_dir / ".staging"

    @property
    def cache_dir(self) -> Path:
        """Prefect's cache records for render and upload, kept beside what they describe."""
        return self.output_dir / ".cache"


# What the user typed for each field, so an error names the thing they can change.
_SOURCES = {
    "scenes_per_run": "SCENES_PER_RUN / --scenes",
    "archetypes": "ARCHETYPES / --archetypes",
    "dry_run": "DRY_RUN / --dry-run",
    "batch": "BATCH / --batch",
    "twins": "TWINS / --twins",
    "views": "VIEWS / --views",
    "lookback_days": "LOOKBACK_DAYS",
    "review": "REVIEW",
}


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with every non-None override on top; bad values raise InputError."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a rule between settings: its message names them
            raise InputError(first["msg"].removeprefix("Value error, ")) from None
        field = str(first["loc"][0])
        source = _SOURCES.get(field, field.upper())
        value = first.get("input")
        shown = "" if isinstance(value, dict) or field == "gemini_api_key" else f" (got {value!r})"
        raise InputError(f"{source}: {first['msg']}{shown}") from None
