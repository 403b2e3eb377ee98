"""Runs suites for the view: one run or one sweep at a time, rows handed to `on_row` as they end
(the table buffers them), the run kept in the history afterwards and what got worse since the
suite's last run said in words. Targets on other remotes get a client of their own, with that
remote's own key (compare's `own_key`), never the window's.

The engine runs on an asyncio loop in a thread of its own, with clients of its own (the
window's remote and key): 64 requests in flight, their checks and the run file's writes would
otherwise take the window's loop in turns long enough to be seen (benchmarks/suite_throughput.py
measured a p99 lag of 27 ms on the window's loop). Only `stop()` crosses over, thread-safely."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from playground.core.api.client import BasetenClient
from playground.core.errors import PlaygroundError
from playground.core.presets.preset import slug
from playground.core.remote.config import RemoteConfigError, RemoteStore
from playground.core.remote.remotes import Remote
from playground.core.suites.engine import RowCallback, SuiteRunner
from playground.core.suites.suite import Suite, SuiteError
from playground.ui.compare.column_remotes import own_key
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.history.store import History
    from playground.core.suites.results import SuiteSummary

RUN, SWEEP = "run", "sweep"
# While the engine's thread runs, it hands the GIL over after 0.5 ms rather than Python's 5 ms
# when the window's thread asks for it: painting the table calls into Python for every cell and
# role, each call waiting its turn (p99 lag 20-23 ms at 5 ms, under 16 at 0.5 ms).
SWITCH_S = 0.0005
T = TypeVar("T")
Clients = dict[str, BasetenClient]


def twin(
    client: BasetenClient, remote: Remote | None = None, key: str | None = None
) -> BasetenClient:
    """A client like `client` (its remote and key, or those given) for another thread's loop."""
    return BasetenClient(
        remote or client.remote,
        client._key if key is None else key,  # the same key, on a pool of its own
        auth_scheme=client.auth_scheme,
        timeouts=client.transport.timeouts,
        limits=client.transport.limits,
    )


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
        self.runner: SuiteRunner | None = None
        self.run_file: Path | None = None
        self.steps: list[dict[str, Any]] = []
        self._keys: dict[str, tuple[Remote, str]] = {}  # other remotes' own keys, looked up once
        self._loop: asyncio.AbstractEventLoop | None = None  # the engine's, while it runs

    @property
    def is_running(self) -> bool:  # type: ignore[override]
        return super().is_running(RUN) or super().is_running(SWEEP)

    def run(self, suite: Suite, on_row: RowCallback, *, resume: bool = False) -> None:
        """Run `suite` (resume: the last run file, its finished rows skipped)."""
        if not resume or self.run_file is None:
            self.run_file = new_run_file(self.folder, suite)
        self._start(RUN, self._run(suite, self.run_file, on_row, resume))

    def sweep(self, suite: Suite, levels: list[int], on_row: RowCallback) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        self._start(SWEEP, self._sweep(suite, levels, self.folder / f"sweep-{stamp}", on_row))

    def stop(self) -> None:
        loop, runner = self._loop, self.runner
        if runner is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(runner.stop)

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

    async def _in_thread(
        self, suite: Suite, work: Callable[[BasetenClient, Clients], Awaitable[T]]
    ) -> T:
        """`work(client, clients)` on a loop in a thread of its own, with clients of its own."""
        remotes = await self.remotes_for(suite)

        async def main() -> T:
            self._loop = asyncio.get_running_loop()
            own = twin(self.client)
            others = {name: twin(self.client, r, key) for name, (r, key) in remotes.items()}
            try:
                return await work(own, others)
            finally:
                for client in (own, *others.values()):
                    await client.aclose()

        done = asyncio.ensure_future(asyncio.to_thread(asyncio.run, main()))
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, SWITCH_S))
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            self.stop()
            await asyncio.wait([done])
            raise
        finally:
            sys.setswitchinterval(switch)
            self._loop = None

    async def _run(self, suite: Suite, out: Path, on_row: RowCallback, resume: bool) -> None:
        self.run_started.emit()

        async def work(client: BasetenClient, clients: Clients) -> SuiteSummary:
            self.runner = SuiteRunner(
                suite, client, out, clients=clients, resume=resume, wake=True, on_row=on_row
            )
            return await self.runner.run()

        try:
            summary = await self._in_thread(suite, work)
        except (SuiteError, PlaygroundError, OSError, ValueError) as exc:
            self.run_failed.emit(str(exc))
            return
        if summary.stopped:
            self.run_stopped.emit(summary)
            return
        self.run_finished.emit(summary)
        await self._remember(suite, out, summary)

    async def _sweep(
        self, suite: Suite, levels: list[int], folder: Path, on_row: RowCallback
    ) -> None:
        from playground.core.suites.sweep import run_sweep

        self.steps = []
        self.run_started.emit()

        def on_runner(runner: SuiteRunner) -> None:
            self.runner = runner

        main = asyncio.get_running_loop()

        def on_step(step: dict[str, Any]) -> None:  # on the engine's thread
            main.call_soon_threadsafe(self._on_step, step)

        async def work(client: BasetenClient, clients: Clients) -> SuiteSummary | None:
            _steps, last = await run_sweep(
                suite,
                client,
                levels,
                folder,
                clients=clients,
                wake=True,
                on_row=on_row,
                on_step=on_step,
                on_runner=on_runner,
            )
            return last

        try:
            summary = await self._in_thread(suite, work)
        except (SuiteError, PlaygroundError, OSError, ValueError) as exc:
            self.run_failed.emit(str(exc))
            return
        if summary is not None:
            (self.run_stopped if summary.stopped else self.run_finished).emit(summary)
        self.sweep_finished.emit(list(self.steps))

    def _on_step(self, step: dict[str, Any]) -> None:
        self.steps.append(step)
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
