"""`playground suite` against the local server, as CI would run it: a JSON line per row, a
summary, exit code 5 when a check fails, and each report format read back by what reads it
(JSON by itself, JUnit XML by an XML parser, HTML by headless Chromium, looked at)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml

from playground.core.suites.report import load_report, rows_of, save_report
from tests.integration.helpers import run

ROOT = Path(__file__).resolve().parents[2]
PROMOTE = ROOT / "resources" / "suites" / "promote-review-sentiment.yaml"
FAILING_ROWS = {"r03", "r06"}  # negations staging misreads


def test_a_failing_check_fails_the_command_with_exit_code_5(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    code, lines, err = run(
        capsys, "suite", str(PROMOTE), *base, "--out", str(tmp_path / "run.jsonl")
    )
    assert code == 5, err
    rows = [line for line in lines if line["event"] == "row"]
    assert len(rows) == 10
    failed = {row["id"]: row for row in rows if not row["passed"]}
    assert set(failed) == FAILING_ROWS
    cell = failed["r03"]["cells"][1]
    assert cell["label"] == "2. r4vw8nq2 · environment staging"
    assert cell["failures"] == [
        'label is "negative", not "positive"',
        'disagrees with 1. r4vw8nq2 · production: $.label changed: "positive" → "negative"',
    ]
    assert all(c["passed"] and c["status"] == 200 for row in rows for c in row["cells"][:1])
    [summary] = [line for line in lines if line["event"] == "summary"]
    assert (summary["rows"], summary["rows_failed"], summary["passed"]) == (10, 2, False)
    assert summary is lines[-1]


def test_passing_targets_exit_0_and_a_bad_suite_exits_2_in_words(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    code, lines, _ = run(
        capsys,
        "suite",
        str(PROMOTE),
        *base,
        "--target",
        "production",
        "--concurrency",
        "2",
        "--out",
        str(tmp_path / "a.jsonl"),
    )
    assert code == 0
    assert {c["label"] for row in lines if row["event"] == "row" for c in row["cells"]} == {
        "1. r4vw8nq2 · production"
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrequest: {mode: predict}\ntargets: []\ncases: [{}]\n")
    code, _, err = run(capsys, "suite", str(bad), *base)
    assert code == 2
    assert "error: `targets` is a list of 1 to 6 targets" in err
    keyed = tmp_path / "keyed.yaml"
    keyed.write_text(
        "name: x\nrequest: {mode: predict, headers: {Authorization: Api-Key abc}}\ntargets: [{model: m}]\ncases: [{}]\n"
    )
    code, _, err = run(capsys, "suite", str(keyed), *base)
    assert code == 2
    assert "a suite never holds a key" in err


def test_every_report_format(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    reports = [tmp_path / f"report.{end}" for end in ("json", "md", "html", "xml")]
    argv = ["suite", str(PROMOTE), *base, "--out", str(tmp_path / "run.jsonl")]
    code, _, _ = run(capsys, *argv, *(a for r in reports for a in ("--report", str(r))))
    assert code == 5
    report = load_report(reports[0])
    again = tmp_path / "again.json"
    save_report(report, again)
    assert load_report(again) == report  # the JSON round-trips
    assert [r.to_dict() for r in rows_of(report)] == report["rows"]
    assert report["summary"]["rows_failed"] == 2

    junit = JUnitXml.fromfile(str(reports[3]))  # read back as a CI system's JUnit reader does
    suites = list(junit)
    assert [(s.name, s.tests, s.failures, s.errors) for s in suites] == [
        ("1. r4vw8nq2 · production", 10, 0, 0),
        ("2. r4vw8nq2 · environment staging", 10, 2, 0),
    ]
    failed = {case.name: [r for r in case.result if isinstance(r, Failure)] for case in suites[1]}
    assert {name for name, results in failed.items() if results} == {"row r03", "row r06"}
    assert failed["row r03"][0].message.startswith('label is "negative", not "positive"')

    markdown = reports[1].read_text(encoding="utf-8")
    assert markdown.startswith("# Suite: Promote review-sentiment staging — FAILED\n")
    assert (
        '| r06 | 2. r4vw8nq2 · environment staging | label is "positive", not "negative"; '
        in markdown
    )

    html = reports[2].read_text(encoding="utf-8")
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert html.count("<svg") == 1
    assert "p50 and p95 per target" in html


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is missing: `packaging/bootstrap --test` installs it")
    return found


def screenshot(page: Path, png: Path) -> None:
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1100,1100",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def colours(png: Path) -> set[tuple[int, int, int]]:
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() == 1100
    step = 4
    return {
        (c.red(), c.green(), c.blue())
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
        for c in [image.pixelColor(x, y)]
    }


def test_the_html_report_and_its_sweep_chart_in_headless_chromium(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    page = tmp_path / "sweep.html"
    argv = [
        "suite",
        str(PROMOTE),
        *base,
        "--out",
        str(tmp_path / "run.jsonl"),
        "--sweep",
        "1,2,4,8",
        "--report",
        str(page),
    ]
    code, lines, err = run(capsys, *argv)
    assert code == 0, err  # a sweep measures; its checks do not fail it
    steps = [line for line in lines if line["event"] == "step"]
    assert [s["concurrency"] for s in steps] == [1, 2, 4, 8]
    for step in steps:
        assert step["rows"] == 10
        for target in step["targets"]:
            assert target["error_rate"] == 0.0
            assert 0 < target["figures"]["total"]["p50"] <= target["figures"]["total"]["p95"]
    html = page.read_text(encoding="utf-8")
    assert "Latency under load" in html
    assert html.count("<polyline") == 4
    png = tmp_path / "sweep.png"
    screenshot(page, png)
    seen = colours(png)
    assert (37, 99, 235) in seen
    assert (220, 38, 38) in seen
    assert (185, 28, 28) in seen  # the verdict "failed" in red


def test_each_run_is_kept_and_the_next_says_what_got_worse(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, lines, _ = run(capsys, "suite", str(PROMOTE), *base, "--target", "production")
    assert code == 0
    assert not [line for line in lines if line["event"] == "worse"]  # nothing to compare with
    code, lines, _ = run(capsys, "suite", str(PROMOTE), *base, "--target", "staging")
    assert code == 5
    [worse] = [line for line in lines if line["event"] == "worse"]
    assert worse["items"][:2] == [
        'row r03 · 1. r4vw8nq2 · environment staging: label is "negative", not "positive"',
        'row r06 · 1. r4vw8nq2 · environment staging: label is "positive", not "negative"',
    ]
    assert lines[-1]["event"] == "summary"
