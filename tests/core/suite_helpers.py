"""Running a suite written as a dict against a server on loopback, for the suite tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playground.core import BasetenClient, Remote
from playground.core.suites.engine import SuiteRunner
from playground.core.suites.results import RowResult, SuiteSummary
from playground.core.suites.suite import suite_from_dict
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER, CUSTOM

PRODUCTION = {"target": {"model": CLASSIFIER, "environment": "production"}}
STAGING = {"target": {"model": CLASSIFIER, "environment": "staging"}}
ECHO_REQUEST = {"mode": "route", "method": "POST", "route": "/echo", "target": {"model": CUSTOM}}
ECHO = {"target": {"model": CUSTOM}}


def suite_dict(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "name": "test suite",
        "request": {"mode": "predict", "body": {"text": "{{text}}"}},
        "targets": [PRODUCTION],
        "cases": [{"text": "great work", "expected": "positive"}],
    }
    return {**base, **parts}


async def run_suite(
    server: EmulatorServer | str,
    data: dict[str, Any],
    folder: Path,
    **options: Any,
) -> tuple[list[RowResult], SuiteSummary]:
    """Every row (in the order they ended) and the summary."""
    if isinstance(server, str):
        client = BasetenClient(Remote.local(server), "raw-server-key-0123")
    else:
        client = BasetenClient(Remote.local(server.base_url), server.api_key)
    out = options.pop("out", folder / "run.jsonl")
    keep = options.pop("keep", "on_row" not in options)  # a big run keeps none in memory
    seen: list[RowResult] = []
    try:
        runner = SuiteRunner(suite_from_dict(data, folder), client, out, **options)
        async for row in runner.results():
            if keep:
                seen.append(row)
    finally:
        await client.aclose()
    return seen, runner.summary
