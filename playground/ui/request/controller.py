"""Sends the window's request (predict, async, a custom route) and reports it as signals."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.core.errors import InvalidRequest, PlaygroundError
from playground.core.request.spec import RequestSpec
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.jobs.jobs import Jobs
    from playground.core.jobs.model import Job


class RequestController(TaskOwner):
    """Sends one request at a time; every send ends in exactly one terminal signal."""

    request_started = Signal(str)  # description
    request_sent = Signal(object)  # the RequestSpec, as sent (history records it)
    event_received = Signal(object)  # a core PredictEvent
    request_finished = Signal()
    request_failed = Signal(object)  # PlaygroundError
    request_cancelled = Signal()
    async_submitted = Signal(str)  # request id
    async_status_changed = Signal(object)  # AsyncStatus, as the job was queued
    async_job_changed = Signal(object)  # the last async send's core Job, at each change
    async_cancel_answered = Signal(object)  # the cancel answer (dict)
    async_cancel_failed = Signal(object)  # PlaygroundError: the request itself goes on

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.jobs: Jobs | None = None
        self._job: Job | None = None

    def use_jobs(self, jobs: Jobs) -> None:
        """Send each async request as a job of `jobs` (the jobs feature watches them all); the
        last one sent is followed here (`async_job_changed`)."""
        self.jobs = jobs
        jobs.watcher.listeners.append(self._on_job_changed)

    def _on_job_changed(self, job: Job) -> None:
        if self._job is not None and job.request_id == self._job.request_id:
            self._job = job
            self.async_job_changed.emit(job)

    @property
    def is_busy(self) -> bool:
        return self.is_running("send")

    def send(self, spec: RequestSpec) -> None:
        self._start("send", self._send(spec))

    def cancel(self) -> bool:
        """Stop the running request (closing its connection); True if there was one."""
        return self._cancel("send")

    async def _send(self, spec: RequestSpec) -> None:
        self._job = None  # the last async job is followed until anything else is sent
        self.request_started.emit(spec.description)
        self.request_sent.emit(spec)
        try:
            if spec.mode == "async":
                await self._send_async(spec)
            else:
                events = self.client.send(spec)
                async with aclosing(events):
                    async for event in events:
                        self.event_received.emit(event)
        except asyncio.CancelledError:
            self.request_cancelled.emit()
            raise
        except PlaygroundError as exc:
            self.request_failed.emit(exc)
            return
        self.request_finished.emit()

    async def _send_async(self, spec: RequestSpec) -> None:
        """Queue it as a job and end: the job goes on, watched with the others, and a second
        send never drops the first."""
        from playground.core.request.asyncopts import AsyncStatus

        if self.jobs is None:
            raise InvalidRequest("Async requests are sent as jobs, and this window has none.")
        assert spec.target is not None  # only chat goes to a Model API
        job = await self.jobs.submit(spec.target, spec.body, spec.async_options, spec.headers)
        self._job = job
        self.async_submitted.emit(job.request_id)
        self.async_status_changed.emit(
            AsyncStatus.from_json(
                {
                    "request_id": job.request_id,
                    "status": job.status,
                    "webhook_status": job.webhook_status,
                }
            )
        )
        self.async_job_changed.emit(job)

    def cancel_async(self) -> None:
        """Ask Baseten to cancel the last async request (only QUEUED ones can be)."""
        if self.jobs is not None and self._job is not None:
            self._start("async-cancel", self._cancel_async(self.jobs, self._job))

    async def _cancel_async(self, jobs: Jobs, job: Job) -> None:
        try:
            answer = await jobs.cancel(job)
        except PlaygroundError as exc:
            self.async_cancel_failed.emit(exc)
            return
        self.async_cancel_answered.emit({"canceled": answer.canceled, "message": answer.message})
