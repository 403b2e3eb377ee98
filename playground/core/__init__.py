"""The Qt-free engine: remotes and targets, URL building, the HTTP client, errors and metrics.

Imports neither PySide6 nor qasync (checked by a test and by import-linter).
"""

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
