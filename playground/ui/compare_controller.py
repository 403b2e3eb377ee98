"""The compare view's controller: one task per column, wake-all, repeat rounds; signals only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError
from playground.core.events import ChatFinished, Finished, ResponseStarted
from playground.core.metrics import Metrics
from playground.core.request import Column, RequestSpec
from playground.ui.controller import TaskOwner
from playground.ui.request_spec import describe_error

if TYPE_CHECKING:
    from playground.core.client import BasetenClient


class CompareController(TaskOwner):
    """Runs a comparison: every column its own task, so one stops or fails alone.

    Each column's run ends in exactly one of `column_finished`, `column_failed` (both carrying
    the core ColumnResult) or `column_cancelled`; the whole run then ends in `run_finished`.
    """

    run_started = Signal(int)  # rounds
    round_started = Signal(int)  # round number, from 0
    column_started = Signal(int)  # column index
    column_event = Signal(int, object)  # column index, a core event (ResponseStarted, delta …)
    column_finished = Signal(int, object)  # column index, ColumnResult
    column_failed = Signal(int, object)  # column index, ColumnResult (with its error)
    column_cancelled = Signal(int)
    wake_progressed = Signal(object)  # core WakeProgress
    wake_failed = Signal(str)
    run_finished = Signal(object)  # Comparison
    model_apis_loaded = Signal(list)  # slugs

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client

    @property
    def is_running(self) -> bool:  # type: ignore[override]
        return super().is_running("run")

    def load_model_apis(self) -> None:
        self._start("model-apis", self._load_model_apis())

    async def _load_model_apis(self) -> None:
        try:
            catalog = await self.client.model_apis_catalog()
        except PlaygroundError:
            return  # offering slugs is a convenience; typing one still works
        self.model_apis_loaded.emit([str(item["id"]) for item in catalog if "id" in item])

    def run(
        self, spec: RequestSpec, columns: dict[int, Column], *, rounds: int = 1, wake: bool = False
    ) -> None:
        """Send `spec` to every column at once, `rounds` times; wake every target first if asked."""
        for index in list(self._tasks):
            if index.startswith("column-"):
                self._cancel(index)
        self._start("run", self._run(spec, dict(columns), max(1, rounds), wake))

    def stop(self, index: int) -> bool:
        """Stop one column (its connection closes; the others go on)."""
        return self._cancel(f"column-{index}")

    def stop_all(self) -> bool:
        stopped = [self._cancel(job) for job in list(self._tasks) if job.startswith("column-")]
        return self._cancel("run") or any(stopped)

    async def _run(
        self, spec: RequestSpec, columns: dict[int, Column], rounds: int, wake: bool
    ) -> None:
        results: dict[int, list[ColumnRun]] = {index: [] for index in columns}
        self.run_started.emit(rounds)
        try:
            live = dict(columns)
            for number in range(rounds):
                self.round_started.emit(number)
                jobs = []
                for index, column in live.items():
                    job = f"column-{index}"
                    self._start(job, self._column(index, spec, column, results[index]))
                    jobs.append(self._tasks[job])
                    self.column_started.emit(index)
                await asyncio.gather(*jobs, return_exceptions=True)
                for index, task in zip(list(live), jobs, strict=True):
                    if task.cancelled():
                        live.pop(index)  # stopped: out of the rounds still to come
                if not live:
                    break
        finally:
            for job in [j for j in self._tasks if j.startswith("column-")]:
                self._cancel(job)
        self.run_finished.emit(results)

    async def _column(
        self, index: int, spec: RequestSpec, column: Column, runs: list[ColumnRun]
    ) -> None:
        try:
            result = await run_column(
                self.client, spec, column, lambda event: self.column_event.emit(index, event)
            )
        except asyncio.CancelledError:
            self.column_cancelled.emit(index)
            raise
        runs.append(result)
        if result.error is None:
            self.column_finished.emit(index, result)
        else:
            self.column_failed.emit(index, result)


@dataclass
class ColumnRun:
    """Temporary, until core's ColumnResult lands."""

    metrics: Metrics | None = None
    error: PlaygroundError | None = None
    text: str = ""
    body: Any = None
    cold: bool = False


async def run_column(
    client: BasetenClient, spec: RequestSpec, column: Column, on_event: Callable[[object], None]
) -> ColumnRun:
    """Temporary, until core's run_column lands."""
    sent = column.apply(spec)
    run = ColumnRun()
    try:
        if sent.mode == "chat":
            base = client.openai_base(sent.target)
            body = sent.wire_body()
            async with aclosing(client.chat(base, body, headers=dict(sent.headers))) as events:
                async for event in events:
                    if isinstance(event, ChatFinished):
                        run.metrics = event.metrics
                        run.text = event.result.content
                    elif isinstance(event, ResponseStarted):
                        run.metrics = event.metrics
                    on_event(event)
        else:
            async with aclosing(client.send(sent)) as events:
                async for event in events:
                    if isinstance(event, (Finished, ResponseStarted)):
                        run.metrics = event.metrics
                    on_event(event)
    except PlaygroundError as exc:
        run.error = exc
    return run
