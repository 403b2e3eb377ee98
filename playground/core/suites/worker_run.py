"""The other side of the suite worker (worker.py): start it, hand it the job, read its lines.

`WorkerRun.run(job)` starts `playground _suite-worker`, writes the job line (the keys with it) to
its stdin, and reads its stdout: rows to `on_row`, a sweep's steps to `on_step`, the progress it
reports kept in `progress`; it returns the summary the worker ends with, or raises SuiteError in
words (the worker's own, or its last stderr line when it died). `stop()` asks the worker to end
its run with a resumable summary; a cancelled `run` stops the worker, waits GRACE_S, then kills it.
The worker is always waited for: no zombie is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections import deque
from collections.abc import Callable
from typing import Any

from playground.core.suites.engine import Progress, RowCallback
from playground.core.suites.results import RowResult, SuiteSummary
from playground.core.suites.suite import SuiteError
from playground.core.suites.worker import STOP, worker_command

GRACE_S = 3.0  # a stopped worker's time to write its summary and go, before it is killed
LINE_LIMIT = 1 << 30  # one row's line: answers up to the client's size limit (100 MB) and more
NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console for the worker
KEPT_STDERR = 20  # lines of what a worker said on stderr, kept to say why it died


class WorkerRun:
    """One run (or sweep) in a worker process."""

    def __init__(self, on_row: RowCallback, on_step: Callable[[dict[str, Any]], None]) -> None:
        self.on_row = on_row
        self.on_step = on_step
        self.progress: Progress | None = None  # as the worker last said
        self.peak_rss_mb: float | None = None  # as the worker said before it ended
        self._process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        """Ask the worker to stop (it ends the run with a resumable summary). Idempotent."""
        process = self._process
        if process is not None and process.stdin is not None and not process.stdin.is_closing():
            process.stdin.write(STOP + b"\n")

    async def run(self, job: bytes) -> SuiteSummary | None:
        """Run `job` (worker.worker_job's line); the summary the worker ends with."""
        try:
            process = await asyncio.create_subprocess_exec(
                *worker_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                limit=LINE_LIMIT,
                creationflags=NO_WINDOW,
            )
        except OSError as exc:
            raise SuiteError(f"the suite's worker process cannot start: {exc}") from None
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        self._process = process
        said: deque[bytes] = deque(maxlen=KEPT_STDERR)
        stderr = asyncio.ensure_future(_keep_lines(process.stderr, said))
        ended: dict[str, Any] = {}
        try:
            process.stdin.write(job)
            while not ended and (raw := await process.stdout.readline()):
                ended = self._take(json.loads(raw))
            await process.wait()
            await stderr
        except asyncio.CancelledError:
            await self._end(process)
            raise
        except (ValueError, ConnectionError) as exc:  # a line that is not JSON, a broken pipe
            await self._end(process)
            raise SuiteError(f"the suite's worker process broke off: {exc}") from None
        finally:
            self._process = None
            stderr.cancel()
            process.stdin.close()  # EOF: a worker still running stops
            if process.returncode is None:  # cancelled again while it was being ended
                process.kill()
        if "error" in ended:
            raise SuiteError(str(ended["error"]))
        if "summary" not in ended:
            last = next((t for t in map(_text, reversed(said)) if t), "")
            raise SuiteError(
                f"the suite's worker process ended (exit code {process.returncode}) without a "
                "summary" + (f": {last}" if last else "")
            )
        self.peak_rss_mb = ended.get("peak_rss_mb")
        data = ended["summary"]
        return SuiteSummary.from_dict(data) if data is not None else None

    def _take(self, message: dict[str, Any]) -> dict[str, Any]:
        """One line from the worker; the last one (its summary or error) is returned."""
        if message.get("progress"):
            self.progress = Progress(**message["progress"])
        if "row" in message:
            self.on_row(RowResult.from_dict(message["row"]))
        elif "step" in message:
            self.on_step(message["step"])
        elif "summary" in message or "error" in message:
            return message
        return {}

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        """Stop the worker (`stop`, then EOF), give it GRACE_S to go (what it still writes is
        read and dropped), then kill it; it is always waited for."""
        assert process.stdin is not None
        assert process.stdout is not None
        with contextlib.suppress(OSError, RuntimeError):
            self.stop()
            process.stdin.close()
        try:
            async with asyncio.timeout(GRACE_S):
                await asyncio.gather(process.stdout.read(), process.wait())
        except (TimeoutError, ValueError, OSError):
            if process.returncode is None:
                process.kill()
            await process.wait()


async def _keep_lines(stream: asyncio.StreamReader, kept: deque[bytes]) -> None:
    """Read `stream` to its end, keeping its last lines (what a worker that died said)."""
    with contextlib.suppress(ValueError, OSError):
        while line := await stream.readline():
            kept.append(line)


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace").strip()
