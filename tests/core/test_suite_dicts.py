"""What crosses to the window's suite worker and back: a suite as a dict (read back into an equal
suite, its files and checks too) and a summary (read back into one that says the same)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from playground.core.request.attachments import FileRef, file_refs
from playground.core.suites.results import SuiteSummary
from playground.core.suites.suite import load_suite, suite_from_dict, suite_to_dict
from playground.emulator import EmulatorServer
from tests.core.helpers import run
from tests.core.suite_helpers import PRODUCTION, STAGING, run_suite, suite_dict
from tests.core.test_suite_variables import PNG

TOKEN = "⟨pixel.png · 70 B · base64⟩"
PASTED = "⟨pasted.png · 70 B · data-url⟩"


def through_json(data: dict[str, object]) -> dict[str, object]:
    back = json.loads(json.dumps(data, ensure_ascii=False))
    assert isinstance(back, dict)
    return back


def test_a_suite_goes_to_a_dict_and_back_equal(tmp_path: Path) -> None:
    (tmp_path / "pixel.png").write_bytes(PNG)
    (tmp_path / "rows.jsonl").write_text('{"id": "a", "image": "pixel.png", "text": "hi"}\n')
    (tmp_path / "suite.yaml").write_text(
        "schema_version: 1\nname: files and checks\n"
        "request: {mode: predict, headers: {X-Case: '{{text}}'},\n"
        f"  body: {{image: '{{{{image|base64}}}}', inline: '{TOKEN}', text: '{{{{text}}}}'}}}}\n"
        f"files: {{'{TOKEN}': {{path: pixel.png}}}}\n"
        f"targets: [{json.dumps(PRODUCTION)}, {json.dumps({**STAGING, 'remote': 'other'})}]\n"
        "dataset: rows.jsonl\n"
        "checks: [{status: 200}, {path: label, equals: '{{expected}}', name: the label},\n"
        "  {agree: {ignore: [model_version]}}, {schema: {type: object}}]\n"
        "concurrency: 3\nper_target: 2\nrepeats: 2\ntimeout_s: 4.5\nremote: local\n",
        encoding="utf-8",
    )
    suite = load_suite(tmp_path / "suite.yaml")
    (inline,) = file_refs(suite.request.body)
    assert inline.path == tmp_path / "pixel.png"
    # As the view runs it: edited with `replace` (its `source` now stale), a pasted file in a case.
    pasted = FileRef.from_bytes(PNG, "pasted.png", "data-url")
    assert str(pasted) == PASTED
    edited = replace(
        suite,
        name="edited",
        checks=suite.checks[1:],
        concurrency=7,
        dataset="",
        cases=({"id": "1", "image": pasted, "text": 'a "quoted"\nline — ü'},),
    )
    back = suite_from_dict(through_json(suite_to_dict(edited)), edited.folder)
    assert back == edited
    assert back.name == "edited"
    assert [c.name for c in back.checks] == [
        "the label",
        '{"agree": {"ignore": ["model_version"]}}',
        '{"schema": {"type": "object"}}',
    ]
    (body_ref,) = file_refs(back.request.body)
    assert body_ref.path == tmp_path / "pixel.png"
    case_ref = back.cases[0]["image"]
    assert isinstance(case_ref, FileRef)
    assert (case_ref.read(), case_ref.encoding, case_ref.mime) == (PNG, "data-url", "image/png")
    # The file as written, too (its dataset file column).
    assert suite_from_dict(through_json(suite_to_dict(suite)), suite.folder) == suite


def test_a_summary_goes_to_a_dict_and_back(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    cases = [{"id": str(n), "text": "great work" if n % 3 else "bad bug"} for n in range(9)]
    data = suite_dict(
        targets=[PRODUCTION, STAGING],
        cases=cases,
        checks=[{"status": 200}, {"path": "label", "equals": "positive"}],
    )
    _rows, summary = run(run_suite(fresh_emulator, data, tmp_path))
    said = summary.to_dict()
    back = SuiteSummary.from_dict(through_json(said))
    assert back.to_dict() == said
    assert (back.rows, back.rows_passed, back.rows_failed) == (9, 0, 9)  # staging says POSITIVE
    assert [t.passed for t in back.targets] == [6, 0]
    assert back.targets[1].spread("total") == summary.targets[1].spread("total")
    assert back.targets[0].failures == summary.targets[0].failures
    assert not back.passed
    stopped = SuiteSummary.from_dict({**said, "stopped": True})
    assert stopped.stopped
    assert stopped.to_dict()["stopped"]
