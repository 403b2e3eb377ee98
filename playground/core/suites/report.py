"""A suite run's report: JSON (round-trips), Markdown, JUnit XML for CI systems, and a
self-contained HTML page for people (tables, p50/p95 and latency-under-load charts, inline SVG).
Every format is written through the redactor: a key in use never reaches a report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from playground.core.compare.results import FIGURE_NAMES
from playground.core.secrets import REDACTOR
from playground.core.suites.results import RowResult, SuiteSummary
from playground.core.suites.runfile import read_header, read_rows

REPORT_KIND = "playground-suite-report"
REPORT_VERSION = 1
FORMATS = (".json", ".md", ".html", ".xml")
MAX_FAILED_ROWS_SHOWN = 500  # Markdown and HTML list the first failures; JSON and XML hold all


def build_report(
    run: Path, summary: SuiteSummary, sweep: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The report as a plain dict: the run's header, its summary, every row, the sweep's steps."""
    return {
        "kind": REPORT_KIND,
        "schema_version": REPORT_VERSION,
        "run": read_header(run),
        "summary": summary.to_dict(),
        "sweep": [dict(step) for step in sweep],
        "rows": [row.to_dict() for row in read_rows(run)],
    }


def load_report(path: Path) -> dict[str, Any]:
    """A JSON report read back; ValueError when the file is not one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("kind") != REPORT_KIND:
        raise ValueError(f"{path.name} is not a suite report")
    return data


def save_report(report: Mapping[str, Any], path: Path) -> None:
    """Write `report` in the format `path`'s suffix names (.json, .md, .html or .xml)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(report, ensure_ascii=False, indent=1) + "\n"
    elif suffix == ".md":
        text = markdown(report)
    elif suffix == ".html":
        from playground.core.suites.html import html_report

        text = html_report(report)
    elif suffix == ".xml":
        text = junit_xml(report)
    else:
        raise ValueError(f"a report is {', '.join(FORMATS)}, not {suffix or 'no suffix'}")
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(REDACTOR.text(text), encoding="utf-8")
    tmp.replace(path)


def fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def failed_cells(
    rows: Iterable[Mapping[str, Any]],
) -> Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    for row in rows:
        for cell in row.get("cells", ()):
            if not cell.get("passed", True):
                yield row, cell


def target_lines(summary: Mapping[str, Any]) -> list[list[str]]:
    """Each target's row of the summary table, as text."""
    out = []
    for t in summary["targets"]:
        figures = t["figures"]
        cost = t.get("cost_usd")
        out.append(
            [
                t["label"],
                str(t["cells"]),
                str(t["passed"]),
                str(t["failed"]),
                f"{t['error_rate']:.1%}",
                *(
                    f"{fmt_s(figures[f]['p50'])} / {fmt_s(figures[f]['p95'])}"
                    for f in ("ttfb", "ttft", "total")
                ),
                "—" if cost is None else f"${cost:.6f}",
            ]
        )
    return out


TABLE_HEADINGS = [
    "target",
    "rows",
    "passed",
    "failed",
    "errors",
    *(f"{FIGURE_NAMES[f]} p50 / p95" for f in ("ttfb", "ttft", "total")),
    "cost",
]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    verdict = "passed" if summary["passed"] else "FAILED"
    lines = [
        f"# Suite: {summary['name']} — {verdict}",
        "",
        f"{summary['rows']} rows, {summary['rows_passed']} passed, {summary['rows_failed']} failed"
        + (" (stopped)" if summary["stopped"] else ""),
        "",
        "| " + " | ".join(TABLE_HEADINGS) + " |",
        "|" + "---|" * len(TABLE_HEADINGS),
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in line) + " |" for line in target_lines(summary)]
    if report.get("sweep"):
        lines += [
            "",
            "## Latency under load",
            "",
            "| concurrency | target | total p50 / p95 | errors |",
            "|---|---|---|---|",
        ]
        for step in report["sweep"]:
            for t in step["targets"]:
                total = t["figures"]["total"]
                lines.append(
                    f"| {step['concurrency']} | {_md_cell(t['label'])} | "
                    f"{fmt_s(total['p50'])} / {fmt_s(total['p95'])} | {t['error_rate']:.1%} |"
                )
    failures = list(failed_cells(report.get("rows", ())))
    if failures:
        lines += ["", "## Failures", "", "| row | target | why |", "|---|---|---|"]
        labels = [t["label"] for t in summary["targets"]]
        for row, cell in failures[:MAX_FAILED_ROWS_SHOWN]:
            why = "; ".join(cell.get("failures", ()))
            label = labels[cell["target"] - 1]
            lines.append(f"| {_md_cell(str(row['id']))} | {_md_cell(label)} | {_md_cell(why)} |")
        if len(failures) > MAX_FAILED_ROWS_SHOWN:
            lines.append(
                f"\n…and {len(failures) - MAX_FAILED_ROWS_SHOWN} more (see the JSON report)"
            )
    return "\n".join(lines) + "\n"


def junit_xml(report: Mapping[str, Any]) -> str:
    """One <testsuite> per target, one <testcase> per row; a failed check is a <failure>, a
    call that got no answer an <error>."""
    summary = report["summary"]
    root = ET.Element("testsuites", name=str(summary["name"]))
    suites = []
    for t in summary["targets"]:
        suites.append(ET.SubElement(root, "testsuite", name=str(t["label"])))
    counts = [{"tests": 0, "failures": 0, "errors": 0, "time": 0.0} for _ in suites]
    for row in report.get("rows", ()):
        for cell in row.get("cells", ()):
            i = cell["target"] - 1
            result = cell["result"]
            total = (result.get("metrics") or {}).get("total_s") or 0.0
            name = f"row {row['id']}" + (
                f" (repeat {row['repeat']})" if row.get("repeat", 1) > 1 else ""
            )
            case = ET.SubElement(
                suites[i],
                "testcase",
                classname=str(summary["name"]),
                name=name,
                time=f"{total:.3f}",
            )
            counts[i]["tests"] += 1
            counts[i]["time"] += total
            if not cell.get("passed", True):
                why = "; ".join(cell.get("failures", ()))
                kind = "error" if result.get("outcome") != "ok" else "failure"
                counts[i]["errors" if kind == "error" else "failures"] += 1
                element = ET.SubElement(case, kind, message=why[:500], type="check")
                element.text = "\n".join(cell.get("failures", ()))
    for suite, count in zip(suites, counts, strict=True):
        for key, value in count.items():
            suite.set(key, f"{value:.3f}" if key == "time" else str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def rows_of(report: Mapping[str, Any]) -> list[RowResult]:
    """The report's rows as results again."""
    return [RowResult.from_dict(row) for row in report.get("rows", ())]
