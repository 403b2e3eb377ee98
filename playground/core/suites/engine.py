"""Running a suite: every row through every target, at bounded concurrency overall and per
target, cold targets woken first, a target that answers 429 slowed down rather than its rows
failed, each row written to the run file as it ends (memory stays flat), resumable.

The one engine the window and `playground suite` run. A controller starts `SuiteRunner.run()`
(or iterates `SuiteRunner.results()`), sees each row through `on_row` and the figures through
`progress`, and calls `stop()` (idempotent); `resume=True` skips the rows the run file has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playground.core.api.client import BasetenClient
from playground.core.api.wake import ProgressCallback
from playground.core.compare.clients import Clients, check_clients, cold_or_woken, column_client
from playground.core.compare.results import ColumnResult
from playground.core.compare.run import ColumnRecorder, Event, run_column
from playground.core.events import Retrying
from playground.core.metrics import Metrics
from playground.core.request.spec import Column, RequestSpec
from playground.core.suites.checks import cell_failures, row_failures
from playground.core.suites.cost import Prices, cell_cost
from playground.core.suites.dataset import Row, count_rows, rows
from playground.core.suites.gate import TargetGate
from playground.core.suites.results import Cell, RowResult, SuiteSummary, run_header
from playground.core.suites.runfile import RunWriter, drop_partial_line, read_header, read_rows
from playground.core.suites.suite import Suite, SuiteError
from playground.core.suites.variables import MissingVariable, fill, fill_headers

RowCallback = Callable[[RowResult], None]
MAX_THROTTLED_ATTEMPTS = 6  # a row sent again after a 429 the client's own retries gave up on
THROTTLE_PAUSE_S = 1.0  # when a 429 said no Retry-After


@dataclass(frozen=True)
class Progress:
    """How far a run is: rows done (this run and a resumed one's), of how many, how fast."""

    done: int = 0
    total: int = 0
    failed: int = 0
    skipped: int = 0  # done by the run resumed, not sent again
    elapsed_s: float = 0.0

    @property
    def rows_per_s(self) -> float | None:
        sent = self.done - self.skipped
        return sent / self.elapsed_s if sent and self.elapsed_s > 0 else None

    @property
    def eta_s(self) -> float | None:
        rate = self.rows_per_s
        return (self.total - self.done) / rate if rate else None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


def fill_request(spec: RequestSpec, row: Row, folder: Path) -> RequestSpec:
    """The suite's request with the row's values in its body and headers (variables.py)."""
    return replace(
        spec,
        body=fill(spec.body, row.values, folder),
        headers=fill_headers(spec.headers, row.values),
    )


class SuiteRunner:
    """One run of `suite` into the run file `out`."""

    def __init__(
        self,
        suite: Suite,
        client: BasetenClient,
        out: Path,
        *,
        clients: Clients | None = None,
        resume: bool = False,
        baseline: Path | None = None,
        wake: bool = False,
        prices: Prices | None = None,
        on_row: RowCallback | None = None,
        on_wake: ProgressCallback | None = None,
    ) -> None:
        self.suite = suite
        self.client = client
        self.clients: Clients = clients or {}
        check_clients(client, self.clients, suite.targets)
        self.out = out
        self.resume = resume
        self.wake = wake
        self.prices = prices or {}
        self.on_row = on_row
        self.on_wake = on_wake
        self.labels = suite.labels()
        self.summary = SuiteSummary.for_labels(suite.name, self.labels)
        self.progress = Progress()
        self.gates = [TargetGate(suite.per_target or None) for _ in suite.targets]
        self._baseline = _baseline(baseline) if baseline is not None else {}
        self._overall = asyncio.Semaphore(suite.concurrency)
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._started = 0.0
        self._listeners: list[Callable[[RowResult | None], None]] = []

    # -- control ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop sending; rows in flight are dropped (a resume sends them again). Idempotent."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()

    @property
    def is_stopping(self) -> bool:
        return self._stopping

    async def results(self) -> AsyncIterator[RowResult]:
        """Run, yielding each row as it ends; `summary` holds the totals after the last one."""
        queue: asyncio.Queue[RowResult | None] = asyncio.Queue()
        self._listeners.append(queue.put_nowait)
        task = asyncio.get_running_loop().create_task(self.run())
        task.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            while (row := await queue.get()) is not None:
                yield row
            await task
        finally:
            if not task.done():
                self.stop()
                await asyncio.wait([task])

    async def run(self) -> SuiteSummary:
        """Wake (or look up) the targets, then every row; the summary (`stopped` when stopped)."""
        done, has_header = self._prepare()
        self._started = time.monotonic()
        writer = RunWriter(self.out, None if has_header else run_header(*self._header()))
        try:
            total = count_rows(self.suite) * self.suite.repeats
            self._set_progress(total=total, done=len(done), skipped=len(done))
            report = await cold_or_woken(
                self.client, self.clients, self.suite.targets, wake=self.wake, on_wake=self.on_wake
            )
            for i in report.cold:
                self.gates[i].mark_cold()
            work = self._work(done)
            workers = max(1, self.suite.concurrency)
            loop = asyncio.get_running_loop()
            self._tasks = [
                loop.create_task(self._worker(work, writer), name=f"suite worker {n}")
                for n in range(workers)
            ]
            results = await asyncio.gather(*self._tasks, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, asyncio.CancelledError
                ):
                    raise result
        finally:
            writer.close()
            self.summary.elapsed_s = time.monotonic() - self._started
            self.summary.stopped = self._stopping
            self._set_progress()
        return self.summary

    # -- the run file ----------------------------------------------------------------------

    def _header(self) -> tuple[str, list[str], str]:
        return self.suite.name, self.labels, datetime.now(UTC).isoformat(timespec="seconds")

    def _prepare(self) -> tuple[set[tuple[str, int]], bool]:
        """The rows a resumed run has already (their results fed into the summary), and whether
        the run file has its header."""
        if not (self.resume and self.out.exists() and self.out.stat().st_size):
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_text("", encoding="utf-8")
            return set(), False
        header = read_header(self.out)
        if header.get("suite") != self.suite.name or header.get("targets") != self.labels:
            raise SuiteError(
                f"{self.out.name} is a run of another suite or other targets: it cannot be resumed"
            )
        drop_partial_line(self.out)
        done: set[tuple[str, int]] = set()
        for row in read_rows(self.out):
            done.add(row.key)
            self.summary.add(row)
        self.progress = Progress(failed=self.summary.rows_failed)
        return done, True

    def _work(self, done: set[tuple[str, int]]) -> Iterator[tuple[Row, int]]:
        for row in rows(self.suite):
            for repeat in range(1, self.suite.repeats + 1):
                if (row.id, repeat) not in done:
                    yield row, repeat

    def _set_progress(self, **changes: Any) -> None:
        elapsed = time.monotonic() - self._started if self._started else 0.0
        self.progress = replace(
            self.progress, failed=self.summary.rows_failed, elapsed_s=elapsed, **changes
        )

    # -- rows ------------------------------------------------------------------------------

    async def _worker(self, work: Iterator[tuple[Row, int]], writer: RunWriter) -> None:
        for row, repeat in work:  # a shared iterator: each worker takes the next row
            if self._stopping:
                return
            result = await self._row(row, repeat)
            writer.write(result)
            self.summary.add(result)
            self._set_progress(done=self.progress.done + 1)
            for listener in self._listeners:
                listener(result)
            if self.on_row is not None:
                self.on_row(result)

    async def _row(self, row: Row, repeat: int) -> RowResult:
        try:
            spec: RequestSpec | None = fill_request(self.suite.request, row, self.suite.folder)
            problem = ""
        except MissingVariable as exc:
            spec, problem = None, str(exc)
        targets = range(len(self.suite.targets))
        if spec is None:
            results = [_failed(i, problem, "invalid") for i in targets]
        else:
            results = list(await asyncio.gather(*(self._cell(i, spec) for i in targets)))
        checks = self.suite.checks
        per_row = row_failures(
            checks, results, self.labels, self._baseline.get((row.id, repeat), ())
        )
        cells = []
        for i, result in enumerate(results):
            failures = (
                [problem]
                if problem
                else cell_failures(checks, result, row.values, self.suite.folder)
            )
            cost = cell_cost(self.suite.targets[i], result, self.prices)
            cells.append(Cell(i, result, tuple(failures + per_row[i]), cost))
        return RowResult(row.number, row.id, repeat, row.values, tuple(cells))

    async def _cell(self, index: int, spec: RequestSpec) -> ColumnResult:
        column: Column = self.suite.targets[index]
        client = column_client(self.client, self.clients, column)
        gate = self.gates[index]

        def on_event(event: Event) -> None:
            if isinstance(event, Retrying) and event.status == 429:
                gate.slow_down(event.wait_s)

        for _ in range(MAX_THROTTLED_ATTEMPTS):
            async with gate.entry() as cold, self._overall:
                recorder = ColumnRecorder(index, cold=cold)
                try:
                    async with asyncio.timeout(self.suite.timeout_s or None):
                        result = await run_column(client, spec, column, on_event, recorder=recorder)
                except TimeoutError:
                    metrics = recorder.metrics or Metrics(total_s=self.suite.timeout_s)
                    return ColumnResult(
                        index,
                        "failed",
                        metrics,
                        recorder.kind,
                        error=f"no answer within {self.suite.timeout_s:g} s",
                        error_kind="network",
                        cold=cold,
                    )
            if result.status != 429:
                return result
            gate.slow_down(THROTTLE_PAUSE_S)
        return result


def _failed(index: int, message: str, kind: str) -> ColumnResult:
    return ColumnResult(index, "failed", Metrics(), error=message, error_kind=kind)


def _baseline(path: Path) -> dict[tuple[str, int], list[Mapping[str, Any] | None]]:
    """An earlier run's cells by row, for the `baseline` check."""
    read_header(path)
    out: dict[tuple[str, int], list[Mapping[str, Any] | None]] = {}
    for row in read_rows(path):
        cells: list[Mapping[str, Any] | None] = [None] * (
            max((c.target for c in row.cells), default=-1) + 1
        )
        for cell in row.cells:
            cells[cell.target] = {
                "result": cell.result.to_dict(),
                "passed": cell.passed,
                "failures": list(cell.failures),
            }
        out[row.key] = cells
    return out
