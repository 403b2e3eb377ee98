"""Sending one request: a free connection first come, first served, timeouts, retries before any
byte, byte counting, the size limit, and httpx errors made ours."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from typing import Any

import httpx

from playground.core.api.body import CappedBody, CountingStream
from playground.core.api.failures import describe_host, network_error
from playground.core.api.policy import (
    MB,
    RETRY_STATUSES,
    CallSettings,
    Deadline,
    Limits,
    RetryPolicy,
    Timeouts,
    is_safe_to_retry,
    retry_after_seconds,
    seconds,
)
from playground.core.api.pools import Pools
from playground.core.api.scrub import scrub_error, scrub_headers
from playground.core.errors import (
    ApiError,
    PlaygroundError,
    parse_error_body,
    timed_out,
)
from playground.core.events import Retrying
from playground.core.metrics import Clock, Metrics
from playground.core.secrets import REDACTOR

__all__ = [
    "RETRY_STATUSES",
    "CallSettings",
    "Limits",
    "RetryPolicy",
    "Timeouts",
    "Transport",
    "network_error",
    "retry_after_seconds",
]

MAX_ERROR_BODY = 1024 * 1024


RetryListener = Callable[[Retrying], None]


def _in_flight(count: int) -> str:
    return "1 request was" if count == 1 else f"{count} requests were"


class Transport:
    """One long-lived httpx.AsyncClient for the app's life, shared by every call.

    At most `limits.max_in_flight` requests are in flight at once; the others wait their turn,
    first come, first served, for at most `timeouts.pool` (asyncio's Semaphore wakes its
    waiters in order; httpx's pools, as wide in all, then always have a connection free: a
    queue of hundreds inside one costs CPU at every request; see pools.py). Each retry is told
    to `retry_listeners` (a terminal's stderr, a window's status line) before its wait.
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._limits = limits or Limits()
        self.retry_listeners: list[RetryListener] = []
        self._pools = Pools(self._limits.max_in_flight, self.timeouts.to_httpx(), http)
        self._sleep = sleep
        self._slots = asyncio.Semaphore(self._limits.max_in_flight)
        self.in_flight = 0

    @property
    def limits(self) -> Limits:
        return self._limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        """A new size limit applies from the next request on; the width is set at creation."""
        if limits.max_in_flight != self._limits.max_in_flight:
            raise ValueError("the number of requests in flight is set when the transport is made")
        self._limits = limits

    @property
    def http(self) -> httpx.AsyncClient:
        """The first HTTP client, made on first use: building a TLS context takes ~50 ms,
        which a window's first paint should not wait for."""
        return self._pools.first

    def prepare(self) -> None:
        """Make the HTTP client now, and import what its first request would (anyio's asyncio
        backend, ~15 ms): start-up does this in a thread rather than at the first call."""
        import anyio._backends._asyncio  # noqa: F401

        _ = self.http

    def apply(self, settings: CallSettings) -> None:
        """Use `settings` from the next request on (the width of the pool stays as it is)."""
        self.timeouts = settings.timeouts(self.timeouts)
        self.retry = settings.retry(self.retry)
        self.limits = settings.limits(self.limits)

    @property
    def settings(self) -> CallSettings:
        """The settings in use, as a person sets them."""
        timeouts, limits = self.timeouts, self.limits
        return CallSettings(
            connect_timeout=timeouts.connect or 0.0,
            read_timeout=timeouts.read or 0.0,
            pool_timeout=timeouts.pool or 0.0,
            timeout=timeouts.total or 0.0,
            retries=self.retry.retries,
            max_response_mb=(limits.max_response_bytes or 0) / MB,
        )

    def capped(self, response: httpx.Response) -> CappedBody:
        """`response`'s body, decoded, cut at this transport's size limit."""
        return CappedBody(response, self.limits.max_response_bytes)

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
        """Send and yield the streaming response once a success status arrived (`exchange`
        without its retry events, which only the listeners hear of)."""
        steps = self.exchange(method, url, headers=headers, metrics=metrics, clock=clock, **kwargs)
        async with aclosing(steps):
            async for step in steps:
                if isinstance(step, httpx.Response):
                    try:
                        yield step
                    except httpx.HTTPError as exc:
                        raise network_error(exc, step.request, self.timeouts) from exc
                    except PlaygroundError as exc:  # it may quote, or keep, what was sent
                        scrub_error(exc)
                        raise
                    return

    async def exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        metrics: Metrics,
        clock: Clock | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[Retrying | httpx.Response, None]:
        """Send; yield a `Retrying` before each wait for another attempt, then the streaming
        response once a success status arrived, kept open until this generator is closed.

        Error statuses raise ApiError with Baseten's message; 429/502/503 are retried first when
        that is safe (`is_safe_to_retry`). Closing (including by cancellation) closes the
        connection and frees its place for the next request waiting.
        """
        clock = clock or Clock()
        deadline = Deadline(self.timeouts.total)
        attempt = 0
        while True:
            attempt += 1
            metrics.attempts = attempt
            request = self.http.build_request(
                method, url, headers=headers, timeout=self.timeouts.to_httpx(), **kwargs
            )
            pool = await self._take_slot(request, deadline)
            try:
                response = await self._send(request, deadline, pool)
                try:
                    scrub_headers(response)  # before the request id is read from them
                    metrics.headers_s = clock.now()
                    metrics.status = response.status_code
                    metrics.request_id = response.headers.get("x-baseten-request-id")
                    metrics.model_id = response.headers.get("x-baseten-model-id")
                    metrics.deployment_id = response.headers.get("x-baseten-model-version-id")
                    if not response.is_error:
                        where = describe_host(request)
                        response.stream = CountingStream(
                            response.stream, metrics, clock, deadline, where
                        )
                        yield response
                        return
                    error = await self._api_error(response, request, deadline)
                    metrics.total_s, metrics.bytes = clock.now(), len(error.body)
                    error.metrics = metrics  # the error's timings, shown as any response's
                    wait = self._wait(request, error, attempt, deadline)
                    if wait is None:
                        raise error
                finally:
                    await response.aclose()
            finally:
                self._free_slot(pool)
            retrying = Retrying(
                error.status,
                error.message,
                error.request_id,
                wait,
                attempt + 1,
                self.retry.attempts,
            )
            for listener in list(self.retry_listeners):
                listener(retrying)
            yield retrying
            metrics.waited_s += wait
            await self._sleep(wait)

    def _wait(
        self, request: httpx.Request, error: ApiError, attempt: int, deadline: Deadline
    ) -> float | None:
        """Seconds to wait before sending `request` again, or None not to."""
        if error.status not in RETRY_STATUSES:
            return None
        if not is_safe_to_retry(request.method, request.url, error.status):
            return None
        wait = self.retry.delay(attempt, error.retry_after)
        return wait if wait is not None and deadline.allows(wait) else None

    async def _take_slot(self, request: httpx.Request, deadline: Deadline) -> int:
        """Wait for a place among the requests in flight, first come, first served; the index of
        the pool that has room for it."""
        if not self._slots.locked():  # no one waits: no timers to set
            await self._slots.acquire()
            self.in_flight += 1
            return self._pools.take()
        try:
            async with asyncio.timeout(self.timeouts.pool), deadline.scope():
                await self._slots.acquire()
        except TimeoutError as exc:
            if not deadline.allows(0):
                raise deadline.error(describe_host(request)) from exc
            raise timed_out(
                "pool",
                f"Timed out after {seconds(self.timeouts.pool)} waiting for a free connection "
                f"to {describe_host(request)}: {_in_flight(self.in_flight)} in flight on this "
                f"client, at most {self.limits.max_in_flight} at once (pool timeout)",
            ) from exc
        self.in_flight += 1
        return self._pools.take()

    def _free_slot(self, pool: int) -> None:
        self.in_flight -= 1
        self._pools.give_back(pool)
        self._slots.release()

    async def _send(self, request: httpx.Request, deadline: Deadline, pool: int) -> httpx.Response:
        client = self._pools.client(pool)
        try:
            async with deadline.scope():
                return await client.send(request, stream=True)
        except TimeoutError as exc:
            raise deadline.error(describe_host(request)) from exc
        except httpx.HTTPError as exc:
            raise network_error(exc, request, self.timeouts) from exc

    async def _api_error(
        self, response: httpx.Response, request: httpx.Request, deadline: Deadline
    ) -> ApiError:
        body = bytearray()
        try:
            async with deadline.scope():
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) >= MAX_ERROR_BODY:
                        break
        except (httpx.HTTPError, TimeoutError):
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
            headers={name.lower(): value for name, value in response.headers.items()},
            path=request.url.path,
        )

    async def aclose(self) -> None:
        await self._pools.aclose()
