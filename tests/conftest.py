"""Shared fixtures: one real Prefect API per session, and a clean scenegen environment per test."""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
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

from scenegen.engine.usd import first_use  # noqa: E402
from scenegen.settings import Settings  # noqa: E402
from tests import emulators  # noqa: E402

first_use()  # usd-core's start-up, in this process, before any test or server starts a thread


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


TEST_KEY = "AIzaTestKey-must-never-appear-9f3c"  # distinctive, so a leak anywhere is easy to find


class FakeGemini:
    """Handle on the fake Gemini server: set each model's script, read the requests it received."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, path: str, payload: dict | None = None) -> object:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method="POST" if data else "GET")
        # finishing a batch job of twins makes their photographs (a few seconds each) before it answers
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def script(self, **steps: list[str]) -> None:
        """Steps per model id (dashes and dots as in the id: pass a dict via `script(**{...})`)."""
        self._call("/_fake/script", {"steps": steps})

    def finish_batches(self, state: str = "SUCCEEDED", name: str | None = None) -> None:
        """Move every batch job (or the named one) to `state`; SUCCEEDED answers its requests."""
        self._call("/_fake/batches", {"state": state, **({"name": name} if name else {})})

    def requests(self, model: str | None = None) -> list[dict]:
        every = self._call("/_fake/requests")
        return [r for r in every if model is None or r["model"] == model]  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def fake_gemini_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGemini]:
    """tests/fake_gemini.py in its own process on 127.0.0.1, stopped by its PID when the session ends."""
    process, url = emulators.start_fake_gemini(tmp_path_factory.mktemp("fake-gemini") / "stderr.log")
    try:
        yield FakeGemini(url)
    finally:
        emulators.stop(process)


@pytest.fixture
def gemini(fake_gemini_server: FakeGemini, monkeypatch: pytest.MonkeyPatch) -> FakeGemini:
    """The Gemini backends pointed at the fake server, with an empty script and request log."""
    fake_gemini_server.script()
    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)
    monkeypatch.setenv("GEMINI_BASE_URL", fake_gemini_server.url)
    return fake_gemini_server


@pytest.fixture(scope="session")
def firestore_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with emulators.firestore_emulator(tmp_path_factory.mktemp("firestore")) as host:
        yield host


@pytest.fixture(scope="session")
def gcs_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with emulators.gcs_emulator(tmp_path_factory.mktemp("gcs")) as host:
        yield host


@dataclass
class Cloud:
    project: str
    bucket: str

    def firestore(self):
        from google.cloud import firestore

        return firestore.Client(project=self.project)

    def objects(self) -> dict[str, object]:
        from google.cloud import storage

        return {blob.name: blob for blob in storage.Client().list_blobs(self.bucket)}


@pytest.fixture
def cloud(firestore_host: str, gcs_host: str, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    """FIRESTORE_PROJECT and BUCKET on the emulators: a project and a bucket of this test's own."""
    from google.cloud import storage

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_host)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_host)
    name = f"scenegen-{uuid.uuid4().hex[:12]}"
    storage.Client().create_bucket(name)
    monkeypatch.setenv("FIRESTORE_PROJECT", name)
    monkeypatch.setenv("BUCKET", name)
    return Cloud(project=name, bucket=name)
