"""The suite report as one self-contained HTML page: the targets' table, a p50/p95 bar chart, the
latency-under-load chart of a sweep and the failures, with inline SVG and CSS, no script, no
file or address outside the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from playground.core.suites.report import (
    MAX_FAILED_ROWS_SHOWN,
    TABLE_HEADINGS,
    failed_cells,
    fmt_s,
    target_lines,
)

COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2")
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111;background:#fff}
h1{font-size:20px} h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f4f6} .pass{color:#15803d;font-weight:600} .fail{color:#b91c1c;font-weight:600}
svg text{font:12px system-ui,sans-serif;fill:#333}
"""


def _bars(summary: Mapping[str, Any]) -> str:
    """p50 (solid) and p95 (light) bars per figure and target, in milliseconds."""
    figures = ("ttfb", "ttft", "total")
    targets = summary["targets"]
    values = [(t["figures"][f]["p50"], t["figures"][f]["p95"]) for f in figures for t in targets]
    top = max((v for pair in values for v in pair if v is not None), default=0.0) or 1.0
    width, bar, gap = 520, 14, 6
    rows = len(figures) * len(targets)
    height = rows * (2 * bar + gap) + len(figures) * 16 + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 330}" height="{height}" role="img" aria-label="p50 and p95 per target">'
    ]
    y = 4
    for figure in figures:
        parts.append(f'<text x="0" y="{y + 11}" font-weight="600">{figure.upper()}</text>')
        y += 16
        for i, t in enumerate(targets):
            colour = COLOURS[i % len(COLOURS)]
            p50, p95 = t["figures"][figure]["p50"], t["figures"][figure]["p95"]
            for value, opacity, label in ((p50, "1", "p50"), (p95, "0.45", "p95")):
                w = 0 if value is None else max(1.0, width * value / top)
                parts.append(
                    f'<rect x="200" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}" '
                    f'fill-opacity="{opacity}"/>'
                    f'<text x="{204 + w:.1f}" y="{y + 11}">{label} {fmt_s(value)}</text>'
                )
                y += bar
            parts.append(f'<text x="0" y="{y - 4}">{escape(t["label"][:28])}</text>')
            y += gap
    parts.append("</svg>")
    return "".join(parts)


def sweep_chart(steps: Sequence[Mapping[str, Any]], figure: str = "total") -> str:
    """Latency under load: p50 (solid) and p95 (dashed) of `figure` per target against the
    concurrency of each step, on a log2 axis; the error rate is said at each point."""
    if not steps:
        return ""
    levels = [int(s["concurrency"]) for s in steps]
    labels = [t["label"] for t in steps[0]["targets"]]
    values = [
        v
        for s in steps
        for t in s["targets"]
        for v in (t["figures"][figure]["p50"], t["figures"][figure]["p95"])
        if v is not None
    ]
    top = max(values, default=0.0) or 1.0
    w, h, left, bottom = 640, 280, 60, 40
    span = max(1, len(levels) - 1)

    def x(i: int) -> float:
        return left + (w - left - 20) * i / span

    def y(v: float) -> float:
        return h - bottom - (h - bottom - 20) * v / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 220}" height="{h}" role="img" aria-label="latency under load">'
    ]
    parts.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w}" y2="{h - bottom}" stroke="#888"/>')
    parts.append(f'<line x1="{left}" y1="20" x2="{left}" y2="{h - bottom}" stroke="#888"/>')
    for i, level in enumerate(levels):
        parts.append(f'<text x="{x(i) - 6:.1f}" y="{h - bottom + 16}">{level}</text>')
    parts.append(f'<text x="{w / 2 - 40}" y="{h - 6}">concurrency</text>')
    for frac in (0.0, 0.5, 1.0):
        parts.append(f'<text x="4" y="{y(top * frac) + 4:.1f}">{fmt_s(top * frac)}</text>')
    for n, label in enumerate(labels):
        colour = COLOURS[n % len(COLOURS)]
        for key, dash in (("p50", ""), ("p95", ' stroke-dasharray="5 4"')):
            points = [
                (x(i), y(s["targets"][n]["figures"][figure][key]))
                for i, s in enumerate(steps)
                if s["targets"][n]["figures"][figure][key] is not None
            ]
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
            for px, py in points:
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
        parts.append(
            f'<rect x="{w + 10}" y="{24 + n * 36}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{w + 28}" y="{34 + n * 36}">{escape(label[:26])}</text>'
            f'<text x="{w + 28}" y="{50 + n * 36}">errors: '
            + ", ".join(f"{s['targets'][n]['error_rate']:.0%}" for s in steps)
            + "</text>"
        )
    parts.append(f'<text x="{w + 10}" y="{h - 30}">solid p50 · dashed p95</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headings: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in line) + "</tr>" for line in lines
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_report(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    verdict = (
        '<span class="pass">passed</span>'
        if summary["passed"]
        else '<span class="fail">failed</span>'
    )
    labels = [t["label"] for t in summary["targets"]]
    out = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>Suite: {escape(summary['name'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>Suite: {escape(summary['name'])} — {verdict}</h1>",
        f"<p>{summary['rows']} rows: {summary['rows_passed']} passed, {summary['rows_failed']} failed"
        + (" (stopped before the end)" if summary["stopped"] else "")
        + (f" · cost ${summary['cost_usd']:.6f}" if summary.get("cost_usd") is not None else "")
        + "</p>",
        _table(TABLE_HEADINGS, target_lines(summary)),
        "<h2>p50 and p95 per target</h2>",
        _bars(summary),
    ]
    if report.get("sweep"):
        out += ["<h2>Latency under load (total)</h2>", sweep_chart(report["sweep"])]
        lines = [
            [
                str(s["concurrency"]),
                t["label"],
                *(
                    f"{fmt_s(t['figures'][f]['p50'])} / {fmt_s(t['figures'][f]['p95'])}"
                    for f in ("ttfb", "ttft", "total")
                ),
                f"{t['error_rate']:.1%}",
            ]
            for s in report["sweep"]
            for t in s["targets"]
        ]
        out.append(
            _table(
                [
                    "concurrency",
                    "target",
                    "TTFB p50 / p95",
                    "TTFT p50 / p95",
                    "total p50 / p95",
                    "errors",
                ],
                lines,
            )
        )
    failures = list(failed_cells(report.get("rows", ())))
    out.append(f"<h2>Failures ({len(failures)})</h2>")
    lines = [
        [str(row["id"]), labels[cell["target"] - 1], "; ".join(cell.get("failures", ()))]
        for row, cell in failures[:MAX_FAILED_ROWS_SHOWN]
    ]
    out.append(_table(["row", "target", "why"], lines) if lines else "<p>None.</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
