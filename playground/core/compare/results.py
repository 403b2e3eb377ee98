"""A comparison's results: each column's answer and figures, percentiles, the best figures, the
diff between two columns, and the report form (a plain dict that round-trips exactly)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast, get_args

from playground.core.compare.diff import (
    Change,
    TextOp,
    json_diff,
    summarize,
    text_diff,
    text_summary,
)
from playground.core.metrics import Metrics
from playground.core.request.spec import Column, RequestSpec

SCHEMA_VERSION = 1
MIN_COLUMNS, MAX_COLUMNS = 2, 6

Outcome = Literal["ok", "failed", "cancelled"]
Figure = Literal["ttfb", "ttft", "total", "tokens_per_s"]
FIGURES: tuple[Figure, ...] = get_args(Figure)
# Latencies are best low, the generation rate high. Size is not ranked: a bigger or smaller
# answer is different, not better.
HIGHER_IS_BETTER: frozenset[Figure] = frozenset({"tokens_per_s"})
FIGURE_NAMES: dict[Figure, str] = {
    "ttfb": "TTFB",
    "ttft": "TTFT",
    "total": "total",
    "tokens_per_s": "tokens/s",
}
_METRIC_FIELDS = frozenset(f.name for f in fields(Metrics))


def metrics_from_dict(data: Mapping[str, Any]) -> Metrics:
    """`Metrics.to_dict()` read back (its derived `tokens_per_s` is dropped)."""
    if not isinstance(data, Mapping):
        raise ValueError("metrics must be an object")
    return Metrics(**{k: v for k, v in data.items() if k in _METRIC_FIELDS})


def figure_of(metrics: Metrics, figure: Figure) -> float | None:
    """One figure of a call, in seconds (tokens per second for `tokens_per_s`).

    TTFB is the first body byte, or the response headers when the body was empty.
    """
    if figure == "ttfb":
        return metrics.first_byte_s if metrics.first_byte_s is not None else metrics.headers_s
    if figure == "ttft":
        return metrics.first_token_s
    if figure == "total":
        return metrics.total_s
    return metrics.tokens_per_s


@dataclass(frozen=True)
class ColumnResult:
    """What one column answered in one round.

    `kind` is how the body came (json, text, text-stream, sse, ndjson, binary, empty, or chat);
    `body` is the JSON value, the text, the list of events or lines, base64 for binary, or a
    chat answer's text (with `details`: reasoning, tool_calls, finish_reason, usage, model).
    A failed or cancelled column keeps what had arrived; `error` is the message in words.
    """

    column: int
    outcome: Outcome
    metrics: Metrics
    kind: str = "empty"
    body: Any = None
    details: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""
    error_kind: str = ""  # api, network, stream, invalid
    hint: str = ""
    cold: bool = False
    notices: tuple[str, ...] = ()

    @property
    def is_ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def status(self) -> int:
        return self.metrics.status

    @property
    def request_id(self) -> str | None:
        return self.metrics.request_id

    @property
    def deployment_id(self) -> str | None:
        """The deployment that served it (`X-Baseten-Model-Version-Id`)."""
        return self.metrics.deployment_id

    @property
    def text(self) -> str | None:
        """The answer as text, for a chat answer or a text body; None for anything else."""
        return self.body if isinstance(self.body, str) and self.kind != "binary" else None

    def figure(self, figure: Figure) -> float | None:
        return figure_of(self.metrics, figure)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "column": self.column,
            "outcome": self.outcome,
            "kind": self.kind,
            "metrics": self.metrics.to_dict(),
        }
        if self.cold:
            out["cold"] = True
        if self.body is not None:
            out["body"] = self.body
        if self.details:
            out["details"] = dict(self.details)
        for name in ("error", "error_kind", "hint"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.notices:
            out["notices"] = list(self.notices)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnResult:
        if not isinstance(data, Mapping):
            raise ValueError("a column result must be an object")
        outcome = data.get("outcome")
        column = data.get("column")
        if not isinstance(column, int) or isinstance(column, bool) or column < 0:
            raise ValueError(f"a column result needs its column number, not {column!r}")
        if outcome not in get_args(Outcome):
            raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(get_args(Outcome))}")
        return cls(
            column=column,
            outcome=cast(Outcome, outcome),
            metrics=metrics_from_dict(data.get("metrics") or {}),
            kind=str(data.get("kind", "empty")),
            body=data.get("body"),
            details=dict(data.get("details") or {}),
            error=str(data.get("error", "")),
            error_kind=str(data.get("error_kind", "")),
            hint=str(data.get("hint", "")),
            cold=bool(data.get("cold", False)),
            notices=tuple(str(n) for n in data.get("notices") or ()),
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`th percentile (0 to 100) by linear interpolation between the nearest ranks."""
    if not values:
        raise ValueError("the percentile of no values is undefined")
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {q}")
    data = sorted(values)
    position = (len(data) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """p50 and p95 of `n` values (None when there are none)."""

    n: int = 0
    p50: float | None = None
    p95: float | None = None

    @classmethod
    def of(cls, values: Sequence[float | None]) -> Spread:
        present = [v for v in values if v is not None]
        if not present:
            return cls()
        return cls(len(present), percentile(present, 50), percentile(present, 95))

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "p50": self.p50, "p95": self.p95}


