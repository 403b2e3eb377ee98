"""How a response's body is read into events, by what kind of body it is."""

from __future__ import annotations

import codecs
from collections.abc import AsyncGenerator, Callable

import httpx
from httpx_sse import EventSource

from playground.core.api.scrub import read_all
from playground.core.events import (
    BinaryChunk,
    JsonBody,
    NdjsonLine,
    Notice,
    PredictEvent,
    ResponseStarted,
    SseEvent,
    TextChunk,
)
from playground.core.jsontext import parse_json
from playground.core.metrics import Metrics

NDJSON_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
    }
)


def body_kind(response: httpx.Response) -> str:
    """How to read a body, by Content-Type first (baseten-api.md §11.6)."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    chunked = "content-length" not in response.headers
    if content_type == "text/event-stream":
        return "sse"  # even when a proxy buffered it and sent a Content-Length
    if content_type in NDJSON_TYPES:
        return "ndjson"
    if content_type.startswith("audio/"):
        return "binary"  # never text, even streamed: a PCM sample may read as UTF-8
    if content_type == "application/json" or content_type.endswith("+json"):
        return "json"
    if chunked and response.status_code != 204:
        return "text-stream"
    if content_type.startswith("text/") or "charset=" in response.headers.get("content-type", ""):
        return "text"
    return "binary"


# Above this size a JSON body is passed on unparsed (see JsonBody): parsing holds the GIL, so
# even a worker thread would stall the caller's loop (a window's) for its whole length.
EAGER_PARSE_BYTES = 512 * 1024
BINARY_PIECE = 1024 * 1024


def started(response: httpx.Response, metrics: Metrics) -> ResponseStarted:
    return ResponseStarted(
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.headers.get("content-type", ""),
        metrics,
    )


async def read_body(
    response: httpx.Response, kind: str, on_bytes: Callable[[bytes], None] | None = None
) -> AsyncGenerator[PredictEvent, None]:
    """`response`'s body as events; `on_bytes` sees a streamed or binary body's chunks as they
    arrive (an audio meter times them)."""
    if kind == "sse":
        async for sse in EventSource(response).aiter_sse():
            yield SseEvent(sse.data, sse.event, sse.id)
    elif kind == "ndjson":
        async for line in response.aiter_lines():
            if not line.strip():
                continue
            try:
                yield NdjsonLine(parse_json(line), line)
            except ValueError:
                yield Notice(f"Not a JSON line: {line[:200]}")
                yield TextChunk(line + "\n")
    elif kind == "json":
        raw = await read_all(response)
        if len(raw) > EAGER_PARSE_BYTES:
            yield JsonBody.unparsed(raw)
            return
        try:
            yield JsonBody(parse_json(raw), raw)
        except ValueError as exc:
            yield Notice(f"The body says JSON but is not valid JSON: {exc}")
            yield TextChunk(raw.decode("utf-8", "replace"))
    elif kind == "text-stream":
        decoder = codecs.getincrementaldecoder("utf-8")()
        binary = False
        async for chunk in response.aiter_bytes():
            if on_bytes is not None:
                on_bytes(chunk)
            if binary:
                yield BinaryChunk(chunk)
                continue
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                binary = True
                yield Notice("The stream is not UTF-8 text; showing the rest as bytes")
                yield BinaryChunk(chunk)
                continue
            if text:
                yield TextChunk(text)
        if not binary:
            try:
                tail = decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                yield Notice("The stream ended in the middle of a UTF-8 character")
            else:
                if tail:
                    yield TextChunk(tail)
    elif kind == "text":
        yield TextChunk((await response.aread()).decode(response.encoding or "utf-8", "replace"))
    else:
        # In pieces as they come: a big body is kept whole once, by whoever keeps it. A streamed
        # one (no Content-Length: speech, say) is passed on as it arrives, to be played so.
        piece = bytearray()
        streamed = "content-length" not in response.headers
        async for chunk in response.aiter_bytes():
            if on_bytes is not None:
                on_bytes(chunk)
            piece += chunk
            if streamed or len(piece) >= BINARY_PIECE:
                yield BinaryChunk(bytes(piece))
                piece.clear()
        if piece:
            yield BinaryChunk(bytes(piece))
