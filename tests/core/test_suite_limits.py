"""Bounded concurrency, overall and per target, seen from the server: a loopback server that
counts the requests it is serving at once, by target."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from tests.core.helpers import run
from tests.core.raw_server import RawServer, head, read_request
from tests.core.suite_helpers import run_suite, suite_dict

BODY = b'{"label": "positive"}'
ANSWER = (
    head(content_type="application/json", content_length=str(len(BODY)), connection="keep-alive")
    + BODY
)


class Counting:
    """How many requests are being served at once, per model (the first part of the path)."""

    def __init__(self) -> None:
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.most_overall = 0
        self.pending = b""

    def seen(self, request: bytes) -> None:
        self.pending = request

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = self.pending  # set just before this call, with no wait between
        while True:
            line = request.split(b"\r\n", 1)[0].decode()
            model = line.split()[1].split("/")[1]  # /model-<id>/environments/…/predict
            if not model.startswith("model-"):  # the management API, asked which are cold
                model = ""
            self.now[model] += 1
            self.most[model] = max(self.most[model], self.now[model])
            busy = sum(n for name, n in self.now.items() if name)
            self.most_overall = max(self.most_overall, busy)
            await asyncio.sleep(0.03)
            self.now[model] -= 1
            writer.write(ANSWER)
            await writer.drain()
            try:
                request = await read_request(reader)
            except asyncio.IncompleteReadError:
                return


@pytest.mark.parametrize(
    ("concurrency", "per_target", "overall", "each"),
    [
        (3, 0, 3, 2),  # three rows in flight would send six requests: three go at once
        (4, 1, 2, 1),  # one a target, whatever the overall limit
    ],
)
def test_in_flight_overall_and_per_target_stay_within_their_limits(
    tmp_path: Path, concurrency: int, per_target: int, overall: int, each: int
) -> None:
    counting = Counting()
    targets = [{"target": {"model": "aaaa1111"}}, {"target": {"model": "bbbb2222"}}]
    cases = [{"text": f"row {n}"} for n in range(24)]
    data = suite_dict(
        targets=targets,
        cases=cases,
        concurrency=concurrency,
        per_target=per_target,
        checks=[{"status": 200}],
    )
    with RawServer(counting.handler, on_request=counting.seen) as server:
        rows, summary = run(run_suite(server.base_url, data, tmp_path))
    assert summary.passed, [row.cells[0].failures for row in rows]
    assert counting.most_overall == overall
    assert counting.most["model-aaaa1111"] == each
    assert counting.most["model-bbbb2222"] == each
