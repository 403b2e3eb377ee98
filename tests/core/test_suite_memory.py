"""Memory stays flat however many rows a suite has: rows go to the run file as they end, and the
summary keeps figures, not results (RSS after 20,000 rows within 50 MB of RSS after 2,000)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from playground.core.suites.results import RowResult
from tests.core.helpers import run
from tests.core.raw_server import RawServer, head, read_request
from tests.core.suite_helpers import run_suite, suite_dict

pytestmark = pytest.mark.slow

ROWS = 20_000
# 4 KB answers: a run that kept its rows would hold some 80 MB of them by the end.
BODY = b'{"label": "positive", "score": 0.99, "text": "' + b"w" * 4096 + b'"}'
ANSWER = (
    head(content_type="application/json", content_length=str(len(BODY)), connection="keep-alive")
    + BODY
)


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request of a connection at once, the same small JSON."""
    while True:
        writer.write(ANSWER)
        await writer.drain()
        try:
            await read_request(reader)
        except asyncio.IncompleteReadError:
            return


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_memory_stays_flat_over_20000_rows(tmp_path: Path) -> None:
    dataset = tmp_path / "rows.jsonl"
    with dataset.open("w") as out:
        for n in range(ROWS):
            out.write(f'{{"id": "r{n}", "text": "row {n} \\"quoted\\" é"}}\n')
    samples: dict[int, float] = {}
    count = 0

    def on_row(_: RowResult) -> None:
        nonlocal count
        count += 1
        if count in (2_000, ROWS):
            samples[count] = rss_mb()

    data = suite_dict(
        dataset="rows.jsonl",
        cases=[],
        concurrency=32,
        checks=[{"status": 200}, {"path": "label", "equals": "positive"}],
    )
    with RawServer(keep_alive) as server:
        _, summary = run(run_suite(server.base_url, data, tmp_path, on_row=on_row))
    assert summary.rows == ROWS
    assert summary.passed
    assert samples[ROWS] - samples[2_000] < 50, samples
