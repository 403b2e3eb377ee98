"""A suite run's results: each row's cells (one per target) as they are written to the run file,
one JSON line each, and the running summary (pass/fail, p50/p95, cost) kept in flat memory."""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playground.core.compare.results import FIGURES, ColumnResult, Figure, Spread, figure_of

RUN_KIND = "playground-suite-run"
RUN_VERSION = 1
MAX_DISTINCT_FAILURES = 50  # a summary names the commonest failures, never all of 100,000


@dataclass(frozen=True)
class Cell:
    """One target's answer to one row, the checks it failed (in words) and its cost in USD
    (Model APIs only)."""

    target: int
    result: ColumnResult
    failures: tuple[str, ...] = ()
    cost: float | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"target": self.target + 1, "passed": self.passed}
        if self.failures:
            out["failures"] = list(self.failures)
        if self.cost is not None:
            out["cost_usd"] = self.cost
        out["result"] = self.result.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cell:
        cost = data.get("cost_usd")
        return cls(
            target=int(data["target"]) - 1,
            result=ColumnResult.from_dict(data["result"]),
            failures=tuple(str(f) for f in data.get("failures") or ()),
            cost=float(cost) if cost is not None else None,
        )


@dataclass(frozen=True)
class RowResult:
    """One row (one repeat of it) through every target."""

    number: int
    id: str
    repeat: int
    values: Mapping[str, Any]
    cells: tuple[Cell, ...]

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.repeat)

    @property
    def passed(self) -> bool:
        return all(cell.passed for cell in self.cells)

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "id": self.id,
            "repeat": self.repeat,
            "passed": self.passed,
            "values": dict(self.values),
            "cells": [cell.to_dict() for cell in self.cells],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowResult:
        return cls(
            number=int(data["row"]),
            id=str(data["id"]),
            repeat=int(data.get("repeat", 1)),
            values=dict(data.get("values") or {}),
            cells=tuple(Cell.from_dict(c) for c in data.get("cells") or ()),
        )

    def to_line(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass
class TargetTally:
    """One target's running figures: counts, warm figures (cold first calls kept apart), cost."""

    label: str
    cells: int = 0
    passed: int = 0
    errors: int = 0  # calls that failed (no answer, or an error status)
    throttled: int = 0  # 429s met (retried or slowed for)
    cold: int = 0
    cost: float = 0.0
    costed: int = 0
    figures: dict[str, array[float]] = field(
        default_factory=lambda: {f: array("d") for f in FIGURES}
    )
    failures: Counter[str] = field(default_factory=Counter)
    # Read back from a dict (`from_dict`): the spreads as they were, the values not being there.
    spreads: dict[str, Spread] | None = None

    def add(self, cell: Cell) -> None:
        self.cells += 1
        self.passed += cell.passed
        self.errors += not cell.result.is_ok
        if cell.result.metrics.attempts > 1 or cell.result.status == 429:
            self.throttled += 1
        if cell.cost is not None:
            self.cost += cell.cost
            self.costed += 1
        if cell.result.cold:
            self.cold += 1
        elif cell.result.is_ok:
            for figure in FIGURES:
                value = figure_of(cell.result.metrics, figure)
                if value is not None:
                    self.figures[figure].append(value)
        for failure in cell.failures:
            if failure in self.failures or len(self.failures) < MAX_DISTINCT_FAILURES:
                self.failures[failure] += 1

    def spread(self, figure: Figure) -> Spread:
        if self.spreads is not None:
            return self.spreads.get(figure, Spread())
        return Spread.of(list(self.figures[figure]))

    @property
    def error_rate(self) -> float:
        return self.errors / self.cells if self.cells else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "cells": self.cells,
            "passed": self.passed,
            "failed": self.cells - self.passed,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "throttled": self.throttled,
            "cold": self.cold,
            "cost_usd": self.cost if self.costed else None,
            "figures": {f: self.spread(f).to_dict() for f in FIGURES},
            "top_failures": [[text, n] for text, n in self.failures.most_common(10)],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetTally:
        """The inverse of `to_dict`: what it says (the ten commonest failures, the spreads)."""
        cost = data.get("cost_usd")
        cells = int(data["cells"])
        figures = data.get("figures") or {}
        return cls(
            label=str(data["label"]),
            cells=cells,
            passed=int(data["passed"]),
            errors=int(data.get("errors", 0)),
            throttled=int(data.get("throttled", 0)),
            cold=int(data.get("cold", 0)),
            cost=float(cost or 0.0),
            costed=0 if cost is None else max(1, cells),  # how many is not said: it had some
            failures=Counter({str(text): int(n) for text, n in data.get("top_failures") or ()}),
            spreads={
                str(f): Spread(int(s.get("n", 0)), s.get("p50"), s.get("p95"))
                for f, s in figures.items()
            },
        )


@dataclass
class SuiteSummary:
    """The whole run so far: rows passed and failed, and each target's tally."""

    name: str
    targets: list[TargetTally]
    rows: int = 0
    rows_passed: int = 0
    elapsed_s: float = 0.0
    stopped: bool = False

    @classmethod
    def for_labels(cls, name: str, labels: Sequence[str]) -> SuiteSummary:
        return cls(name, [TargetTally(label) for label in labels])

    def add(self, row: RowResult) -> None:
        self.rows += 1
        self.rows_passed += row.passed
        for cell in row.cells:
            self.targets[cell.target].add(cell)

    @property
    def rows_failed(self) -> int:
        return self.rows - self.rows_passed

    @property
    def passed(self) -> bool:
        return self.rows_failed == 0 and not self.stopped

    @property
    def cost(self) -> float | None:
        costed = [t for t in self.targets if t.costed]
        return sum(t.cost for t in costed) if costed else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rows": self.rows,
            "rows_passed": self.rows_passed,
            "rows_failed": self.rows_failed,
            "passed": self.passed,
            "stopped": self.stopped,
            "elapsed_s": self.elapsed_s,
            "rows_per_s": self.rows / self.elapsed_s if self.elapsed_s else None,
            "cost_usd": self.cost,
            "targets": [t.to_dict() for t in self.targets],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SuiteSummary:
        """The inverse of `to_dict` (a summary sent by the window's suite worker)."""
        return cls(
            name=str(data["name"]),
            targets=[TargetTally.from_dict(t) for t in data.get("targets") or ()],
            rows=int(data["rows"]),
            rows_passed=int(data["rows_passed"]),
            elapsed_s=float(data.get("elapsed_s") or 0.0),
            stopped=bool(data.get("stopped", False)),
        )


def run_header(name: str, labels: Sequence[str], started_at: str) -> dict[str, Any]:
    """The run file's first line: what ran, so that a resume can check it is the same suite."""
    return {
        "kind": RUN_KIND,
        "schema_version": RUN_VERSION,
        "suite": name,
        "targets": list(labels),
        "started_at": started_at,
    }


__all__ = [
    "RUN_KIND",
    "Cell",
    "RowResult",
    "SuiteSummary",
    "TargetTally",
    "run_header",
]
