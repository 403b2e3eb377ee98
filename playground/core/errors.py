"""The project's own exceptions, so that no caller ever needs to know httpx's.

    PlaygroundError
     ├── InvalidRequest     rejected before sending (bad option, bad body, no key)
     ├── NetworkError       no answer: refused, name lookup, TLS, timeout (`timeout` says which)
     │    └── StreamCut     the connection broke after the response had started
     │         └── ResponseTooLarge   the body passed the size limit and was cut there
     ├── ApiError          the server answered with an error status
     └── StreamError        a 200 stream went wrong: an in-band error event, or no proper end
          └── TruncatedStream   it ended without [DONE] or a finish reason

Every error carries a message a person can read; errors that happened mid-stream keep what had
arrived (`partial`), so nothing that reached us is lost. An error raised after the request was
sent carries its figures (`metrics`: how many attempts it took, what it waited).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playground.core.metrics import Metrics

HINTS = {
    400: "The model rejected the input; check the body against what the model expects.",
    401: "Check the API key for this remote.",
    402: "Billing problem on the workspace; check its payment settings.",
    403: "The key is invalid here or not allowed to do this; check its type and the models it may call.",
    404: "Check the model id and the environment or deployment name (a deleted environment is a 404).",
    405: "This endpoint does not take that HTTP method.",
    413: "The body is too large: 100 MB for predict, 256 KiB for async; pass big inputs as URLs.",
    500: "The model raised an exception; its logs (filter by the request id) say why.",
    502: "A transient error, or the model's container restarted mid-request (e.g. out of memory); retry.",
    503: "The model is not ready or no replica is available; retry in a moment.",
    504: "The request ran past Baseten's 1200 s sync limit; use async predict for long jobs.",
}

CODE_HINTS = {
    "model_not_ready": "The model is still starting (cold start); retry shortly or wake it first.",
    "model_unavailable": "No replica is available right now; retry in a moment.",
    "model_does_not_exist": "Check the model id and the environment or deployment name.",
    "payload_too_large": HINTS[413],
    "timeout": HINTS[504],
}

ROUTE_NOT_FOUND = (
    "The model has no such route: check the route's name and its HTTP method"
    " against the model's server."
)


def hint_for(
    status: int, error_code: str | None = None, retry_after: float | None = None, path: str = ""
) -> str:
    """What to do about an error status; `path` is the request's, as a custom route's 404 is
    about the route, not the model (the gateway found the model and its server answered)."""
    if status == 404 and "/sync/" in path and error_code != "model_does_not_exist":
        return ROUTE_NOT_FOUND
    if status == 429:
        if retry_after is not None:
            return f"Rate limited; retry after {retry_after:g} s."
        return "Rate limited; slow down and retry with back-off."
    if error_code and error_code in CODE_HINTS:
        return CODE_HINTS[error_code]
    if status in HINTS:
        return HINTS[status]
    return "The server failed; retry, and quote the request id to support." if status >= 500 else ""


class PlaygroundError(Exception):
    """Base of every error this project raises."""

    hint: str = ""
    metrics: Metrics | None = None  # the call's figures, once it had been sent

    @property
    def message(self) -> str:
        return str(self)


class InvalidRequest(PlaygroundError):
    """Rejected before anything was sent."""


# How to give each timeout more room, from a terminal and in the window.
TIMEOUT_HINTS = {
    "connect": "Check the network, a VPN or proxy, and that the host is right; "
    "a slow network needs a longer connect timeout (--connect-timeout).",
    "read": "The model may be cold-starting or stuck; async predict suits long jobs. "
    "The read timeout (--read-timeout) is the longest silence allowed between bytes.",
    "write": "The request body could not be sent in time; check the network, or raise the "
    "write timeout.",
    "pool": "That many requests were already in flight on this client; send fewer at once, "
    "or wait longer for a free connection (--pool-timeout).",
    "total": "The whole request, retries included, has a deadline (--timeout); raise it or "
    "leave it unset.",
}
WHERE_TO_SET = "In the window: Request ▸ Timeouts and retries…"


class NetworkError(PlaygroundError):
    """No usable answer: the connection was refused, the name did not resolve, TLS or a timeout.

    `timeout` names the timeout that fired ("connect", "read", "write", "pool" or "total"), or
    is "" when none did.
    """

    def __init__(self, message: str, hint: str = "", *, timeout: str = "") -> None:
        super().__init__(message)
        self.hint = hint
        self.timeout = timeout


def timed_out(which: str, message: str) -> NetworkError:
    """A timeout fired before the response started."""
    return NetworkError(message, f"{TIMEOUT_HINTS[which]} {WHERE_TO_SET}", timeout=which)


class StreamCut(NetworkError):
    """The connection closed after the response had started; `partial` is what arrived."""

    def __init__(self, message: str, partial: Any = None, *, timeout: str = "") -> None:
        super().__init__(
            message,
            "The server or a proxy dropped the connection; what arrived is kept.",
            timeout=timeout,
        )
        self.partial = partial


class ResponseTooLarge(StreamCut):
    """The body (counted decompressed) passed the size limit: we stopped reading there and
    closed the connection. `arrived` bytes were kept; `limit` is the limit that was passed."""

    def __init__(self, message: str, limit: int, arrived: int, partial: Any = None) -> None:
        super().__init__(message, partial)
        self.limit = limit
        self.arrived = arrived
        self.hint = (
            "What arrived up to the limit is kept. To read more, raise the limit: "
            f"--max-response-mb on the command line. {WHERE_TO_SET}"
        )


@dataclass(frozen=True)
class ErrorBody:
    """Any of Baseten's error-body shapes, normalised."""

    message: str
    error_code: str | None = None
    detail: str | None = None
    retry_after: float | None = None


