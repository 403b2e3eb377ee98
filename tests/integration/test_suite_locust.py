"""A suite exported as a Locust file and run headless by Locust itself (from `.venv-locust`, built
by `packaging/bootstrap --test`: Locust pins pytest and brings gevent, so it never joins our
environment) against the local server: every target is loaded, the same checks fail the same
rows, and the key comes from the environment only."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest

from playground.emulator import EmulatorServer
from tests.integration.helpers import run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-locust"
PROMOTE = ROOT / "resources" / "suites" / "promote-review-sentiment.yaml"


def test_the_exported_locust_file_replays_the_suite_with_its_checks(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, base: list[str], tmp_path: Path
) -> None:
    if not (VENV / "bin" / "locust").exists():
        pytest.skip(f"{VENV} is missing: `packaging/bootstrap --test` builds it")
    exported = tmp_path / "locustfile.py"
    code, lines, err = run(capsys, "suite", str(PROMOTE), *base, "--locust", str(exported))
    assert code == 0, err
    assert lines == [{"event": "locust", "file": str(exported), "requests": 20}]
    text = exported.read_text(encoding="utf-8")
    assert emulator.api_key not in text
    assert "BASETEN_API_KEY" in text
    compile(text, str(exported), "exec")

    env = {**os.environ, "BASETEN_API_KEY": emulator.api_key}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [
            VENV / "bin" / "locust",
            "-f",
            exported,
            "--headless",
            "--users",
            "4",
            "--spawn-rate",
            "4",
            "--run-time",
            "4s",
            "--csv",
            tmp_path / "load",
            "--only-summary",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]  # Locust's code for "some requests failed"
    with (tmp_path / "load_stats.csv").open() as stats:
        by_name = {row["Name"]: row for row in csv.DictReader(stats)}
    production, staging = "1. r4vw8nq2 · production", "2. r4vw8nq2 · environment staging"
    assert int(by_name[production]["Request Count"]) >= 10
    assert int(by_name[production]["Failure Count"]) == 0
    assert int(by_name[staging]["Request Count"]) >= 10
    assert 0 < int(by_name[staging]["Failure Count"]) < int(by_name[staging]["Request Count"])
    with (tmp_path / "load_failures.csv").open() as failures:
        errors = {(row["Name"], row["Error"]) for row in csv.DictReader(failures)}
    assert {name for name, _ in errors} == {staging}
    assert errors == {
        (staging, 'CatchResponseError(\'label is "negative", not "positive"\')'),
        (staging, 'CatchResponseError(\'label is "positive", not "negative"\')'),
    }
