"""The Qt-free engine: remotes and targets, URL building, the HTTP client, errors and metrics.

Imports neither PySide6 nor qasync (checked by a test and by import-linter). Names are loaded on
first use (PEP 562), so that the window can paint before the network stack (httpx, ~100 ms) is
imported. `_WHERE` is the one list of the public names, each with the module that defines it.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "BasetenClient": "api.client",
    "Call": "api.client",
    "Limits": "api.policy",
    "RetryPolicy": "api.policy",
    "Timeouts": "api.policy",
    "ApiError": "errors",
    "InvalidRequest": "errors",
    "NetworkError": "errors",
    "PlaygroundError": "errors",
    "ResponseTooLarge": "errors",
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
    "Retrying": "events",
    "SseEvent": "events",
    "TextChunk": "events",
    "ToolCall": "events",
    "Metrics": "metrics",
    "Remote": "remote.remotes",
    "Target": "remote.remotes",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'playground.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"playground.core.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
