"""A run's bound in time (RUN_TIMEOUT_SECONDS), and the time a call inside the run may still take.

The run's scenes carry their run's deadline in a context variable, so that a call deep in a backend (a
Gemini request, a wait for a worker) can cut its own timeout to what is left without every signature
taking it; outside a run nothing is cut.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TypeVar

from scenegen.errors import SceneFailed
from scenegen.models import utcnow

T = TypeVar("T")
# After its deadline a run gives the scenes under way this long to end and record themselves, then records
# what is left itself.
RUN_GRACE_SECONDS = 10.0


class RunTimedOut(SceneFailed):
    """The scene was under way when its run reached RUN_TIMEOUT_SECONDS."""


class Deadline:
    """`seconds` from now, by the monotonic clock (and, for other processes, as a UTC time)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at: datetime = utcnow() + timedelta(seconds=seconds)
        self._end = time.monotonic() + seconds

    @classmethod
    def until(cls, at: datetime, seconds: float) -> Deadline:
        """`seconds` from now, or `at` if that comes sooner (a shard within its parent run's bound)."""
        return cls(min(seconds, max(0.0, (at - utcnow()).total_seconds())))

    def left(self) -> float:
        return max(0.0, self._end - time.monotonic())

    @property
    def passed(self) -> bool:
        return self.left() <= 0

    @property
    def reason(self) -> str:
        return f"run timed out after {self.seconds:.0f} s (RUN_TIMEOUT_SECONDS)"

    def check(self) -> None:
        """RunTimedOut once the deadline has passed: a scene starts no new stage after it."""
        if self.passed:
            raise RunTimedOut(self.reason)


RUN_DEADLINE: ContextVar[Deadline | None] = ContextVar("scenegen_run_deadline", default=None)


def time_left(seconds: float) -> float:
    """`seconds`, or less when the current run's deadline comes sooner (never below zero)."""
    deadline = RUN_DEADLINE.get()
    return seconds if deadline is None else min(seconds, deadline.left())


def within(deadline: Deadline, function: Callable[..., T], *args: object) -> T:
    """`function(*args)` with `deadline` as the run's deadline in this context (a scene thread's)."""
    token = RUN_DEADLINE.set(deadline)
    try:
        return function(*args)
    finally:
        RUN_DEADLINE.reset(token)
