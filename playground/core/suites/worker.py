"""The window's suite engine in a process of its own (`python -m playground _suite-worker`).

In a thread of the window's process, the engine held the GIL the window's paints wait for (every
cell and role of the table is a Python call): one paint of the Suites view took up to 171 ms, a
p99 lag of 60-100 ms, and a shorter switch interval did not help. A process has a GIL of its own.

The window writes ONE JSON line, the job, to the worker's stdin (the key travels only there:
never in argv, the environment, a file or a log), then may write `stop`; EOF on stdin (the window
closed or died) stops the run too. The worker writes JSON lines to stdout: rows, batched
(`{"row": RowResult.to_dict(), "progress": {…}}`, flushed every FLUSH_S or FLUSH_ROWS rows), a
sweep's steps (`{"step": …}`), and last `{"summary": SuiteSummary.to_dict(), "peak_rss_mb": …}`
or `{"error": "words"}`. Never a traceback: what went wrong is said in words.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.core.suites.suite import Suite, SuiteError, suite_from_dict, suite_to_dict

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.remote.remotes import Remote
    from playground.core.suites.engine import SuiteRunner
    from playground.core.suites.results import RowResult, SuiteSummary

COMMAND = "_suite-worker"
STOP = b"stop"
FLUSH_S = 0.05  # rows reach the window at most this late …
FLUSH_ROWS = 256  # … or this many at a time
KB = 1024


def worker_command() -> list[str]:
    """How to start the worker: this Python and the package, or the frozen bundle's program."""
    if getattr(sys, "frozen", False):
        return [sys.executable, COMMAND]
    return [sys.executable, "-m", "playground", COMMAND]


def _client_settings(client: BasetenClient) -> dict[str, Any]:
    transport = client.transport
    return {
        "auth_scheme": client.auth_scheme,
        "timeouts": asdict(transport.timeouts),
        "limits": asdict(transport.limits),
    }


def worker_job(
    suite: Suite,
    client: BasetenClient,
    out: Path,
    *,
    remotes: dict[str, tuple[Remote, str]] | None = None,
    resume: bool = False,
    levels: list[int] | None = None,
) -> bytes:
    """The job line for the worker: run `suite` into the run file `out` (a sweep: `levels`,
    each step's run file in the folder `out`) with `client`'s remote, key and settings, and each
    other remote's own key. It holds keys: write it to the worker's stdin, nowhere else."""
    job = {
        "suite": suite_to_dict(suite),
        "folder": str(suite.folder),
        "out": str(out),
        "resume": resume,
        "levels": levels,
        "remote": asdict(client.remote),
        "key": client._key,  # the window's key, for the worker's own client
        "client": _client_settings(client),
        "remotes": {name: [asdict(r), key] for name, (r, key) in (remotes or {}).items()},
    }
    try:
        return json.dumps(job, ensure_ascii=False).encode() + b"\n"
    except (TypeError, ValueError) as exc:
        raise SuiteError(f"the suite cannot be handed to its worker: {exc}") from None


# --- the worker's side --------------------------------------------------------------------------


class Lines:
    """Lines from a file descriptor, read with os.read: a thread blocked here holds no lock that
    the interpreter's shutdown would wait for."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()

    def next(self) -> bytes | None:
        """The next line (without its newline), or None at EOF."""
        while (end := self._buffer.find(b"\n")) < 0:
            chunk = os.read(self.fd, 64 * KB)
            if not chunk:
                line, self._buffer = bytes(self._buffer), bytearray()
                return line or None
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line


class Output:
    """JSON lines to a file descriptor; rows batched, every other line written at once (after
    the rows before it). A window that went away (a broken pipe) stops the run."""

    def __init__(self, fd: int, on_gone: Any = None) -> None:
        self.fd = fd
        self.on_gone = on_gone
        self.gone = False
        self._rows: list[bytes] = []
        self._timer: asyncio.TimerHandle | None = None

    def row(self, row: RowResult, progress: dict[str, Any]) -> None:
        self._rows.append(_line({"row": row.to_dict(), "progress": progress}))
        if len(self._rows) >= FLUSH_ROWS:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_S, self.flush)

    def line(self, message: dict[str, Any]) -> None:
        self._rows.append(_line(message))
        self.flush()

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        data, self._rows = b"".join(self._rows), []
        view = memoryview(data)
        while view and not self.gone:
            try:
                view = view[os.write(self.fd, view) :]
            except OSError:  # the window is gone: nobody reads what this run finds
                self.gone = True
                if self.on_gone is not None:
                    self.on_gone()


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


class Control:
    """The run's runner (a sweep's current step), stopped when asked, also before it starts."""

    def __init__(self) -> None:
        self.runner: SuiteRunner | None = None
        self.stopping = False

    def take(self, runner: SuiteRunner) -> None:
        self.runner = runner
        if self.stopping:
            runner.stop()

    def stop(self) -> None:
        self.stopping = True
        if self.runner is not None:
            self.runner.stop()


def listen(lines: Lines, loop: asyncio.AbstractEventLoop, control: Control) -> None:
    """Stdin after the job: `stop`, or EOF (the window closed or died), stops the run."""
    while True:
        try:
            line = lines.next()
        except OSError:
            line = None
        if line is None or line.strip() == STOP:
            try:
                loop.call_soon_threadsafe(control.stop)
            except RuntimeError:  # the run has ended and its loop is closed
                return
            if line is None:
                return


def peak_rss_mb() -> float | None:
    """This process's peak RSS (VmHWM), where /proc says it (Linux)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / KB
    return None


