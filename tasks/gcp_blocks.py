"""Prefect's side of GCS: credentials that work offline on an emulator, BUCKET naming a saved GcsBucket
block, and Prefect's own cache in the bucket."""

from __future__ import annotations

import os
import re
from typing import Any

from google.cloud import storage
from prefect_gcp.cloud_storage import GcsBucket
from prefect_gcp.credentials import GcpCredentials

from scenegen.errors import InputError

CACHE_FOLDER = "prefect-cache"


def _emulated() -> bool:
    return bool(os.environ.get("STORAGE_EMULATOR_HOST"))


class ScenegenGcpCredentials(GcpCredentials):
    """Application Default Credentials; none at all when STORAGE_EMULATOR_HOST points at an emulator
    (prefect-gcp's own block would ask google.auth for credentials, which fails offline)."""

    _block_type_name = "Scenegen GCP Credentials"

    def block_initialization(self) -> None:
        if not _emulated():
            super().block_initialization()

    def get_credentials_from_service_account(self) -> Any:
        if _emulated() and not (self.service_account_info or self.service_account_file):
            return None  # the storage client then goes anonymous, as emulators expect
        return super().get_credentials_from_service_account()


BLOCK_PREFIX = "gcs-bucket/"  # BUCKET=gcs-bucket/<name> names a saved prefect-gcp GcsBucket block


def resolve_bucket(setting: str) -> tuple[str, GcpCredentials]:
    """The bucket and credentials that BUCKET names: a bucket (with ADC), or a saved GcsBucket block."""
    if not setting.startswith(BLOCK_PREFIX):
        return setting, ScenegenGcpCredentials()
    try:
        block = GcsBucket.load(setting.removeprefix(BLOCK_PREFIX), _sync=True)
    except ValueError:
        raise InputError(f"BUCKET: there is no saved GcsBucket block {setting!r}") from None
    return block.bucket, block.gcp_credentials


def bucket_and_cache(setting: str) -> tuple[storage.Bucket | str, GcsBucket]:
    """What BUCKET names, resolved once: the bucket the scene storage writes to (a saved block's bucket
    with its credentials, or just the name, for Application Default Credentials), and Prefect's cache in
    it, so that a new Cloud Run job still finds the cache.

    Prefect takes result storage only as a saved block: it is saved (again) as scenegen-cache-<bucket>.
    """
    name, credentials = resolve_bucket(setting)
    scenes = credentials.get_cloud_storage_client().bucket(name) if setting.startswith(BLOCK_PREFIX) else name
    cache = GcsBucket(bucket=name, bucket_folder=CACHE_FOLDER, gcp_credentials=credentials)
    cache.save(f"scenegen-cache-{re.sub(r'[^a-z0-9-]+', '-', name.lower())}", overwrite=True)
    return scenes, cache
