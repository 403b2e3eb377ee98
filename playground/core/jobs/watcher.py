"""One watcher for every pending job: status polls within Baseten's status limit (100 a second
per key, baseten-api.md §0; we keep under `STATUS_RATE`), spent where a change is likely.

A job runs when those ahead of it on its deployment are done, so the head of each queue (in
Baseten's order: priority, then age) is polled often and the rest seldom; `async_queue_status`
(a budget of its own) says when a queue moved, and its head is polled at once. A queued job is
polled again when its `max_time_in_queue_seconds` runs out. A 429 pauses every poll for its
Retry-After. Polling stops at a terminal state (after SUCCEEDED, once the webhook's fate is
known). A job whose webhook is this app's inbox learns its end from the inbox first."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from playground.core.api.asyncjobs import AsyncJobs
from playground.core.errors import ApiError, PlaygroundError
from playground.core.events import Retrying
from playground.core.jobs.model import Job, target_to_json
from playground.core.jobs.store import JobStore

STATUS_RATE = 80.0  # of the 100 a second Baseten allows: room for a window's own calls
QUEUE_RATE = 20.0


STOP_GRACE_S = 2.0  # how long `stop` lets requests in flight end before they are cut


class RateBudget:
    """At most `rate` calls in any one second (a sliding window, as Baseten counts), none
    while paused after a 429."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._hits: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._hits and now - self._hits[0] >= 1.0:
                    self._hits.popleft()
                wait = self._paused_until - now
                if wait <= 0 and len(self._hits) < self.rate:
                    self._hits.append(now)
                    return
                if wait <= 0:
                    wait = 1.0 - (now - self._hits[0]) + 0.001
                await asyncio.sleep(wait)


@dataclass
class WatchStats:
    """What the watcher did: when each status call went out, and how many 429s it met."""

    polls: list[float] = field(default_factory=list)
    queue_polls: int = 0
    rate_limited: int = 0

    def peak_rps(self) -> int:
        peak, start = 0, 0
        for end, at in enumerate(self.polls):
            while at - self.polls[start] >= 1.0:
                start += 1
            peak = max(peak, end - start + 1)
        return peak


@dataclass
class _Track:
    job: Job
    due: float
    wait: float
    group: str


Listener = Callable[[Job], None]


