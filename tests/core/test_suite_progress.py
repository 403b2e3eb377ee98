"""What a window's controller reads of a running suite: progress and ETA as rows end, and a loop
over `results()` that, left early, stops the run (a resume then sends the rest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.core import BasetenClient, Remote
from playground.core.suites.engine import Progress, SuiteRunner
from playground.core.suites.runfile import read_rows
from playground.core.suites.suite import suite_from_dict
from playground.emulator import EmulatorServer
from tests.core.helpers import run
from tests.core.suite_helpers import suite_dict

CASES = [{"id": f"p{n}", "text": "great"} for n in range(12)]


def test_progress_says_how_far_and_how_long_is_left() -> None:
    progress = Progress(done=30, total=100, skipped=10, elapsed_s=4.0)
    assert progress.rows_per_s == 5.0  # the resumed run's rows were not sent, so not counted
    assert progress.eta_s == 14.0
    assert progress.fraction == 0.3
    assert Progress(total=5).eta_s is None


def test_leaving_the_results_loop_stops_the_run(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    seen: list[tuple[int, int, float | None]] = []

    async def main() -> SuiteRunner:
        client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
        runner = SuiteRunner(
            suite_from_dict(suite_dict(cases=CASES, concurrency=1), tmp_path), client, out
        )
        try:
            async for _ in runner.results():
                seen.append((runner.progress.done, runner.progress.total, runner.progress.eta_s))
                if len(seen) == 4:
                    break
        finally:
            await client.aclose()
        return runner

    runner = run(main())
    assert [(done, total) for done, total, _ in seen] == [(n, 12) for n in range(1, 5)]
    assert all(eta is not None and eta > 0 for _, _, eta in seen)
    assert runner.is_stopping
    assert runner.summary.stopped
    assert len(list(read_rows(out))) == 4


def test_a_dataset_that_cannot_be_read_is_said_in_words(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    from playground.core.suites.suite import SuiteError

    (tmp_path / "rows.jsonl").write_text('{"text": "ok"}\nnot json\n')
    suite = suite_from_dict(suite_dict(dataset="rows.jsonl", cases=[]), tmp_path)
    client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
    with pytest.raises(SuiteError, match=r"rows\.jsonl line 2 is not JSON"):
        run(SuiteRunner(suite, client, tmp_path / "run.jsonl").run())
