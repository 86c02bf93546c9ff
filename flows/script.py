"""A flow run from a shell: input checked before any run starts, one line for the outcome, and the exit
status: 0 when the run Completed, 1 otherwise, 2 for bad input (refused before anything is written)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prefect.states import State

from scenegen.errors import InputError
from scenegen.settings import Settings
from scenegen.storage import local_path
from tasks.resources import Run, prepare_run

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
# Prefect waits 20 s for its temporary server by default; a busy two-core machine can need more.
TEMPORARY_API_STARTUP_SECONDS = 120


@contextmanager
def prefect_api_for_this_run() -> Iterator[None]:
    """Without PREFECT_API_URL the flow starts a temporary local API: say so, and give it time to start
    (unless the user set PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)."""
    from prefect.settings import (
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        get_current_settings,
        temporary_settings,
    )

    current = get_current_settings()
    if current.api.url:
        yield
        return
    print(
        "scenegen: starting Prefect's temporary local API for this run (10-20 s); for a lasting one with "
        "its UI, run `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api",
        file=sys.stderr,
    )
    if "startup_timeout_seconds" in current.server.ephemeral.model_fields_set:
        yield
        return
    with temporary_settings(
        updates={PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: TEMPORARY_API_STARTUP_SECONDS}
    ):
        yield


def refuse(error: InputError) -> int:
    print(f"scenegen: error: {error}", file=sys.stderr)
    return EXIT_BAD_INPUT


def report_state(state: State, run: Run) -> int:
    """Where the scenes went (a local folder), how the run ended, and the exit status that says so."""
    folder = local_path(run.resources.storage.root_uri)
    if folder and not run.settings.dry_run and not run.settings.batch:  # a batch run stores nothing yet
        print(f"Scenes: {folder / 'scenes'}")
    print(f"{state.name}: {state.message}")
    return EXIT_OK if state.is_completed() else EXIT_FAILED


def run_as_script(flow: Callable[..., State], parameters: Callable[[Settings], dict[str, Any]]) -> int:
    """`python flows/<flow>.py`: the flow with its parameters from the environment."""
    try:
        run = prepare_run()
    except InputError as error:
        return refuse(error)
    with prefect_api_for_this_run():
        state = flow(**parameters(run.settings), return_state=True)
    return report_state(state, run)