class JobWatcher:
    """Watch jobs until they end; each change is saved (with a store) and told to every
    listener (`listeners`, plain callbacks on the watcher's loop) and to `changes()`."""

    def __init__(
        self,
        jobs: AsyncJobs,
        store: JobStore | None = None,
        *,
        rate: float = STATUS_RATE,
        queue_rate: float = QUEUE_RATE,
        fast: float = 0.5,
        slow: float = 5.0,
        head: int = 2,
        inbox_endpoint: str | None = None,
    ) -> None:
        self._jobs = jobs
        self.store = store
        self.budget = RateBudget(rate)
        self.queue_budget = RateBudget(queue_rate)
        self.fast, self.slow, self.head = fast, slow, head
        self.inbox_endpoint = inbox_endpoint
        self.listeners: list[Listener] = []
        self.stats = WatchStats()
        self._tracks: dict[str, _Track] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._subscribers: list[asyncio.Queue[Job]] = []
        self._queue_totals: dict[str, int] = {}
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(32)

    # --- what is watched -------------------------------------------------------------------------

    def watch(self, job: Job) -> None:
        if not job.request_id or self._done(job):
            return
        group = job.remote + " " + target_to_json(job.target)
        track = _Track(job, time.monotonic(), self.fast, group)
        self._tracks[job.request_id] = track
        if job.status == "QUEUED":  # just sent: polled when it could have moved, not at once
            track.due += self._interval(track)
        self._wake.set()

    def forget(self, request_id: str) -> None:
        self._tracks.pop(request_id, None)

    @property
    def watching(self) -> list[Job]:
        return [t.job for t in self._tracks.values()]

    def update(self, job: Job) -> None:
        """A change learnt elsewhere (the inbox, a cancel): told, and no longer polled if done."""
        track = self._tracks.get(job.request_id)
        if track is not None:
            track.job = job
            if self._done(job):
                self.forget(job.request_id)
        self._tell(job)

    def changes(self) -> AsyncIterator[Job]:
        """Each change from now on, as an async iterator (for a window's controller)."""
        queue: asyncio.Queue[Job] = asyncio.Queue()
        self._subscribers.append(queue)

        async def iterate() -> AsyncIterator[Job]:
            try:
                while True:
                    yield await queue.get()
            finally:
                self._subscribers.remove(queue)

        return iterate()

    def _tell(self, job: Job) -> None:
        for listener in list(self.listeners):
            listener(job)
        for queue in self._subscribers:
            queue.put_nowait(job)

    @staticmethod
    def _done(job: Job) -> bool:
        if job.status == "SUCCEEDED" and job.webhook_status == "PENDING":
            return False  # a failed delivery turns it into WEBHOOK_FAILED
        return job.is_terminal

    # --- the loop --------------------------------------------------------------------------------

    def stop(self) -> None:
        """End `run` at its next step, once the polls in flight have ended (none is cut: a request
        cancelled mid-flight can leave its socket to the garbage collector)."""
        self._stopping = True
        self._wake.set()

    async def run(self, *, until_idle: bool = False) -> None:
        """Poll until cancelled or stopped, or with `until_idle` until no job is left to watch."""
        self._stopping = False
        queue_task = asyncio.get_running_loop().create_task(self._watch_queues())
        try:
            while not self._stopping:
                if not self._tracks:
                    if until_idle:
                        break
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                track = min(self._tracks.values(), key=lambda t: t.due)
                wait = track.due - time.monotonic()
                if wait > 0:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), wait)
                    continue
                track.due = time.monotonic() + 3600  # not picked again while in flight
                await self._slots.acquire()
                task = asyncio.get_running_loop().create_task(self._poll(track))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
            if self._in_flight:
                await asyncio.gather(*self._in_flight)
        finally:
            if self._stopping:  # a graceful end: what is in flight ends on its own
                await asyncio.wait([queue_task, *self._in_flight], timeout=STOP_GRACE_S)
            queue_task.cancel()
            for task in self._in_flight:  # cancelled: no poll outlives the watch (nor its socket)
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await queue_task
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    def on_retry(self, retrying: Retrying) -> None:
        """For the client's `transport.retry_listeners`: a 429 it waits out pauses us too."""
        if retrying.status == 429:
            self.stats.rate_limited += 1
            self.budget.pause(retrying.wait_s)

    async def _poll(self, track: _Track) -> None:
        job = track.job
        try:
            # Taken right before the call goes out: a budget spent early could let calls held
            # up on a busy loop reach the server together, over its limit.
            await self.budget.take()
            self.stats.polls.append(time.monotonic())
            try:
                status = await self._jobs.status(job.target, job.request_id)
            except ApiError as exc:
                if exc.status == 429:
                    self.stats.rate_limited += 1
                    self.budget.pause(exc.retry_after or 1.0)
                    track.due = time.monotonic() + (exc.retry_after or 1.0)
                    return
                if exc.status == 404:  # gone from the server (another server, or long past)
                    job.error = f"The server no longer knows this request: {exc}"
                    if self.store is not None:
                        self.store.save(job)
                    self._tell(job)
                    self.forget(job.request_id)
                    return
                self._back_off(track, exc)
                return
            except PlaygroundError as exc:
                self._back_off(track, exc)
                return
            self._apply(track, status.raw)
        finally:
            self._slots.release()
            self._wake.set()

    def _back_off(self, track: _Track, exc: PlaygroundError) -> None:
        """A poll that failed (the network, a 5xx, a key refused): said, and asked again later."""
        track.job.error = str(exc)
        self._tell(track.job)
        track.wait = min(self.slow, track.wait * 2)
        track.due = time.monotonic() + track.wait

    def _apply(self, track: _Track, raw: dict[str, Any]) -> None:
        job = track.job
        changed = job.set_status(str(raw.get("status", "")), time.time())
        webhook = str(raw.get("webhook_status", ""))
        changed |= webhook != job.webhook_status
        job.webhook_status = webhook
        job.deployment_id = str(raw.get("deployment_id", job.deployment_id))
        errors = [e for e in raw.get("errors") or [] if isinstance(e, dict)]
        if errors:
            job.errors = errors
        if changed:
            if self.store is not None:
                self.store.save(job)
            self._tell(job)
        if self._done(job):
            self.forget(job.request_id)
            return
        track.wait = self._interval(track)
        due = time.monotonic() + track.wait
        if job.status == "QUEUED":
            expires = job.created_at + (job.options.max_time_in_queue_seconds or 600) + 0.05
            due = min(due, time.monotonic() + max(0.0, expires - time.time()))
        track.due = due

    def _interval(self, track: _Track) -> float:
        job = track.job
        if self.inbox_endpoint and job.options.webhook_endpoint == self.inbox_endpoint:
            return self.slow  # the inbox hears first; this is the fallback
        rank = self._rank(track) if job.status == "QUEUED" else 0
        # The further back in its queue, the later it can move: the head often, the rest seldom.
        return self.fast if rank < self.head else min(self.slow, self.fast * (rank + 1))

    def _queue_of(self, group: str) -> list[_Track]:
        tracks = [t for t in self._tracks.values() if t.group == group]
        running = [t for t in tracks if t.job.status != "QUEUED"]
        queued = sorted(
            (t for t in tracks if t.job.status == "QUEUED"),
            key=lambda t: (t.job.options.priority or 0, t.job.created_at),
        )
        return running + queued

    def _rank(self, track: _Track) -> int:
        queued = [t for t in self._queue_of(track.group) if t.job.status == "QUEUED"]
        return queued.index(track) if track in queued else 0

    async def _watch_queues(self) -> None:
        """Each queue's depth now and then: when it moved, poll its head now."""
        while not self._stopping:
            groups = {t.group: t.job for t in self._tracks.values()}
            for group, job in groups.items():
                await self.queue_budget.take()
                try:
                    depth = await self._jobs.queue(job.target)
                    self.stats.queue_polls += 1
                except PlaygroundError:
                    continue
                total = int(depth.get("num_queued_requests", 0)) + int(
                    depth.get("num_in_progress_requests", 0)
                )
                if self._queue_totals.get(group) != total:
                    self._queue_totals[group] = total
                    now = time.monotonic()
                    for t in self._queue_of(group)[: self.head + 1]:
                        if t.due < now + 3000:  # not one in flight
                            t.due = min(t.due, now)
                    self._wake.set()
            await asyncio.sleep(self.fast / 2)
