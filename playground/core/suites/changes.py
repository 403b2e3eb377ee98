"""What got worse since last time: two runs of a suite compared row by row (a cell that passed
and now fails, with its new failures in words) and target by target (p50/p95 that rose)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground.core.suites.runfile import read_rows

SLOWER = 1.10  # a percentile 10 % higher is worse; less is noise


@dataclass(frozen=True)
class Worse:
    """One thing worse in the later run, in words."""

    row: str  # the row's id, or "" for a target's figures
    target: str
    what: str

    def describe(self) -> str:
        where = f"row {self.row} · {self.target}" if self.row else self.target
        return f"{where}: {self.what}"


def _cells(path: Path) -> dict[tuple[str, int, int], tuple[bool, tuple[str, ...]]]:
    return {
        (row.id, row.repeat, cell.target): (cell.passed, cell.failures)
        for row in read_rows(path)
        for cell in row.cells
    }


def what_got_worse(
    earlier: Path,
    later: Path,
    labels: list[str],
    earlier_summary: Mapping[str, Any] | None = None,
    later_summary: Mapping[str, Any] | None = None,
) -> list[Worse]:
    """Cells that passed in `earlier` and fail in `later`, then figures that rose (given the two
    runs' summaries). Rows only one run has are not compared."""
    before = _cells(earlier)
    out = []
    for row in read_rows(later):
        for cell in row.cells:
            was = before.get((row.id, row.repeat, cell.target))
            if was is not None and was[0] and not cell.passed:
                out.append(Worse(row.id, labels[cell.target], "; ".join(cell.failures)))
    if earlier_summary and later_summary:
        pairs = zip(earlier_summary["targets"], later_summary["targets"], strict=False)
        for then, now in pairs:
            for figure in ("ttfb", "ttft", "total"):
                for key in ("p50", "p95"):
                    a, b = then["figures"][figure][key], now["figures"][figure][key]
                    if a and b and b > a * SLOWER:
                        what = f"{figure.upper()} {key} {a * 1000:.0f} ms → {b * 1000:.0f} ms"
                        out.append(Worse("", now["label"], what))
            if now["error_rate"] > then["error_rate"]:
                out.append(
                    Worse(
                        "",
                        now["label"],
                        f"errors {then['error_rate']:.1%} → {now['error_rate']:.1%}",
                    )
                )
    return out
