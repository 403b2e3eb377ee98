"""How a failure reads in one line, for a status bar."""

from __future__ import annotations

from playground.core.errors import ApiError, PlaygroundError


def describe_error(exc: PlaygroundError) -> str:
    """One line for a status bar: status, Baseten's message, request id and the hint."""
    if isinstance(exc, ApiError):
        parts = [f"{exc.status}: {exc.message}"]
        if exc.request_id:
            parts.append(f"request id {exc.request_id}")
    else:
        parts = [str(exc)]
    if exc.hint:
        parts.append(exc.hint)
    return " · ".join(parts)
