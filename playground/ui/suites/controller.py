"""Runs suites for the view: one run or one sweep at a time, rows handed to `on_row` as they end
(the table buffers them), the run kept in the history afterwards and what got worse since the
suite's last run said in words. Targets on other remotes get a client of their own, with that
remote's own key (core's `own_key`), never the window's.

The engine runs in a worker process (core/suites/worker.py and worker_run.py), not in the
window's: run in a thread here, it held the GIL that the window's paints wait for (the table
calls Python for every cell and role), one paint of the view took up to 171 ms and
benchmarks/suite_throughput.py measured a p99 lag of 60-100 ms, which a shorter switch interval
did not cure (0.1 ms: 60 ms).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.core.api.client import BasetenClient
from playground.core.presets.preset import slug
from playground.core.remote.config import RemoteConfigError, RemoteStore
from playground.core.remote.keys import own_key
from playground.core.remote.remotes import Remote
from playground.core.suites.engine import Progress, RowCallback
from playground.core.suites.results import SuiteSummary
from playground.core.suites.suite import Suite, SuiteError
from playground.core.suites.sweep import step_path
from playground.core.suites.worker import worker_job
from playground.core.suites.worker_run import WorkerRun
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.history.store import History

RUN, SWEEP = "run", "sweep"


def new_run_file(folder: Path, suite: Suite) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    return folder / f"{slug(suite.name)}-{stamp}.jsonl"


class SuiteController(TaskOwner):
    """`run_finished(summary)`, `run_failed(words)` or `run_stopped(summary)` end each run."""

    run_started = Signal()
    run_finished = Signal(object)  # SuiteSummary
    run_stopped = Signal(object)  # SuiteSummary (resumable)
    run_failed = Signal(str)
    worse_found = Signal(str, list)  # since when (words), what got worse (words each)
    step_done = Signal(dict)  # a sweep's step (core's step_record)
    sweep_finished = Signal(list)

    def __init__(
        self,
        client: BasetenClient,
        history: History | None,
        folder: Path,
        parent: QObject | None = None,
        store: RemoteStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.history = history
        self.folder = folder  # where run files go
        self.store = store
        self.run_file: Path | None = None
        self.rows_file: Path | None = None  # the last run's rows (a sweep: its last step's)
        self.worker_peak_rss_mb: float | None = None  # as the last worker said before it ended
        self.steps: list[dict[str, Any]] = []
        self._keys: dict[str, tuple[Remote, str]] = {}  # other remotes' own keys, looked up once
        self._worker: WorkerRun | None = None  # the last run's
        self._sweep_folder = folder

    @property
    def is_running(self) -> bool:  # type: ignore[override]
        return super().is_running(RUN) or super().is_running(SWEEP)

    @property
    def worker_pid(self) -> int | None:
        """The running worker process's id (None between runs)."""
        return self._worker.pid if self._worker is not None else None

    @property
    def progress(self) -> Progress | None:
        """The run's progress, as its worker last said."""
        return self._worker.progress if self._worker is not None else None

    def run(self, suite: Suite, on_row: RowCallback, *, resume: bool = False) -> None:
        """Run `suite` (resume: the last run file, its finished rows skipped)."""
        if not resume or self.run_file is None:
            self.run_file = new_run_file(self.folder, suite)
        self._start(RUN, self._run(suite, self.run_file, on_row, resume))

    def sweep(self, suite: Suite, levels: list[int], on_row: RowCallback) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        self._start(SWEEP, self._sweep(suite, levels, self.folder / f"sweep-{stamp}", on_row))

    def stop(self) -> None:
        """Ask the worker to stop (it ends the run with a resumable summary). Idempotent."""
        if self._worker is not None:
            self._worker.stop()

    async def remotes_for(self, suite: Suite) -> dict[str, tuple[Remote, str]]:
        """Each other remote the targets name, with its own key (looked up once)."""
        own = self.client.remote.name
        names = {c.remote for c in suite.targets if c.remote and c.remote != own}
        if names - self._keys.keys():
            try:
                remotes = (self.store or RemoteStore.default()).all()
            except (RemoteConfigError, OSError) as exc:
                raise SuiteError(f"the remotes cannot be read: {exc}") from None
            for name in names - self._keys.keys():
                if name not in remotes:
                    raise SuiteError(f"a target is on the remote {name!r}, which is not known here")
                found = await asyncio.to_thread(own_key, remotes[name])
                self._keys[name] = (remotes[name], found.key if found else "")
        return {name: self._keys[name] for name in names}

    async def _in_worker(
        self, suite: Suite, out: Path, on_row: RowCallback, **job: Any
    ) -> SuiteSummary | None:
        """The job in a worker process (core's WorkerRun): the summary it ends with."""
        line = worker_job(suite, self.client, out, remotes=await self.remotes_for(suite), **job)
        self._worker = run = WorkerRun(on_row, self._on_step)
        summary = await run.run(line)
        self.worker_peak_rss_mb = run.peak_rss_mb
        return summary

    # -- runs ------------------------------------------------------------------------------------

    async def _run(self, suite: Suite, out: Path, on_row: RowCallback, resume: bool) -> None:
        self.run_started.emit()
        self.rows_file = out
        try:
            summary = await self._in_worker(suite, out, on_row, resume=resume)
        except SuiteError as exc:
            self.run_failed.emit(str(exc))
            return
        assert summary is not None  # a run (not a sweep) always has one
        if summary.stopped:
            self.run_stopped.emit(summary)
            return
        self.run_finished.emit(summary)
        await self._remember(suite, out, summary)

    async def _sweep(
        self, suite: Suite, levels: list[int], folder: Path, on_row: RowCallback
    ) -> None:
        self.steps = []
        self._sweep_folder = folder
        self.run_started.emit()
        try:
            summary = await self._in_worker(suite, folder, on_row, levels=levels)
        except SuiteError as exc:
            self.run_failed.emit(str(exc))
            return
        if summary is not None:
            (self.run_stopped if summary.stopped else self.run_finished).emit(summary)
        self.sweep_finished.emit(list(self.steps))

    def _on_step(self, step: dict[str, Any]) -> None:
        self.steps.append(step)
        self.rows_file = step_path(self._sweep_folder, int(step["concurrency"]))
        self.step_done.emit(step)

    async def _remember(self, suite: Suite, out: Path, summary: SuiteSummary) -> None:
        """Keep the run; say what got worse since the suite's previous run (if one is kept)."""
        if self.history is None:
            return
        from playground.core.history.store import HistoryError
        from playground.core.history.suite_runs import record_suite_run, suite_runs
        from playground.core.suites.changes import what_got_worse

        data = summary.to_dict()
        history = self.history

        def work() -> tuple[str, list[str]] | None:
            before = [r for r in suite_runs(history, suite.name, 5) if r.run_file != out]
            record_suite_run(history, suite.name, out, data)
            if not before or not before[0].run_file.exists():
                return None
            worse = what_got_worse(before[0].run_file, out, suite.labels(), before[0].summary, data)
            since = datetime.fromtimestamp(before[0].at).strftime("%Y-%m-%d %H:%M:%S")
            return since, [w.describe() for w in worse]

        try:
            found = await asyncio.to_thread(work)
        except (HistoryError, OSError, ValueError) as exc:
            self.run_failed.emit(f"the run is not kept in the history: {exc}")
            return
        if found is not None:
            self.worse_found.emit(*found)

    async def aclose(self) -> None:
        self.stop()
        await super().aclose()
