"""Running a comparison: one request to every column at once, each streaming into its own result
and cancellable alone, one column's failure never touching the others; rounds for percentiles."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Collection, Sequence
from contextlib import aclosing
from typing import Any

from playground.core.api.client import BasetenClient
from playground.core.api.wake import ProgressCallback, WakeReport
from playground.core.compare.clients import Clients, check_clients, cold_or_woken, column_client
from playground.core.compare.results import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    ColumnResult,
    Comparison,
    Outcome,
)
from playground.core.errors import (
    ApiError,
    InvalidRequest,
    NetworkError,
    PlaygroundError,
    StreamCut,
    StreamError,
)
from playground.core.events import (
    BinaryChunk,
    ChatDelta,
    ChatEvent,
    ChatFinished,
    ChatResult,
    Finished,
    JsonBody,
    NdjsonLine,
    Notice,
    PredictEvent,
    ResponseStarted,
    SseEvent,
    TextChunk,
)
from playground.core.metrics import Clock, Metrics
from playground.core.request.spec import Column, RequestSpec

Event = PredictEvent | ChatEvent
ColumnEventCallback = Callable[[int, Event], None]  # column index, event
ResultCallback = Callable[[ColumnResult], None]
RoundCallback = Callable[[int, "CompareRound"], None]  # round index, the round just started

ASYNC_REFUSAL = (
    "Async predict cannot be compared: its output goes to a webhook, not back to this app. "
    "Compare with predict (or a custom route) instead."
)


def check_comparable(spec: RequestSpec, columns: Sequence[Column]) -> None:
    """Raise InvalidRequest, in words, when `spec` cannot be sent to `columns` side by side."""
    if spec.mode == "async":
        raise InvalidRequest(ASYNC_REFUSAL)
    if not MIN_COLUMNS <= len(columns) <= MAX_COLUMNS:
        raise InvalidRequest(
            f"A comparison has {MIN_COLUMNS} to {MAX_COLUMNS} columns, not {len(columns)}"
        )
    for i, column in enumerate(columns, start=1):
        if column.target is None and spec.mode != "chat":
            raise InvalidRequest(
                f"Column {i} is the Model API {column.model_api}, which takes chat requests only"
            )
        try:
            applied = column.apply(spec)
        except ValueError as exc:
            raise InvalidRequest(f"Column {i}: {exc}") from None
        if spec.mode == "chat" and not isinstance(applied.wire_body(), dict):
            raise InvalidRequest("A chat request's body is an object with messages")


def _error_kind(exc: PlaygroundError) -> str:
    if isinstance(exc, ApiError):
        return "api"
    if isinstance(exc, InvalidRequest):
        return "invalid"
    if isinstance(exc, StreamError | StreamCut):
        return "stream"
    if isinstance(exc, NetworkError):
        return "network"
    return "api"


class ColumnRecorder:
    """Gathers one column's events into its result as they arrive, so that a failure or a
    cancellation keeps what had arrived."""

    def __init__(self, column: int, *, cold: bool = False) -> None:
        self.column = column
        self.cold = cold
        self.clock = Clock()
        self.metrics: Metrics | None = None
        self.kind = "empty"
        self._text: list[str] = []
        self._items: list[Any] = []
        self._binary = bytearray()
        self._json: Any = None
        self._reasoning: list[str] = []
        self._chat: ChatResult | None = None
        self._notices: list[str] = []

    def feed(self, event: Event) -> None:
        if isinstance(event, ResponseStarted):
            self.metrics = event.metrics
        elif isinstance(event, ChatDelta):
            self.kind = "chat"
            self._text.append(event.content)
            self._reasoning.append(event.reasoning)
        elif isinstance(event, TextChunk):
            self.kind = "text"
            self._text.append(event.text)
        elif isinstance(event, JsonBody):
            self.kind = "json"
            try:
                self._json = event.value
            except ValueError:
                self.kind = "text"
                self._text.append(event.raw.decode("utf-8", "replace"))
        elif isinstance(event, SseEvent):
            self.kind = "sse"
            self._items.append(_maybe_json(event.data))
        elif isinstance(event, NdjsonLine):
            self.kind = "ndjson"
            self._items.append(event.value)
        elif isinstance(event, BinaryChunk):
            self.kind = "binary"
            self._binary += event.data
        elif isinstance(event, Notice):
            self._notices.append(event.message)
        elif isinstance(event, Finished):
            self.metrics = event.metrics
            if event.kind == "text-stream" and self.kind == "text":
                self.kind = "text-stream"
        elif isinstance(event, ChatFinished):
            self.metrics = event.metrics
            self.kind = "chat"
            self._chat = event.result

    def _body(self) -> Any:
        if self.kind == "json":
            return self._json
        if self.kind in ("sse", "ndjson"):
            return list(self._items)
        if self.kind == "binary":
            return base64.b64encode(bytes(self._binary)).decode()
        if self.kind == "chat":
            return self._chat.content if self._chat is not None else "".join(self._text)
        if self.kind in ("text", "text-stream"):
            return "".join(self._text)
        return None

    def _details(self) -> dict[str, Any]:
        if self.kind != "chat":
            return {}
        chat = self._chat
        reasoning = chat.reasoning if chat is not None else "".join(self._reasoning)
        details: dict[str, Any] = {"reasoning": reasoning} if reasoning else {}
        if chat is not None:
            if chat.tool_calls:
                details["tool_calls"] = [call.to_openai() for call in chat.tool_calls]
            for key in ("finish_reason", "usage", "model"):
                if getattr(chat, key):
                    details[key] = getattr(chat, key)
        return details

    def _result(self, outcome: Outcome, metrics: Metrics, **error: str) -> ColumnResult:
        return ColumnResult(
            column=self.column,
            outcome=outcome,
            metrics=metrics,
            kind=self.kind,
            body=self._body(),
            details=self._details(),
            cold=self.cold,
            notices=tuple(self._notices),
            **error,
        )

    def finished(self) -> ColumnResult:
        return self._result("ok", self.metrics or Metrics())

    def failed(self, exc: PlaygroundError) -> ColumnResult:
        """The result of a call that failed: Baseten's message, status and request id, and
        what had arrived."""
        partial = getattr(exc, "partial", None)
        if isinstance(partial, ChatResult):
            self.kind, self._chat = "chat", partial
        metrics = self.metrics or Metrics()
        if isinstance(exc, ApiError):
            metrics.status = exc.status
            metrics.request_id = metrics.request_id or exc.request_id
        if metrics.total_s is None:
            metrics.total_s = self.clock.now()
        message = f"{exc.status}: {exc.message}" if isinstance(exc, ApiError) else str(exc)
        return self._result(
            "failed", metrics, error=message, error_kind=_error_kind(exc), hint=exc.hint
        )

    def cancelled(self) -> ColumnResult:
        return self._result("cancelled", self.metrics or Metrics(), error="Stopped")


def _maybe_json(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data


async def run_column(
    client: BasetenClient,
    spec: RequestSpec,
    column: Column,
    on_event: Callable[[Event], None] | None = None,
    *,
    index: int = 0,
    cold: bool = False,
    recorder: ColumnRecorder | None = None,
) -> ColumnResult:
    """Send `spec` to `column` (predict, custom route or chat) and return its result.

    A failure becomes a failed result; cancelling the task closes the connection and raises
    CancelledError (pass a `recorder` to keep what had arrived: `recorder.cancelled()`).
    """
    if spec.mode == "async":
        raise InvalidRequest(ASYNC_REFUSAL)
    recorder = recorder or ColumnRecorder(index, cold=cold)
    try:
        applied = column.apply(spec)
    except ValueError as exc:
        return recorder.failed(InvalidRequest(str(exc)))
    try:
        events: Any
        if applied.mode == "chat":
            body = applied.chat_body()
            if not isinstance(body, dict):
                raise InvalidRequest("A chat request's body is an object with messages")
            base = client.openai_base(applied.target)
            events = client.chat(base, body, headers=dict(applied.headers), api=applied.api)
        else:
            events = client.send(applied)
        async with aclosing(events) as stream:
            async for event in stream:
                recorder.feed(event)
                if on_event is not None:
                    on_event(event)
    except PlaygroundError as exc:
        return recorder.failed(exc)
    return recorder.finished()


class CompareRound:
    """One send to every column at once; each column is its own task, cancellable alone."""

    def __init__(
        self,
        client: BasetenClient,
        spec: RequestSpec,
        columns: Sequence[Column],
        *,
        on_event: ColumnEventCallback | None = None,
        on_result: ResultCallback | None = None,
        cold: Collection[int] = (),
        only: Collection[int] | None = None,
        clients: Clients | None = None,
    ) -> None:
        check_comparable(spec, columns)
        self.clients: Clients = clients or {}
        check_clients(client, self.clients, columns)
        self.client = client
        self.spec = spec
        self.columns = tuple(columns)
        self.indices = [i for i in range(len(columns)) if only is None or i in only]
        self._on_event = on_event
        self._on_result = on_result
        self._recorders = {i: ColumnRecorder(i, cold=i in cold) for i in self.indices}
        self._tasks: dict[int, asyncio.Task[ColumnResult]] = {}
        self.results: dict[int, ColumnResult] = {}

    def start(self) -> None:
        """Start every column's task on the running loop."""
        loop = asyncio.get_running_loop()
        for i in self.indices:
            self._tasks[i] = loop.create_task(self._run(i), name=f"compare column {i + 1}")

    def is_running(self, index: int | None = None) -> bool:
        tasks = self._tasks.values() if index is None else [self._tasks.get(index)]
        return any(task is not None and not task.done() for task in tasks)

    def cancel(self, index: int) -> None:
        """Stop one column: its connection closes; the others go on. Idempotent."""
        task = self._tasks.get(index)
        if task is not None and not task.done():
            task.cancel()

    def cancel_all(self) -> None:
        for i in self._tasks:
            self.cancel(i)

    async def _run(self, index: int) -> ColumnResult:
        recorder = self._recorders[index]

        def forward(event: Event) -> None:
            if self._on_event is not None:
                self._on_event(index, event)

        try:
            column = self.columns[index]
            client = column_client(self.client, self.clients, column)
            result = await run_column(client, self.spec, column, forward, recorder=recorder)
        except asyncio.CancelledError:
            self._finish(recorder.cancelled())
            raise
        self._finish(result)
        return result

    def _settle_unstarted(self) -> None:
        # A task cancelled before it first ran never reaches `_run`'s handler.
        for i in self.indices:
            if i not in self.results:
                self._finish(self._recorders[i].cancelled())

    def _finish(self, result: ColumnResult) -> None:
        self.results[result.column] = result
        if self._on_result is not None:
            self._on_result(result)

    async def wait(self) -> list[ColumnResult]:
        """Every column's result, in column order, once all have ended. Cancelling the wait
        stops every column."""
        tasks = list(self._tasks.values())
        if not tasks:
            return []
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError:
            self.cancel_all()
            await asyncio.wait(tasks)
            self._settle_unstarted()
            raise
        self._settle_unstarted()
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]  # a bug, not a failed call
        return [self.results[i] for i in self.indices]


