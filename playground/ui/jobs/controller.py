"""The window's jobs: core's `Jobs` on the window's loop (its watcher running, pending jobs
resumed at start), each change as a signal, queue depths of the targets with pending jobs, and
the webhook inbox started and stopped on demand."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError
from playground.core.jobs.inbox import InboxServer, InboxSettings, Received, create_app
from playground.core.jobs.jobs import Jobs
from playground.core.jobs.model import Job, target_to_json
from playground.core.jobs.watcher import STOP_GRACE_S, JobWatcher
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.jobs.store import JobStore

QUEUE_EVERY_S = 1.0  # one async_queue_status a second per target with pending jobs
TICK_S = 0.05  # and at once (on the next tick) when one of its jobs moved


class JobsController(TaskOwner):
    """Every signal is emitted on the window's thread. `job_changed(Job)` for a new job and
    each change; `queue_measured(QueueDepth)`; `action_failed(str)` when a cancel or a send
    again could not be done, `cancel_answered(CancelResult)`; the inbox's `inbox_started(str)`
    (the webhook endpoint to use), `inbox_stopped()`, `inbox_failed(str)` and
    `payload_received(Received)`."""

    job_changed = Signal(object)
    queue_measured = Signal(object)
    cancel_answered = Signal(object)
    action_failed = Signal(str)
    inbox_started = Signal(str)
    inbox_stopped = Signal()
    inbox_failed = Signal(str)
    payload_received = Signal(object)

    def __init__(
        self,
        client: BasetenClient,
        store: JobStore,
        parent: QObject | None = None,
        *,
        fast: float = 0.5,
        slow: float = 5.0,
        queue_every_s: float = QUEUE_EVERY_S,
    ) -> None:
        super().__init__(parent)
        self.store = store
        watcher = JobWatcher(client.jobs, store, fast=fast, slow=slow)
        self.jobs = Jobs(client, store, watcher)
        self.inbox_settings = InboxSettings.load()
        self.inbox: InboxServer | None = None
        self._queue_every_s = queue_every_s
        self._queues_moved = False
        self._job_moved = asyncio.Event()  # wakes the idle measurer (no timer while idle)
        self._closing = False
        watcher.listeners.append(self._on_watcher_changed)

    def start(self) -> list[Job]:
        """Watch what was pending at the last exit, and every job from now on: call it with the
        window's loop running (its tasks must never take a step outside it). Once."""
        if self.is_running("watch"):
            return []
        resumed = self.jobs.resume()
        self._start("watch", self.jobs.watcher.run())
        self._start("queues", self._measure_queues())
        return resumed

    def all_jobs(self) -> list[Job]:
        return self.store.list()

    def _on_watcher_changed(self, job: Job) -> None:
        self._queues_moved = True  # a job sent, started or ended: its queue moved
        self._job_moved.set()
        self.job_changed.emit(job)

    # --- actions ---------------------------------------------------------------------------------

    def cancel(self, job: Job) -> None:
        self._start(f"cancel {job.id}", self._cancel_job(job))

    async def _cancel_job(self, job: Job) -> None:
        answer = await self.jobs.cancel(job)
        if not answer.canceled:
            self.action_failed.emit(answer.message or "Baseten did not cancel it.")
        self.cancel_answered.emit(answer)

    def send_again(self, job: Job) -> None:
        self._start(f"again {job.id}", self._send_again(job))

    async def _send_again(self, job: Job) -> None:
        try:
            await self.jobs.send_again(job)
        except PlaygroundError as exc:
            self.action_failed.emit(f"Not sent again: {exc}")

    async def _measure_queues(self) -> None:
        """The queue depth of each target with jobs still going, now and then, for the chart
        (and once more after its last job ended, so that the chart comes down to what it is)."""
        last: dict[str, Job] = {}
        while not self._closing:
            going = {target_to_json(j.target): j for j in self.jobs.watcher.watching}
            if not going and not last:
                self._job_moved.clear()
                await self._job_moved.wait()
                continue
            for job in {**last, **going}.values():
                try:
                    depth = await self.jobs.queue_status(job.target)
                except PlaygroundError:
                    continue
                self.queue_measured.emit(depth)
            last = going
            self._queues_moved = False
            # Ticks, not an Event in wait_for: cancelling that at shutdown can hang (3.11).
            until = time.monotonic() + self._queue_every_s
            while not (self._queues_moved or self._closing) and time.monotonic() < until:  # noqa: ASYNC110
                await asyncio.sleep(TICK_S)

    # --- the inbox -------------------------------------------------------------------------------

    @property
    def inbox_endpoint(self) -> str:
        """The exact `webhook_endpoint` to send (while the inbox runs, or as it will be)."""
        port = self.inbox.port if self.inbox is not None else None
        return self.inbox_settings.webhook_endpoint(port)

    def start_inbox(self, port: int | None = None) -> None:
        if port is not None:
            self.inbox_settings.port = port
        self._start("inbox", self._start_inbox(self.inbox_settings.port))

    async def _start_inbox(self, port: int) -> None:
        await self._stop_inbox()
        app = create_app(self.store, on_received=self._on_inbox_received)
        try:
            inbox = InboxServer(app, port)
            await inbox.start()
        except OSError as exc:
            self.inbox_failed.emit(f"The inbox could not listen on 127.0.0.1:{port}: {exc}")
            return
        self.inbox = inbox
        self.jobs.watcher.inbox_endpoint = self.inbox_endpoint
        self.inbox_started.emit(self.inbox_endpoint)

    def stop_inbox(self) -> None:
        self._start("inbox", self._stop_inbox(tell=True))

    async def _stop_inbox(self, *, tell: bool = False) -> None:
        if self.inbox is not None:
            await self.inbox.stop()  # `inbox` says it runs until it has stopped
            self.inbox = None
            self.jobs.watcher.inbox_endpoint = None
        if tell:
            self.inbox_stopped.emit()

    def set_public_url(self, url: str) -> None:
        """The tunnel's or relay's public URL ('' for none), kept for next time."""
        self.inbox_settings.public_url = url.strip()
        with contextlib.suppress(OSError):
            self.inbox_settings.save()
        if self.inbox is not None:
            self.jobs.watcher.inbox_endpoint = self.inbox_endpoint

    def _on_inbox_received(self, received: Received) -> None:
        self.jobs.received(received.job)
        self.payload_received.emit(received)

    async def aclose(self) -> None:
        # Requests in flight end on their own first (a request cut mid-flight can leave its
        # socket to the garbage collector), then whatever is left is cancelled.
        self._closing = True
        self._job_moved.set()
        self.jobs.watcher.stop()
        standing = [t for name in ("watch", "queues") if (t := self._tasks.get(name)) is not None]
        if standing:
            await asyncio.wait(standing, timeout=STOP_GRACE_S)
        await super().aclose()
        await self._stop_inbox()
