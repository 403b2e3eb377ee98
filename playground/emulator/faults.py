"""Faults on demand: parse a fault spec and build Baseten's error responses in each documented shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from typing import Any

from starlette.responses import Response

FAULT_HEADER = "X-Emulator-Fault"

# Error-body shapes from baseten-api.md §7.2 (plus the plain-text and HTML pages a load balancer
# in front of any service sends when it fails).
SHAPES = (
    "gateway",
    "spec",
    "truss",
    "chain",
    "openai",
    "flat",
    "detail",
    "ratelimit",
    "text",
    "html",
)

# How engines behind Baseten differ in what they stream (baseten-api.md §5.3): `reasoning` instead
# of `reasoning_content`, and tool calls continued by an empty id, by their id without an index,
# or by an empty name (with an id of its own, as MiniMax does).
DIALECTS = ("reasoning", "empty_id", "same_id", "empty_name")

DEFAULT_MESSAGES = {
    400: "Invalid JSON payload",
    401: "please check the api-key you provided",
    402: "Payment required: check the billing settings of your workspace",
    403: "please check the api-key you provided",
    404: "Model not found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Model definition error",
    413: "Request entity too large",
    422: "Unprocessable entity",
    429: "Rate limit exceeded. Please try again later.",
    500: "Internal Server Error (in model/chainlet).",
    502: "Error making prediction",
    503: "Model with name model is not ready.",
    504: "Request timed out",
}

# The spec's ErrorResponse.error_code enum, by status.
ERROR_CODES = {
    400: "client_error",
    401: "unauthorized",
    403: "unauthorized",
    404: "model_does_not_exist",
    413: "payload_too_large",
    429: "rate_limited",
    500: "application_error",
    502: "internal_baseten_error",
    503: "model_not_ready",
    504: "timeout",
}

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# Statuses that never have a body (RFC 9110 §15.3.5, §15.4.5): a fault's error body cannot go out.
NO_BODY_STATUSES = frozenset({204, 304})


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed, or asks for what the server cannot send."""


@dataclass(frozen=True)
class Faults:
    """What to do wrong with one request. Every field's zero value means "behave normally"."""

    latency: float = 0.0  # seconds before the response starts (for async: added run time)
    stall: float = 0.0  # seconds between the response headers and the first body byte
    status: int = 0  # answer with this status instead of the model's answer
    shape: str = ""  # error-body shape for `status`; "" picks the usual one for the route
    message: str = ""  # error message for `status`
    retry_after: int = -1  # Retry-After header (and body field for the "ratelimit" shape)
    cut_after: int = -1  # abort the connection after N stream events (no clean end)
    end_after: int = -1  # end the stream cleanly after N events (no finish reason, no [DONE])
    malformed_at: int = -1  # send a malformed SSE event just before event N
    error_at: int = -1  # send an in-band error event at N and end the stream
    trickle: float = 0.0  # seconds between body pieces
    chunk_bytes: int = 0  # re-chunk the body into pieces of this many bytes (splits UTF-8)
    huge: int = 0  # answer predict with a JSON body of about this many bytes
    huge_image: int = 0  # answer predict with {"data": "<base64 PNG>"} of about this many bytes
    tokens: int = 0  # chat: generate exactly this many content deltas
    delay: float = -1.0  # chat and streams: seconds per delta (overrides the deployment's speed)
    job_fail: str = ""  # async: fail the job with this error code
    dialect: str = ""  # chat: stream deltas in one of the DIALECTS, not the usual OpenAI shape
    read_delay: float = 0.0  # websockets: seconds before reading each client frame (slow reader)
    count: int = -1  # per-model faults only: apply to the next N requests, then clear

    @property
    def is_empty(self) -> bool:
        return self == Faults()

    def merged(self, other: Faults) -> Faults:
        """Fields set in `other` win over ours."""
        default = Faults()
        changes = {
            f.name: getattr(other, f.name)
            for f in fields(self)
            if getattr(other, f.name) != getattr(default, f.name)
        }
        return replace(self, **changes)

    def shaping_stream(self) -> bool:
        return self.trickle > 0 or self.chunk_bytes > 0


_FIELD_TYPES = {f.name: f.type for f in fields(Faults)}


