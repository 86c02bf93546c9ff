"""A run's resources on Prefect's side: the Gemini key from a Secret block, BUCKET as a saved GcsBucket
block, and where Prefect keeps the render and upload cache: beside the scenes, in the bucket or the folder."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.filesystems import WritableFileSystem
from pydantic import SecretStr

from scenegen.engine.deadline import Deadline
from scenegen.errors import InputError
from scenegen.run.lease import LeaseKeeper
from scenegen.run.resources import Resources, build_resources, image_backend_name, prompt_backend_name
from scenegen.settings import Settings, load_settings

SECRET_BLOCK = "gemini-api-key"  # a Prefect Secret block that may hold the key instead of GEMINI_API_KEY
# A Prefect global concurrency limit that, once created, caps Gemini image calls across every run.
GEMINI_IMAGE_LIMIT = "gemini-image"


class Run:
    """A run's resources, Prefect's cache storage for them, and its bound in time, RUN_TIMEOUT_SECONDS from
    when it was prepared (a plain class: see Resources)."""

    def __init__(
        self, resources: Resources, cache: Path | WritableFileSystem, deadline: Deadline | None = None
    ) -> None:
        self.resources = resources
        self.settings = resources.settings
        self.cache = cache
        self.deadline = deadline or Deadline(self.settings.run_timeout_seconds)
        self.lease: LeaseKeeper | None = None  # once the run holds planned scenes (flows.scene_run)

    def within(self, at: datetime | None) -> Run:
        """This run bounded by `at` too, when that comes sooner (a shard, by its parent run's bound)."""
        if at is None:
            return self
        return Run(self.resources, self.cache, Deadline.until(at, self.settings.run_timeout_seconds))


def prepare_run(**overrides: Any) -> Run:
    """The run for these parameters on top of the environment; bad input raises InputError here. Its
    resources are shared with earlier runs of the same settings in this process; its deadline is its own."""
    resources, cache = _prepared(load_settings(**overrides))
    return Run(resources, cache)


@functools.lru_cache(maxsize=8)
def _prepared(settings: Settings) -> tuple[Resources, Path | WritableFileSystem]:
    """Built once per settings in a process: the command line's check and the flow it starts share it."""
    settings = with_gemini_key(settings)
    if settings.bucket:
        from tasks.gcp_blocks import bucket_and_cache

        bucket, cache = bucket_and_cache(settings.bucket)
        return build_resources(settings, bucket), cache
    return build_resources(settings), settings.cache_dir


def with_gemini_key(settings: Settings) -> Settings:
    """The settings, with the key from the Prefect Secret block when a Gemini backend needs one."""
    needed = "gemini" in (image_backend_name(settings), prompt_backend_name(settings))
    if not needed or settings.gemini_api_key:
        return settings
    from prefect.blocks.system import Secret

    try:
        key = Secret.load(SECRET_BLOCK, _sync=True).get()
    except ValueError:
        raise InputError(
            f"a Gemini backend is selected but GEMINI_API_KEY is unset and there is no Prefect Secret "
            f"block named {SECRET_BLOCK}"
        ) from None
    return settings.model_copy(update={"gemini_api_key": SecretStr(str(key))})


def shared_image_limit(resources: Resources) -> str | None:
    """The gemini-image limit's name when image calls are paid and the limit exists; read once per run."""
    if resources.images.expected_cost_usd <= 0:
        return None
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(GEMINI_IMAGE_LIMIT)
        except ObjectNotFound:
            return None
    return GEMINI_IMAGE_LIMIT
