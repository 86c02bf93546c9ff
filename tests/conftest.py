"""Shared fixtures: one real Prefect API per session, and a clean scenegen environment per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before Prefect is imported anywhere: its home, results and telemetry stay inside this session.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="scenegen-tests-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ["PREFECT_RESULTS_LOCAL_STORAGE_PATH"] = str(_PREFECT_HOME / "results")
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_API_KEY", None)

from scenegen.settings import Settings  # noqa: E402


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A real Prefect server on 127.0.0.1 for the whole session (it takes ~20 s to start)."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No scenegen variable leaks in from the developer's shell; OUTPUT_DIR is a fresh folder."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    output = tmp_path / "output"
    monkeypatch.setenv("OUTPUT_DIR", str(output))
    return output