@dataclass(frozen=True)
class ColumnSummary:
    """One column over every round: warm runs' percentiles, cold runs' apart."""

    column: int
    runs: int
    ok: int
    failed: int
    cold_runs: int
    warm: Mapping[Figure, Spread]
    cold: Mapping[Figure, Spread]

    def value(self, figure: Figure) -> float | None:
        """The column's figure: the warm runs' median, or the cold runs' when none was warm."""
        spread = self.warm[figure] if self.warm[figure].n else self.cold[figure]
        return spread.p50

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "runs": self.runs,
            "ok": self.ok,
            "failed": self.failed,
            "cold_runs": self.cold_runs,
            "warm": {f: s.to_dict() for f, s in self.warm.items()},
            "cold": {f: s.to_dict() for f, s in self.cold.items()},
        }


def summarize_column(column: int, results: Sequence[ColumnResult]) -> ColumnSummary:
    ok = [r for r in results if r.is_ok]
    warm = [r for r in ok if not r.cold]
    cold = [r for r in ok if r.cold]
    return ColumnSummary(
        column=column,
        runs=len(results),
        ok=len(ok),
        failed=sum(r.outcome == "failed" for r in results),
        cold_runs=sum(r.cold for r in results),
        warm={f: Spread.of([r.figure(f) for r in warm]) for f in FIGURES},
        cold={f: Spread.of([r.figure(f) for r in cold]) for f in FIGURES},
    )


def best_of(values: Sequence[float | None], figure: Figure) -> tuple[int, ...]:
    """The positions holding the best value (all of them on a tie); none when fewer than two
    values are there to compare."""
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(present) < 2:
        return ()
    pick: Callable[[Any], Any] = max if figure in HIGHER_IS_BETTER else min
    best = pick(v for _, v in present)
    return tuple(i for i, v in present if v == best)


@dataclass(frozen=True)
class BodyDiff:
    """How column `b`'s answer differs from column `a`'s: paths (JSON-aware), and word steps
    when both answers are text (chat answers, text bodies)."""

    a: int
    b: int
    changes: tuple[Change, ...]
    text_ops: tuple[TextOp, ...] | None = None
    note: str = ""  # e.g. that one of the two failed

    @property
    def is_identical(self) -> bool:
        return not self.changes

    @property
    def summary(self) -> str:
        said = summarize(self.changes)
        if self.text_ops is not None and self.changes:
            said += f"; text: {text_summary(self.text_ops)}"
        return f"{self.note}; {said}" if self.note else said

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "columns": [self.a, self.b],
            "identical": self.is_identical,
            "summary": self.summary,
            "changes": [c.to_dict() for c in self.changes],
        }
        if self.text_ops is not None and self.changes:
            out["text"] = [op.to_dict() for op in self.text_ops]
        return out


