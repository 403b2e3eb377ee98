"""Running the `playground` command in-process and reading its JSON lines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from playground.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    """`playground ARGV…`: its exit code, its JSON lines and its stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err
