"""A flow run from a shell: input checked before any run starts, one line for the outcome, and the exit
status: 0 when the run Completed, 1 otherwise, 2 for bad input (refused before anything is written)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from prefect.states import State

from scenegen.errors import InputError
from scenegen.storage import local_path
from tasks.resources import Run, prepare_run

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def refuse(error: InputError) -> int:
    print(f"scenegen: error: {error}", file=sys.stderr)
    return EXIT_BAD_INPUT


def report_state(state: State, run: Run) -> int:
    """Where the scenes went (a local folder), how the run ended, and the exit status that says so."""
    folder = local_path(run.resources.storage.root_uri)
    if folder and not run.settings.dry_run:
        print(f"Scenes: {folder / 'scenes'}")
    print(f"{state.name}: {state.message}")
    return EXIT_OK if state.is_completed() else EXIT_FAILED


def run_as_script(flow: Callable[..., State]) -> int:
    """`python flows/<flow>.py`: the flow with every parameter from the environment."""
    try:
        run = prepare_run()
    except InputError as error:
        return refuse(error)
    return report_state(flow(return_state=True), run)