def parse_error_body(body: bytes) -> ErrorBody:
    """Baseten's own message from any documented error-body shape (baseten-api.md §7.2)."""
    text = body.decode("utf-8", "replace").strip()
    try:
        payload: Any = json.loads(text)
    except ValueError:
        return ErrorBody(text[:2000] or "(empty body)")
    if not isinstance(payload, dict):
        return ErrorBody(text[:2000])
    retry = payload.get("retry_after")
    retry_after = float(retry) if isinstance(retry, int | float) else None
    code = payload.get("error_code")
    error_code = code if isinstance(code, str) else None
    detail = payload.get("detail") if isinstance(payload.get("detail"), str) else None
    error = payload.get("error")
    message: str | None = None
    if isinstance(error, str):
        message = error
    elif isinstance(error, dict):
        if isinstance(error.get("exception_message"), str):
            cls = error.get("exception_cls_name")
            message = f"{cls}: {error['exception_message']}" if cls else error["exception_message"]
            frames = error.get("user_stack_trace") or []
            if frames and isinstance(frames, list):
                detail = "\n".join(
                    f'  File "{f.get("filename")}", line {f.get("lineno")}, in {f.get("name")}\n'
                    f"    {f.get('line', '')}"
                    for f in frames
                    if isinstance(f, dict)
                )
        elif isinstance(error.get("message"), str):
            message = error["message"]
        if error_code is None and isinstance(error.get("code"), str):
            error_code = error["code"]
    if message is None and isinstance(payload.get("message"), str):
        message = payload["message"]
    if message is None and detail is not None:
        message = detail
    if message is None:
        message = text[:2000]
    if detail == message:
        detail = None
    return ErrorBody(message, error_code, detail, retry_after)


class ApiError(PlaygroundError):
    """The server answered with an error status; `message` is Baseten's own words. The answer
    itself is kept as for any response: `body`, `headers` (lower-cased names) and `metrics`
    (core's Metrics of the call, when it went through the transport)."""

    def __init__(
        self,
        status: int,
        message: str,
        request_id: str | None = None,
        *,
        error_code: str | None = None,
        detail: str | None = None,
        retry_after: float | None = None,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        metrics: Any = None,
        path: str = "",
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self._message = message
        self.request_id = request_id
        self.error_code = error_code
        self.detail = detail
        self.retry_after = retry_after
        self.body = body
        self.headers = dict(headers or {})
        self.metrics = metrics
        self.hint = hint_for(status, error_code, retry_after, path)

    @property
    def message(self) -> str:
        return self._message


class StreamError(PlaygroundError):
    """A stream that had started with 200 went wrong; `partial` holds what arrived."""

    def __init__(self, message: str, partial: Any = None, hint: str = "") -> None:
        super().__init__(message)
        self.partial = partial
        self.hint = hint or "The server reported an error mid-stream; what arrived is kept."


class TruncatedStream(StreamError):
    """The stream ended cleanly but without `[DONE]` or a finish reason."""

    def __init__(self, message: str, partial: Any = None) -> None:
        super().__init__(message, partial, "The answer is incomplete; the text so far is kept.")