async def run_comparison(
    client: BasetenClient,
    spec: RequestSpec,
    columns: Sequence[Column],
    *,
    repeat: int = 1,
    cold: Collection[int] = (),
    on_event: ColumnEventCallback | None = None,
    on_result: ResultCallback | None = None,
    on_round: RoundCallback | None = None,
    into: Comparison | None = None,
    clients: Clients | None = None,
) -> Comparison:
    """`repeat` rounds, one after another, each sending to every column at once.

    Columns in `cold` (targets that were scaled to zero: see `wake_all`) have their first run
    marked cold. A column stopped alone (`on_round` hands out each round, to cancel columns in)
    is not sent again in later rounds. Rounds are added to `into` as they end (a new Comparison
    by default), so that cancelling the whole run keeps every result so far, the stopped round's
    too. A column naming a remote (`Column.remote`) is sent with `clients[remote]`.
    """
    if repeat < 1:
        raise InvalidRequest(f"repeat is at least 1, not {repeat}")
    check_comparable(spec, columns)
    comparison = into or Comparison(spec, tuple(columns), remote=client.remote.label)
    active = set(range(len(columns)))
    for n in range(repeat):
        if not active:
            break
        round_ = CompareRound(
            client,
            spec,
            columns,
            on_event=on_event,
            on_result=on_result,
            cold=cold if n == 0 else (),
            only=active,
            clients=clients,
        )
        round_.start()
        if on_round is not None:
            on_round(n, round_)
        try:
            results = await round_.wait()
        except asyncio.CancelledError:
            comparison.rounds.append([round_.results[i] for i in sorted(round_.results)])
            raise
        comparison.rounds.append(results)
        active -= {r.column for r in results if r.outcome == "cancelled"}
    return comparison


async def compare_targets(
    client: BasetenClient,
    spec: RequestSpec,
    columns: Sequence[Column],
    *,
    wake: bool = False,
    on_wake: ProgressCallback | None = None,
    on_woken: Callable[[WakeReport], None] | None = None,
    repeat: int = 1,
    on_event: ColumnEventCallback | None = None,
    on_result: ResultCallback | None = None,
    on_round: RoundCallback | None = None,
    into: Comparison | None = None,
    clients: Clients | None = None,
) -> Comparison:
    """The one sequence the window and `playground compare` run: wake every target first (when
    asked; `on_wake` sees each change, `on_woken` the report), or else look up which are scaled
    to zero; then `run_comparison`, with each cold target's first run marked cold."""
    clients = clients or {}
    check_clients(client, clients, columns)
    report = await cold_or_woken(client, clients, columns, wake=wake, on_wake=on_wake)
    if wake and on_woken is not None:
        on_woken(report)
    # Woken now or not, a target that was not serving paid (or pays) a cold start once.
    return await run_comparison(
        client,
        spec,
        columns,
        repeat=repeat,
        cold=report.cold,
        on_event=on_event,
        on_result=on_result,
        on_round=on_round,
        into=into,
        clients=clients,
    )
