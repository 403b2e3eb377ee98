"""Suite runs kept in the history and compared: what got worse since last time, in words."""

from __future__ import annotations

from pathlib import Path

from playground.core.history.store import open_history
from playground.core.history.suite_runs import record_suite_run, suite_runs
from playground.core.suites.changes import what_got_worse
from playground.core.suites.suite import MIGRATIONS, SCHEMA_VERSION, migrate
from playground.emulator import EmulatorServer
from tests.core.helpers import run
from tests.core.suite_helpers import PRODUCTION, STAGING, run_suite, suite_dict

CASES = [
    {"id": "a", "text": "great work", "expected": "positive"},
    {"id": "b", "text": "meh", "expected": "neutral"},
]
CHECKS = [{"status": 200}, {"path": "label", "equals": "{{expected}}"}]


def test_a_run_compared_with_the_last_one_says_what_got_worse(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    _, before = run(
        run_suite(
            emulator,
            suite_dict(cases=CASES, checks=CHECKS, targets=[PRODUCTION]),
            tmp_path,
            out=first,
        )
    )
    _, after = run(
        run_suite(
            emulator,
            suite_dict(cases=CASES, checks=CHECKS, targets=[STAGING]),
            tmp_path,
            out=second,
        )
    )
    history = open_history(tmp_path / "history.sqlite3")
    try:
        record_suite_run(history, "test suite", first, before.to_dict(), at=1000.0)
        record_suite_run(history, "test suite", second, after.to_dict(), at=2000.0)
        record_suite_run(history, "another", second, after.to_dict(), at=3000.0)
        runs = suite_runs(history, "test suite")
    finally:
        history.close()
    assert [(r.run_file.name, r.passed) for r in runs] == [
        ("second.jsonl", False),
        ("first.jsonl", True),
    ]
    worse = what_got_worse(
        runs[1].run_file, runs[0].run_file, ["1. staging"], runs[1].summary, runs[0].summary
    )
    rows = [w.describe() for w in worse if w.row]
    assert rows == [
        'row a · 1. staging: label is "POSITIVE", not "positive"',
        'row b · 1. staging: label is "NEUTRAL", not "neutral"',
    ]
    assert what_got_worse(first, first, ["1"]) == []


def test_a_suite_file_from_before_schema_version_is_migrated() -> None:
    assert SCHEMA_VERSION == MIGRATIONS.latest == 1
    old = {"name": "old", "columns": [PRODUCTION]}
    assert migrate(old) == {"name": "old", "targets": [PRODUCTION], "schema_version": 1}
