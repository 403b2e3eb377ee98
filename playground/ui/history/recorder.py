"""Records every exchange the window's controllers finish, fail or cancel (each column of a
comparison too), off the GUI thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Signal

from playground.core.compare.results import ColumnResult, Comparison
from playground.core.errors import PlaygroundError
from playground.core.events import (
    ChatDelta,
    ChatFinished,
    ChatResult,
    PredictEvent,
    ResponseStarted,
)
from playground.core.history.record import PendingExchange, redacted
from playground.core.history.store import Exchange, History, HistoryError
from playground.core.metrics import Metrics
from playground.core.request.asyncopts import AsyncStatus
from playground.core.request.spec import RequestSpec

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import SignalInstance

    from playground.core.ws.record import EndedSession
    from playground.ui.host import WindowHost


class ComparisonReports(Protocol):
    """A window's comparisons as they run (the compare controller's signals): `run_started`
    (Comparison), `round_started` (round number, column indices), each column's events, and one
    `column_ended` (ColumnResult) per column and round."""

    @property
    def run_started(self) -> SignalInstance: ...
    @property
    def round_started(self) -> SignalInstance: ...
    @property
    def column_event(self) -> SignalInstance: ...  # column index, a core event
    @property
    def column_ended(self) -> SignalInstance: ...


class WebSocketReports(Protocol):
    """A window's WebSocket sessions: `session_ended(EndedSession)` once each one ends (or its
    upgrade fails)."""

    @property
    def session_ended(self) -> SignalInstance: ...


class HistoryRecorder(QObject):
    """Listens to a window's RequestController and ChatController; one entry per exchange.

    Writing (and pruning, deleting, clearing, and taking the key out of what is kept) runs on
    one worker thread, in order, never on the GUI thread: a 256 KB body with its search index
    takes ~4 ms and, at a WAL checkpoint, up to ~25 ms (benchmarks/history_record.py).
    """

    recorded = Signal(int)  # the new entry's id
    changed = Signal()  # entries were deleted or cleared
    failed = Signal(str)  # a write failed, in words
    # A job ended (its Future, what to call with its result): emitted on the worker, so Qt
    # queues it to this object's (the GUI) thread, with or without an asyncio loop running.
    _job_ended = Signal(object, object)

    def __init__(self, history: History, host: WindowHost) -> None:
        super().__init__(host.widget())
        self.history = history
        self.host = host
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self._writes: set[Future[Any]] = set()
        self._job_ended.connect(self._on_job_ended)
        self._request: PendingExchange | None = None
        self._chat: PendingExchange | None = None
        self._chat_text: list[str] = []
        self._async_status: AsyncStatus | None = None
        self._comparison: Comparison | None = None
        self._columns: dict[int, tuple[int, PendingExchange]] = {}  # by column: round, exchange
        self._connect()
        # A history over its size (a lower limit now, or a crash before a prune) shrinks first.
        self._worker.submit(self._prune_at_start)

    def _prune_at_start(self) -> None:
        with contextlib.suppress(HistoryError):
            self.history.prune(self.history.max_bytes)

    def _connect(self) -> None:
        requests, chat = self.host.requests, self.host.chat_controller
        requests.request_sent.connect(self._on_requests_request_sent)
        requests.event_received.connect(self._on_requests_event_received)
        requests.async_submitted.connect(self._on_requests_async_submitted)
        requests.async_status_changed.connect(self._on_requests_async_status_changed)
        requests.request_finished.connect(self._on_requests_request_finished)
        requests.request_failed.connect(self._on_requests_request_failed)
        requests.request_cancelled.connect(self._on_requests_request_cancelled)
        chat.request_sent.connect(self._on_chat_request_sent)
        chat.answer_started.connect(self._on_chat_answer_started)
        chat.delta_received.connect(self._on_chat_delta_received)
        chat.answer_finished.connect(self._on_chat_answer_finished)
        chat.answer_failed.connect(self._on_chat_answer_failed)
        chat.answer_cancelled.connect(self._on_chat_answer_cancelled)

    # --- the worker ------------------------------------------------------------------------------

    def _run(self, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """`job` on the worker; `done(result)` back on this thread, or `failed` in words."""
        future = self._worker.submit(job)
        self._writes.add(future)
        future.add_done_callback(lambda ended: self._tell(ended, done))

    def _tell(self, future: Future[Any], done: Callable[[Any], None]) -> None:
        # On the worker. The window is gone only after its writes landed (close_history), but
        # should it go first, nobody is listening: the news is dropped.
        if shiboken6.isValid(self):
            with contextlib.suppress(RuntimeError):  # deleted since the check
                self._job_ended.emit(future, done)

    def _on_job_ended(self, future: Future[Any], done: Callable[[Any], None]) -> None:
        self._writes.discard(future)
        error = future.exception()
        if isinstance(error, HistoryError | ValueError):
            self.failed.emit(str(error))
        elif error is None:
            done(future.result())
        else:
            raise error

    def _save(self, exchange: Exchange) -> None:
        self._build_and_save(lambda: exchange)

    def _build_and_save(self, build: Callable[[], Exchange]) -> None:
        """`build()` the exchange on the worker (a big one takes tens of ms), then keep it."""
        redact = self.host.client.redact
        self._run(lambda: self.history.record(redacted(build(), redact)), self.recorded.emit)

    def delete(self, exchange_id: int) -> None:
        self._run(lambda: self.history.delete(exchange_id), lambda _gone: self.changed.emit())

    def clear(self) -> None:
        self._run(self.history.clear, lambda _none: self.changed.emit())

    async def aclose(self) -> None:
        """Let the writes under way land, then close the database."""
        await asyncio.gather(*map(asyncio.wrap_future, self._writes), return_exceptions=True)
        await asyncio.get_running_loop().run_in_executor(self._worker, self.history.close)
        self._worker.shutdown(wait=False)

    # --- predict, async and custom routes ----------------------------------------------------------

    def _on_requests_request_sent(self, spec: RequestSpec) -> None:
        self._request = PendingExchange(spec, spec.url(self.host.remote), self.history.body_cap)
        self._async_status = None

    def _on_requests_event_received(self, event: PredictEvent) -> None:
        if self._request is not None:
            self._request.feed(event)

    def _on_requests_async_submitted(self, request_id: str) -> None:
        if self._request is not None:
            self._request.request_id = request_id
            self._request.status = 201

    def _on_requests_async_status_changed(self, status: AsyncStatus) -> None:
        self._async_status = status

    def _finish_request(self, outcome: str, error: str = "") -> None:
        pending, self._request = self._request, None
        if pending is None:
            return
        status = self._async_status
        if status is not None and not pending.size:
            pending.content_type = "application/json"
            pending.keep(json.dumps(status.raw, ensure_ascii=False, indent=2).encode())
            if not error and status.errors:
                error = status.describe()
        self._save(pending.exchange(self.host.remote.name, outcome, error))

    def _on_requests_request_finished(self) -> None:
        self._finish_request("finished")

    def _on_requests_request_failed(self, error: PlaygroundError) -> None:
        if self._request is None:
            return
        self._finish_request("failed", self._request.failed(error))

    def _on_requests_request_cancelled(self) -> None:
        self._finish_request("cancelled", "Cancelled; what arrived is kept.")

    # --- chat ------------------------------------------------------------------------------------

    def _on_chat_request_sent(self, spec: RequestSpec) -> None:
        self._chat = PendingExchange(spec, spec.url(self.host.remote), self.history.body_cap)
        self._chat_text = []

    def _on_chat_answer_started(self, event: ResponseStarted) -> None:
        if self._chat is not None:
            self._chat.started(event)

    def _on_chat_delta_received(self, delta: ChatDelta) -> None:
        if delta.content and self._chat is not None:
            self._chat_text.append(delta.content)  # all a stopped answer leaves behind

    def _finish_chat(self, outcome: str, result: ChatResult | None, error: str = "") -> None:
        pending, self._chat = self._chat, None
        text = result.content if result is not None else "".join(self._chat_text)
        self._chat_text = []
        if pending is None:
            return
        if result is not None:
            pending.keep_answer(result)
        self._save(pending.exchange(self.host.remote.name, outcome, error, answer=text))

    def _on_chat_answer_finished(self, result: ChatResult, metrics: Metrics) -> None:
        if self._chat is not None:
            self._chat.metrics = metrics
        self._finish_chat("finished", result)

    def _on_chat_answer_failed(self, error: PlaygroundError, partial: ChatResult | None) -> None:
        message = self._chat.failed(error) if self._chat is not None else ""
        self._finish_chat("failed", partial, message)

    def _on_chat_answer_cancelled(self) -> None:
        self._finish_chat("cancelled", None, "Stopped; what arrived is kept.")

    # --- WebSocket sessions ---------------------------------------------------------------------

    def watch_websockets(self, sessions: WebSocketReports) -> None:
        """Keep each WebSocket session the window opens (its record is made by core's
        `ws.record.EndedSession.exchange`, on the worker: the frames both ways, capped like a
        response body; a refused upgrade as a failed exchange)."""
        sessions.session_ended.connect(self._on_websockets_session_ended)

    def _on_websockets_session_ended(self, ended: EndedSession) -> None:
        cap = self.history.body_cap
        self._build_and_save(lambda: ended.exchange(cap))

    # --- comparisons -----------------------------------------------------------------------------

    def watch_comparisons(self, comparisons: ComparisonReports) -> None:
        """Keep each column of each round of the window's comparisons as an exchange of its own,
        marked in its request: `"comparison": {"column": "B", "columns": 3, "round": 1}`."""
        comparisons.run_started.connect(self._on_comparisons_run_started)
        comparisons.round_started.connect(self._on_comparisons_round_started)
        comparisons.column_event.connect(self._on_comparisons_column_event)
        comparisons.column_ended.connect(self._on_comparisons_column_ended)

    def _on_comparisons_run_started(self, comparison: Comparison) -> None:
        self._comparison = comparison
        self._columns = {}

    def _on_comparisons_round_started(self, number: int, indices: list[int]) -> None:
        comparison = self._comparison
        if comparison is None:
            return
        for index in indices:
            spec = comparison.columns[index].apply(comparison.spec)  # as the column sent it
            pending = PendingExchange(spec, spec.url(self.host.remote), self.history.body_cap)
            self._columns[index] = (number, pending)

    def _on_comparisons_column_event(self, index: int, event: object) -> None:
        if index not in self._columns:
            return
        pending = self._columns[index][1]
        if isinstance(event, ChatFinished):
            pending.keep_answer(event.result)
        else:
            pending.feed(event)

    def _on_comparisons_column_ended(self, result: ColumnResult) -> None:
        comparison, entry = self._comparison, self._columns.pop(result.column, None)
        if comparison is None or entry is None:
            return
        number, pending = entry
        metrics = result.metrics  # with what a failure said: its status and request id
        pending.metrics = metrics
        pending.status = metrics.status or pending.status
        pending.request_id = metrics.request_id or pending.request_id
        pending.deployment_id = metrics.deployment_id or pending.deployment_id
        outcome, error = {
            "ok": ("finished", ""),
            "failed": ("failed", result.error),
            "cancelled": ("cancelled", "Stopped; what arrived is kept."),
        }[result.outcome]
        answer = (result.text or "") if pending.spec.mode == "chat" else ""
        exchange = pending.exchange(self.host.remote.name, outcome, error, answer=answer)
        mark = {
            "column": chr(ord("A") + result.column),
            "columns": len(comparison.columns),
            "round": number + 1,
        }
        self._save(replace(exchange, request={**exchange.request, "comparison": mark}))
