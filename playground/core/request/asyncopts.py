"""Async inference requests and answers: validated options, the status object, the polling policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from playground.core.errors import InvalidRequest

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "EXPIRED", "CANCELED", "WEBHOOK_FAILED"})
MAX_ASYNC_BODY = 256 * 1024


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    import ipaddress  # ~5 ms of start-up, and needed only for a webhook URL

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequest(f"{name} must be a whole number from {low} to {high}, not {value!r}")


@dataclass(frozen=True)
class AsyncOptions:
    """The optional fields of an AsyncPredictRequest; None means "Baseten's default"."""

    webhook_endpoint: str | None = None
    priority: int | None = None  # 0-2, lower runs first
    max_time_in_queue_seconds: int | None = None  # 10-259200
    max_attempts: int | None = None  # 1-10
    initial_delay_ms: int | None = None  # 0-10000
    max_delay_ms: int | None = None  # 0-60000

    def validate(self) -> None:
        _check_range("priority", self.priority, 0, 2)
        _check_range("max_time_in_queue_seconds", self.max_time_in_queue_seconds, 10, 259_200)
        _check_range("max_attempts", self.max_attempts, 1, 10)
        _check_range("initial_delay_ms", self.initial_delay_ms, 0, 10_000)
        _check_range("max_delay_ms", self.max_delay_ms, 0, 60_000)
        if self.webhook_endpoint is not None:
            scheme = urlsplit(self.webhook_endpoint).scheme
            if scheme != "https" and not (scheme == "http" and _is_loopback(self.webhook_endpoint)):
                raise InvalidRequest(
                    "The webhook must be an https:// URL (plain http only to this machine)"
                )

    def body(self, model_input: Any) -> dict[str, Any]:
        self.validate()
        body: dict[str, Any] = {"model_input": model_input}
        for key in ("webhook_endpoint", "priority", "max_time_in_queue_seconds"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        retry = {
            key: getattr(self, key)
            for key in ("max_attempts", "initial_delay_ms", "max_delay_ms")
            if getattr(self, key) is not None
        }
        if retry:
            body["inference_retry_config"] = retry
        return body


@dataclass(frozen=True)
class AsyncStatus:
    request_id: str
    status: str
    webhook_status: str
    deployment_id: str
    errors: tuple[dict[str, Any], ...]
    raw: dict[str, Any]

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def can_cancel(self) -> bool:
        return self.status == "QUEUED"  # Baseten cancels only requests still in the queue

    def describe(self) -> str:
        """The status with its errors, e.g. `FAILED · MODEL_PREDICT_ERROR: …`."""
        errors = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in self.errors)
        return f"{self.status} · {errors}" if errors else self.status

    def outcome(self) -> str:
        """What a person should know once the request is done: the output is not here."""
        return (
            f"Async request {self.request_id}: {self.status}. "
            "Its output goes to the webhook, not back to the caller."
        )

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> AsyncStatus:
        return cls(
            request_id=str(payload.get("request_id", "")),
            status=str(payload.get("status", "")),
            webhook_status=str(payload.get("webhook_status", "")),
            deployment_id=str(payload.get("deployment_id", "")),
            errors=tuple(e for e in payload.get("errors") or [] if isinstance(e, dict)),
            raw=payload,
        )


@dataclass(frozen=True)
class PollPolicy:
    """Status polling of one request: start at 1/s and back off. Baseten allows 100 status
    calls a second per key (baseten-api.md §0); core/jobs' watcher shares that budget among
    many requests."""

    first: float = 1.0
    factor: float = 1.5
    longest: float = 10.0
