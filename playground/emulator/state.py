"""The server's state: settings, catalogue, keys and rate limits, injected faults, request records, async queue."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from playground.emulator.asyncq import AsyncQueue
from playground.emulator.catalogue import Catalogue, Deployment
from playground.emulator.faults import (
    FAULT_HEADER,
    Faults,
    FaultSpecError,
    error_response,
    fault_response,
    parse_faults,
)
from playground.emulator.streams import RequestRecord

MAX_SYNC_BODY = 100 * 1024 * 1024
MAX_WS_MESSAGE = 100 * 1024 * 1024  # per WebSocket message, each way (close 1009 past it)
UNAUTHORIZED = "please check the api-key you provided"


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
    max_ws_message: int = MAX_WS_MESSAGE
    rate_limits: dict[str, int] = field(
        default_factory=lambda: {
            "async_predict": 200,
            # baseten-api.md §0: status polling and cancel 100 rps (§4.6's 20 is outdated).
            "async_request": 100,
            "async_cancel": 100,
            "async_queue_status": 100,
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


def bearer_key(request: Request) -> str | None:
    """The key of an `Authorization: Api-Key …` or `Bearer …` header (either scheme, any case)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("api-key", "bearer") and value.strip():
        return value.strip()
    return None


class EmulatorState:
    """What every route reads and changes: one per server, handed to each group of routes."""

    def __init__(self, settings: EmulatorSettings, catalogue: Catalogue) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.model_faults: dict[str, Faults] = {}
        self.records: OrderedDict[str, RequestRecord] = OrderedDict()
        self.limiter = RateLimiter(settings.rate_limits)
        self.queue = AsyncQueue(
            webhook_secrets=settings.webhook_secrets,
            time_scale=settings.time_scale,
            wait_until_active=self.wait_until_active,
        )

    # --- bookkeeping -------------------------------------------------------------------------

    def remember(self, record: RequestRecord) -> None:
        self.records[record.request_id] = record
        while len(self.records) > 10_000:
            self.records.popitem(last=False)

    def set_model_faults(self, model_id: str, spec: str | dict[str, Any] | Faults | None) -> None:
        faults = spec if isinstance(spec, Faults) else parse_faults(spec)
        if faults.is_empty:
            self.model_faults.pop(model_id, None)
        else:
            self.model_faults[model_id] = faults

    def faults_for(self, request: Request, model_id: str | None) -> Faults:
        faults = Faults()
        if model_id and model_id in self.model_faults:
            faults = self.model_faults[model_id]
            if faults.count > 0:
                left = faults.count - 1
                if left == 0:
                    del self.model_faults[model_id]
                else:
                    self.model_faults[model_id] = Faults(**{**faults.__dict__, "count": left})
        header = request.headers.get(FAULT_HEADER)
        if header:
            faults = faults.merged(parse_faults(header))
        return faults

    # --- keys and limits ---------------------------------------------------------------------

    def auth(self, request: Request, *, status: int = 401) -> Response | str:
        key = bearer_key(request)
        if key is None or key not in self.settings.api_keys + self.settings.invoke_only_keys:
            return error_response(status, UNAUTHORIZED)
        return key

    def limited(self, key: str, kind: str, *, shape: str = "gateway") -> Response | None:
        if self.limiter.allow(key, kind):
            return None
        return error_response(
            429, "Rate limit exceeded. Please try again later.", shape=shape, retry_after=1
        )

    def management_auth(self, request: Request) -> Response | str:
        auth = self.auth(request)
        if isinstance(auth, Response):
            return auth
        if auth in self.settings.invoke_only_keys:
            return error_response(
                403, "This API key can invoke models but not use the management API"
            )
        limited = self.limited(auth, "management", shape="ratelimit")
        if limited:
            return limited
        try:
            faults = self.faults_for(request, None)
        except FaultSpecError as exc:
            return error_response(400, f"Invalid {FAULT_HEADER}: {exc}")
        if faults.status:
            return fault_response(
                faults, default_shape="ratelimit" if faults.status == 429 else "gateway"
            )
        return auth

    # --- scale to zero -----------------------------------------------------------------------

    async def wait_until_active(self, deployment: Deployment) -> None:
        s = self.settings
        deployment.wake(s.wake_seconds, s.load_seconds)
        left = deployment.seconds_until_active(s.wake_seconds, s.load_seconds)
        if left > 0:  # parked, as Baseten parks a request to a scaled-to-zero deployment
            await asyncio.sleep(left)

    def status_of(self, deployment: Deployment) -> str:
        return deployment.status(self.settings.wake_seconds, self.settings.load_seconds)
