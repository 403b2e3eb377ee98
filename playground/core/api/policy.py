"""How long to wait, how often to try again and how much to take: the client's settings, and
which failed requests are safe to send again (baseten-api.md §7.1, §11)."""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import httpx

from playground.core.errors import NetworkError, StreamCut, timed_out

MB = 1024 * 1024
RETRY_STATUSES = frozenset({429, 502, 503})
# Sending one of these twice does what sending it once does (RFC 9110 §9.2.2).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
# Calls whose request is queued, not run while we wait: a second one queues a second job.
QUEUEING_ENDPOINTS = ("/async_predict", "/async_run_remote")


@dataclass(frozen=True)
class Timeouts:
    """Seconds each wait may last; None means no limit.

    `connect`: to open a connection. `read`: the longest silence between bytes, the wait for
    the answer's first byte included (long enough for Baseten's 1200 s sync limit and a parked
    cold start). `write`: to send the body. `pool`: waiting for a free connection when this
    client has as many requests in flight as it allows (the server is not at fault). `total`:
    a deadline for the whole request, from the first attempt to the body's last byte.
    """

    connect: float | None = 10.0
    read: float | None = 1800.0
    write: float | None = 120.0
    pool: float | None = 600.0
    total: float | None = None

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retries only for 429/502/503, only before any byte of a body, only when sending
    again cannot run the request twice (`is_safe_to_retry`), honouring Retry-After as given."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0  # the longest wait; a longer Retry-After is reported, not waited

    @classmethod
    def with_retries(cls, retries: int) -> RetryPolicy:
        """`retries` more attempts after the first (0: none)."""
        return cls(attempts=max(0, retries) + 1)

    @property
    def retries(self) -> int:
        return self.attempts - 1

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when it is not worth waiting."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_delay else None
        backoff: float = self.base_delay * 2 ** (attempt - 1)
        return min(self.max_delay, backoff * (0.5 + random.random()))


def is_safe_to_retry(method: str, url: httpx.URL, status: int) -> bool:
    """Whether a request that was answered `status` may be sent again without being run twice.

    429: Baseten's rate limiter refused it; nothing ran. A method that does the same when sent
    twice (GET, DELETE …) may always be repeated. A POST may have been run: after a 502 (the
    model's container may have restarted mid-request) never; after a 503 of a sync call (no
    replica ready, the model not loaded: the model never saw it) it may be sent again, but not
    to `/async_predict`, where nothing promises the job was not queued already.
    """
    if status == 429:
        return True
    if status not in (502, 503):
        return False
    if method.upper() in IDEMPOTENT:
        return True
    return status == 503 and not url.path.endswith(QUEUEING_ENDPOINTS)


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


def _default_in_flight() -> int:
    """256 requests at once, or fewer where a process may open few files (macOS allows 256):
    each request in flight holds a connection, and the app needs files of its own."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # no `resource` on Windows
        return 256
    if soft == resource.RLIM_INFINITY:
        return 256
    return max(16, min(256, soft // 2))


@dataclass(frozen=True)
class Limits:
    """How much one client takes on: the largest body it reads (counted decompressed; None for
    no limit), and how many requests it has in flight at once (more wait their turn, first come,
    first served, for at most `Timeouts.pool`)."""

    max_response_bytes: int | None = 100 * MB
    max_in_flight: int = field(default_factory=_default_in_flight)

    @classmethod
    def with_max_response_mb(cls, megabytes: float | None, **changes: int) -> Limits:
        size = None if megabytes is None or megabytes <= 0 else int(megabytes * MB)
        return cls(max_response_bytes=size, **changes)


@dataclass(frozen=True)
class CallSettings:
    """What a person sets of a client's timeouts, retries and size limit, in the units they
    think in: seconds, a number of retries, megabytes; 0 means no limit. A window keeps them per
    remote; a terminal gives them as flags."""

    connect_timeout: float = Timeouts.connect or 0.0
    read_timeout: float = Timeouts.read or 0.0
    pool_timeout: float = Timeouts.pool or 0.0
    timeout: float = 0.0  # the whole request's deadline
    retries: int = RetryPolicy.attempts - 1
    max_response_mb: float = 100.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value < 0:
                raise ValueError(f"{name.replace('_', ' ')} cannot be negative")

    def timeouts(self, base: Timeouts | None = None) -> Timeouts:
        return Timeouts(
            connect=self.connect_timeout or None,
            read=self.read_timeout or None,
            write=(base or Timeouts()).write,
            pool=self.pool_timeout or None,
            total=self.timeout or None,
        )

    def retry(self, base: RetryPolicy | None = None) -> RetryPolicy:
        base = base or RetryPolicy()
        return RetryPolicy(self.retries + 1, base.base_delay, base.max_delay)

    def limits(self, base: Limits | None = None) -> Limits:
        size = int(self.max_response_mb * MB) or None
        return Limits(size, (base or Limits()).max_in_flight)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> CallSettings:
        """From stored values (strings, as a settings file gives them back); what is missing or
        unreadable keeps its default."""
        known: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in values:
                try:
                    value = max(float(values[f.name]), 0.0)
                except (TypeError, ValueError):
                    continue
                known[f.name] = int(value) if f.name == "retries" else value
        return cls(**known)

    def to_values(self) -> dict[str, Any]:
        return asdict(self)


def seconds(value: float | None) -> str:
    return "no limit" if value is None else f"{value:g} s"


class Deadline:
    """The whole request's deadline (`Timeouts.total`), checked around each wait of ours."""

    def __init__(self, total: float | None) -> None:
        self.total = total
        self.at = None if total is None else asyncio.get_running_loop().time() + total

    def scope(self) -> asyncio.Timeout:
        return asyncio.timeout_at(self.at)

    def allows(self, wait: float) -> bool:
        """Whether waiting `wait` seconds still leaves time before the deadline."""
        return self.at is None or asyncio.get_running_loop().time() + wait < self.at

    def error(self, where: str, *, started: bool = False, partial: object = None) -> NetworkError:
        message = (
            f"Timed out: the request to {where} passed its {seconds(self.total)} deadline "
            "(total timeout)"
        )
        if not started:
            return timed_out("total", message)
        cut = StreamCut(message, partial, timeout="total")
        cut.hint = timed_out("total", message).hint
        return cut
