"""A WebSocket session with a model or chain: the upgrade with the remote's key, frames in and out
with their times, and every failure as the project's own errors.

    async with WsSession(client, target) as session:   # the upgrade; ApiError / NetworkError
        await session.send_text("hello")               # -> Frame("sent", ...)
        async for event in session:                    # Frame("received", ...) ..., then Closed
            ...

Leaving the block (or cancelling the task in it) closes the socket; the server sees a close
frame (1000 when asked to close, 1001 when the task was cancelled).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from types import TracebackType
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from playground.core.api.client import BasetenClient
from playground.core.api.failures import network_error
from playground.core.api.policy import seconds
from playground.core.errors import (
    ApiError,
    InvalidRequest,
    NetworkError,
    parse_error_body,
    timed_out,
)
from playground.core.metrics import Clock
from playground.core.remote.remotes import Target
from playground.core.secrets import REDACTOR
from playground.core.ws.frames import MAX_MESSAGE, UPGRADE_WORDS, Closed, Frame, WsMetrics

_TLS: ssl.SSLContext | None = None
FLUSH_FRAMES = 256  # at most this many frames wait for the end of the loop's turn


def _tls() -> ssl.SSLContext:
    """The TLS settings of the HTTP calls (httpx's context: the same certificates)."""
    global _TLS
    if _TLS is None:
        _TLS = httpx.create_ssl_context()
    return _TLS


class _CoalescingConnection(ClientConnection):
    """websockets' connection, writing what one turn of the loop sends in one go.

    `ClientConnection` writes each frame to the socket as it is sent: a system call a frame,
    which for a script's hundreds of small frames (or a speech model's audio chunks) costs more
    than the frames themselves. Here `send_data` only marks that there is something to write, and
    the frames queued during the turn go out together at its end, joined into one write. Flow
    control is unchanged: the transport's buffer limits still pause the senders (`drain`)."""

    _flush_pending = False
    _unflushed = 0

    def send_data(self) -> None:
        self._unflushed += 1
        if self._unflushed >= FLUSH_FRAMES:  # a sender that never yields: write as it goes
            self._flush()
        elif not self._flush_pending:
            self._flush_pending = True
            self.loop.call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        self._flush_pending = False
        self._flush()

    def _flush(self) -> None:
        self._unflushed = 0
        transport = self.transport
        if transport.is_closing():
            return  # a drop or an abort: the reader reports how it ended
        try:
            waiting: list[bytes] = []
            for data in self.protocol.data_to_send():
                if data:
                    waiting.append(data)
                    continue
                if waiting:  # b"": the end of what we send, after what came before it
                    transport.write(b"".join(waiting))
                    waiting = []
                if transport.can_write_eof():
                    transport.write_eof()
                else:
                    transport.close()
            if waiting:
                transport.write(b"".join(waiting))
        except Exception as exc:  # as websockets does when a write fails: drop the connection
            self.set_connection_exc(exc)
            transport.abort()


def ws_url(client: BasetenClient, target: Target) -> str:
    """The target's `websocket` endpoint on the remote, as ws:// or wss://."""
    url = target.url(client.remote, "websocket")
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


class WsSession:
    """One WebSocket session. Open it with `async with` (or `open()` and `close()`)."""

    def __init__(
        self,
        client: BasetenClient,
        target: Target,
        *,
        headers: dict[str, str] | None = None,
        open_timeout: float | None = -1.0,
        max_size: int = MAX_MESSAGE,
        keep_frames: int = 10_000,
        read_size: int | None = None,
    ) -> None:
        self.client = client
        self.target = target
        self.url = ws_url(client, target)
        self._extra = dict(headers or {})
        # The upgrade may wait for a scaled-to-zero model to wake: as long as a read may.
        self.open_timeout = client.transport.timeouts.read if open_timeout == -1.0 else open_timeout
        self.max_size = max_size
        self.read_size = read_size  # bytes per read from the socket (None: asyncio's 256 KiB)
        self.frames: deque[Frame] = deque(maxlen=keep_frames)  # both directions, oldest dropped
        self.metrics = WsMetrics()
        self.closed: Closed | None = None
        self.response_headers: dict[str, str] = {}
        self._ws: ClientConnection | None = None
        self._clock = Clock()
        self._opened_at = 0.0
        self._connecting = False

    def __repr__(self) -> str:  # never the key
        return f"WsSession(url={self.url!r}, closed={self.closed!r})"

    @property
    def request_id(self) -> str | None:
        return self.metrics.request_id

    @property
    def is_open(self) -> bool:
        return self._ws is not None and self.closed is None

    @property
    def state(self) -> str:
        """ "new", "connecting" (the upgrade is out; a scaled-to-zero model parks it while it
        wakes: `core.api.wake.deployment_status` says which), "open" or "closed"."""
        if self.closed is not None:
            return "closed"
        if self._ws is not None:
            return "open"
        return "connecting" if self._connecting else "new"

    def since_open(self) -> float:
        return self._clock.now() - self._opened_at

    # --- opening ---------------------------------------------------------------------------

    async def open(self) -> WsSession:
        """The upgrade: a refusal is an ApiError (Baseten's status, message, request id)."""
        if self._ws is not None or self._connecting:
            raise InvalidRequest("This WebSocket session was opened already; start a new one")
        headers = self.client._headers(self._extra)
        self._clock = Clock()
        self._connecting = True
        try:
            self._ws = await connect(
                self.url,
                additional_headers=headers,
                open_timeout=self.open_timeout,
                max_size=self.max_size,
                ssl=_tls() if self.url.startswith("wss://") else None,
                user_agent_header=None,
                ping_interval=20,
                ping_timeout=None,  # a slow model is no reason to drop the line
                create_connection=_CoalescingConnection,
            )
        except InvalidStatus as exc:
            raise self._refused(exc) from None
        except TimeoutError:
            raise timed_out(
                "read",
                f"Timed out: {self._where()} did not answer the WebSocket upgrade within "
                f"{seconds(self.open_timeout)} (read timeout)",
            ) from None
        except InvalidHandshake as exc:
            raise NetworkError(
                f"The WebSocket upgrade with {self._where()} failed: {exc}",
                "Is this a WebSocket endpoint? Check the remote's URL and the target.",
            ) from None
        except (OSError, socket.gaierror) as exc:
            raise self._unreachable(exc) from None
        finally:
            self._connecting = False
        self._opened_at = self._clock.now()
        if self.read_size is not None and hasattr(self._ws.transport, "max_size"):
            # asyncio's selector transports read `max_size` bytes per recv, and websockets
            # parses all of a read at once: 256 KiB of small frames is thousands of them in one
            # go. A window sets less, so that no single read holds its thread for long.
            self._ws.transport.max_size = self.read_size
        response = self._ws.response
        assert response is not None
        self.response_headers = {k.lower(): v for k, v in response.headers.raw_items()}
        metrics = self.metrics
        metrics.connect_s = self._opened_at
        metrics.request_id = self.response_headers.get("x-baseten-request-id")
        metrics.model_id = self.response_headers.get("x-baseten-model-id")
        metrics.deployment_id = self.response_headers.get("x-baseten-model-version-id")
        return self

    def _where(self) -> str:
        return httpx.URL(self._http_url()).netloc.decode()

    def _http_url(self) -> str:
        return "http" + self.url[2:] if self.url.startswith("ws") else self.url

    def _refused(self, exc: InvalidStatus) -> ApiError:
        response = exc.response
        body = bytes(response.body or b"")
        parsed = parse_error_body(body)
        headers = {k.lower(): v for k, v in response.headers.raw_items()}
        error = ApiError(
            response.status_code,
            REDACTOR.text(parsed.message),
            headers.get("x-baseten-request-id"),
            error_code=parsed.error_code,
            detail=parsed.detail,
            retry_after=parsed.retry_after,
            body=REDACTOR.data(body),
            headers=headers,
            path=httpx.URL(self._http_url()).path,
        )
        if response.status_code in UPGRADE_WORDS:
            error.hint = (
                f"WebSocket: {UPGRADE_WORDS[response.status_code]}. Retry; a scaled-to-zero "
                "model may need waking first."
            )
        return error

    def _unreachable(self, exc: OSError) -> NetworkError:
        # The HTTP calls' words for the same failure (refused, name lookup, TLS).
        wrapped = httpx.ConnectError(str(exc) or type(exc).__name__)
        wrapped.__cause__ = exc
        return network_error(
            wrapped, httpx.Request("GET", self._http_url()), self.client.transport.timeouts
        )

    async def __aenter__(self) -> WsSession:
        """Open the session, unless `open()` already has (the block still closes it)."""
        return self if self._ws is not None else await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        cancelled = exc_type is not None and issubclass(exc_type, asyncio.CancelledError)
        await self.close(1001 if cancelled else 1000, "cancelled" if cancelled else "")

    # --- frames ----------------------------------------------------------------------------

    def _live(self) -> ClientConnection:
        if self._ws is None:
            raise InvalidRequest("The WebSocket is not open yet")
        if self.closed is not None:
            raise InvalidRequest(f"The WebSocket is closed: {self.closed.words}")
        return self._ws

    async def send_text(self, text: str) -> Frame:
        """Send a text frame; the frame as kept (key masked). Once the server has closed, the
        close's error (`Closed.error()`), or InvalidRequest after a normal close."""
        return (await self.send_many((text,)))[0]

    async def send_bytes(self, data: bytes) -> Frame:
        return (await self.send_many((bytes(data),)))[0]

    async def send_many(self, messages: Sequence[str | bytes]) -> list[Frame]:
        """Send several frames (text for `str`, binary for `bytes`) in order, written together;
        the frames as kept. Fails as `send_text` does, none of them kept then."""
        ws = self._live()
        try:
            # What `ClientConnection.send` does for each message, the connection checked and
            # written once for all of them.
            async with ws.send_context():
                protocol = ws.protocol
                for data in messages:
                    if isinstance(data, str):
                        protocol.send_text(data.encode())
                    else:
                        protocol.send_binary(data)
        except ConnectionClosed:
            # Closed under us: the close's own error (1003, 1011, a drop …), as reading says.
            closed = self._closed_now()
            raise closed.error() or InvalidRequest(
                f"The WebSocket is closed: {closed.words}"
            ) from None
        at_s, metrics = self.since_open(), self.metrics
        sent = [
            Frame("sent", REDACTOR.text(d) if isinstance(d, str) else REDACTOR.data(d), at_s)
            for d in messages
        ]
        self.frames.extend(sent)
        metrics.frames_sent += len(sent)
        metrics.bytes_sent += sum(frame.size for frame in sent)
        return sent

    def __aiter__(self) -> AsyncIterator[Frame | Closed]:
        return self.events()

    async def events(self) -> AsyncGenerator[Frame | Closed, None]:
        """Received frames as they arrive (those that came before a close too), then one
        `Closed`; then the iteration ends."""
        ws = self._ws
        if ws is None:
            raise InvalidRequest("The WebSocket is not open yet")
        metrics = self.metrics
        while True:
            try:
                data = await ws.recv()
            except ConnectionClosed:
                yield self._closed_now()
                return
            shown: str | bytes = (
                REDACTOR.text(data) if isinstance(data, str) else REDACTOR.data(data)
            )
            frame = Frame("received", shown, self.since_open())
            if metrics.first_frame_s is None:
                metrics.first_frame_s = frame.at_s
            metrics.last_frame_s = frame.at_s
            metrics.frames_received += 1
            metrics.bytes_received += frame.size
            self.frames.append(frame)
            yield frame

    # --- closing ---------------------------------------------------------------------------

    def _closed_now(self) -> Closed:
        if self.closed is not None:
            return self.closed
        ws = self._ws
        assert ws is not None
        protocol = ws.protocol
        rcvd, sent = protocol.close_rcvd, protocol.close_sent
        if rcvd is None and sent is None:
            code, reason, by = 1006, "", "dropped"
        elif sent is not None and (rcvd is None or not protocol.close_rcvd_then_sent):
            code, reason, by = sent.code, sent.reason, "client"
        else:
            assert rcvd is not None
            code, reason, by = rcvd.code, rcvd.reason, "server"
        self.closed = Closed(code, REDACTOR.text(reason), by, self.since_open())
        self.metrics.open_s = self.closed.at_s
        self.metrics.close_code, self.metrics.close_reason = code, self.closed.reason
        return self.closed

    async def close(self, code: int = 1000, reason: str = "") -> Closed:
        """Close the session (idempotent); a cancel while closing drops the connection."""
        ws = self._ws
        if ws is None:
            raise InvalidRequest("The WebSocket was never opened")
        if self.closed is None:
            try:
                await ws.close(code, reason)
            except asyncio.CancelledError:
                ws.transport.abort()
                self._closed_now()
                raise
        return self._closed_now()


def session_for(client: BasetenClient, target: Target, **options: Any) -> WsSession:
    """`async with session_for(client, target) as session:` — the same as `WsSession(...)`."""
    return WsSession(client, target, **options)
