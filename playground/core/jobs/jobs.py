"""Every async request as a job: sent and kept, watched, canceled while queued, sent again."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playground.core.api.client import BasetenClient
from playground.core.errors import ApiError, PlaygroundError
from playground.core.jobs.model import NOT_SENT, Job
from playground.core.jobs.store import JobStore
from playground.core.jobs.watcher import JobWatcher
from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import AsyncOptions


@dataclass(frozen=True)
class QueueDepth:
    """`async_queue_status` of one target, with when it was asked (epoch seconds)."""

    target: Target
    queued: int
    in_progress: int
    at: float


@dataclass(frozen=True)
class CancelResult:
    job: Job
    canceled: bool
    message: str


class Jobs:
    """The jobs of one client (one remote and key), kept in `store` and watched by `watcher`
    (run `watcher.run()` on the app's loop). Each method is a coroutine; a change is told to
    `watcher.listeners` and `watcher.changes()`."""

    def __init__(
        self, client: BasetenClient, store: JobStore, watcher: JobWatcher | None = None
    ) -> None:
        self.client = client
        self.store = store
        self.watcher = watcher or JobWatcher(client.jobs, store)
        client.transport.retry_listeners.append(self.watcher.on_retry)

    def resume(self) -> list[Job]:
        """Watch again what was pending when the app last closed (this remote's jobs)."""
        pending = [j for j in self.store.pending() if j.remote == self.client.remote.name]
        for job in pending:
            self.watcher.watch(job)
        return pending

    async def submit(
        self,
        target: Target,
        model_input: Any,
        options: AsyncOptions | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Job:
        """Send an async request and keep it as a job. Options out of Baseten's ranges raise
        InvalidRequest and nothing is kept; a send that fails is kept as `NOT_SENT` with the
        reason in `error`, and its error is raised."""
        options = options or AsyncOptions()
        if not target.is_chain:
            options.body(model_input)  # validates every option
        job = Job(self.client.remote.name, target, model_input, options, created_at=time.time())
        job.timeline.append((job.status, job.created_at))
        self.store.save(job)
        try:
            job.request_id = await self.client.jobs.submit(
                target, model_input, None if target.is_chain else options, headers
            )
        except PlaygroundError as exc:
            job.set_status(NOT_SENT, time.time())
            job.error = str(exc)
            self.store.save(job)
            self.watcher.update(job)
            raise
        job.set_status("QUEUED", time.time())
        job.webhook_status = "PENDING" if options.webhook_endpoint else "NO_WEBHOOK_PROVIDED"
        self.store.save(job)
        self.watcher.update(job)
        self.watcher.watch(job)
        return job

    async def send_again(self, job: Job) -> Job:
        """The same target, body and options, as a new job."""
        return await self.submit(job.target, job.body, job.options)

    async def cancel(self, job: Job) -> CancelResult:
        """Baseten cancels only QUEUED requests; the answer says whether this one was."""
        if not job.request_id:
            return CancelResult(job, False, "This job was never queued.")
        try:
            answer = await self.client.jobs.cancel(job.target, job.request_id)
        except ApiError as exc:
            return CancelResult(job, False, f"Baseten refused the cancel: {exc.message}")
        canceled = bool(answer.get("canceled"))
        if canceled:
            job.set_status("CANCELED", time.time())
            if job.webhook_status == "PENDING":
                job.webhook_status = "CANCELED"
            self.store.save(job)
            self.watcher.update(job)
        return CancelResult(job, canceled, str(answer.get("message", "")))

    async def queue_status(self, target: Target) -> QueueDepth:
        answer = await self.client.jobs.queue(target)
        return QueueDepth(
            target,
            int(answer.get("num_queued_requests", 0)),
            int(answer.get("num_in_progress_requests", 0)),
            time.time(),
        )

    def received(self, job: Job | None) -> None:
        """For the inbox's `on_received`: a payload attached to `job` (it is already saved)."""
        if job is not None:
            self.watcher.update(job)
