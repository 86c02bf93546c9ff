"""Error types the flow acts on: bad input stops before any work, transient errors are retried, a fatal
error stops the run, and a failed scene is recorded with its status and reason."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


class ScenegenError(Exception):
    """Base class of the errors scenegen raises on purpose."""


class InputError(ScenegenError):
    """Bad input from the user (flag, environment variable, config file): refused before any work."""


class TransientError(ScenegenError):
    """A failure that may succeed when tried again (quota, overload, timeout, a busy database)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the server asked us to wait, when it said

    def __reduce__(self) -> tuple:  # keep retry_after when Prefect copies or pickles the error
        return (type(self), (str(self), self.retry_after))


class FatalError(ScenegenError):
    """Every later call would fail the same way (a refused key, an unknown model): stop the run."""


class SceneFailed(ScenegenError):
    """A scene that cannot be produced as specified; retrying the same spec will not help."""

    status = "failed"

    def __init__(self, message: str, cost_usd: float = 0.0) -> None:
        super().__init__(message)
        self.cost_usd = cost_usd  # what the attempt was billed, answers without an image included

    def __reduce__(self) -> tuple:
        return (type(self), (str(self), self.cost_usd))


class SceneBlocked(SceneFailed):
    """The model refused the prompt or the image it made (a safety block)."""

    status = "blocked"


class NoImage(SceneFailed):
    """The model answered without a final image (text only, empty, or a non-safety finish reason)."""

    status = "no_image"


class SceneSkipped(SceneFailed):
    """Never started: the run stopped after a fatal error, or reached its MAX_COST_USD budget."""

    status = "skipped"


class ImageRejected(SceneFailed):
    """The image fails a quality check (size, sharpness, flatness, a near copy of a recent image), or the
    review judged it unsuitable."""

    status = "rejected"


class Unreviewed(SceneFailed):
    """REVIEW=required, and the review gave no usable verdict: the image is not stored."""

    status = "unreviewed"


def is_transient(exc: BaseException) -> bool:
    """Whether a retry of the same work could succeed."""
    if isinstance(exc, TransientError | TimeoutError | ConnectionError):
        return True
    # SQLite says "database is locked" / "busy" when another writer holds the file.
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in ("locked", "busy")
    )


@contextmanager
def transient_errors(service: str, kinds: tuple[type[BaseException], ...]) -> Iterator[None]:
    """Raise a cloud client's retryable errors (`kinds`) as TransientError, named after `service`."""
    try:
        yield
    except kinds as exc:
        raise TransientError(f"{service}: {exc}") from None


def describe(exc: BaseException) -> str:
    """One line naming the error type and its message, for history records and summaries."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
