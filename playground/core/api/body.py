"""A response's body as it comes: bytes counted off the wire against the request's deadline, then
decoded and cut at the size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from playground.core.api.policy import Deadline
from playground.core.errors import ResponseTooLarge
from playground.core.metrics import Clock, Metrics


class CountingStream(httpx.AsyncByteStream):
    """Wraps a response body to time its first byte and count bytes as they come off the wire;
    each read must also end before the request's deadline, when it has one."""

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
            async for chunk in self._inner:
                self._count(chunk)
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
            yield chunk

    def _count(self, chunk: bytes) -> None:
        if chunk:
            metrics = self._metrics
            if metrics.first_byte_s is None:
                metrics.first_byte_s = self._clock.now()
            metrics.bytes += len(chunk)

    async def aclose(self) -> None:
        await self._inner.aclose()


class CappedBody(httpx.AsyncByteStream):
    """A response's body as httpx decodes it (gzip, deflate …), counted after decoding and cut
    at `limit` bytes: a small compressed body can expand to gigabytes.

    `response` reads it with httpx's own API (`aread`, `aiter_lines`, an EventSource …); it
    ends early, cleanly, at the limit, and then `is_cut` is true: what to do with the part that
    arrived is the reader's to say (`error`). The original response keeps the headers as sent.
    """

    def __init__(self, original: httpx.Response, limit: int | None) -> None:
        self.original = original
        self.limit = limit
        self.size = 0
        self.is_cut = False
        headers = [
            (name, value)
            for name, value in original.headers.multi_items()
            if name.lower() != "content-encoding"  # decoded already, by the original
        ]
        self.response = httpx.Response(
            original.status_code,
            headers=headers,
            stream=self,
            request=original.request,
            extensions=original.extensions,
        )

    async def __aiter__(self) -> AsyncIterator[bytes]:
        limit = self.limit
        async for chunk in self.original.aiter_bytes():
            if limit is not None and self.size + len(chunk) > limit:
                room = limit - self.size
                if room > 0:
                    self.size = limit
                    yield chunk[:room]
                self.is_cut = True
                return
            self.size += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        pass  # the transport closes the original when the call ends

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