def _comparable(result: ColumnResult) -> Any:
    if result.kind != "chat":
        return result.body
    message: dict[str, Any] = {"content": result.body or ""}
    for key in ("reasoning", "tool_calls", "finish_reason"):
        if result.details.get(key):
            message[key] = result.details[key]
    return message


def diff_results(a: ColumnResult, b: ColumnResult) -> BodyDiff:
    """The diff between two columns' answers (what had arrived, for a failed one)."""
    failed = [r for r in (a, b) if not r.is_ok]
    note = "; ".join(f"column {r.column + 1} {r.outcome}" for r in failed)
    texts = (a.text, b.text)
    ops = (
        tuple(text_diff(texts[0], texts[1]))
        if texts[0] is not None and texts[1] is not None
        else None
    )
    return BodyDiff(a.column, b.column, tuple(json_diff(_comparable(a), _comparable(b))), ops, note)


@dataclass
class Comparison:
    """One request sent to several columns, once or in rounds (`rounds[i][j]` is column j's
    result in round i)."""

    spec: RequestSpec
    columns: tuple[Column, ...]
    rounds: list[list[ColumnResult]] = field(default_factory=list)
    remote: str = ""  # where the columns were called (a label, never a key)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def labels(self) -> list[str]:
        return [f"{i + 1}. {column.label}" for i, column in enumerate(self.columns)]

    def results_for(self, column: int) -> list[ColumnResult]:
        return [r for round_ in self.rounds for r in round_ if r.column == column]

    def summaries(self) -> list[ColumnSummary]:
        return [summarize_column(i, self.results_for(i)) for i in range(len(self.columns))]

    def best(self) -> dict[Figure, tuple[int, ...]]:
        """For each figure, the columns with the best value (lowest latency, highest tokens/s),
        from warm runs' medians (cold runs only when a column has no warm run)."""
        summaries = self.summaries()
        return {f: best_of([s.value(f) for s in summaries], f) for f in FIGURES}

    def diff(self, a: int = 0, b: int = 1, round_index: int = -1) -> BodyDiff:
        """The diff between two columns' answers in one round (the last by default)."""
        if not self.rounds:
            raise ValueError("nothing has been run yet")
        by_column = {r.column: r for r in self.rounds[round_index]}
        if a not in by_column or b not in by_column:
            raise ValueError(f"no results for columns {a + 1} and {b + 1} in that round")
        return diff_results(by_column[a], by_column[b])

    def to_dict(self) -> dict[str, Any]:
        """The report: request, columns, every result, and (for readers; ignored on load) the
        summaries, best figures and the diff of the first two columns."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "created_at": self.created_at,
            "remote": self.remote,
            "request": self.spec.to_dict(),
            "columns": [c.to_dict() for c in self.columns],
            "rounds": [[r.to_dict() for r in round_] for round_ in self.rounds],
        }
        if self.rounds:
            out["summary"] = [s.to_dict() for s in self.summaries()]
            out["best"] = {f: list(cols) for f, cols in self.best().items()}
            if len(self.columns) >= 2:
                out["diff"] = self.diff().to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        if not isinstance(data, Mapping):
            raise ValueError(f"a comparison must be an object, not {type(data).__name__}")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported comparison schema_version {version!r}")
        columns = data.get("columns")
        rounds = data.get("rounds") or []
        if not isinstance(columns, list) or not isinstance(rounds, list):
            raise ValueError("a comparison needs a list of columns and a list of rounds")
        return cls(
            spec=RequestSpec.from_dict(data.get("request") or {}),
            columns=tuple(Column.from_dict(c) for c in columns),
            rounds=[[ColumnResult.from_dict(r) for r in round_] for round_ in rounds],
            remote=str(data.get("remote", "")),
            created_at=str(data.get("created_at", "")),
        )

    @classmethod
    def load(cls, path: Path) -> Comparison:
        """A JSON report (see `report.save_report`) read back; ValueError, in words, for a broken one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from exc
        return cls.from_dict(data)
