"""In CI (env CI set) a skipped test fails the run: a test that did not run is a gap nobody sees.
Checked on a small suite of skips, run by pytest with this suite's conftest as a plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SKIPS = """
import pytest

def test_skipped_in_the_test():
    pytest.skip("the tool is not installed")

@pytest.mark.skipif(True, reason="not on this machine")
def test_skipped_by_a_mark():
    pass

def test_that_runs():
    pass
"""


def run_skips(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_skips.py").write_text(SKIPS)
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p"]
    command += ["tests.conftest", "-rfEs", str(tmp_path / "test_skips.py")]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


def test_in_ci_a_skip_fails_the_run_and_says_why(tmp_path: Path) -> None:
    done = run_skips(tmp_path, ci="true")
    assert done.returncode == 1, done.stdout
    lines = done.stdout.splitlines()
    assert "1 failed, 1 passed, 1 error" in lines[-1]
    assert (
        "FAILED test_skips.py::test_skipped_in_the_test - skipped in CI, where every test must "
        "run: Skipped: the tool is not installed"
    ) in lines
    assert (
        "ERROR test_skips.py::test_skipped_by_a_mark - skipped in CI, where every test must "
        "run: Skipped: not on this machine"
    ) in lines


def test_off_ci_a_skip_is_only_a_skip(tmp_path: Path) -> None:
    done = run_skips(tmp_path, ci="")
    assert done.returncode == 0, done.stdout
    assert "1 passed, 2 skipped" in done.stdout.splitlines()[-1]