async def run_job(job: dict[str, Any], lines: Lines, out: Output) -> int:
    """Run the job; the exit code (0: a summary was written)."""
    from playground.core.api.client import BasetenClient
    from playground.core.api.policy import Limits, Timeouts
    from playground.core.remote.remotes import Remote
    from playground.core.suites.engine import SuiteRunner
    from playground.core.suites.sweep import run_sweep

    suite = suite_from_dict(job["suite"], Path(job["folder"]))
    settings = job["client"]

    def client(remote: dict[str, Any], key: str) -> BasetenClient:
        return BasetenClient(
            Remote(**remote),
            key,
            auth_scheme=str(settings["auth_scheme"]),
            timeouts=Timeouts(**settings["timeouts"]),
            limits=Limits(**settings["limits"]),
        )

    control = Control()
    out.on_gone = control.stop
    loop = asyncio.get_running_loop()
    threading.Thread(target=listen, args=(lines, loop, control), daemon=True).start()
    own = client(job["remote"], str(job["key"]))
    others = {name: client(r, str(key)) for name, (r, key) in job["remotes"].items()}

    def on_row(row: RowResult) -> None:
        runner = control.runner
        out.row(row, asdict(runner.progress) if runner is not None else {})

    summary: SuiteSummary | None
    try:
        if job.get("levels"):
            _steps, summary = await run_sweep(
                suite,
                own,
                [int(n) for n in job["levels"]],
                Path(job["out"]),
                clients=others,
                wake=True,
                on_row=on_row,
                on_step=lambda step: out.line({"step": step}),
                on_runner=control.take,
            )
        else:
            runner = SuiteRunner(
                suite,
                own,
                Path(job["out"]),
                clients=others,
                resume=bool(job.get("resume")),
                wake=True,
                on_row=on_row,
            )
            control.take(runner)
            summary = await runner.run()
    finally:
        for each in (own, *others.values()):
            await each.aclose()
    last = control.runner
    out.line(
        {
            "summary": summary.to_dict() if summary else None,
            "progress": asdict(last.progress) if last is not None else {},
            "peak_rss_mb": peak_rss_mb(),
        }
    )
    return 0


def main(stdin: int = 0, stdout: int = 1) -> int:
    """The worker: read the job, run it, say how it ended; the exit code."""
    from playground.core.errors import PlaygroundError

    # Ctrl-C in a terminal reaches the whole group: the window decides, and stops the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lines, out = Lines(stdin), Output(stdout)
    try:
        first = lines.next()
        if first is None:
            raise ValueError("no job was given")
        job = json.loads(first)
        if not isinstance(job, dict):
            raise ValueError("the job is a JSON object")
        return asyncio.run(run_job(job, lines, out))
    except (SuiteError, PlaygroundError, OSError, ValueError) as exc:
        out.line({"error": str(exc) or type(exc).__name__})
    except (KeyError, TypeError) as exc:
        out.line({"error": f"the job is not one this worker reads: {type(exc).__name__} {exc}"})
    except Exception as exc:  # said in words, never as a traceback
        out.line(
            {"error": f"the suite stopped on an unexpected error: {type(exc).__name__}: {exc}"}
        )
    return 1
