"""Sending one request: auth, timeouts, retries before any byte, byte counting, and httpx errors made ours."""

from __future__ import annotations

import asyncio
import email.utils
import random
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from playground.core.api.scrub import scrub_error, scrub_headers
from playground.core.errors import (
    ApiError,
    NetworkError,
    PlaygroundError,
    StreamCut,
    parse_error_body,
)
from playground.core.metrics import Clock, Metrics
from playground.core.secrets import REDACTOR

RETRY_STATUSES = frozenset({429, 502, 503})
MAX_ERROR_BODY = 1024 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Connect fast; read long enough for Baseten's 1200 s sync limit and a parked cold start."""

    connect: float = 10.0
    read: float = 1800.0
    write: float = 120.0

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect, read=self.read, write=self.write, pool=self.connect
        )


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retries only for 429/502/503, only before any byte of a body, honouring Retry-After."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when it is not worth waiting."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_delay else None
        backoff: float = self.base_delay * 2 ** (attempt - 1)
        return min(self.max_delay, backoff * (0.5 + random.random()))


def retry_after_seconds(headers: httpx.Headers, body_retry_after: float | None) -> float | None:
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return body_retry_after  # neither seconds nor an HTTP date
            return max(0.0, parsed.timestamp() - time.time())
    return body_retry_after


def _where(request: httpx.Request) -> str:
    url = request.url
    port = f":{url.port}" if url.port else ""
    return f"{url.host}{port}"


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it: anyio hides the OSError that says why a connect failed."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def network_error(exc: httpx.HTTPError, request: httpx.Request, timeouts: Timeouts) -> NetworkError:
    """A plain sentence for every way the network can fail."""
    where = _where(request)
    causes = _causes(exc)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return NetworkError(
            f"Timed out connecting to {where} after {timeouts.connect:g} s",
            "Check the network, a VPN or proxy, and that the host is right.",
        )
    if isinstance(exc, httpx.ReadTimeout):
        return NetworkError(
            f"Timed out: no data from {where} for {timeouts.read:g} s",
            "The model may be cold-starting or stuck; async predict suits long jobs.",
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"Timed out talking to {where}", "Check the network and retry.")
    if isinstance(exc, httpx.ConnectError):
        lowered = " ".join(str(c) for c in causes).lower()
        if (
            any(isinstance(c, socket.gaierror) for c in causes)
            or ("name or service not known" in lowered or "nodename nor servname" in lowered)
            or "temporary failure in name resolution" in lowered
            or "getaddrinfo" in lowered
        ):
            return NetworkError(
                f"Could not resolve the host name {request.url.host}",
                "Check the remote's URL and your DNS or network.",
            )
        if (
            any(isinstance(c, ssl.SSLError) for c in causes)
            or "ssl" in lowered
            or ("certificate" in lowered)
        ):
            return NetworkError(
                f"TLS handshake with {where} failed: {text}",
                "Check the system's certificates, or a proxy that intercepts TLS.",
            )
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in lowered:
            return NetworkError(
                f"Connection refused by {where}",
                "Nothing is listening there; check the remote's URL and port.",
            )
        return NetworkError(f"Could not connect to {where}: {text}", "Check the network and retry.")
    if isinstance(exc, httpx.RemoteProtocolError):
        return StreamCut(f"The connection to {where} closed before the response was complete")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return StreamCut(f"The connection to {where} broke: {text}")
    return NetworkError(f"Request to {where} failed: {text}")


class CountingStream(httpx.AsyncByteStream):
    """Wraps a response body to time its first byte and count bytes as they come off the wire."""

    def __init__(self, inner: Any, metrics: Metrics, clock: Clock) -> None:
        self._inner = inner
        self._metrics = metrics
        self._clock = clock

    async def __aiter__(self) -> AsyncIterator[bytes]:
        metrics = self._metrics
        async for chunk in self._inner:
            if chunk:
                if metrics.first_byte_s is None:
                    metrics.first_byte_s = self._clock.now()
                metrics.bytes += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class Transport:
    """One long-lived httpx.AsyncClient for the app's life, shared by every call."""

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._http = http
        self._sleep = sleep

    @property
    def http(self) -> httpx.AsyncClient:
        """Made on first use: building its TLS context takes ~100 ms, which a window's first
        paint should not wait for."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.timeouts.to_httpx(),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                headers={"User-Agent": "baseten-playground"},
            )
        return self._http

    def prepare(self) -> None:
        """Make the HTTP client now, and import what its first request would (anyio's asyncio
        backend, ~15 ms): start-up does this in a thread rather than at the first call."""
        import anyio._backends._asyncio  # noqa: F401

        _ = self.http

    @asynccontextmanager
    async def open(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        metrics: Metrics,
        clock: Clock | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[httpx.Response]:
        """Send and yield the streaming response once a success status arrived.

        Error statuses raise ApiError with Baseten's message; 429/502/503 are retried first.
        Closing the context (including by cancellation) closes the connection.
        """
        clock = clock or Clock()
        attempt = 0
        while True:
            attempt += 1
            metrics.attempts = attempt
            request = self.http.build_request(method, url, headers=headers, **kwargs)
            try:
                response = await self.http.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise network_error(exc, request, self.timeouts) from exc
            try:
                scrub_headers(response)  # before the request id is read from them
                metrics.headers_s = clock.now()
                metrics.status = response.status_code
                metrics.request_id = response.headers.get("x-baseten-request-id")
                metrics.model_id = response.headers.get("x-baseten-model-id")
                metrics.deployment_id = response.headers.get("x-baseten-model-version-id")
                if response.is_error:
                    error = await self._api_error(response, request)
                    wait = (
                        self.retry.delay(attempt, error.retry_after)
                        if response.status_code in RETRY_STATUSES
                        else None
                    )
                    if wait is None:
                        raise error
                else:
                    response.stream = CountingStream(response.stream, metrics, clock)
                    try:
                        yield response
                    except httpx.HTTPError as exc:
                        raise network_error(exc, request, self.timeouts) from exc
                    except PlaygroundError as exc:  # it may quote, or keep, what the server sent
                        scrub_error(exc)
                        raise
                    return
            finally:
                await response.aclose()
            await self._sleep(wait)

    async def _api_error(self, response: httpx.Response, request: httpx.Request) -> ApiError:
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= MAX_ERROR_BODY:
                    break
        except httpx.HTTPError:
            pass  # an error body that breaks off still tells us its status
        # The key never reaches an error message, even when the server quotes it back.
        body = bytearray(REDACTOR.data(bytes(body)))
        parsed = parse_error_body(bytes(body))
        return ApiError(
            response.status_code,
            parsed.message,
            response.headers.get("x-baseten-request-id"),
            error_code=parsed.error_code,
            detail=parsed.detail,
            retry_after=retry_after_seconds(response.headers, parsed.retry_after),
            body=bytes(body),
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
