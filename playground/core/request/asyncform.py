"""The async options as a person types them (text per field), read into `AsyncOptions` with
each problem in words beside its field: the same ranges core checks for the command line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from playground.core.errors import InvalidRequest
from playground.core.request.asyncopts import AsyncOptions

# Field name (AsyncOptions') → the words the window shows for it.
LABELS: dict[str, str] = {
    "priority": "Priority",
    "max_time_in_queue_seconds": "Max time in queue (s)",
    "max_attempts": "Attempts",
    "initial_delay_ms": "Initial delay (ms)",
    "max_delay_ms": "Max delay (ms)",
    "webhook_endpoint": "Webhook",
}
NO_WEBHOOK = (
    "No webhook: Baseten keeps no output of an async request, so its result will be out of "
    "reach. Give a webhook URL, or use the inbox (Jobs ▸ Webhook inbox…)."
)


@dataclass(frozen=True)
class ReadOptions:
    """`options` when every field is right, else None and `problems` (field → sentence)."""

    options: AsyncOptions | None
    problems: dict[str, str] = field(default_factory=dict)

    def problem(self) -> str:
        """All problems in one line, each named by its field ("" when there are none)."""
        return "; ".join(f"{LABELS[name]}: {text}" for name, text in self.problems.items())


def _whole(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidRequest(f"a whole number, not {text!r}") from None


def read_options(fields: Mapping[str, str | int | None]) -> ReadOptions:
    """Read typed `fields` (empty means Baseten's default); each is checked on its own (by
    `AsyncOptions.validate`, as for the command line) so that every wrong one is named."""
    values: dict[str, str | int | None] = {}
    problems: dict[str, str] = {}
    for name in LABELS:
        raw = fields.get(name)
        try:
            if name == "webhook_endpoint":
                value: str | int | None = str(raw or "").strip() or None
            else:
                value = raw if isinstance(raw, int) or raw is None else _whole(raw)
            AsyncOptions(**{name: value}).validate()  # type: ignore[arg-type]
        except InvalidRequest as exc:
            problems[name] = _words(name, str(exc))
            continue
        values[name] = value
    if problems:
        return ReadOptions(None, problems)
    return ReadOptions(AsyncOptions(**values))  # type: ignore[arg-type]


def _words(name: str, message: str) -> str:
    """Core's sentence without the field name the label already shows."""
    if message.startswith(name + " "):
        return message[len(name) + 1 :]
    return message[0].lower() + message[1:] if message else message
