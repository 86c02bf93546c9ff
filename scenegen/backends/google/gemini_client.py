"""Gemini through google-genai: one client per run, and how every error becomes one of scenegen's outcomes
(a transient error, retried; a fatal one, which stops the run; or a failed scene)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
from google import genai
from google.genai import errors, types

from scenegen.engine.deadline import RunTimedOut, time_left
from scenegen.errors import FatalError, InputError, SceneFailed, TransientError
from scenegen.settings import Settings

# v1beta serves both the stable image model and preview text models, with imageConfig and responseSchema.
API_VERSION = "v1beta"
# Codes that say nothing about this one request: the next call would fail the same way.
FATAL_CODES = {400, 401, 403, 404}
TRANSIENT_CODES = {408, 429}


def api_key(settings: Settings) -> str:
    if settings.gemini_api_key is None:
        raise InputError("the Gemini backends need GEMINI_API_KEY (or a Prefect Secret block gemini-api-key)")
    return settings.gemini_api_key.get_secret_value()


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "[redacted]") if secret else text


def retry_delay(exc: errors.APIError) -> float | None:
    """The wait the server asked for: google.rpc.RetryInfo's retryDelay, or a Retry-After header."""
    details = exc.details.get("error", exc.details) if isinstance(exc.details, dict) else {}
    for detail in details.get("details", []) if isinstance(details, dict) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = re.fullmatch(r"\s*([\d.]+)s\s*", str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return float(headers.get("retry-after", ""))
    except ValueError:
        return None


def classify(exc: Exception, what: str, secret: str | None) -> Exception:
    """The scenegen error for a google-genai or transport error; its message never holds the key."""
    if isinstance(exc, errors.APIError):
        message = f"{what}: {exc.code} {exc.status or ''}: {exc.message or ''}".replace(" :", ":")
        message = redact(" ".join(message.split()), secret)
        if exc.code in TRANSIENT_CODES or exc.code >= 500:
            return TransientError(message, retry_after=retry_delay(exc))
        if exc.code in FATAL_CODES:
            return FatalError(message)
        return SceneFailed(message)
    if isinstance(exc, httpx2.TimeoutException):
        return TransientError(f"{what}: no answer within the timeout ({type(exc).__name__})")
    return TransientError(redact(f"{what}: {type(exc).__name__}: {exc}", secret))


def enum_name(value: Any) -> str:
    """An answer's enum (a finish or block reason) by its name."""
    return str(getattr(value, "value", value))


def bounded(config: types.GenerateContentConfig, seconds: float) -> types.GenerateContentConfig:
    """`config` with its own deadline: `seconds` (GEMINI_TIMEOUT_SECONDS), or what is left of the run's
    bound when that comes sooner; RunTimedOut when nothing is."""
    left = time_left(seconds)
    if left <= 0:
        raise RunTimedOut("run timed out before the Gemini call (RUN_TIMEOUT_SECONDS)")
    return config.model_copy(update={"http_options": types.HttpOptions(timeout=max(1, int(left * 1000)))})


def gemini_client(settings: Settings) -> genai.Client:
    """The run's one client, shared by its threads. The SDK's own retries stay off: the tasks retry, and
    wait as long as the server asks."""
    options = types.HttpOptions(
        api_version=API_VERSION,
        base_url=settings.gemini_base_url,
        timeout=int(settings.gemini_timeout_seconds * 1000),
    )
    return genai.Client(api_key=api_key(settings), http_options=options)


@contextmanager
def gemini_errors(what: str, key: str) -> Iterator[None]:
    """Whatever a call raises leaves as TransientError, FatalError or SceneFailed, without the key."""
    try:
        yield
    except (errors.APIError, httpx2.TransportError, OSError) as exc:
        # `from None`: the original's traceback and repr may carry request headers, so it stays behind.
        raise classify(exc, what, key) from None
