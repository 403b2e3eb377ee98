"""`playground compare` against the local server, as a script would use it: one JSON line per column
result, a summary line, the report files, and usage errors in words."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli.main import main
from playground.core.compare.results import Comparison
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, SLEEPY
from tests.integration.helpers import run


def test_python_m_playground_compare_prints_columns_and_a_summary(
    emulator: EmulatorServer,
) -> None:
    env = {**os.environ, "BASETEN_API_KEY": emulator.api_key}
    argv = ["compare", "--model", CLASSIFIER, "--env", "production", "--env", "staging"]
    argv += ["-d", '{"text": "great work"}', "--repeat", "3", "--base-url", emulator.base_url]
    done = subprocess.run(
        [sys.executable, "-m", "playground", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    columns = [r for r in records if r["event"] == "column"]
    assert len(columns) == 6
    assert sorted((r["round"], r["column"]) for r in columns) == [
        (n, c) for n in (1, 2, 3) for c in (1, 2)
    ]
    for record in columns:
        assert record["outcome"] == "ok"
        assert record["status"] == 200
        assert record["request_id"]
        assert record["cold"] is False
        assert 0 < record["ttfb_s"] <= record["total_s"]
    deployments = {r["column"]: r["deployment_id"] for r in columns}
    assert deployments == {1: "wq7d2xa", 2: "wq7d3kb"}
    summary = records[-1]
    assert summary["event"] == "summary"
    assert summary["rounds"] == 3
    for column in summary["columns"]:
        total = column["warm"]["total"]
        assert total["n"] == 3
        assert total["p50"] <= total["p95"]
    assert summary["columns"][0]["label"] == f"1. {CLASSIFIER} · production"
    assert summary["diff"]["columns"] == [1, 2]
    paths = {c["path"]: c for c in summary["diff"]["changes"]}
    assert paths["$.label"] == {
        "path": "$.label",
        "kind": "changed",
        "old": "positive",
        "new": "POSITIVE",
    }
    assert summary["best"]["total"]
    assert set(summary["best"]["total"]) <= {1, 2}


def test_a_failing_column_sets_the_exit_code_and_the_others_finish(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, records, _ = run(
        capsys,
        "compare",
        "--model", CLASSIFIER, "--env", "staging",
        "--model", "nomodel1",
        "-d", '{"text": "fine"}',
        *base,
    )  # fmt: skip
    assert code == 1
    by_column = {r["column"]: r for r in records if r["event"] == "column"}
    assert by_column[1]["outcome"] == "ok"
    assert by_column[1]["body"]["model_version"] == "v2"
    assert by_column[2]["outcome"] == "failed"
    assert by_column[2]["status"] == 404
    assert "nomodel1" in by_column[2]["error"]
    assert by_column[2]["request_id"]
    assert records[-1]["diff"]["summary"].startswith("column 2 failed")


def test_chat_columns_with_overrides_headers_and_reports(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    report = tmp_path / "cmp.json"
    code, records, _ = run(
        capsys,
        "compare",
        "--model", CHAT, "--env", "production", "--env", "staging",
        "--model-api", "playground/demo-chat",
        "--chat", "-m", "What is a cold start?", "--stream", "--model-name", "demo-llm",
        "--column-header", "2:X-Emulator-Fault:tokens=5",
        "--override", '3:{"max_tokens": 7}',
        "--report", str(report),
        *base,
    )  # fmt: skip
    assert code == 0
    by_column = {r["column"]: r for r in records if r["event"] == "column"}
    assert by_column[2]["tokens"] == 5
    assert by_column[3]["label"] == "3. playground/demo-chat"
    for record in by_column.values():
        assert record["kind"] == "chat"
        assert isinstance(record["body"], str)
        assert record["ttft_s"] > 0
        assert record["tokens_per_s"] > 0
    assert "text" in records[-1]["diff"]  # word steps between the two answers
    comparison = Comparison.load(report)
    assert comparison.spec.mode == "chat"
    assert comparison.columns[2].overrides == {"max_tokens": 7}
    assert [r.request_id for r in comparison.rounds[0]] == [
        by_column[n]["request_id"] for n in (1, 2, 3)
    ]
    markdown = tmp_path / "cmp.md"
    argv = ["compare", "--model", CHAT, "--env", "staging", "--development", "--chat", "-m", "hi"]
    assert main([*argv, "--report", str(markdown), "--no-body", *base]) == 0
    text = markdown.read_text(encoding="utf-8")
    assert "# Comparison: OpenAI chat on 2 columns" in text
    assert "## Bodies" in text


def test_wake_first_reports_progress_and_marks_the_cold_column(
    capsys: pytest.CaptureFixture[str],
    fresh_emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", fresh_emulator.api_key)
    code, records, _ = run(
        capsys,
        "compare",
        "--model", SLEEPY, "--model", CLASSIFIER,
        "-d", '{"audio_url": "https://example.com/a.wav", "text": "ok"}',
        "--wake", "--no-body",
        "--base-url", fresh_emulator.base_url,
    )  # fmt: skip
    assert code == 0
    wakes = [r for r in records if r["event"] == "wake" and r["column"] == 1]
    assert wakes[0]["status"] == "SCALED_TO_ZERO"
    assert wakes[-1]["status"] == "ACTIVE"
    assert wakes[-1]["done"]
    by_column = {r["column"]: r for r in records if r["event"] == "column"}
    assert by_column[1]["cold"] is True
    assert by_column[2]["cold"] is False
    assert "body" not in by_column[1]
    assert records[-1]["columns"][0]["cold_runs"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", CLASSIFIER], "2 to 6 columns; got 1"),
        (["--env", "staging", "--model", CLASSIFIER], "--env needs a --model"),
        (["--model", CLASSIFIER, "--env", "a", "--env", "b", "--override", "3:{}"], "no column 3"),
        (["--model", CLASSIFIER, "--env", "a", "--env", "b", "--override", "x"], "N:VALUE"),
        (
            ["--model", CLASSIFIER, "--env", "a", "--env", "b", "--override", "1:{oops"],
            "not valid JSON: .* line 1, column 2",
        ),
        (["--model", CLASSIFIER, "--env", "a", "--env", "b", "-d", "[1,"], "not valid JSON"),
        (["--model", CLASSIFIER, "--env", "a", "--model-api", "x/y", "-d", "{}"], "chat"),
        (["--model", CLASSIFIER, "--env", "a", "--env", "b", "--repeat", "0"], "at least 1"),
        (["--model", CHAT, "--env", "a", "--env", "b", "--chat"], "give a message"),
        (
            ["--model", CLASSIFIER, "--env", "staging", "--development", "--report", "/no/x.md"],
            "cannot write the report",
        ),
    ],
)
def test_usage_errors_exit_2_in_words(
    capsys: pytest.CaptureFixture[str], base: list[str], argv: list[str], message: str
) -> None:
    code, records, err = run(capsys, "compare", *argv, *base)
    assert code == 2
    assert records == []
    assert err.startswith("error: ")
    assert re.search(message, err), err
