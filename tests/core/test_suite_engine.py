"""The suite engine against the local server: 429 slows a target instead of failing its rows,
a stopped run resumes where it stopped, progress and the run file say where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from playground.core import BasetenClient, Remote
from playground.core.suites.engine import SuiteRunner
from playground.core.suites.results import RowResult
from playground.core.suites.runfile import read_rows
from playground.core.suites.suite import SuiteError, suite_from_dict
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from tests.core.helpers import NO_RETRY, run
from tests.core.suite_helpers import STAGING, suite_dict

CASES = [{"id": f"c{n:02d}", "text": "great work" if n % 2 else "bad bug"} for n in range(10)]


async def start(
    server: EmulatorServer,
    data: dict[str, Any],
    out: Path,
    *,
    retry: Any = None,
    stop_after: int = 0,
    **options: Any,
) -> tuple[SuiteRunner, list[RowResult]]:
    client = BasetenClient(Remote.local(server.base_url), server.api_key, retry=retry)
    seen: list[RowResult] = []
    runner: SuiteRunner

    def on_row(row: RowResult) -> None:
        seen.append(row)
        if stop_after and len(seen) == stop_after:
            runner.stop()

    try:
        runner = SuiteRunner(
            suite_from_dict(data, out.parent), client, out, on_row=on_row, **options
        )
        await runner.run()
    finally:
        await client.aclose()
    return runner, seen


def test_429_slows_the_target_and_every_row_still_passes(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    # No retries in the client: the engine itself waits and sends the row again.
    fresh_emulator.emulator.state.set_model_faults(CLASSIFIER, "status=429,retry_after=0,count=2")
    data = suite_dict(cases=CASES[:4], checks=[{"status": 200}], concurrency=2)
    runner, seen = run(start(fresh_emulator, data, tmp_path / "run.jsonl", retry=NO_RETRY))
    assert [row.passed for row in seen] == [True] * 4
    assert runner.gates[0].throttled >= 1
    assert runner.gates[0].limit == 1  # halved from the two in flight
    assert runner.summary.passed


def test_the_clients_own_429_retries_slow_the_target_too(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    fresh_emulator.emulator.state.set_model_faults(CLASSIFIER, "status=429,retry_after=0,count=1")
    data = suite_dict(cases=CASES[:3], checks=[{"status": 200}], concurrency=1)
    runner, seen = run(start(fresh_emulator, data, tmp_path / "run.jsonl"))
    assert all(row.passed for row in seen)
    assert runner.gates[0].throttled == 1
    assert runner.summary.targets[0].throttled == 1  # the row that was retried says so


def test_a_stopped_run_resumes_without_sending_the_rows_it_has(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "run.jsonl"
    data = suite_dict(
        cases=CASES, targets=[{"target": {"model": CLASSIFIER}}, STAGING], concurrency=1
    )
    first, _seen = run(start(emulator, data, out, stop_after=3))
    assert first.summary.stopped
    assert not first.summary.passed
    done = [row.id for row in read_rows(out)]
    assert done == ["c00", "c01", "c02"]
    with out.open("a", encoding="utf-8") as cut:  # killed mid-write: half a line
        cut.write('{"row": 4, "id": "c03", "cel')
    second, more = run(start(emulator, data, out, resume=True))
    assert [row.id for row in more] == [c["id"] for c in CASES[3:]]
    assert second.progress.skipped == 3
    assert second.progress.done == 10 == second.progress.total
    assert second.summary.rows == 10
    assert not second.summary.stopped
    assert sorted(row.id for row in read_rows(out)) == [c["id"] for c in CASES]
    assert json.loads(out.read_text().splitlines()[0])["kind"] == "playground-suite-run"


def test_a_run_of_another_suite_is_not_resumed(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    run(start(emulator, suite_dict(cases=CASES[:1]), out))
    other = suite_dict(cases=CASES[:1], name="another suite")
    with pytest.raises(SuiteError, match="another suite or other targets"):
        run(start(emulator, other, out, resume=True))


def test_repeats_timeouts_and_progress(emulator: EmulatorServer, tmp_path: Path) -> None:
    data = suite_dict(cases=CASES[:2], repeats=3, timeout_s=0.000001, checks=[{"status": 200}])
    runner, seen = run(start(emulator, data, tmp_path / "run.jsonl"))
    assert sorted((row.id, row.repeat) for row in seen) == [
        (c, r) for c in ("c00", "c01") for r in (1, 2, 3)
    ]
    assert {cell.failures for row in seen for cell in row.cells} == {
        ("status 0: no answer within 1e-06 s, not 200",)
    }
    assert runner.progress.done == 6 == runner.progress.total
    assert runner.progress.fraction == 1.0


def test_a_cold_target_is_woken_first_and_its_first_call_kept_apart(
    fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    from playground.emulator.demo import SLEEPY

    data = suite_dict(
        cases=CASES[:3],
        targets=[{"target": {"model": SLEEPY}}],
        request={"mode": "predict", "body": {"audio_url": "https://example.com/{{id}}.wav"}},
        concurrency=3,
    )
    runner, seen = run(start(fresh_emulator, data, tmp_path / "run.jsonl", wake=True))
    colds = [cell.result.cold for row in seen for cell in row.cells]
    assert colds.count(True) == 1
    assert runner.summary.targets[0].cold == 1
    assert (
        runner.summary.targets[0].spread("total").n == 2
    )  # the cold call is not in the percentiles
