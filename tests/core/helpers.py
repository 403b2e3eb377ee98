"""Small helpers for the core client tests: a client for the local server, event collection, polling."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

from playground.core import BasetenClient, Remote, RetryPolicy, Timeouts
from playground.core.api.transport import Transport
from playground.core.events import Finished, ResponseStarted
from playground.emulator import EmulatorServer
from playground.emulator.streams import RequestRecord

T = TypeVar("T")
E = TypeVar("E")

FAULT = "X-Emulator-Fault"
NO_RETRY = RetryPolicy(attempts=1)

# The error bodies a call can meet, by the emulator's `shape=` name, written from baseten-api.md
# §7.2 (§0 adds none). The tests keep this list themselves rather than asking the emulator: a
# shape dropped from the server must fail its cases, not make them vanish.
DOCUMENTED_ERROR_SHAPES = (
    "gateway",  # 1. {"error": "<message>"}; also 4.'s plain string from older Trusses
    "spec",  # 2. ErrorResponse {"error", "error_code", "detail"}
    "truss",  # 3. {"error": …} with X-BASETEN-ERROR-* headers
    "chain",  # 4. {"error": {"exception_cls_name", …, "user_stack_trace": [...]}}
    "openai",  # 5. {"error": {"message", "type", "code"}}
    "flat",  # 5. {"message", "type", "code"}
    "ratelimit",  # 6. {"error": …, "retry_after": seconds}
)
# Not §7.2's but met all the same: FastAPI's {"detail": …} (§5.5 says to parse it), and the
# plain-text and HTML pages a proxy in front of any service sends when it fails.
OTHER_ERROR_SHAPES = ("detail", "text", "html")
ERROR_SHAPES = DOCUMENTED_ERROR_SHAPES + OTHER_ERROR_SHAPES


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def fault(spec: str) -> dict[str, str]:
    """The per-request fault header (playground/emulator/faults.py)."""
    return {FAULT: spec}


@asynccontextmanager
async def open_client(
    server: EmulatorServer,
    *,
    key: str | None = None,
    retry: RetryPolicy | None = None,
    timeouts: Timeouts | None = None,
    transport: Transport | None = None,
    auth_scheme: str = "Bearer",
) -> AsyncIterator[BasetenClient]:
    """A client of the local server, closed on the loop that used it."""
    client = BasetenClient(
        Remote.local(server.base_url),
        server.api_key if key is None else key,
        retry=retry,
        timeouts=timeouts,
        transport=transport,
        auth_scheme=auth_scheme,
    )
    try:
        yield client
    finally:
        await client.aclose()


async def collect(events: AsyncIterator[E]) -> list[E]:
    return [event async for event in events]


async def collect_until_error(events: AsyncIterator[E]) -> tuple[list[E], Exception]:
    """The events that arrived before the call failed, and the error; fails the test if none."""
    seen: list[E] = []
    try:
        async for event in events:
            seen.append(event)
    except Exception as exc:
        return seen, exc
    raise AssertionError(f"the call did not fail; it yielded {len(seen)} events")


def only(events: list[Any], kind: type[T]) -> list[T]:
    return [event for event in events if isinstance(event, kind)]


def started_and_finished(events: list[Any]) -> tuple[ResponseStarted, Finished]:
    assert isinstance(events[0], ResponseStarted), events[:1]
    assert isinstance(events[-1], Finished), events[-1:]
    assert len(only(events, ResponseStarted)) == 1
    assert len(only(events, Finished)) == 1
    return events[0], events[-1]


def deployment_id(server: EmulatorServer, model_id: str, env: str = "production") -> str:
    """The id of the deployment behind `env` (or the development deployment) in the demo catalogue."""
    model = server.emulator.state.catalogue.model(model_id)
    assert model is not None
    deployment = model.development if env == "development" else model.environment(env)
    assert deployment is not None
    return deployment.id


def server_request(server: EmulatorServer, request_id: str) -> dict[str, Any]:
    """What the server saw of one request (`GET /_emulator/requests/{id}`)."""
    with httpx.Client(trust_env=False, timeout=5.0) as http:
        response = http.get(
            f"{server.base_url}/_emulator/requests/{request_id}",
            headers={"Authorization": f"Bearer {server.api_key}"},
        )
    response.raise_for_status()
    payload: dict[str, Any] = response.json()
    return payload


async def eventually(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    """Let the loop run until `condition()` holds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not so after {within} s")
        await asyncio.sleep(0.01)


async def seen_leaving(
    server: EmulatorServer, request_id: str, *, within: float = 5.0
) -> RequestRecord:
    """The server's record of a request once it has seen the client go, waited for with the
    caller's loop running and its client still open: a connection that only closes when the
    client shuts down must not pass for one closed on cancel."""
    record = server.emulator.state.records[request_id]
    try:
        await eventually(lambda: record.disconnected, within=within)
    except AssertionError:
        raise AssertionError(
            f"the server still sees request {request_id} connected after {within} s"
        ) from None
    return record


def wait_until(check: Callable[[], T | None], *, timeout: float = 5.0) -> T:
    """Poll `check` (outside any event loop) until it returns something other than None."""
    deadline = time.monotonic() + timeout
    while (value := check()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing came of polling for {timeout} s")
        time.sleep(0.02)
    return value


def unused_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class SleepRecorder:
    """Stands in for `asyncio.sleep` in Transport: records each back-off instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
