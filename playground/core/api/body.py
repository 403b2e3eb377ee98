"""A response's body as it comes: bytes counted off the wire against the request's deadline, then
decoded and cut at the size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from playground.core.api.policy import Deadline
from playground.core.errors import ResponseTooLarge
from playground.core.metrics import Clock, Metrics


class _Limited:
    """Counts a body's bytes against `limit` (None: no limit) and cuts it there."""

    limit: int | None = None
    size = 0
    is_cut = False

    def _take(self, chunk: bytes) -> bytes:
        """What of `chunk` fits; past the limit, `is_cut` is true and the body ends."""
        limit = self.limit
        if limit is not None and self.size + len(chunk) > limit:
            self.is_cut = True
            chunk = chunk[: max(0, limit - self.size)]
        self.size += len(chunk)
        return chunk


class CountingStream(_Limited, httpx.AsyncByteStream):
    """Wraps a response body to time its first byte and count bytes as they come off the wire;
    each read must also end before the request's deadline, when it has one. When the bytes on
    the wire are the body's (nothing to decode), they are also cut at the size limit here."""

    def __init__(
        self, inner: Any, metrics: Metrics, clock: Clock, deadline: Deadline, where: str
    ) -> None:
        self._inner = inner
        self._metrics = metrics
        self._clock = clock
        self._deadline = deadline
        self._where = where

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._deadline.at is None:
            # The usual call, once per chunk (a token, in a chat): counted and cut inline.
            metrics = self._metrics
            async for chunk in self._inner:
                if metrics.first_byte_s is None and chunk:
                    metrics.first_byte_s = self._clock.now()
                metrics.bytes += len(chunk)
                if self.limit is not None and self.size + len(chunk) > self.limit:
                    if piece := self._take(chunk):
                        yield piece
                    return
                self.size += len(chunk)
                yield chunk
            return
        chunks = aiter(self._inner)
        while True:
            try:
                async with self._deadline.scope():
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except TimeoutError as exc:
                raise self._deadline.error(self._where, started=True) from exc
            self._count(chunk)
            if piece := self._take(chunk):
                yield piece
            if self.is_cut:
                return

    def _count(self, chunk: bytes) -> None:
        if chunk:
            metrics = self._metrics
            if metrics.first_byte_s is None:
                metrics.first_byte_s = self._clock.now()
            metrics.bytes += len(chunk)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Decoded(_Limited, httpx.AsyncByteStream):
    """A response's body as httpx decodes it, cut at `limit` bytes."""

    def __init__(self, original: httpx.Response, limit: int | None) -> None:
        self._original = original
        self.limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._original.aiter_bytes():
            if piece := self._take(chunk):
                yield piece
            if self.is_cut:
                return

    async def aclose(self) -> None:
        pass  # the transport closes the original when the call ends


class CappedBody:
    """A response's body cut at `limit` bytes, counted as the reader gets them: after decoding
    (gzip, deflate …), since a small compressed body can expand to gigabytes.

    `response` reads it with httpx's own API (`aread`, `aiter_lines`, an EventSource …); it
    ends early, cleanly, at the limit, and then `is_cut` is true: what to do with the part that
    arrived is the reader's to say (`error`). With nothing to decode, the transport's counting
    stream cuts the bytes as they come (no layer more per chunk); otherwise `response` is a
    second view of the original whose stream is the decoded body (the original keeps the
    headers as they were sent).
    """

    def __init__(self, original: httpx.Response, limit: int | None) -> None:
        self.original = original
        self.limit = limit
        stream = original.stream
        self._counter: _Limited
        if "content-encoding" not in original.headers and isinstance(stream, CountingStream):
            stream.limit = limit
            self._counter = stream
            self.response = original
            return
        self._counter = decoded = _Decoded(original, limit)
        headers = [
            (name, value)
            for name, value in original.headers.multi_items()
            if name.lower() != "content-encoding"  # decoded already, by the original
        ]
        self.response = httpx.Response(
            original.status_code,
            headers=headers,
            stream=decoded,
            request=original.request,
            extensions=original.extensions,
        )

    @property
    def size(self) -> int:
        return self._counter.size

    @property
    def is_cut(self) -> bool:
        return self._counter.is_cut

    def error(self, wire_bytes: int, partial: Any = None) -> ResponseTooLarge:
        assert self.limit is not None
        headers = self.original.headers
        encoding = headers.get("content-encoding", "")
        on_wire = f"; {_size(wire_bytes)} on the wire, {encoding}" if encoding else ""
        length = headers.get("content-length", "")
        of = f" of {_size(int(length))}" if length.isdigit() and not encoding else ""
        return ResponseTooLarge(
            f"The response passed the {_size(self.limit)} limit on a response's size: reading "
            f"stopped after {self.size:,} bytes{of} ({_size(self.size)}{on_wire})",
            self.limit,
            self.size,
            partial,
        )


def _size(size: int) -> str:
    return f"{size / 1024**2:.1f} MB" if size >= 1024**2 else f"{size / 1024:.1f} KB"
