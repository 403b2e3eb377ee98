"""WebSocket sessions with models and chains (baseten-api.md §0, §6.1), free of Qt."""

from playground.core.ws.frames import (
    MAX_MESSAGE,
    Closed,
    Frame,
    WebSocketClosed,
    WsMetrics,
    close_words,
)
from playground.core.ws.session import WsSession, session_for, ws_url

__all__ = [
    "MAX_MESSAGE",
    "Closed",
    "Frame",
    "WebSocketClosed",
    "WsMetrics",
    "WsSession",
    "close_words",
    "session_for",
    "ws_url",
]
