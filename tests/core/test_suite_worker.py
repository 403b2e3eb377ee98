"""The window's suite worker as a real process against the local server: one job line in on its
stdin (the key only there), rows batched, a sweep's steps and the summary out on its stdout as
JSON lines; `stop` or EOF on stdin stops it with a resumable run file; what goes wrong in words."""

from __future__ import annotations

import asyncio
import base64
import json
import queue
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from playground.core import BasetenClient, Remote
from playground.core.suites.results import RowResult, SuiteSummary
from playground.core.suites.runfile import read_rows
from playground.core.suites.suite import Suite, SuiteError, suite_from_dict
from playground.core.suites.worker import worker_command, worker_job
from playground.core.suites.worker_run import WorkerRun
from playground.emulator import EmulatorServer
from tests.conftest import fast_settings
from tests.core.helpers import fault
from tests.core.suite_helpers import ECHO, ECHO_REQUEST, STAGING, suite_dict
from tests.core.test_suite_variables import PNG

CASES = [{"id": f"c{n:03d}", "text": "great work" if n % 2 else "bad bug"} for n in range(200)]
WAIT_S = 30


class Worker:
    """`python -m playground _suite-worker`, its stdout read line by line by a thread."""

    def __init__(self) -> None:
        self.args = worker_command()
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.said: str | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(json.loads(raw))
        self.lines.put(None)

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def next(self) -> dict[str, Any] | None:
        """The next line (None: stdout ended); fails the test after WAIT_S without one."""
        try:
            line = self.lines.get(timeout=WAIT_S)
        except queue.Empty:
            pytest.fail(f"the worker said nothing for {WAIT_S} s")
        if line is not None:
            self.seen.append(line)
        return line

    def to_end(self) -> dict[str, Any]:
        """Every line up to the last one (the summary or the error), which is returned."""
        while (line := self.next()) is not None:
            if "summary" in line or "error" in line:
                assert self.next() is None  # nothing after it
                return line
        pytest.fail(f"the worker ended without a summary: {self.stderr()}")

    def rows(self) -> list[RowResult]:
        return [RowResult.from_dict(line["row"]) for line in self.seen if "row" in line]

    def stderr(self) -> str:
        """What it said on stderr (read to its end: after it ended)."""
        if self.said is None:
            assert self.proc.stderr is not None
            self.said = self.proc.stderr.read().decode()
        return self.said

    def end(self) -> int:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("the worker did not end")
        self._reader.join(WAIT_S)
        self.stderr()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return code


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    """A server for this module's runs (hundreds of requests), not the session's: they would
    crowd the first page of its classifier's logs, which another test reads."""
    with EmulatorServer(fast_settings(api_keys=["test-key-0123456789", "second-key-abcdef"])) as s:
        yield s


@pytest.fixture
def worker() -> Iterator[Worker]:
    started = Worker()
    try:
        yield started
    finally:
        if started.proc.returncode is None:
            started.end()


def job(
    server: EmulatorServer, suite: Suite, out: Path, key: str | None = None, **options: Any
) -> bytes:
    client = BasetenClient(Remote.local(server.base_url), key or server.api_key)
    return worker_job(suite, client, out, **options)


def slow_suite(folder: Path, **parts: Any) -> Suite:
    """200 rows one at a time, each answered after 50 ms: seconds to run, time to stop it."""
    request = {"mode": "predict", "body": {"text": "{{text}}"}, "headers": fault("latency=0.05")}
    data = suite_dict(request=request, cases=CASES, checks=[{"status": 200}], concurrency=1)
    return suite_from_dict({**data, **parts}, folder)


