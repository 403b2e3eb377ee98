"""`{{name}}` filled from each row on the parsed JSON: whatever a value holds (quotes, newlines,
non-ASCII, a whole JSON value), the body that reaches the server is exactly what was meant."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from playground.core.suites.variables import MissingVariable, fill, fill_headers
from playground.emulator import EmulatorServer
from tests.core.helpers import run
from tests.core.suite_helpers import ECHO, ECHO_REQUEST, run_suite, suite_dict

AWKWARD = 'she said "no",\nthen left — 日本語 \\ {"json": true} {{not_a_var'
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def echoed(
    server: EmulatorServer,
    tmp_path: Path,
    body: Any,
    cases: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> list[Any]:
    request = {**ECHO_REQUEST, "body": body, **({"headers": headers} if headers else {})}
    data = suite_dict(request=request, targets=[ECHO], cases=cases, concurrency=1)
    rows, _ = run(run_suite(server, data, tmp_path))
    return [row.cells[0].result.body for row in sorted(rows, key=lambda r: r.number)]


def test_a_value_with_quotes_newlines_and_non_ascii_arrives_exactly(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    body = {"text": "{{text}}", "note": "before {{text}} after", "{{key}}": 1}
    [answer] = echoed(emulator, tmp_path, body, [{"text": AWKWARD, "key": 'k"ey'}])
    assert answer["body"] == {"text": AWKWARD, "note": f"before {AWKWARD} after", 'k"ey': 1}


def test_a_lone_placeholder_becomes_the_rows_json_value(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    body = {
        "n": "{{n}}",
        "items": "{{items}}",
        "obj": "{{obj}}",
        "flag": "{{flag}}",
        "none": "{{none}}",
        "text": "n={{n}} items={{items}}",
    }
    row = {
        "n": 3.5,
        "items": [1, "two", None],
        "obj": {"a": {"b": [True]}},
        "flag": False,
        "none": None,
    }
    [answer] = echoed(emulator, tmp_path, body, [row])
    assert answer["body"] == {**row, "text": 'n=3.5 items=[1, "two", null]'}


def test_headers_are_filled_and_a_line_break_in_one_fails_the_row_in_words(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    request = {**ECHO_REQUEST, "body": {"x": 1}, "headers": {"X-Case": "case {{id}}: {{label}}"}}
    cases = [
        {"id": "7", "label": 'say "hi"'},
        {"id": "8", "label": "a\nb"},
        {"id": "9", "label": "café"},
    ]
    data = suite_dict(request=request, targets=[ECHO], cases=cases, checks=[{"status": 200}])
    rows, summary = run(run_suite(emulator, data, tmp_path))
    by_id = {row.id: row for row in rows}
    assert by_id["7"].passed
    assert by_id["7"].cells[0].result.body["headers"]["x-case"] == 'case 7: say "hi"'
    assert by_id["8"].cells[0].failures == ("the header X-Case would hold a line break",)
    assert by_id["9"].cells[0].failures == (
        "the header X-Case would hold non-ASCII text, which HTTP refuses",
    )
    assert summary.rows_failed == 2


def test_a_missing_variable_fails_its_row_without_a_call(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    data = suite_dict(cases=[{"txt": "typo"}], checks=[{"status": 200}])
    rows, _ = run(run_suite(emulator, data, tmp_path))
    cell = rows[0].cells[0]
    assert cell.failures == ("the row has no 'text' for {{text}}",)
    assert cell.result.status == 0  # nothing was sent


def test_a_file_column_is_sent_as_base64_or_a_data_url(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    (tmp_path / "pixel.png").write_bytes(PNG)
    body = {
        "image": "{{image|base64}}",
        "url": "{{image|data_url}}",
        "name": "{{image}}",
        "inline": "b64:{{image|base64}}",
    }
    [answer] = echoed(emulator, tmp_path, body, [{"image": "pixel.png"}])
    sent = answer["body"]
    assert base64.b64decode(sent["image"]) == PNG
    assert sent["url"] == "data:image/png;base64," + sent["image"]
    assert sent["name"] == "pixel.png"
    assert sent["inline"] == "b64:" + sent["image"]


def test_fill_leaves_the_template_untouched_and_refuses_an_unknown_name() -> None:
    template = {"a": ["{{x}}", {"b": "{{x}}!"}], "c": 1}
    assert fill(template, {"x": [1]}) == {"a": [[1], {"b": "[1]!"}], "c": 1}
    assert template == {"a": ["{{x}}", {"b": "{{x}}!"}], "c": 1}
    with pytest.raises(MissingVariable, match="'y'"):
        fill({"a": "{{y}}"}, {"x": 1})
    assert fill_headers({"X-N": "{{n}}"}, {"n": 5}) == {"X-N": "5"}
