"""What the window can send (a mode, a target, a body …), and how a failure reads in one line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from playground.core.asyncopts import AsyncOptions
from playground.core.errors import ApiError, PlaygroundError
from playground.core.remotes import Target

Mode = Literal["predict", "async", "route", "chat"]
MODES: tuple[tuple[Mode, str], ...] = (
    ("predict", "Predict"),
    ("async", "Async predict"),
    ("route", "Custom route"),
    ("chat", "OpenAI chat"),
)


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


@dataclass(frozen=True)
class RequestSpec:
    """Everything the window can send."""

    mode: Mode
    target: Target
    body: Any = None
    method: str = "POST"
    route: str = ""
    async_options: AsyncOptions | None = None

    @property
    def description(self) -> str:
        if self.mode == "route":
            return f"{self.method} /sync/{self.route.lstrip('/')} on {self.target.label}"
        return f"{dict(MODES)[self.mode]} on {self.target.label}"
