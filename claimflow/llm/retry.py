"""The one retry policy for calls to a model server (tenacity).

Retried, with exponential backoff and a cap: 429 rate limits (waiting what Retry-After says, capped),
408/409, 5xx, timeouts and dropped connections. Never retried:
- an exhausted quota or a refused key or an unknown model (401/402/403/404, 429 `insufficient_quota`):
  nothing later in the run can succeed, so the run stops calling (EngineStopped);
- any other 4xx (the request itself is wrong): the item fails and is recorded;
- a server refusing JSON-schema output (`rejects_json_schema`): the client falls back once to json_object.
Nothing else in claimflow retries a model call."""
from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import TypeVar

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

T = TypeVar("T")


class EngineStopped(RuntimeError):
    """The server will not answer any more requests in this run (quota, key, model)."""


def _status(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def _code(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("code") or error.get("type") or "")
    return str(getattr(exc, "code", "") or "")


def stops_the_run(exc: BaseException) -> bool:
    status = _status(exc)
    if status == 429:
        return "quota" in _code(exc)
    return status in (401, 402, 403, 404)


def rejects_json_schema(exc: BaseException) -> bool:
    """The server refuses `response_format={"type": "json_schema"}` (llama.cpp's Python server answers
    HTTP 500 "Input should be 'text' or 'json_object'"; others 400 or 422 naming response_format):
    no retry helps, the client falls back to json_object (claimflow.llm.client)."""
    if _status(exc) not in (400, 422, 500):
        return False
    text = f"{getattr(exc, 'message', '')} {getattr(exc, 'body', '')}".lower()
    return "response_format" in text or "json_schema" in text


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    status = _status(exc)
    if status is None or stops_the_run(exc) or rejects_json_schema(exc):
        return False
    return status in (408, 409, 429) or status >= 500


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if it said."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    if headers.get("retry-after-ms"):
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: back off as usual
    return max(0.0, parsed.timestamp() - time.time())


def policy(attempts: int, max_wait: float, first_wait: float = 0.5) -> Retrying:
    backoff = wait_exponential(multiplier=first_wait, max=max_wait) + wait_random(0, first_wait)

    def wait(state: RetryCallState) -> float:
        asked = retry_after(state.outcome.exception() if state.outcome else None)
        return min(asked, max_wait) if asked is not None else backoff(state)

    return Retrying(retry=retry_if_exception(is_transient), stop=stop_after_attempt(attempts), wait=wait,
                    reraise=True)


def call_with_retries(fn: Callable[[], T], attempts: int, max_wait: float) -> tuple[T, int]:
    """Run ``fn`` under the policy; returns its result and the number of tries it took.
    Raises EngineStopped for quota/key/model errors, or the last error once tries run out (with the
    number of tries as its ``attempts`` attribute)."""
    tries = 0

    def counted() -> T:
        nonlocal tries
        tries += 1
        return fn()

    try:
        return policy(attempts, max_wait)(counted), tries
    except Exception as exc:
        if isinstance(exc, openai.APIStatusError) and stops_the_run(exc):
            stopped = EngineStopped(f"HTTP {exc.status_code} {_code(exc) or ''}".strip())
            stopped.attempts = tries  # type: ignore[attr-defined]
            raise stopped from exc
        exc.attempts = tries  # type: ignore[attr-defined]
        raise
