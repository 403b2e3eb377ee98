"""The Suites view's engine in a worker process, seen from the window: rows and progress arrive
while it runs, the key is in neither its command line nor its environment, closing the view
ends it (reaped, no zombie), and a worker that dies is said in words."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest

from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui.suites.view import SuitesView
from tests.ui.helpers import Maker, signalled, until
from tests.ui.test_suites_view import open_view

ROWS = 200


def slow_suite(folder: Path) -> Path:
    """200 rows one at a time, each answered after 50 ms: seconds to run."""
    cases = [{"id": f"c{n:03d}", "text": "great work"} for n in range(ROWS)]
    path = folder / "slow.json"
    suite = {
        "schema_version": 1,
        "name": "slow",
        "request": {
            "mode": "predict",
            "body": {"text": "{{text}}"},
            "headers": {"X-Emulator-Fault": "latency=0.05"},
        },
        "targets": [{"model": CLASSIFIER}],
        "cases": cases,
        "checks": [{"status": 200}],
        "concurrency": 1,
    }
    path.write_text(json.dumps(suite), encoding="utf-8")
    return path


@pytest.fixture
def view(make_window: Maker, fresh_emulator: EmulatorServer, tmp_path: Path) -> SuitesView:
    """On a server of its own: its requests would crowd the shared server's logs."""
    view = open_view(make_window(fresh_emulator))
    assert view.open_file(slow_suite(tmp_path))
    return view


def running(view: SuitesView, loop: asyncio.AbstractEventLoop) -> int:
    """Start the run; wait for rows in the table and the progress bar; the worker's pid."""
    view.run()
    until(loop, lambda: view.model.rowCount() >= 3, within=20)
    until(loop, lambda: view.progress_bar.value() >= 3, within=5)
    assert view.progress_bar.maximum() == ROWS
    assert f"/{ROWS} rows" in view.eta_label.text()
    pid = view.controller.worker_pid
    assert pid is not None
    assert pid != os.getpid()
    return pid


def test_rows_arrive_while_it_runs_and_closing_ends_the_worker(
    view: SuitesView, loop: asyncio.AbstractEventLoop, fresh_emulator: EmulatorServer
) -> None:
    pid = running(view, loop)
    key = fresh_emulator.api_key.encode()
    assert key not in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert key not in Path(f"/proc/{pid}/environ").read_bytes()
    assert b"_suite-worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    loop.run_until_complete(view.aclose())  # the window closing
    assert view.controller.worker_pid is None
    assert not Path(f"/proc/{pid}").exists()  # ended and reaped: not even a zombie
    assert view.model.rowCount() < ROWS


def test_stop_ends_the_run_stopped_and_the_worker_goes(
    view: SuitesView, loop: asyncio.AbstractEventLoop
) -> None:
    pid = running(view, loop)
    stopped = asyncio.ensure_future(signalled(view.controller.run_stopped, 20), loop=loop)
    view.stop_button.click()
    (summary,) = loop.run_until_complete(stopped)
    assert summary.stopped
    assert 3 <= summary.rows < ROWS
    until(loop, lambda: not Path(f"/proc/{pid}").exists())
    assert view.resume_button.isEnabled()
    assert view.model.rowCount() == summary.rows  # every row the worker ended, none dropped


def test_a_worker_that_dies_is_said_in_words(
    view: SuitesView, loop: asyncio.AbstractEventLoop
) -> None:
    pid = running(view, loop)
    failed = asyncio.ensure_future(signalled(view.controller.run_failed, 20), loop=loop)
    os.kill(pid, signal.SIGKILL)
    (words,) = loop.run_until_complete(failed)
    assert words == "the suite's worker process ended (exit code -9) without a summary"
    assert view.eta_label.text() == words
    assert not Path(f"/proc/{pid}").exists()
    assert view.run_button.isEnabled()  # the run is over: it can be run again
    assert not view.stop_button.isEnabled()


def test_a_worker_that_cannot_start_says_its_last_line(
    view: SuitesView, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a worker that died said last on stderr (a broken install's last words, say), in
    words: its last line, never the traceback before it."""
    import sys

    import playground.core.suites.worker_run as worker_run

    said = "import sys; sys.stderr.write('Traceback (most recent call last):\\n  File x\\nImportError: no module named yaml\\n'); sys.exit(3)"
    monkeypatch.setattr(worker_run, "worker_command", lambda: [sys.executable, "-c", said])
    failed = asyncio.ensure_future(signalled(view.controller.run_failed, 20), loop=loop)
    view.run()
    (words,) = loop.run_until_complete(failed)
    assert words == (
        "the suite's worker process ended (exit code 3) without a summary: "
        "ImportError: no module named yaml"
    )
