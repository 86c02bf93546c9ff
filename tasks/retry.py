"""The retry policy every task shares: transient errors only, exponential backoff with jitter."""

from __future__ import annotations

from typing import Any

from prefect.tasks import exponential_backoff

from scenegen.errors import is_transient


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry_condition_fn: retry only what a retry could fix."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


RETRIES: dict[str, Any] = dict(
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=retry_transient,
)