def test_a_run_sends_its_rows_then_the_summary(
    emulator: EmulatorServer, tmp_path: Path, worker: Worker
) -> None:
    data = suite_dict(
        targets=[{"target": {"model": STAGING["target"]["model"]}}, STAGING],
        cases=CASES[:12],
        checks=[{"status": 200}, {"path": "label", "equals": "positive", "name": "positive"}],
    )
    suite = suite_from_dict(data, tmp_path)
    out = tmp_path / "run.jsonl"
    worker.send(job(emulator, suite, out))
    last = worker.to_end()
    assert worker.end() == 0
    rows = worker.rows()
    assert sorted(r.id for r in rows) == [c["id"] for c in CASES[:12]]
    assert all(len(r.cells) == 2 for r in rows)
    assert {r.id: r.passed for r in rows} == {r.id: r.passed for r in read_rows(out)}
    progress = [line["progress"] for line in worker.seen if "row" in line]
    assert [p["done"] for p in progress] == list(range(1, 13))
    assert progress[-1]["total"] == 12
    summary = SuiteSummary.from_dict(last["summary"])
    assert (summary.rows, summary.rows_failed, summary.stopped) == (12, 12, False)
    assert [t.passed for t in summary.targets] == [6, 0]  # "bad bug"; staging's "POSITIVE"
    assert summary.to_dict() == last["summary"]
    assert last["progress"]["done"] == 12
    assert last["peak_rss_mb"] > 10  # its own VmHWM, for the benchmark


def test_stop_mid_run_ends_with_a_stopped_summary_and_a_resumable_run_file(
    emulator: EmulatorServer, tmp_path: Path, worker: Worker
) -> None:
    suite = slow_suite(tmp_path)
    out = tmp_path / "run.jsonl"
    worker.send(job(emulator, suite, out))
    first = worker.next()  # a row, sent while the run goes on (rows are batched, not held)
    assert first is not None
    assert "row" in first
    worker.send(b"stop\n")
    last = worker.to_end()
    assert worker.end() == 0
    summary = SuiteSummary.from_dict(last["summary"])
    assert summary.stopped
    assert 1 <= summary.rows < len(CASES)
    kept = {row.key for row in read_rows(out)}
    assert kept == {row.key for row in worker.rows()}
    # Resumed in a worker of its own (the server's delay lifted): only the rows left are sent.
    quick = replace(suite, concurrency=16, request=replace(suite.request, headers={}))
    again = Worker()
    try:
        again.send(job(emulator, quick, out, resume=True))
        resumed = SuiteSummary.from_dict(again.to_end()["summary"])
        assert again.end() == 0
    finally:
        if again.proc.returncode is None:
            again.end()
    assert not resumed.stopped
    assert resumed.rows == len(CASES)
    assert len(again.rows()) == len(CASES) - summary.rows
    assert not kept & {row.key for row in again.rows()}
    assert len(list(read_rows(out))) == len(CASES)


def test_eof_on_stdin_stops_the_run(
    emulator: EmulatorServer, tmp_path: Path, worker: Worker
) -> None:
    """The window closed or died: its end of the pipe closes, and the worker stops."""
    worker.send(job(emulator, slow_suite(tmp_path), tmp_path / "run.jsonl"))
    assert worker.next() is not None
    worker.close_stdin()
    last = worker.to_end()
    assert worker.end() == 0
    assert last["summary"]["stopped"]
    assert last["summary"]["rows"] < len(CASES)


def test_a_sweep_sends_each_step(emulator: EmulatorServer, tmp_path: Path, worker: Worker) -> None:
    suite = suite_from_dict(suite_dict(cases=CASES[:8], checks=[{"status": 200}]), tmp_path)
    worker.send(job(emulator, suite, tmp_path / "sweep", levels=[1, 4]))
    last = worker.to_end()
    assert worker.end() == 0
    steps = [line["step"] for line in worker.seen if "step" in line]
    assert [s["concurrency"] for s in steps] == [1, 4]
    assert len(worker.rows()) == 16
    assert (tmp_path / "sweep" / "sweep-004.jsonl").exists()
    assert last["summary"]["rows"] == 8


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b"not json\n", "Expecting value"),
        (b"[1, 2]\n", "the job is a JSON object"),
        (b'{"suite": {}}\n', "the job is not one this worker reads"),
        (b"", "no job was given"),
    ],
)
def test_a_bad_job_line_is_said_in_words(worker: Worker, line: bytes, words: str) -> None:
    worker.send(line)
    worker.close_stdin()
    last = worker.to_end()
    assert worker.end() == 1
    assert words in last["error"]
    assert "Traceback" not in worker.stderr()


