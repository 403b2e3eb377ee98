"""One exchange on its way into the history, free of Qt: the request, what arrives (the body up
to the cap, as it came on the wire), how it ends, and the key taken out before it is kept."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from playground.core.errors import ApiError, PlaygroundError
from playground.core.events import BinaryChunk, ChatResult, Finished, JsonBody, ResponseStarted
from playground.core.history.store import Exchange
from playground.core.metrics import Metrics
from playground.core.request.spec import RequestSpec
from playground.core.text import Failure, streamed_part


@dataclass
class PendingExchange:
    """Fed the events of one call (`feed`), then made an `Exchange` when it ends."""

    spec: RequestSpec
    url: str
    cap: int
    at: float = field(default_factory=time.time)
    status: int = 0
    content_type: str = ""
    request_id: str = ""
    deployment_id: str = ""
    metrics: Metrics | None = None
    parts: list[bytes] = field(default_factory=list)
    kept: int = 0
    size: int = 0

    def keep(self, data: bytes) -> None:
        self.size += len(data)
        room = self.cap - self.kept
        if room > 0:
            piece = data[:room]
            self.parts.append(piece)
            self.kept += len(piece)

    def started(self, event: ResponseStarted) -> None:
        self.status = event.status
        self.content_type = event.content_type
        self.metrics = event.metrics
        self.request_id = event.request_id
        self.deployment_id = event.deployment_id

    def feed(self, event: object) -> None:
        """One event of a predict, async or custom-route call."""
        if isinstance(event, ResponseStarted):
            self.started(event)
        elif isinstance(event, Finished):
            self.metrics = event.metrics
        elif isinstance(event, JsonBody):
            self.keep(event.raw)
        elif isinstance(event, BinaryChunk):
            self.keep(event.data)
        elif (part := streamed_part(event)) is not None:
            self.keep(part[1])

    def keep_answer(self, result: ChatResult) -> None:
        """An assembled chat answer, as JSON: what the history shows for a chat's response."""
        out: dict[str, Any] = {"message": result.to_message()}
        if result.reasoning:
            out["reasoning"] = result.reasoning
        for name in ("finish_reason", "usage", "model", "id"):
            value = getattr(result, name)
            if value is not None:
                out[name] = value
        self.content_type = "application/json"
        self.keep(json.dumps(out, ensure_ascii=False, indent=2).encode())

    def failed(self, error: PlaygroundError) -> str:
        """Take what the error knows (status, request id, its body); return it in words."""
        if isinstance(error, ApiError):
            self.status = error.status
            self.request_id = error.request_id or self.request_id
            if not self.size and error.body:
                is_json = error.body.lstrip().startswith((b"{", b"["))
                self.content_type = "application/json" if is_json else "text/plain"
                self.keep(error.body)
        partial = getattr(error, "partial", None)
        if isinstance(partial, Metrics):
            self.metrics = partial
        elif self.metrics is None and error.metrics is not None:
            self.metrics = error.metrics  # an error status, after how many attempts
        return Failure.of(error).line()

    def exchange(self, remote: str, outcome: str, error: str = "", answer: str = "") -> Exchange:
        return Exchange(
            self.spec.to_dict(),
            remote=remote,
            url=self.url,
            outcome=outcome,
            status=self.status,
            metrics=self.metrics.to_dict() if self.metrics else {},
            request_id=self.request_id or "",
            deployment_id=self.deployment_id or "",
            error=error,
            content_type=self.content_type,
            response=b"".join(self.parts),
            response_size=self.size,
            is_truncated=self.size > self.kept,
            answer=answer,
            at=self.at,
        )


def redacted(exchange: Exchange, redact: Callable[[bytes], bytes]) -> Exchange:
    """`exchange` without the key, should it be in a body someone typed or in what a server
    echoed (`redact` is the client's, which knows the key)."""

    def text(value: str) -> str:
        return redact(value.encode()).decode()

    request = json.dumps(exchange.request, ensure_ascii=False)
    metrics = json.dumps(exchange.metrics, ensure_ascii=False)
    return replace(
        exchange,
        request=json.loads(text(request)),
        response=redact(exchange.response),
        error=text(exchange.error),
        answer=text(exchange.answer),
        url=text(exchange.url),
        request_id=text(exchange.request_id),
        deployment_id=text(exchange.deployment_id),
        metrics=json.loads(text(metrics)),
    )
