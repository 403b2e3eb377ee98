"""A sweep: the same suite at increasing concurrency (1, 2, 4, … 32), each step's p50/p95 TTFB,
TTFT and total and its error rate, to see how a deployment behaves as its autoscaler works."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from playground.core.api.client import BasetenClient
from playground.core.compare.clients import Clients
from playground.core.suites.cost import Prices
from playground.core.suites.engine import RowCallback, SuiteRunner
from playground.core.suites.results import SuiteSummary
from playground.core.suites.suite import Suite, SuiteError

DEFAULT_LEVELS = (1, 2, 4, 8, 16, 32)
StepCallback = Callable[[dict[str, Any]], None]


def parse_levels(text: str) -> list[int]:
    """`1,2,4,8` → [1, 2, 4, 8]; SuiteError in words for anything else."""
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SuiteError(
            f"a sweep is concurrencies separated by commas, e.g. 1,2,4,8; not {text!r}"
        ) from None
    if not levels or any(n < 1 for n in levels):
        raise SuiteError("each step of a sweep runs at a concurrency of at least 1")
    return levels


def step_record(concurrency: int, summary: SuiteSummary) -> dict[str, Any]:
    """One step as the reports and the JSON lines show it."""
    data = summary.to_dict()
    return {
        "concurrency": concurrency,
        "rows": data["rows"],
        "rows_per_s": data["rows_per_s"],
        "stopped": data["stopped"],
        "targets": [
            {"label": t["label"], "error_rate": t["error_rate"], "figures": t["figures"]}
            for t in data["targets"]
        ],
    }


def step_path(folder: Path, concurrency: int) -> Path:
    return folder / f"sweep-{concurrency:03d}.jsonl"


async def run_sweep(
    suite: Suite,
    client: BasetenClient,
    levels: Sequence[int],
    folder: Path,
    *,
    clients: Clients | None = None,
    prices: Prices | None = None,
    wake: bool = False,
    on_row: RowCallback | None = None,
    on_step: StepCallback | None = None,
    on_runner: Callable[[SuiteRunner], None] | None = None,
) -> tuple[list[dict[str, Any]], SuiteSummary | None]:
    """Every step in turn (each its own run file in `folder`); the steps, and the last step's
    summary. Only the overall concurrency limits a step: the suite's per-target limit is lifted
    so that each step's load is the one asked for. `on_runner` sees each step's runner (to stop)."""
    steps: list[dict[str, Any]] = []
    summary: SuiteSummary | None = None
    for n, level in enumerate(levels):
        runner = SuiteRunner(
            replace(suite, concurrency=level, per_target=0),
            client,
            step_path(folder, level),
            clients=clients,
            prices=prices,
            wake=wake and n == 0,
            on_row=on_row,
        )
        if on_runner is not None:
            on_runner(runner)
        summary = await runner.run()
        steps.append(step_record(level, summary))
        if on_step is not None:
            on_step(steps[-1])
        if summary.stopped:
            break
    return steps, summary
