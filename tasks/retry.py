"""The retry policy every task shares: transient errors only, exponential backoff with jitter, and never
sooner than the server asked (a 429's retryDelay, a Retry-After header)."""

from __future__ import annotations

import time
from typing import Any

from prefect import get_run_logger
from prefect.tasks import exponential_backoff

from scenegen.engine.deadline import time_left
from scenegen.errors import TransientError, is_transient

LONGEST_SERVER_WAIT = 600.0  # seconds; a server asking for longer is better served by rerun-failed later


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry_condition_fn: retry only what a retry could fix.

    Prefect's retry delay is fixed per task, so the server's own wait is served here, before the
    backoff starts: the next attempt comes no sooner than the server said.
    """
    try:
        state.result()
    except Exception as exc:
        if not is_transient(exc):
            return False
        wait = exc.retry_after if isinstance(exc, TransientError) else None
        if wait and wait > LONGEST_SERVER_WAIT:
            get_run_logger().warning("the server asked to wait %.0f s: not retrying in this run", wait)
            return False
        if time_left(LONGEST_SERVER_WAIT) <= (wait or 0.0):
            get_run_logger().warning("the run reaches its bound first: not retrying in this run")
            return False
        if wait:
            get_run_logger().warning("the server asked to wait %.1f s before trying again", wait)
            time.sleep(wait)
        return True
    return False


RETRIES: dict[str, Any] = dict(
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=retry_transient,
)
