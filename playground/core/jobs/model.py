"""One async job: what was sent, where, with which options, and what became of it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import TERMINAL, AsyncOptions

# Ours, before Baseten knows the job: being sent, or refused before it was queued.
SENDING = "SENDING"
NOT_SENT = "NOT_SENT"
LOCAL_TERMINAL = frozenset({NOT_SENT})


def target_to_json(target: Target) -> str:
    return json.dumps(asdict(target), sort_keys=True)


def target_from_json(text: str) -> Target:
    return Target(**json.loads(text))


def options_to_json(options: AsyncOptions) -> str:
    return json.dumps({k: v for k, v in asdict(options).items() if v is not None}, sort_keys=True)


def options_from_json(text: str) -> AsyncOptions:
    return AsyncOptions(**json.loads(text or "{}"))


@dataclass
class Job:
    """An async request and its life. Times are epoch seconds. `status` is Baseten's
    (QUEUED … WEBHOOK_FAILED) or ours (SENDING, NOT_SENT); `timeline` lists each status with
    when it was first seen; `error` says in words what went wrong; `result` is the webhook's
    `data` once a payload for this request id arrived (`has_result` tells a null result from
    none)."""

    remote: str
    target: Target
    body: Any
    options: AsyncOptions = field(default_factory=AsyncOptions)
    request_id: str = ""
    status: str = SENDING
    webhook_status: str = ""
    deployment_id: str = ""
    created_at: float = 0.0
    status_at: float = 0.0
    timeline: list[tuple[str, float]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    result: Any = None
    result_at: float | None = None
    id: int = 0

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL or self.status in LOCAL_TERMINAL

    @property
    def can_cancel(self) -> bool:
        return self.status == "QUEUED"

    @property
    def has_result(self) -> bool:
        return self.result_at is not None

    def set_status(self, status: str, at: float) -> bool:
        """Record `status` seen at `at`; False when it is not news."""
        if status == self.status:
            return False
        self.status = status
        self.status_at = at
        self.timeline.append((status, at))
        return True

    def describe(self) -> str:
        """The status in words, e.g. `FAILED · MODEL_PREDICT_ERROR: …`, and where the output is."""
        text = self.status
        if self.errors:
            text += " · " + "; ".join(f"{e.get('code')}: {e.get('message')}" for e in self.errors)
        elif self.error:
            text += " · " + self.error
        if self.has_result:
            return text + " · result received"
        if self.status == "SUCCEEDED" and not self.options.webhook_endpoint:
            return text + " · no webhook was given: Baseten keeps no output"
        return text

    def to_json(self) -> dict[str, Any]:
        """As `playground jobs` prints it."""
        return {
            "id": self.id,
            "remote": self.remote,
            "target": asdict(self.target),
            "request_id": self.request_id,
            "status": self.status,
            "webhook_status": self.webhook_status,
            "deployment_id": self.deployment_id,
            "created_at": self.created_at,
            "status_at": self.status_at,
            "timeline": [list(t) for t in self.timeline],
            "errors": self.errors,
            "error": self.error,
            "options": json.loads(options_to_json(self.options)),
            "body": self.body,
            "result": self.result,
            "result_at": self.result_at,
        }
