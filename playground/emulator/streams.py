"""Streaming responses that can be slowed, re-chunked, corrupted or cut on demand, and that notice disconnects."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from starlette.responses import Response, StreamingResponse

from playground.emulator.faults import Faults


class StreamCut(Exception):
    """Raised inside a response stream to drop the connection without ending the body."""


@dataclass
class RequestRecord:
    """What the server knows of one request, for tests that must see the server's side."""

    request_id: str
    method: str
    path: str
    status: int = 0
    events_sent: int = 0
    completed: bool = False
    disconnected: bool = False
    cut: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def sse(payload: Any) -> bytes:
    """One server-sent event exactly as OpenAI frames it: `data: <json>` and a blank line."""
    # msgspec writes the JSON json.dumps(…, ensure_ascii=False, separators=(",", ":")) writes (bar
    # an exponent's "+"), several times faster: with logprobs on, serialising each event was most
    # of the server's time.
    return b"data: " + msgspec.json.encode(payload) + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"
MALFORMED_SSE = b'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":\n\n'


def _rechunk(data: bytes, size: int) -> Iterable[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def shape(
    events: AsyncIterator[bytes], faults: Faults, record: RequestRecord, *, kind: str
) -> AsyncIterator[bytes]:
    """Apply the stream faults to `events`; `kind` is "sse", "ndjson" or "raw"."""
    sent = 0
    try:
        if faults.stall > 0:
            await asyncio.sleep(faults.stall)
        async for event in events:
            if sent == faults.cut_after:
                record.cut = True
                raise StreamCut(f"stream cut after {sent} events")
            if sent == faults.end_after:
                return
            if sent == faults.error_at:
                message = faults.message or "Internal error while generating the response"
                if kind == "sse":
                    error = {
                        "error": {"message": message, "type": "InternalServerError", "code": 500}
                    }
                    yield sse(error)
                    yield SSE_DONE
                else:
                    yield json.dumps({"error": message}).encode() + b"\n"
                return
            if sent == faults.malformed_at and kind == "sse":
                yield MALFORMED_SSE
            sent += 1
            record.events_sent = sent
            if faults.shaping_stream():
                for piece in _rechunk(event, faults.chunk_bytes or len(event) or 1):
                    yield piece
                    if faults.trickle > 0:
                        await asyncio.sleep(faults.trickle)
            else:
                yield event
        record.completed = True
    except (asyncio.CancelledError, GeneratorExit):
        record.disconnected = True
        raise


def streaming(
    events: AsyncIterator[bytes],
    faults: Faults,
    record: RequestRecord,
    *,
    media_type: str,
    kind: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    extra = {"Cache-Control": "no-cache"} if kind == "sse" else {}
    extra.update(headers or {})
    return StreamingResponse(
        shape(events, faults, record, kind=kind),
        status_code=status,
        media_type=media_type,
        headers=extra,
    )


async def _one(body: bytes) -> AsyncIterator[bytes]:
    yield body


def body_response(
    body: bytes,
    faults: Faults,
    record: RequestRecord,
    *,
    media_type: str = "application/json",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A whole body; trickled or re-chunked (and so sent chunked) when the faults ask for it."""
    if faults.shaping_stream() or faults.stall > 0 or faults.cut_after == 0:
        return streaming(
            _one(body),
            faults,
            record,
            media_type=media_type,
            kind="raw",
            status=status,
            headers=headers,
        )
    record.completed = True
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def json_response(
    payload: Any,
    faults: Faults,
    record: RequestRecord,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body_response(body, faults, record, status=status, headers=headers)


class _DropIntentionalCuts(logging.Filter):
    """uvicorn logs every exception that escapes an app; a cut we asked for is not one to log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _contains_cut(exc)


def _contains_cut(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, StreamCut):
            return True
        if isinstance(exc, BaseExceptionGroup):
            return any(_contains_cut(inner) for inner in exc.exceptions)
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropIntentionalCuts) for f in logger.filters):
        logger.addFilter(_DropIntentionalCuts())
