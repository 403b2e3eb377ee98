"""What a WebSocket session is made of: frames with their times and sizes, how it closed (in
words), its figures, and the error a close that was not normal becomes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from playground.core.errors import StreamCut, StreamError

Direction = Literal["sent", "received"]

# Baseten's limit on a message, each way (baseten-api.md §0); Truss closes 1009 past it.
MAX_MESSAGE = 100 * 1024 * 1024

CLOSE_WORDS = {
    1000: "closed normally",
    1001: "going away: the server is restarting or the client left",
    1002: "protocol error",
    1003: "the model cannot take this: it has no websocket method, or not this kind of frame",
    1005: "closed without a status code",
    1006: "the connection dropped without a close frame",
    1007: "a text frame was not valid UTF-8",
    1008: "closed by policy (e.g. the key may not use this model)",
    1009: "a message was over the 100 MiB limit",
    1010: "an extension the client needs was refused",
    1011: "the model failed: an error in its websocket method",
    1012: "the service is restarting",
    1013: "try again later: no replica is available",
    1014: "bad gateway",
    1015: "the TLS handshake failed",
}

CLOSE_HINTS = {
    1003: "Deploy the model with runtime.transport.kind: websocket and a websocket(self, ws) method.",
    1006: "The server or a proxy dropped the connection; the frames that arrived are kept.",
    1008: "Check the key's type and the models it may call.",
    1009: "Send messages under 100 MiB each: split audio into smaller frames.",
    1011: "The model raised an exception; its logs (filter by the request id) say why.",
    1012: "Reconnect in a moment.",
    1013: "Reconnect in a moment.",
}

# A failed upgrade that timed out shows as one of these on Baseten (baseten-api.md §0).
UPGRADE_WORDS = {
    408: "the upgrade timed out before the model accepted the connection",
    504: "the upgrade timed out at the gateway (the model did not accept in time)",
}


def close_words(code: int | None, reason: str = "") -> str:
    """`1011 (the model failed …): CUDA out of memory` — a close code and reason for people."""
    if code is None:
        return "not closed"
    words = CLOSE_WORDS.get(code)
    if words is None:
        words = "closed by the application" if 4000 <= code < 5000 else "closed"
    return f"{code} ({words})" + (f": {reason}" if reason else "")


def is_normal_close(code: int | None) -> bool:
    return code in (1000, 1001)


@dataclass(frozen=True)
class Frame:
    """One message. `at_s` is seconds since the connection opened; received data is already
    free of any key in use."""

    direction: Direction
    data: str | bytes
    at_s: float

    @property
    def is_text(self) -> bool:
        return isinstance(self.data, str)

    @property
    def size(self) -> int:
        data = self.data
        if isinstance(data, bytes) or data.isascii():
            return len(data)
        return len(data.encode())

    def json(self) -> Any:
        """The text frame's JSON value; ValueError if it is binary or not JSON."""
        if not isinstance(self.data, str):
            raise ValueError("a binary frame is not JSON")
        return json.loads(self.data)


@dataclass(frozen=True)
class Closed:
    """How the session ended: `by` is "server", "client" (we closed it) or "dropped"."""

    code: int
    reason: str
    by: str
    at_s: float

    @property
    def words(self) -> str:
        return close_words(self.code, self.reason)

    @property
    def is_normal(self) -> bool:
        return by_us(self) or is_normal_close(self.code)

    def error(self) -> StreamError | StreamCut | None:
        """What a close that was not normal means as an error (None for a normal one)."""
        if self.is_normal:
            return None
        if self.code == 1006:
            return StreamCut(f"WebSocket {self.words}")
        return WebSocketClosed(self.code, self.reason)


def by_us(closed: Closed) -> bool:
    return closed.by == "client" and closed.code in (1000, 1001)


class WebSocketClosed(StreamError):
    """The server closed the session with a code that is not a normal end (1003, 1009, 1011 …)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(
            f"WebSocket closed {close_words(code, reason)}",
            hint=CLOSE_HINTS.get(code, "The frames that arrived are kept."),
        )
        self.code = code
        self.reason = reason


@dataclass
class WsMetrics:
    """One session's figures; times are seconds from the upgrade request (`connect_s`: the
    upgrade answered) or from the open (frames)."""

    request_id: str | None = None
    model_id: str | None = None
    deployment_id: str | None = None
    connect_s: float | None = None
    first_frame_s: float | None = None  # first frame received, since the open
    last_frame_s: float | None = None  # last frame received, since the open
    frames_sent: int = 0
    frames_received: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    open_s: float = 0.0  # how long it was open, until the close (or now)
    close_code: int | None = None
    close_reason: str = ""

    # Rates over the time from the open to the last frame received: what came, how fast, without
    # the quiet before a close.
    @property
    def frames_per_s(self) -> float | None:
        span = self.last_frame_s
        return self.frames_received / span if span else None

    @property
    def bytes_per_s(self) -> float | None:
        span = self.last_frame_s
        return self.bytes_received / span if span else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "model_id": self.model_id,
            "deployment_id": self.deployment_id,
            "connect_s": self.connect_s,
            "first_frame_s": self.first_frame_s,
            "last_frame_s": self.last_frame_s,
            "frames_sent": self.frames_sent,
            "frames_received": self.frames_received,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "open_s": self.open_s,
            "frames_per_s": self.frames_per_s,
            "bytes_per_s": self.bytes_per_s,
            "close_code": self.close_code,
            "close_reason": self.close_reason,
            "close": close_words(self.close_code, self.close_reason),
        }
