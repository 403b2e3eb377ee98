"""Each kind of check, over real sockets against the local server: it passes when it should,
and when it fails it says why in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from playground.core.suites.checks import parse_checks
from playground.emulator import EmulatorServer
from tests.core.helpers import run
from tests.core.suite_helpers import PRODUCTION, STAGING, run_suite, suite_dict

CHAT_API = {"model_api": "playground/demo-chat"}


def failures(
    server: EmulatorServer, tmp_path: Path, checks: list[dict[str, Any]], **parts: Any
) -> list[tuple[str, ...]]:
    """Each target's failures for the one row."""
    rows, _ = run(run_suite(server, suite_dict(checks=checks, **parts), tmp_path))
    return [cell.failures for cell in rows[0].cells]


def test_status(emulator: EmulatorServer, tmp_path: Path) -> None:
    assert failures(emulator, tmp_path, [{"status": 200}]) == [()]
    assert failures(emulator, tmp_path, [{"status": [201, 202]}]) == [
        ("status 200, not 201 or 202",)
    ]
    missing = {"target": {"model": "q8mz3kvd", "environment": "nowhere"}}
    [why] = failures(emulator, tmp_path, [{"status": 200}], targets=[missing])
    assert len(why) == 1
    assert why[0].startswith("status 404: ")
    assert why[0].endswith("not 200")


@pytest.mark.parametrize(
    ("check", "why"),
    [
        ({"path": "label", "equals": "{{expected}}"}, None),
        ({"path": "label", "equals": "negative"}, 'label is "positive", not "negative"'),
        ({"path": "score", "equals": "0.99"}, 'score is 0.99, not "0.99"'),
        ({"path": "label", "contains": "posit"}, None),
        ({"path": "label", "contains": "neg"}, 'label ("positive") does not contain "neg"'),
        ({"path": "label", "matches": "^pos.*e$"}, None),
        ({"path": "label", "matches": "^neg"}, 'label ("positive") does not match /^neg/'),
        ({"path": "score", "type": "number"}, None),
        ({"path": "score", "type": "string"}, "score is 0.99, not of type string"),
        ({"path": "missing.deeper", "type": "null"}, None),
    ],
)
def test_a_jmespath_value(
    emulator: EmulatorServer, tmp_path: Path, check: dict[str, Any], why: str | None
) -> None:
    # production answers {"label": "positive", "score": 0.99} for "great work"
    assert failures(emulator, tmp_path, [check]) == [() if why is None else (why,)]


def test_a_json_schema(emulator: EmulatorServer, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "required": ["label", "score"],
        "properties": {"score": {"type": "number", "maximum": 1}},
    }
    assert failures(emulator, tmp_path, [{"schema": schema}]) == [()]
    strict = {"type": "object", "properties": {"label": {"enum": ["POSITIVE", "NEGATIVE"]}}}
    assert failures(emulator, tmp_path, [{"schema": strict}]) == [
        (
            "the body does not match the schema at $.label: 'positive' is not one of ['POSITIVE', 'NEGATIVE']",
        )
    ]


def test_a_chat_answer_contains_matches_and_is_json(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    request = {"mode": "chat", "body": {"messages": [{"role": "user", "content": "{{text}}"}]}}
    checks = [
        {"answer_matches": r"\w+"},
        {"answer_contains": "zebra-that-is-not-there"},
        {"answer_is_json": True},
    ]
    [why] = failures(emulator, tmp_path, checks, request=request, targets=[CHAT_API])
    assert why[0] == 'the answer does not contain "zebra-that-is-not-there"'
    assert why[1].startswith("the answer is not valid JSON (")
    assert len(why) == 2
    as_json = {**request, "body": {**request["body"], "response_format": {"type": "json_object"}}}
    assert failures(
        emulator, tmp_path, [{"answer_is_json": True}], request=as_json, targets=[CHAT_API]
    ) == [()]
    assert failures(emulator, tmp_path, [{"answer_contains": "x"}]) == [
        ("there is no text answer to check",)
    ]


def test_limits_on_ttfb_ttft_total_and_tokens_per_second(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert failures(emulator, tmp_path, [{"max_ttfb_s": 30, "max_total_s": 30}]) == [()]
    [why] = failures(emulator, tmp_path, [{"max_total_s": 0.000001}, {"max_ttft_s": 5}])
    assert why[0].startswith("total ")
    assert why[0].endswith(" s is over 1e-06 s")
    assert why[1] == "no TTFT was measured (limit 5)"  # predict streams no tokens
    request = {
        "mode": "chat",
        "body": {"messages": [{"role": "user", "content": "{{text}}"}], "stream": True},
    }
    [why] = failures(
        emulator,
        tmp_path,
        [{"max_ttft_s": 30}, {"min_tokens_per_s": 1e9}],
        request=request,
        targets=[CHAT_API],
    )
    assert len(why) == 1
    assert why[0].startswith("tokens/s ")
    assert why[0].endswith(" is under 1e+09")


def test_targets_agree_json_equal_ignoring_paths_or_by_words(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    both = [PRODUCTION, STAGING]
    [first, second] = failures(emulator, tmp_path, [{"agree": True}], targets=both)
    assert first == ()
    assert second[0].startswith(
        'disagrees with 1. q8mz3kvd · production: $.label changed: "positive" → "POSITIVE" (and '
    )
    ignore = {"agree": {"ignore": ["label", "score", "model_version", "scores"]}}
    assert failures(emulator, tmp_path, [ignore], targets=both) == [(), ()]
    assert failures(emulator, tmp_path, [{"agree": {"similarity": 0.05}}], targets=both) == [(), ()]
    [_, why] = failures(emulator, tmp_path, [{"agree": {"similarity": 0.99}}], targets=both)
    assert why[0].startswith("disagrees with 1. q8mz3kvd · production: word similarity 0.")


def test_the_same_row_against_an_earlier_run(emulator: EmulatorServer, tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.jsonl"
    run(run_suite(emulator, suite_dict(checks=[{"status": 200}]), tmp_path, out=earlier))
    same = suite_dict(checks=[{"baseline": True}])
    rows, _ = run(run_suite(emulator, same, tmp_path, baseline=earlier))
    assert rows[0].cells[0].failures == ()
    changed = suite_dict(
        targets=[STAGING], checks=[{"baseline": {"ignore": ["scores", "model_version"]}}]
    )
    rows, _ = run(run_suite(emulator, changed, tmp_path, baseline=earlier))
    assert rows[0].cells[0].failures == (
        'changed since the earlier run: $.label changed: "positive" → "POSITIVE"',
    )
    broken = suite_dict(
        targets=[{"target": {"model": "q8mz3kvd", "environment": "gone"}}],
        checks=[{"baseline": True}],
    )
    rows, _ = run(run_suite(emulator, broken, tmp_path, baseline=earlier))
    assert rows[0].cells[0].failures[-1].startswith("passed in the earlier run, now: 404: ")


def test_a_check_that_cannot_run_is_refused_when_the_suite_is_read() -> None:
    with pytest.raises(ValueError, match="takes one of equals, contains, matches, type"):
        parse_checks([{"path": "a"}])
    with pytest.raises(ValueError, match="is not JMESPath"):
        parse_checks([{"path": "a[", "equals": 1}])
    with pytest.raises(ValueError, match="not a JSON Schema"):
        parse_checks([{"schema": {"type": 12}}])
    with pytest.raises(ValueError, match="no known kind"):
        parse_checks([{"whatever": 1}])
