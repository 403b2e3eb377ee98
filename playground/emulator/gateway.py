"""The gateway's side of every call: the server's settings, keys, rate limits and Baseten's headers."""

from __future__ import annotations

import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from playground.emulator.streams import RequestRecord

if TYPE_CHECKING:
    from playground.emulator.app import Emulator

MAX_SYNC_BODY = 100 * 1024 * 1024


@dataclass
class EmulatorSettings:
    """Everything a test or the CLI may want to change about the server's world."""

    api_keys: list[str] = field(default_factory=lambda: ["pg_demo_" + secrets.token_hex(12)])
    # Keys that may call models but not the management API (a WORKSPACE_INVOKE key).
    invoke_only_keys: list[str] = field(default_factory=list)
    webhook_secrets: list[str] = field(default_factory=list)
    wake_seconds: float = 2.0
    load_seconds: float = 2.0
    scale_down_delay: int = 120
    async_run_seconds: float = 0.5
    # Multiplies async queue time limits and webhook back-off, so tests need not wait minutes.
    time_scale: float = 1.0
    max_sync_body: int = MAX_SYNC_BODY
    rate_limits: dict[str, int] = field(
        default_factory=lambda: {
            "async_predict": 200,
            "async_request": 20,
            "async_queue_status": 20,
            "management": 100,
        }
    )

    @property
    def api_key(self) -> str:
        return self.api_keys[0]


class RateLimiter:
    """Requests per second per key and endpoint class, over a sliding one-second window."""

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def allow(self, key: str, kind: str) -> bool:
        limit = self.limits.get(kind)
        if not limit:
            return True
        now = time.monotonic()
        hits = self._hits.setdefault((key, kind), deque())
        while hits and now - hits[0] >= 1.0:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True


class BasetenHeaders:
    """Stamps every response, errors included, with Baseten's request id headers."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex + secrets.token_hex(3)[:5]
        accepted_at = str(int(time.time() * 1000))
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        record = RequestRecord(request_id, scope["method"], scope["path"])
        record.headers = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        self.emulator.remember(record)
        state["record"] = record

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                extra = {
                    "x-baseten-request-id": request_id,
                    "x-baseten-session-id": request_id,
                    "x-baseten-accepted-at": accepted_at,
                }
                if "model_id" in state:
                    extra["x-baseten-model-id"] = state["model_id"]
                    extra["x-baseten-model-version-id"] = state["deployment_id"]
                    extra["x-baseten-model-prediction-attempts"] = "1"
                headers += [(k.encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": headers}
                record.status = message["status"]
            await send(message)

        await self.app(scope, receive, stamped)


def bearer_key(request: Request) -> str | None:
    """The key of an `Authorization: Api-Key …` or `Bearer …` header (either scheme, any case)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("api-key", "bearer") and value.strip():
        return value.strip()
    return None
