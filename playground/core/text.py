"""The words of a response view, free of widgets: sizes, times, status, timings, errors, SSE lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus

from playground.core.errors import (
    ApiError,
    NetworkError,
    PlaygroundError,
    ResponseTooLarge,
    StreamCut,
    StreamError,
    TruncatedStream,
)
from playground.core.events import NdjsonLine, Retrying, SseEvent, TextChunk
from playground.core.metrics import Metrics
from playground.core.secrets import is_secret_header

__all__ = [
    "Failure",
    "ended_status",
    "failure_outcome",
    "human_size",
    "human_time",
    "retry_text",
    "shown_headers",
    "sse_text",
    "status_text",
    "streamed_part",
    "timings_text",
]


def human_size(size: int) -> str:
    """256 KB, 20.0 MB: bytes in binary units, as people read them."""
    if size < 1024:
        return f"{size} B"
    if size < 1024**2:
        kilobytes = size / 1024
        return f"{kilobytes:.1f} KB" if kilobytes < 10 else f"{kilobytes:.0f} KB"
    value, unit = size / 1024**2, "MB"
    for bigger in ("GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"


def human_time(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def status_text(status: int) -> str:
    """`200 OK`, `429 Too Many Requests`; a bare number for codes HTTP does not name."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


# How a call that did not end well ended, as its status says it (the HTTP status, if one came,
# only tells how it began).
_ENDED = {"cut": "Cut off", "cancelled": "Cancelled", "failed": "Failed"}


def ended_status(outcome: str, status: int | None = None) -> str:
    """`Cut off after 200 OK`, `Cancelled`: what happened first, then the status it began with."""
    word = _ENDED[outcome]
    return f"{word} after {status_text(status)}" if status else word


def failure_outcome(error: PlaygroundError) -> str:
    """`cut` for a connection that broke, `failed` for anything else that was not an answer."""
    return "cut" if isinstance(error, StreamCut) else "failed"


def sse_text(event: SseEvent, *, wire: bool = False) -> str:
    """An event as its `data:` lines; `wire` adds `id:` and the blank line that ends an event."""
    lines = [] if event.event == "message" else [f"event: {event.event}"]
    if wire and event.id:
        lines.append(f"id: {event.id}")
    lines.extend(f"data: {line}" for line in event.data.split("\n"))
    return "\n".join(lines) + ("\n\n" if wire else "\n")


def streamed_part(event: object) -> tuple[str, bytes] | None:
    """What a streamed event adds to a response body: the text shown, and the bytes as they
    came on the wire (an SSE event re-framed). None for what is not streamed text (a whole JSON
    body, binary chunks, the start and the end): each view keeps those its own way."""
    match event:
        case TextChunk(text=text):
            return text, text.encode()
        case SseEvent():
            return sse_text(event), sse_text(event, wire=True).encode()
        case NdjsonLine(raw=raw):
            line = raw + "\n"
            return line, line.encode()
    return None


def shown_headers(headers: Mapping[str, str]) -> str:
    """One `name: value` per line; credentials keep their scheme and lose their secret."""
    lines = []
    for name, value in headers.items():
        if is_secret_header(name):
            scheme, _, secret = value.partition(" ")
            value = f"{scheme} ••••••" if secret else "••••••"
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def timings_text(metrics: Metrics | None, size: int, *, is_streaming: bool) -> str:
    """Headers · TTFB · TTFT · first audio · × real time · Total · size · tokens · tokens/s, as
    far as they are known (the audio figures while audio streams, too)."""
    if metrics is None:
        return f"streaming… {size:,} bytes" if is_streaming else ""
    parts = [
        f"{name} {human_time(value)}"
        for name, value in (
            ("Headers", metrics.headers_s),
            ("TTFB", metrics.first_byte_s),
            ("TTFT", metrics.first_token_s),
        )
        if value is not None
    ]
    if metrics.first_audio_s is not None:
        parts.append(f"first audio {human_time(metrics.first_audio_s)}")
    if metrics.realtime_factor is not None:
        parts.append(f"{metrics.realtime_factor:.1f}× real time")
    if is_streaming:
        parts.append(f"streaming… {max(size, metrics.bytes):,} bytes")
        return " · ".join(parts)
    if metrics.total_s is not None:
        parts.append(f"Total {human_time(metrics.total_s)}")
    parts.append(human_size(metrics.bytes or size))
    if metrics.tokens is not None:
        estimated = "~{} tokens (estimated)" if metrics.tokens_estimated else "{} tokens"
        parts.append(estimated.format(metrics.tokens))
    if metrics.tokens_per_s is not None:
        parts.append(f"{metrics.tokens_per_s:.1f} tokens/s")
    if metrics.attempts > 1:
        waited = f", {human_wait(metrics.waited_s)} waiting" if metrics.waited_s else ""
        parts.append(f"{metrics.attempts} attempts{waited}")
    return " · ".join(parts)