def parse_faults(spec: str | dict[str, Any] | None) -> Faults:
    """Parse `status=503,shape=spec,retry_after=2` (`;` also separates) or a JSON object."""
    if spec is None:
        return Faults()
    items: dict[str, Any]
    if isinstance(spec, dict):
        items = spec
    else:
        text = spec.strip()
        if not text:
            return Faults()
        if text.startswith("{"):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                raise FaultSpecError(f"fault spec is not valid JSON: {exc}") from exc
        else:
            items = {}
            for part in text.replace(";", ",").split(","):
                if not part.strip():
                    continue
                key, sep, value = part.partition("=")
                if not sep:
                    raise FaultSpecError(f"fault spec item {part.strip()!r} is not key=value")
                items[key.strip()] = value.strip()
    values: dict[str, Any] = {}
    for key, raw in items.items():
        kind = _FIELD_TYPES.get(key)
        if kind is None:
            raise FaultSpecError(f"unknown fault {key!r}; known: {', '.join(sorted(_FIELD_TYPES))}")
        try:
            if kind == "float":
                values[key] = float(raw)
            elif kind == "int":
                values[key] = int(raw)
            else:
                values[key] = str(raw)
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"fault {key!r} needs a {kind}, got {raw!r}") from exc
    faults = Faults(**values)
    if faults.shape and faults.shape not in SHAPES:
        raise FaultSpecError(f"unknown error shape {faults.shape!r}; known: {', '.join(SHAPES)}")
    if faults.dialect and faults.dialect not in DIALECTS:
        raise FaultSpecError(f"unknown dialect {faults.dialect!r}; known: {', '.join(DIALECTS)}")
    if faults.status and not 100 <= faults.status <= 599:
        raise FaultSpecError(f"status {faults.status} is not an HTTP status")
    if faults.status and faults.status < 200:
        raise FaultSpecError(
            f"status {faults.status} is informational (1xx): it comes before an answer and "
            "cannot be one; pick a status from 200 to 599"
        )
    if faults.status in NO_BODY_STATUSES:
        raise FaultSpecError(
            f"status {faults.status} has no body, so it cannot carry the error a fault sends; "
            "pick another status"
        )
    return faults


def error_response(
    status: int,
    message: str = "",
    *,
    shape: str = "gateway",
    retry_after: int = -1,
    detail: str = "",
    error_code: str = "",
) -> Response:
    """A Baseten error response in one of the documented body shapes."""
    message = message or DEFAULT_MESSAGES.get(status, REASONS.get(status, "Error"))
    reason = REASONS.get(status, "Error")
    headers: dict[str, str] = {}
    if retry_after >= 0:
        headers["Retry-After"] = str(retry_after)
    body: Any
    if shape == "spec":
        body = {
            "error": message,
            "error_code": error_code or ERROR_CODES.get(status, "internal_baseten_error"),
            "detail": detail or message,
        }
    elif shape == "truss":
        body = {"error": message}
        headers["X-BASETEN-ERROR-SOURCE"] = "04"
        headers["X-BASETEN-ERROR-CODE"] = "700" if status < 500 else "600"
    elif shape == "chain":
        body = {
            "error": {
                "exception_cls_name": "ValueError",
                "exception_module_name": None,
                "exception_message": message,
                "user_stack_trace": [
                    {
                        "filename": "/app/chain/chain.py",
                        "lineno": 42,
                        "name": "run_remote",
                        "line": "raise ValueError(message)",
                    }
                ],
            }
        }
    elif shape == "openai":
        body = {"error": {"message": message, "type": reason, "code": status}}
    elif shape == "flat":
        body = {"message": message, "type": reason, "code": status}
    elif shape == "detail":
        body = {"detail": message}
    elif shape == "ratelimit":
        body = {"error": message, "retry_after": max(retry_after, 1)}
    elif shape == "text":
        return Response(message, status_code=status, media_type="text/plain", headers=headers)
    elif shape == "html":
        page = (
            f"<html><head><title>{status} {reason}</title></head><body>"
            f"<center><h1>{status} {reason}</h1></center><hr><center>{message}</center>"
            "</body></html>"
        )
        return Response(page, status_code=status, media_type="text/html", headers=headers)
    else:
        body = {"error": message}
    return Response(
        json.dumps(body),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def fault_response(faults: Faults, *, default_shape: str = "gateway") -> Response:
    return error_response(
        faults.status,
        faults.message,
        shape=faults.shape or default_shape,
        retry_after=faults.retry_after,
    )
