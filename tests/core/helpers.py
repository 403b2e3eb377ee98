"""Small helpers for the core client tests: a client for the local server, event collection, polling."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

from playground.core import BasetenClient, Remote, RetryPolicy, Timeouts
from playground.core.api.transport import Transport
from playground.core.events import Finished, ResponseStarted
from playground.core.request.api_bodies import Api
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


# --- a bare server, for what the local server cannot send -----------------------------------------

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(answer: Answer, *, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """A bare server on 127.0.0.1, on the caller's loop, for bytes the local server never sends
    (exact chunks, an unreadable header, a reset, a TLS certificate): `answer` gets each
    connection, reads the request and writes what the test needs. Yields the base URL."""
    failures: list[Exception] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await answer(reader, writer)
        except Exception as exc:  # fails the test below rather than going to a log
            failures.append(exc)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()
    if failures:
        raise failures[0]


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 request's head and body (by its Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head, await reader.readexactly(length)


def response_head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Whatever"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def sse_body(events: list[Any]) -> bytes:
    """`events` as a chat stream's body: one `data:` line each, then `[DONE]`."""
    return b"".join(b"data: %s\n\n" % json.dumps(e).encode() for e in events) + b"data: [DONE]\n\n"


def sends_body(body: bytes, content_type: str = "text/event-stream") -> Answer:
    """A raw_server answer: `body`, with its Content-Length, whatever was asked."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        writer.write(response_head(200, headers) + body)
        await writer.drain()

    return answer


def reset(writer: asyncio.StreamWriter) -> None:
    """Drop the connection with a TCP reset rather than a clean close."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FullListener:
    """A port whose accept queue is full, so that a connect hangs until its timeout (Linux drops
    the SYN of a connection that finds the queue full rather than refusing it)."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(3):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", self.port))
            self._fillers.append(filler)

    def __enter__(self) -> FullListener:
        return self

    def __exit__(self, *exc: object) -> None:
        for sock in [*self._fillers, self._listener]:
            sock.close()


async def chat_with(answer: Answer, *, key: str, stream: bool, api: Api = "chat") -> list[Any]:
    """A chat in `api`'s format with a bare server that answers with `answer`, sent with `key`:
    its events."""
    async with raw_server(answer) as url:
        client = BasetenClient(Remote.local(url), key)
        try:
            request = {
                "model": "playground/demo-chat",
                "messages": [{"role": "user", "content": "hi"}],
                "stream": stream,
            }
            return await collect(client.chat(client.openai_base(None), request, api=api))
        finally:
            await client.aclose()
