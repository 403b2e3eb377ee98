"""The words of a response view, free of widgets: sizes, times, status, timings, errors, SSE lines."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from playground.core.errors import (
    ApiError,
    NetworkError,
    PlaygroundError,
    StreamCut,
    StreamError,
    TruncatedStream,
)
from playground.core.events import SseEvent
from playground.core.metrics import Metrics

__all__ = [
    "MASKED_HEADERS",
    "error_text",
    "headers_text",
    "human_size",
    "human_time",
    "sse_text",
    "status_text",
    "timings_text",
]

MASKED_HEADERS = frozenset({"authorization", "proxy-authorization"})


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


def sse_text(event: SseEvent, *, wire: bool = False) -> str:
    """An event as its `data:` lines; `wire` adds `id:` and the blank line that ends an event."""
    lines = [] if event.event == "message" else [f"event: {event.event}"]
    if wire and event.id:
        lines.append(f"id: {event.id}")
    lines.extend(f"data: {line}" for line in event.data.split("\n"))
    return "\n".join(lines) + ("\n\n" if wire else "\n")


def headers_text(headers: Mapping[str, str]) -> str:
    """One `name: value` per line; credentials keep their scheme and lose their secret."""
    lines = []
    for name, value in headers.items():
        if name.lower() in MASKED_HEADERS:
            scheme, _, secret = value.partition(" ")
            value = f"{scheme} ••••••" if secret else "••••••"
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def timings_text(metrics: Metrics | None, size: int, *, is_streaming: bool) -> str:
    """Headers · TTFB · TTFT · Total · size · tokens · tokens/s, as far as they are known."""
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
        parts.append(f"{metrics.attempts} attempts")
    return " · ".join(parts)


def error_text(error: PlaygroundError, kept: int = 0) -> str:
    """The banner for a failed call: what happened in the server's words, its ids, the hint."""
    if isinstance(error, ApiError):
        lines = [f"{status_text(error.status)}: {error.message}"]
        if error.request_id:
            lines.append(f"Request id: {error.request_id}")
        if error.error_code:
            lines.append(f"Error code: {error.error_code}")
        if error.detail:
            lines.append(f"Detail: {error.detail}")
    elif isinstance(error, StreamCut):
        lines = [f"The connection was cut: {error}"]
    elif isinstance(error, TruncatedStream):
        lines = [f"The stream ended early: {error}"]
    elif isinstance(error, StreamError):
        lines = [f"The stream failed: {error}"]
    elif isinstance(error, NetworkError):
        lines = [f"No answer: {error}"]
    else:
        lines = [str(error)]
    if error.hint:
        lines.append(f"Hint: {error.hint}")
    if kept:
        lines.append(f"What arrived is kept ({human_size(kept)}).")
    return "\n".join(lines)
