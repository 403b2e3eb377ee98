"""A Model API's cost per row and in total, from the local server's `/models` pricing and each
answer's usage; deployments (paid by the hour) have none. The example suites run as shipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.core import BasetenClient, Remote
from playground.core.suites.cost import Price, prices_from_catalog, usage_tokens
from playground.core.suites.engine import SuiteRunner
from playground.core.suites.results import RowResult
from playground.core.suites.suite import load_suite
from playground.emulator import EmulatorServer
from tests.core.helpers import run

SUITES = Path(__file__).resolve().parents[2] / "resources" / "suites"


async def run_example(
    server: EmulatorServer, name: str, out: Path
) -> tuple[list[RowResult], SuiteRunner, dict[str, Price]]:
    client = BasetenClient(Remote.local(server.base_url), server.api_key)
    try:
        prices = prices_from_catalog(await client.model_apis_catalog())
        runner = SuiteRunner(load_suite(SUITES / name), client, out, prices=prices)
        rows = [row async for row in runner.results()]
    finally:
        await client.aclose()
    return rows, runner, prices


def test_each_model_api_row_costs_its_tokens_at_the_catalogues_prices(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rows, runner, prices = run(run_example(emulator, "model-api-cost.yaml", tmp_path / "run.jsonl"))
    price = prices["playground/demo-chat"]
    assert price == Price(prompt=0.0000005, completion=0.0000015, cached=0.00000025)
    assert len(rows) == 3
    for row in rows:
        [cell] = row.cells
        assert cell.passed, cell.failures
        prompt, completion, cached = usage_tokens(cell.result.details["usage"]) or (0, 0, 0)
        assert prompt > 0
        assert completion > 0
        assert cell.cost == pytest.approx(
            (prompt - cached) * 5e-7 + cached * 2.5e-7 + completion * 1.5e-6
        )
    total = runner.summary.cost
    assert total == pytest.approx(sum(cell.cost or 0 for row in rows for cell in row.cells))
    assert runner.summary.to_dict()["targets"][0]["cost_usd"] == pytest.approx(total)


def test_cached_tokens_are_paid_at_the_cache_price() -> None:
    price = Price(prompt=1.0, completion=10.0, cached=0.25)
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 3,
        "prompt_tokens_details": {"cached_tokens": 40},
    }
    assert price.cost(*(usage_tokens(usage) or ())) == 60 * 1.0 + 40 * 0.25 + 3 * 10.0
    assert prices_from_catalog([{"id": "x", "pricing": {"prompt": "2", "completion": "3"}}]) == {
        "x": Price(2.0, 3.0, 2.0)
    }


def test_the_promote_example_fails_honestly_on_the_negations(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    rows, runner, _ = run(
        run_example(emulator, "promote-review-sentiment.yaml", tmp_path / "run.jsonl")
    )
    assert sorted(row.id for row in rows if not row.passed) == ["r03", "r06"]
    assert all(row.cells[0].passed for row in rows)  # production gets every row right
    assert runner.summary.targets[1].cost == 0.0
    assert runner.summary.cost is None  # deployments have no per-call price
