"""The comparison report: JSON that round-trips exactly, Markdown with bodies and request ids, best
figures, and broken files refused in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.core import Metrics, Target
from playground.core.compare.report import render_markdown, save_report
from playground.core.compare.results import ColumnResult, Comparison
from playground.core.compare.run import run_comparison
from playground.core.request.spec import Column, RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER
from tests.core.helpers import FAULT, NO_RETRY, open_client, run

COLUMNS = (
    Column(Target(CLASSIFIER)),
    Column(Target(CLASSIFIER, "environment", "staging")),
    Column(Target("nomodel1")),
)
PREDICT = RequestSpec(
    "predict",
    Target(CLASSIFIER),
    {"text": "I love it"},
    headers={"Authorization": "Bearer leaked", "X-Trace": "1"},
)


@pytest.fixture(scope="module")
def predict_comparison(emulator: EmulatorServer) -> Comparison:
    async def main() -> Comparison:
        async with open_client(emulator) as client:
            return await run_comparison(client, PREDICT, COLUMNS, repeat=2)

    return run(main())


def _through_json(comparison: Comparison) -> Comparison:
    return Comparison.from_dict(json.loads(json.dumps(comparison.to_dict())))


def test_the_report_round_trips_exactly(predict_comparison: Comparison, tmp_path: Path) -> None:
    back = _through_json(predict_comparison)
    assert back == predict_comparison
    assert back.to_dict() == predict_comparison.to_dict()
    path = tmp_path / "report.json"
    save_report(predict_comparison, path)
    assert Comparison.load(path) == predict_comparison
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 1


def test_the_report_holds_bodies_figures_request_ids_and_the_diff(
    predict_comparison: Comparison,
) -> None:
    data = predict_comparison.to_dict()
    assert data["request"]["headers"] == {"X-Trace": "1"}  # never a secret
    assert len(data["rounds"]) == 2
    first = data["rounds"][0]
    assert first[0]["body"] == {"label": "positive", "score": 0.99}
    assert first[0]["metrics"]["request_id"]
    assert first[0]["metrics"]["deployment_id"] == "wq7d2xa"
    assert first[2]["outcome"] == "failed"
    assert "nomodel1" in first[2]["error"]
    assert [s["runs"] for s in data["summary"]] == [2, 2, 2]
    assert data["diff"]["columns"] == [0, 1]
    assert not data["diff"]["identical"]
    assert {"path": "$.model_version", "kind": "added", "new": "v2"} in data["diff"]["changes"]


def test_the_markdown_has_bodies_request_ids_percentiles_and_the_diff(
    predict_comparison: Comparison, emulator: EmulatorServer, tmp_path: Path
) -> None:
    text = render_markdown(predict_comparison)
    for round_ in predict_comparison.rounds:
        for result in round_:
            assert f"`{result.request_id}`" in text
    assert '"model_version": "v2"' in text  # staging's body
    assert "Model nomodel1 not found" in text
    assert "## Percentiles (warm runs; cold runs apart)" in text
    assert "`$.label` changed" in text
    assert "1. q8mz3kvd · production" in text
    assert emulator.api_key not in text
    assert "leaked" not in text
    path = tmp_path / "report.md"
    save_report(predict_comparison, path)
    assert path.read_text(encoding="utf-8") == text


def test_a_chat_report_round_trips_with_its_details(emulator: EmulatorServer) -> None:
    spec = RequestSpec(
        "chat",
        Target(CHAT),
        {"model": "demo-llm", "messages": [{"role": "user", "content": "hi"}], "stream": True},
    )
    columns = (
        Column(Target(CHAT)),
        Column(Target(CHAT, "environment", "staging"), headers={FAULT: "cut_after=3"}),
    )

    async def main() -> Comparison:
        async with open_client(emulator, retry=NO_RETRY) as client:
            return await run_comparison(client, spec, columns)

    comparison = run(main())
    good, cut = comparison.rounds[0]
    assert good.details["usage"]["completion_tokens"] == good.metrics.tokens
    assert cut.outcome == "failed"
    assert cut.body
    assert _through_json(comparison) == comparison
    text = render_markdown(comparison)
    assert good.body in text
    assert cut.body in text
    assert "Column 2 failed" in text
    assert "Words (~~removed~~, **added**)" in text


def _result(column: int, total: float, tokens_per_s_tokens: int | None = None) -> ColumnResult:
    metrics = Metrics(status=200, first_byte_s=total / 2, total_s=total, bytes=10)
    if tokens_per_s_tokens is not None:
        metrics.tokens = tokens_per_s_tokens
    return ColumnResult(column, "ok", metrics, "json", {"n": column})


def test_best_is_the_lowest_latency_and_the_highest_rate_with_ties() -> None:
    spec = RequestSpec("predict", Target("abc12345"), {})
    columns = tuple(Column(Target("abc12345", "environment", f"e{i}")) for i in range(3))
    comparison = Comparison(spec, columns)
    comparison.rounds.append([_result(0, 0.2, 10), _result(1, 0.1, 4), _result(2, 0.1, 1)])
    best = comparison.best()
    assert best["total"] == (1, 2)
    assert best["ttfb"] == (1, 2)
    assert best["tokens_per_s"] == (0,)  # 50/s against 40/s and 10/s
    assert best["ttft"] == ()  # nobody has it


def test_cold_runs_are_kept_apart_from_the_best() -> None:
    spec = RequestSpec("predict", Target("abc12345"), {})
    columns = (Column(Target("abc12345")), Column(Target("abc12345", "development")))
    cold = ColumnResult(0, "ok", Metrics(status=200, total_s=9.0), cold=True)
    comparison = Comparison(spec, columns)
    comparison.rounds += [[cold, _result(1, 0.5)], [_result(0, 0.2), _result(1, 0.5)]]
    summary = comparison.summaries()[0]
    assert summary.warm["total"].p50 == 0.2
    assert summary.cold["total"].p50 == 9.0
    assert comparison.best()["total"] == (0,)
    assert "Cold runs" in render_markdown(comparison)


def test_every_body_kind_round_trips() -> None:
    spec = RequestSpec("route", Target("abc12345"), None, method="GET", route="/x")
    results = [
        ColumnResult(0, "ok", Metrics(status=200), "binary", "AAEC"),
        ColumnResult(1, "ok", Metrics(status=200), "sse", [{"a": 1}, "plain"]),
        ColumnResult(2, "cancelled", Metrics(), "text", "part", error="Stopped"),
        ColumnResult(3, "ok", Metrics(status=200), "ndjson", [1, 2], notices=("odd line",)),
    ]
    columns = tuple(Column(Target("abc12345", "deployment", f"d{i}")) for i in range(4))
    comparison = Comparison(spec, columns, [results], remote="http://127.0.0.1:1")
    assert _through_json(comparison) == comparison
    assert "(3 bytes of binary" in render_markdown(comparison)


def test_broken_reports_are_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,\n  "columns": [,]}', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2, column 15"):
        Comparison.load(path)
    with pytest.raises(ValueError, match="schema_version 99"):
        Comparison.from_dict({"schema_version": 99})
    with pytest.raises(ValueError, match="unknown outcome"):
        ColumnResult.from_dict({"column": 0, "outcome": "maybe"})
    with pytest.raises(ValueError, match="column"):
        ColumnResult.from_dict({"outcome": "ok"})
