"""Async inference: a priority queue per deployment, the job lifecycle, and signed webhook delivery
as Baseten documents it (baseten-api.md §0): 2 attempts about 2 s apart, 10 s each, retried only
on 500/502/503/504, `X-BASETEN-REQUEST-ID` on each, `data: null` when the request failed."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from playground.emulator.behaviours import JobError
from playground.emulator.catalogue import Deployment, ModelCode, iso

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "EXPIRED", "CANCELED", "WEBHOOK_FAILED"})
MAX_ASYNC_BODY = 256 * 1024
WEBHOOK_ATTEMPTS = 2
WEBHOOK_PAUSE_S = 2.0
WEBHOOK_TIMEOUT_S = 10.0
WEBHOOK_RETRY_STATUSES = frozenset({500, 502, 503, 504})


class AsyncValidationError(ValueError):
    pass


def _int_in(body: dict[str, Any], key: str, low: int, high: int, default: int) -> int:
    value = body.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AsyncValidationError(
            f"{key} must be an integer between {low} and {high}, got {value!r}"
        )
    return value


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class AsyncOptions:
    webhook_endpoint: str | None
    priority: int
    max_time_in_queue_seconds: int
    max_attempts: int
    initial_delay_ms: int
    max_delay_ms: int


def validate_async_request(body: Any, *, is_chain: bool) -> tuple[Any, AsyncOptions]:
    """Validate an AsyncPredictRequest (or a chain's bare arguments) against the spec's limits."""
    if not isinstance(body, dict):
        raise AsyncValidationError("The request body must be a JSON object")
    if is_chain:
        return body, AsyncOptions(None, 0, 600, 3, 1000, 5000)
    if "model_input" not in body:
        raise AsyncValidationError("model_input is required")
    webhook = body.get("webhook_endpoint")
    if webhook is not None:
        if not isinstance(webhook, str):
            raise AsyncValidationError("webhook_endpoint must be a string")
        scheme = urlsplit(webhook).scheme
        # Baseten requires HTTPS; plain HTTP is allowed here only to a receiver on this machine.
        if scheme != "https" and not (scheme == "http" and is_loopback_url(webhook)):
            raise AsyncValidationError("webhook_endpoint must be an HTTPS URL")
    retry = body.get("inference_retry_config") or {}
    if not isinstance(retry, dict):
        raise AsyncValidationError("inference_retry_config must be an object")
    options = AsyncOptions(
        webhook_endpoint=webhook,
        priority=_int_in(body, "priority", 0, 2, 0),
        max_time_in_queue_seconds=_int_in(body, "max_time_in_queue_seconds", 10, 259_200, 600),
        max_attempts=_int_in(retry, "max_attempts", 1, 10, 3),
        initial_delay_ms=_int_in(retry, "initial_delay_ms", 0, 10_000, 1000),
        max_delay_ms=_int_in(retry, "max_delay_ms", 0, 60_000, 5000),
    )
    return body["model_input"], options


@dataclass
class AsyncJob:
    request_id: str
    owner_id: str
    is_chain: bool
    deployment: Deployment
    behaviour: ModelCode
    model_input: Any
    options: AsyncOptions
    run_seconds: float
    fail_code: str = ""
    status: str = "QUEUED"
    webhook_status: str = "PENDING"
    created_at: float = field(default_factory=time.time)
    queued_at: float = field(default_factory=time.monotonic)
    status_at: float = field(default_factory=time.time)
    errors: list[dict[str, str]] = field(default_factory=list)
    output: Any = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def set_status(self, status: str) -> None:
        self.status = status
        self.status_at = time.time()

    def to_status(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"request_id": self.request_id}
        payload["chain_id" if self.is_chain else "model_id"] = self.owner_id
        payload.update(
            {
                "deployment_id": self.deployment.id,
                "status": self.status,
                "webhook_status": self.webhook_status,
                "created_at": iso(self.created_at),
                "status_at": iso(self.status_at),
                "errors": self.errors,
            }
        )
        return payload


class AsyncQueue:
    """Jobs run one at a time per deployment, lowest priority value first, then oldest first."""

    def __init__(
        self,
        *,
        webhook_secrets: list[str],
        time_scale: float = 1.0,
        wait_until_active: Any = None,
    ) -> None:
        self.jobs: dict[str, AsyncJob] = {}
        self.webhook_secrets = webhook_secrets
        self.time_scale = time_scale
        self._queues: dict[str, list[AsyncJob]] = {}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._wait_until_active = wait_until_active
        self._client: httpx.AsyncClient | None = None
        self.webhook_attempts = WEBHOOK_ATTEMPTS
        self._background: set[asyncio.Task[None]] = set()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        # The loop keeps only weak references to tasks: hold them until they are done.
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def submit(self, job: AsyncJob) -> None:
        self.jobs[job.request_id] = job
        dep = job.deployment.id
        self._queues.setdefault(dep, []).append(job)
        self._wakeups.setdefault(dep, asyncio.Event()).set()
        if dep not in self._workers or self._workers[dep].done():
            self._workers[dep] = asyncio.get_running_loop().create_task(self._work(dep))

    def queue_counts(self, deployment_id: str) -> tuple[int, int]:
        self._expire_stale()
        jobs = [j for j in self.jobs.values() if j.deployment.id == deployment_id]
        return (
            sum(j.status == "QUEUED" for j in jobs),
            sum(j.status == "IN_PROGRESS" for j in jobs),
        )

    def get(self, request_id: str) -> AsyncJob | None:
        self._expire_stale()
        return self.jobs.get(request_id)

    def cancel(self, request_id: str) -> dict[str, Any] | None:
        job = self.get(request_id)
        if job is None:
            return None
        if job.status != "QUEUED":
            return {
                "request_id": request_id,
                "canceled": False,
                "message": f"Only QUEUED requests can be canceled; this one is {job.status}.",
            }
        job.set_status("CANCELED")
        job.webhook_status = "CANCELED" if job.options.webhook_endpoint else "NO_WEBHOOK_PROVIDED"
        job.deployment.log("Async request canceled while queued", request_id=request_id)
        # A job the worker has taken while it waits for a replica is QUEUED but off the list.
        queue = self._queues.get(job.deployment.id, [])
        if job in queue:
            queue.remove(job)
        job.done.set()
        return {"request_id": request_id, "canceled": True, "message": "Request canceled."}

    def _expire_stale(self) -> None:
        now = time.monotonic()
        for job in list(self.jobs.values()):
            limit = job.options.max_time_in_queue_seconds * self.time_scale
            if job.status == "QUEUED" and now - job.queued_at > limit:
                job.set_status("EXPIRED")
                job.errors = [
                    {"code": "MODEL_NOT_READY", "message": "Request expired in the queue."}
                ]
                job.deployment.log(
                    f"Async request expired after {job.options.max_time_in_queue_seconds} s "
                    "in the queue",
                    level="WARNING",
                    request_id=job.request_id,
                )
                queue = self._queues.get(job.deployment.id, [])
                if job in queue:
                    queue.remove(job)
                self._spawn(self._finish(job))

    async def _work(self, deployment_id: str) -> None:
        queue = self._queues[deployment_id]
        wakeup = self._wakeups[deployment_id]
        while True:
            self._expire_stale()
            if not queue:
                wakeup.clear()
                await wakeup.wait()
                continue
            queue.sort(key=lambda j: (j.options.priority, j.queued_at))
            job = queue.pop(0)
            if self._wait_until_active is not None:
                await self._wait_until_active(job.deployment)
            if job.status != "QUEUED":
                continue
            job.set_status("IN_PROGRESS")
            log = job.deployment.log
            log("Async request started", request_id=job.request_id)
            log(f"Input: {_excerpt(job.model_input)}", level="DEBUG", request_id=job.request_id)
            started = time.monotonic()
            await asyncio.sleep(job.run_seconds)
            try:
                if job.fail_code:
                    raise JobError(job.fail_code, "The model raised an exception while predicting.")
                job.output = job.behaviour.run_job(job.deployment.variant, job.model_input)
                job.set_status("SUCCEEDED")
                log(f"Output: {_excerpt(job.output)}", request_id=job.request_id)
            except JobError as exc:
                job.errors = [{"code": exc.code, "message": exc.message}]
                job.set_status("FAILED")
                log(f"{exc.code}: {exc.message}", level="ERROR", request_id=job.request_id)
            took = (time.monotonic() - started) * 1000
            log(
                f"Async request {job.status.lower()} in {took:.0f} ms",
                level="INFO" if job.status == "SUCCEEDED" else "ERROR",
                request_id=job.request_id,
            )
            await self._finish(job)

    def _payload(self, job: AsyncJob) -> bytes:
        payload: dict[str, Any] = {"request_id": job.request_id}
        payload["chain_id" if job.is_chain else "model_id"] = job.owner_id
        payload.update(
            {
                "deployment_id": job.deployment.id,
                "type": "async_request_completed",
                "time": iso(time.time()),
                "data": job.output,
                "errors": job.errors,
            }
        )
        # Compact, as pydantic's model_dump_json writes it, so that a receiver that re-serialises
        # the parsed payload computes the same signature as one that hashes the raw body.
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    def sign(self, body: bytes) -> str:
        return ",".join(
            "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            for secret in self.webhook_secrets
        )

    async def _finish(self, job: AsyncJob) -> None:
        url = job.options.webhook_endpoint
        if not url:
            job.webhook_status = "NO_WEBHOOK_PROVIDED"
            job.done.set()
            return
        body = self._payload(job)
        headers = {"Content-Type": "application/json", "X-BASETEN-REQUEST-ID": job.request_id}
        if self.webhook_secrets:
            headers["X-BASETEN-SIGNATURE"] = self.sign(body)
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S)
        delivered = await self._deliver(job, url, body, headers)
        job.webhook_status = "SUCCEEDED" if delivered else "FAILED"
        if not delivered and job.status == "SUCCEEDED":
            job.set_status("WEBHOOK_FAILED")
        job.done.set()

    async def _deliver(self, job: AsyncJob, url: str, body: bytes, headers: dict[str, str]) -> bool:
        """Up to `webhook_attempts` POSTs, the next only after a 500/502/503/504."""
        assert self._client is not None
        log = job.deployment.log
        pause = WEBHOOK_PAUSE_S * self.time_scale
        for attempt in range(1, self.webhook_attempts + 1):
            try:
                response = await self._client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                what = f"could not be delivered ({type(exc).__name__})"
                log(f"Webhook attempt {attempt} {what}", level="ERROR", request_id=job.request_id)
                return False
            if response.is_success:
                log(
                    f"Webhook delivered (attempt {attempt}, status {response.status_code})",
                    request_id=job.request_id,
                )
                return True
            retry = response.status_code in WEBHOOK_RETRY_STATUSES
            again = retry and attempt < self.webhook_attempts
            log(
                f"Webhook attempt {attempt} answered {response.status_code}"
                + (f"; trying again in {pause:g} s" if again else "; not retried"),
                level="WARNING" if again else "ERROR",
                request_id=job.request_id,
            )
            if not again:
                return False
            await asyncio.sleep(pause)
        return False

    async def close(self) -> None:
        tasks = [*self._workers.values(), *self._background]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()


def new_async_request_id() -> str:
    return uuid.uuid4().hex


def _excerpt(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
