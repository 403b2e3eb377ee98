"""The project's own exceptions, so that no caller ever needs to know httpx's.

PlaygroundError
 ├── NetworkError   the server could not be reached or the connection broke
 └── ApiError       the server answered with an error status
"""

from __future__ import annotations

import json
from typing import Any

HINTS = {
    401: "Check the API key for this remote.",
    403: "The API key is not allowed to do this; check its type and the models it is scoped to.",
    404: "Check the model id and the environment or deployment name.",
    413: "The request body is too large (100 MB for predict, 256 KiB for async).",
    429: "Too many requests; slow down and retry.",
    502: "A transient error on Baseten's side or the model restarted; retry.",
    503: "The model is not ready or not available; retry in a moment.",
    504: "The request took longer than Baseten's sync limit; use async predict for long jobs.",
}


class PlaygroundError(Exception):
    """Base of every error this project raises."""


class NetworkError(PlaygroundError):
    """The request never got an answer: refused, name lookup, TLS, timeout or a dropped connection."""


class ApiError(PlaygroundError):
    """The server answered with an error status; `message` is Baseten's own words."""

    def __init__(self, status: int, message: str, request_id: str | None) -> None:
        self.status = status
        self.message = message
        self.request_id = request_id
        self.hint = HINTS.get(status, "")
        super().__init__(f"{status}: {message}")


def error_message(body: bytes) -> str:
    """Baseten's message from any of its error-body shapes, or the text as it came."""
    text = body.decode("utf-8", "replace").strip()
    try:
        payload: Any = json.loads(text)
    except ValueError:
        return text[:500]
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, str):
            return error
        if isinstance(error, dict):
            for key in ("message", "exception_message"):
                if isinstance(error.get(key), str):
                    return str(error[key])
        for key in ("message", "detail"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
    return text[:500]