def human_wait(seconds: float) -> str:
    """30 s, 1.5 s, 0 s: a wait, as Retry-After gives it."""
    return f"{seconds:.0f} s" if seconds >= 10 or seconds == int(seconds) else f"{seconds:.1f} s"


def retry_text(retry: Retrying) -> str:
    """`429 Too Many Requests (request id …): retrying in 30 s (attempt 2 of 4)`."""
    request = f" (request id {retry.request_id})" if retry.request_id else ""
    return (
        f"{status_text(retry.status)}{request}: retrying in {human_wait(retry.wait_s)} "
        f"(attempt {retry.attempt} of {retry.attempts})"
    )


# What went wrong, in words, for failures that are not an answer from the server.
_KINDS: tuple[tuple[type[PlaygroundError], str], ...] = (
    (ResponseTooLarge, "The response was too large"),
    (StreamCut, "The connection was cut"),
    (TruncatedStream, "The stream ended early"),
    (StreamError, "The stream failed"),
    (NetworkError, "No answer"),
)


@dataclass(frozen=True)
class Failure:
    """What a person is told of a failed call, wherever it is shown: what happened in the
    server's words, Baseten's request id, error code and detail, and a hint. One set of facts,
    laid out for a banner, a status bar or a terminal."""

    message: str  # the server's message, or what went wrong
    status: int | None = None  # an API error's HTTP status
    kind: str = ""  # what happened, when it was not an answer ("No answer", …)
    request_id: str | None = None
    error_code: str | None = None
    detail: str | None = None
    hint: str | None = None
    attempts: str | None = None  # when it was sent more than once: how often, how long between

    @classmethod
    def of(cls, error: PlaygroundError) -> Failure:
        metrics = error.metrics
        attempts = None
        if metrics is not None and metrics.attempts > 1:
            attempts = f"{metrics.attempts} ({human_wait(metrics.waited_s)} waiting between them)"
        if isinstance(error, ApiError):
            return cls(
                error.message,
                error.status,
                request_id=error.request_id,
                error_code=error.error_code,
                detail=error.detail,
                hint=error.hint,
                attempts=attempts,
            )
        kind = next((words for type_, words in _KINDS if isinstance(error, type_)), "")
        return cls(str(error), kind=kind, hint=error.hint, attempts=attempts)

    @property
    def headline(self) -> str:
        """`429 Too Many Requests: Too many requests`, `No answer: Connection refused`."""
        if self.status is not None:
            return f"{status_text(self.status)}: {self.message}"
        return f"{self.kind}: {self.message}" if self.kind else self.message

    @property
    def short(self) -> str:
        """The headline where room is short: `429: Too many requests`."""
        return f"{self.status}: {self.message}" if self.status is not None else self.message

    def banner(self, kept: int = 0) -> str:
        """Lines for a banner over what arrived: the headline, then each fact that is known."""
        facts = (
            ("Request id", self.request_id),
            ("Error code", self.error_code),
            ("Detail", self.detail),
            ("Attempts", self.attempts),
            ("Hint", self.hint),
        )
        lines = [self.headline, *(f"{name}: {value}" for name, value in facts if value)]
        if kept:
            lines.append(f"What arrived is kept ({human_size(kept)}).")
        return "\n".join(lines)

    def line(self) -> str:
        """One line for a status bar: the short headline, the request id and the hint."""
        request = f"request id {self.request_id}" if self.request_id else ""
        return " · ".join(part for part in (self.short, request, self.hint or "") if part)

    def terminal(self) -> str:
        """For stderr: `error: …`, then each fact indented, as `playground call` prints them."""
        facts = (
            ("code", self.error_code),
            ("request id", self.request_id),
            ("detail", self.detail),
            ("attempts", self.attempts),
            ("hint", self.hint),
        )
        return "\n".join([f"error: {self.short}", *(f"  {n}: {v}" for n, v in facts if v)])
