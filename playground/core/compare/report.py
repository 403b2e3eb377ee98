"""A comparison as a Markdown report: request, figures with the best marked, percentiles, the diff,
and each column's body with its request id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from playground.core.compare.diff import TextOp
from playground.core.compare.results import FIGURE_NAMES, FIGURES, ColumnResult, Comparison, Figure
from playground.core.files import write_atomically
from playground.core.request.spec import MODES

# Bodies longer than this are cut in Markdown; the JSON report keeps them whole.
MAX_BODY_CHARS = 20_000
MAX_CHANGES = 200


def format_figure(value: float | None, figure: Figure) -> str:
    """`20.1 ms`, `1.23 s`, `87.5` (tokens/s), or an em dash when there is none."""
    if value is None:
        return "—"
    if figure == "tokens_per_s":
        return f"{value:.1f}"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _fence(text: str, lang: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{lang}\n{text}\n{fence}"


def _body_text(result: ColumnResult) -> tuple[str, str]:
    """The body as shown, and its fence language."""
    if result.body is None:
        return "", ""
    if result.kind == "binary":
        return f"({len(result.body) * 3 // 4:,} bytes of binary, base64 in the JSON report)", ""
    if isinstance(result.body, str):
        return result.body, ""
    return json.dumps(result.body, ensure_ascii=False, indent=2), "json"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _figures_row(result: ColumnResult, best: dict[Figure, tuple[int, ...]]) -> list[str]:
    cells = []
    for figure in FIGURES:
        text = format_figure(result.figure(figure), figure)
        cells.append(f"**{text}**" if result.column in best.get(figure, ()) else text)
    return cells


def render_markdown(comparison: Comparison) -> str:
    spec = comparison.spec
    labels = comparison.labels()
    out = [f"# Comparison: {dict(MODES)[spec.mode]} on {len(labels)} columns", ""]
    rounds = len(comparison.rounds)
    where = f" on {comparison.remote}" if comparison.remote else ""
    out += [f"Run {comparison.created_at}{where}; {rounds} round{'s' * (rounds != 1)}.", ""]
    out += ["## Request", "", f"- Mode: {spec.mode}"]
    if spec.mode == "route":
        out.append(f"- Route: {spec.method} /sync/{spec.route.lstrip('/')}")
    for i, column in enumerate(comparison.columns):
        extra = f" (overrides: {json.dumps(dict(column.overrides))})" if column.overrides else ""
        out.append(f"- Column {labels[i]}{extra}")
    if spec.body is not None:
        out += ["", _fence(json.dumps(spec.body, ensure_ascii=False, indent=2), "json")]
    if not comparison.rounds:
        return "\n".join([*out, "", "Nothing has been run yet.", ""])

    best = comparison.best()
    last = comparison.rounds[-1]
    header = ["Column", "Outcome", "Status", *(FIGURE_NAMES[f] for f in FIGURES)]
    header += ["Size", "Request id", "Deployment", "Cold"]
    rows = [
        [
            labels[r.column],
            r.outcome,
            str(r.status or "—"),
            *_figures_row(r, best if rounds == 1 else {}),
            format_size(r.metrics.bytes),
            f"`{r.request_id}`" if r.request_id else "—",
            r.deployment_id or "—",
            "cold" if r.cold else "",
        ]
        for r in last
    ]
    title = "## Figures" if rounds == 1 else "## Last round"
    out += ["", title, "", *_table(header, rows)]
    if rounds == 1:
        out += ["", "The best of each figure is in bold (lowest latency, highest tokens/s)."]
    else:
        out += _percentiles(comparison, labels, best)
    out += _diff(comparison)
    out += ["", "## Bodies" + ("" if rounds == 1 else " (last round)")]
    for result in last:
        out += ["", f"### {labels[result.column]}", ""]
        out.append(
            f"Outcome {result.outcome}, status {result.status or '—'}, request id "
            f"`{result.request_id or '—'}`, deployment {result.deployment_id or '—'}"
            + (" (cold run)" if result.cold else "")
        )
        if result.error:
            out += ["", f"Error: {result.error}" + (f" — {result.hint}" if result.hint else "")]
        text, lang = _body_text(result)
        if text:
            if len(text) > MAX_BODY_CHARS:
                text = text[:MAX_BODY_CHARS] + "\n… (cut here; the JSON report has it whole)"
            out += ["", _fence(text, lang)]
    return "\n".join(out) + "\n"


def _percentiles(
    comparison: Comparison, labels: list[str], best: dict[Figure, tuple[int, ...]]
) -> list[str]:
    out = ["", "## Percentiles (warm runs; cold runs apart)", ""]
    header = ["Column", "Runs", "OK", "Cold"]
    for figure in FIGURES:
        header += [f"{FIGURE_NAMES[figure]} p50", f"{FIGURE_NAMES[figure]} p95"]
    rows: list[list[str]] = []
    for summary in comparison.summaries():
        row = [labels[summary.column], str(summary.runs), str(summary.ok), str(summary.cold_runs)]
        for figure in FIGURES:
            spread = summary.warm[figure]
            p50 = format_figure(spread.p50, figure)
            row += [f"**{p50}**" if summary.column in best[figure] else p50]
            row += [format_figure(spread.p95, figure)]
        rows.append(row)
    out += _table(header, rows)
    out += ["", "The best median of each figure is in bold."]
    cold = [r for round_ in comparison.rounds for r in round_ if r.cold]
    if cold:
        out += ["", "Cold runs (the first call after a scale to zero):", ""]
        out += _table(
            ["Column", "Outcome", *(FIGURE_NAMES[f] for f in FIGURES), "Request id"],
            [
                [
                    labels[r.column],
                    r.outcome,
                    *_figures_row(r, {}),
                    f"`{r.request_id}`" if r.request_id else "—",
                ]
                for r in cold
            ],
        )
    out += ["", "Every run:", ""]
    out += _table(
        ["Round", "Column", "Outcome", "Status", *(FIGURE_NAMES[f] for f in FIGURES), "Request id"],
        [
            [
                str(n + 1),
                labels[r.column],
                r.outcome + (" (cold)" if r.cold else ""),
                str(r.status or "—"),
                *_figures_row(r, {}),
                f"`{r.request_id}`" if r.request_id else "—",
            ]
            for n, round_ in enumerate(comparison.rounds)
            for r in round_
        ],
    )
    return out


def _diff(comparison: Comparison) -> list[str]:
    labels = comparison.labels()
    out: list[str] = []
    last = {r.column for r in comparison.rounds[-1]}
    for other in range(1, len(comparison.columns)):
        if 0 not in last or other not in last:
            continue
        diff = comparison.diff(0, other)
        out += [
            "",
            f"## Diff: {labels[0]} → {labels[other]}",
            "",
            diff.summary[:1].upper() + diff.summary[1:] + ".",
        ]
        if diff.changes:
            out.append("")
            out += [
                f"- `{c.path}` {c.describe()[len(c.path) + 1 :]}"
                for c in diff.changes[:MAX_CHANGES]
            ]
            if len(diff.changes) > MAX_CHANGES:
                out.append(f"- … and {len(diff.changes) - MAX_CHANGES} more")
        if diff.text_ops is not None and diff.changes:
            out += ["", "Words (~~removed~~, **added**):", "", _word_diff(diff.text_ops)]
    return out


def _marked(text: str, mark: str) -> str:
    """`text` wrapped in `mark`, with its outer whitespace kept outside (Markdown needs it so)."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}{mark}{core}{mark}{text[start + len(core) :]}"


def _word_diff(ops: Sequence[TextOp]) -> str:
    parts: list[str] = []
    for op in ops:
        if op.kind == "equal":
            parts.append(op.old)
        elif op.kind == "replace":
            parts.append(_marked(op.old, "~~").rstrip() + " " + _marked(op.new, "**").lstrip())
        else:
            parts.append(_marked(op.old, "~~") + _marked(op.new, "**"))
    return "".join(parts).replace("\n", "  \n")


def save_report(comparison: Comparison, path: Path) -> None:
    """The report as Markdown when `path` ends in .md, else as JSON; written atomically."""
    if path.suffix.lower() in (".md", ".markdown"):
        write_atomically(path, render_markdown(comparison).encode())
    else:
        text = json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n"
        write_atomically(path, text.encode())
