"""The Qt-free engine: remotes and targets, URL building, the HTTP client, errors and metrics.

Imports neither PySide6 nor qasync (checked by a test and by import-linter). Names are loaded on
first use, so that the window can paint before the network stack (httpx, ~100 ms) is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playground.core.client import BasetenClient, Call
    from playground.core.errors import (
        ApiError,
        InvalidRequest,
        NetworkError,
        PlaygroundError,
        StreamCut,
        StreamError,
        TruncatedStream,
    )
    from playground.core.events import (
        BinaryChunk,
        ChatDelta,
        ChatFinished,
        ChatResult,
        Finished,
        JsonBody,
        NdjsonLine,
        Notice,
        ResponseStarted,
        SseEvent,
        TextChunk,
        ToolCall,
    )
    from playground.core.metrics import Metrics
    from playground.core.remotes import Remote, Target
    from playground.core.transport import RetryPolicy, Timeouts

_WHERE = {
    "BasetenClient": "client",
    "Call": "client",
    "ApiError": "errors",
    "InvalidRequest": "errors",
    "NetworkError": "errors",
    "PlaygroundError": "errors",
    "StreamCut": "errors",
    "StreamError": "errors",
    "TruncatedStream": "errors",
    "BinaryChunk": "events",
    "ChatDelta": "events",
    "ChatFinished": "events",
    "ChatResult": "events",
    "Finished": "events",
    "JsonBody": "events",
    "NdjsonLine": "events",
    "Notice": "events",
    "ResponseStarted": "events",
    "SseEvent": "events",
    "TextChunk": "events",
    "ToolCall": "events",
    "Metrics": "metrics",
    "Remote": "remotes",
    "Target": "remotes",
    "RetryPolicy": "transport",
    "Timeouts": "transport",
}

__all__ = [
    "ApiError",
    "BasetenClient",
    "BinaryChunk",
    "Call",
    "ChatDelta",
    "ChatFinished",
    "ChatResult",
    "Finished",
    "InvalidRequest",
    "JsonBody",
    "Metrics",
    "NdjsonLine",
    "NetworkError",
    "Notice",
    "PlaygroundError",
    "Remote",
    "ResponseStarted",
    "RetryPolicy",
    "SseEvent",
    "StreamCut",
    "StreamError",
    "Target",
    "TextChunk",
    "Timeouts",
    "ToolCall",
    "TruncatedStream",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'playground.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"playground.core.{module}"), name)
    globals()[name] = value
    return value
