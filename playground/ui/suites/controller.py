"""Runs suites for the view: one run or one sweep at a time, rows handed to `on_row` as they end
(the table buffers them), the run kept in the history afterwards and what got worse since the
suite's last run said in words. Targets on other remotes get a client of their own, with that
remote's own key (core's `own_key`), never the window's.

The engine runs in a worker process (core/suites/worker.py), not in the window's: run in a
thread here, it held the GIL that the window's paints wait for (the table calls Python for every
cell and role), one paint of the view took up to 171 ms and benchmarks/suite_throughput.py
measured a p99 lag of 60-100 ms, which a shorter switch interval did not cure (0.1 ms: 60 ms).
The job (the keys with it) goes down the worker's stdin, rows come back up its stdout; `stop()`
writes `stop`, and a cancelled task stops the worker, waits GRACE_S, then kills it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections import deque
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
from playground.core.suites.results import RowResult, SuiteSummary
from playground.core.suites.suite import Suite, SuiteError
from playground.core.suites.sweep import step_path
from playground.core.suites.worker import worker_command, worker_job
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.history.store import History

RUN, SWEEP = "run", "sweep"
GRACE_S = 3.0  # a stopped worker's time to write its summary and go, before it is killed
LINE_LIMIT = 1 << 30  # one row's line: answers up to the client's size limit (100 MB) and more
NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console for the worker


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
        self.progress: Progress | None = None  # as the worker last said
        self.worker_peak_rss_mb: float | None = None  # as the last worker said before it ended
        self.steps: list[dict[str, Any]] = []
        self._keys: dict[str, tuple[Remote, str]] = {}  # other remotes' own keys, looked up once
        self._worker: asyncio.subprocess.Process | None = None
        self._sweep_folder = folder

    @property
    def is_running(self) -> bool:  # type: ignore[override]
        return super().is_running(RUN) or super().is_running(SWEEP)

    @property
    def worker_pid(self) -> int | None:
        """The running worker process's id (None between runs)."""
        return self._worker.pid if self._worker is not None else None

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
        worker = self._worker
        if worker is not None and worker.stdin is not None and not worker.stdin.is_closing():
            worker.stdin.write(b"stop\n")

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

    # -- the worker ------------------------------------------------------------------------------

    async def _in_worker(
        self, suite: Suite, out: Path, on_row: RowCallback, **job: Any
    ) -> SuiteSummary | None:
        """Run the job in a worker process: its rows to `on_row`, its steps to `_on_step`; the
        summary it ends with. SuiteError in words when it fails or ends without one."""
        line = worker_job(suite, self.client, out, remotes=await self.remotes_for(suite), **job)
        self.progress = None
        try:
            worker = await asyncio.create_subprocess_exec(
                *worker_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                limit=LINE_LIMIT,
                creationflags=NO_WINDOW,
            )
        except OSError as exc:
            raise SuiteError(f"the suite's worker process cannot start: {exc}") from None
        assert worker.stdin is not None
        assert worker.stdout is not None
        assert worker.stderr is not None
        self._worker = worker
        said: deque[bytes] = deque(maxlen=20)
        stderr = asyncio.ensure_future(_keep_lines(worker.stderr, said))
        ended: dict[str, Any] = {}
        try:
            worker.stdin.write(line)
            while not ended and (raw := await worker.stdout.readline()):
                ended = self._on_worker_line(json.loads(raw), on_row)
            await worker.wait()
            await stderr
        except asyncio.CancelledError:
            await self._end_worker(worker)
            raise
        except (ValueError, ConnectionError) as exc:  # a line that is not JSON, a broken pipe
            await self._end_worker(worker)
            raise SuiteError(f"the suite's worker process broke off: {exc}") from None
        finally:
            self._worker = None
            stderr.cancel()
            worker.stdin.close()  # EOF: a worker still running stops
            if worker.returncode is None:  # cancelled again while it was being ended
                worker.kill()
        if "error" in ended:
            raise SuiteError(str(ended["error"]))
        if "summary" not in ended:
            last = next((t for t in map(_text, reversed(said)) if t), "")
            raise SuiteError(
                f"the suite's worker process ended (exit code {worker.returncode}) without a "
                "summary" + (f": {last}" if last else "")
            )
        self.worker_peak_rss_mb = ended.get("peak_rss_mb")
        data = ended["summary"]
        return SuiteSummary.from_dict(data) if data is not None else None

    def _on_worker_line(self, message: dict[str, Any], on_row: RowCallback) -> dict[str, Any]:
        """One line from the worker; the last one (its summary or error) is returned."""
        if message.get("progress"):
            self.progress = Progress(**message["progress"])
        if "row" in message:
            on_row(RowResult.from_dict(message["row"]))
        elif "step" in message:
            self._on_step(message["step"])
        elif "summary" in message or "error" in message:
            return message
        return {}

    async def _end_worker(self, worker: asyncio.subprocess.Process) -> None:
        """Stop the worker (`stop`, then EOF), give it GRACE_S to go (what it still writes is
        read and dropped), then kill it; it is always waited for (no zombie)."""
        assert worker.stdin is not None
        assert worker.stdout is not None
        with contextlib.suppress(OSError, RuntimeError):
            self.stop()
            worker.stdin.close()
        try:
            async with asyncio.timeout(GRACE_S):
                await asyncio.gather(worker.stdout.read(), worker.wait())
        except (TimeoutError, ValueError, OSError):
            if worker.returncode is None:
                worker.kill()
            await worker.wait()

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


async def _keep_lines(stream: asyncio.StreamReader, kept: deque[bytes]) -> None:
    """Read `stream` to its end, keeping its last lines (what a worker that died said)."""
    with contextlib.suppress(ValueError, OSError):
        while line := await stream.readline():
            kept.append(line)


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace").strip()