def test_a_suite_that_cannot_run_is_said_in_words(
    emulator: EmulatorServer, tmp_path: Path, worker: Worker
) -> None:
    suite = suite_from_dict(suite_dict(dataset="missing.jsonl", cases=[]), tmp_path)
    worker.send(job(emulator, suite, tmp_path / "run.jsonl"))
    last = worker.to_end()
    assert worker.end() == 1
    assert "missing.jsonl" in last["error"]
    assert "Traceback" not in worker.stderr()


def test_the_key_goes_only_down_the_pipe(
    emulator: EmulatorServer, tmp_path: Path, worker: Worker
) -> None:
    key = "second-key-abcdef"
    line = job(emulator, slow_suite(tmp_path), tmp_path / "run.jsonl", key=key)
    assert key in line.decode()  # the job carries it …
    assert not any(key in arg for arg in worker.args)  # … the command line never does
    worker.send(line)
    assert worker.next() is not None  # running, with that key
    pid = worker.proc.pid
    assert key.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert key.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
    worker.send(b"stop\n")
    worker.to_end()
    assert worker.end() == 0
    said = b"".join(json.dumps(line).encode() for line in worker.seen)
    assert key.encode() not in said


def test_files_in_the_request_and_a_file_column_reach_the_server(
    emulator: EmulatorServer, tmp_path: Path, worker: Worker
) -> None:
    """A FileRef in the body (the `files` table) and `{{image|base64}}` from a dataset file
    survive the trip to the worker: the server gets the bytes."""
    (tmp_path / "pixel.png").write_bytes(PNG)
    (tmp_path / "rows.jsonl").write_text(json.dumps({"id": "a", "image": "pixel.png"}) + "\n")
    token = "⟨pixel.png · 70 B · base64⟩"
    request = {**ECHO_REQUEST, "body": {"column": "{{image|base64}}", "inline": token}}
    data = suite_dict(
        request=request,
        targets=[ECHO],
        dataset="rows.jsonl",
        cases=[],
        files={token: {"path": "pixel.png"}},
    )
    worker.send(job(emulator, suite_from_dict(data, tmp_path), tmp_path / "run.jsonl"))
    worker.to_end()
    assert worker.end() == 0
    (row,) = worker.rows()
    sent = row.cells[0].result.body["body"]
    assert sent["column"] == sent["inline"]
    assert base64.b64decode(sent["column"]) == PNG


def test_its_other_side_reads_rows_progress_and_the_summary_and_stops_it(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    suite = slow_suite(tmp_path)
    rows: list[RowResult] = []

    async def go() -> tuple[SuiteSummary | None, WorkerRun]:
        running = asyncio.Event()

        def on_row(row: RowResult) -> None:
            rows.append(row)
            if len(rows) >= 3:  # a few rows in: it runs
                running.set()

        run = WorkerRun(on_row, lambda step: None)
        task = asyncio.ensure_future(run.run(job(emulator, suite, tmp_path / "run.jsonl")))
        await asyncio.wait_for(running.wait(), WAIT_S)
        assert run.pid is not None
        run.stop()
        return await asyncio.wait_for(task, WAIT_S), run

    summary, run = asyncio.run(go())
    assert summary is not None
    assert summary.stopped
    assert 3 <= summary.rows < len(CASES)
    assert sorted(r.id for r in rows) == sorted(r.id for r in read_rows(tmp_path / "run.jsonl"))
    assert run.progress is not None
    assert run.progress.done == summary.rows
    assert run.pid is None  # ended, and waited for
    assert run.peak_rss_mb is not None


def test_its_other_side_says_a_bad_job_in_the_worker_s_words(tmp_path: Path) -> None:
    run = WorkerRun(lambda row: None, lambda step: None)
    with pytest.raises(SuiteError, match="the job is a JSON object"):
        asyncio.run(run.run(b"[1, 2]\n"))
    assert run.pid is None
