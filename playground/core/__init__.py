"""The Qt-free engine: remotes and targets, URL building, and the HTTP client (no PySide6, no qasync)."""

from playground.core.client import BasetenClient, CallResult
from playground.core.errors import ApiError, NetworkError, PlaygroundError
from playground.core.remotes import Remote, Target

__all__ = [
    "ApiError",
    "BasetenClient",
    "CallResult",
    "NetworkError",
    "PlaygroundError",
    "Remote",
    "Target",
]
