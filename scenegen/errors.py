"""Error types the flow acts on: bad input stops before any work, transient errors are retried."""

from __future__ import annotations

import sqlite3


class ScenegenError(Exception):
    """Base class of the errors scenegen raises on purpose."""


class InputError(ScenegenError):
    """Bad input from the user (flag, environment variable, config file): refused before any work."""


class TransientError(ScenegenError):
    """A failure that may succeed when tried again (quota, overload, timeout, a busy database)."""


class SceneFailed(ScenegenError):
    """A scene that cannot be produced as specified; retrying the same spec will not help."""


def is_transient(exc: BaseException) -> bool:
    """Whether a retry of the same work could succeed."""
    if isinstance(exc, TransientError | TimeoutError | ConnectionError):
        return True
    # SQLite says "database is locked" / "busy" when another writer holds the file.
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in ("locked", "busy")
    )


def describe(exc: BaseException) -> str:
    """One line naming the error type and its message, for history records and summaries."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
