"""A run file: JSON lines, a header then one line per row as it ended, appended and flushed one
at a time, so that an interrupted run keeps every row that ended and can be resumed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from playground.core.secrets import REDACTOR
from playground.core.suites.results import RUN_KIND, RowResult
from playground.core.suites.suite import SuiteError


def read_header(path: Path) -> dict[str, Any]:
    """The run file's first line; SuiteError when it is not a suite run."""
    try:
        with path.open(encoding="utf-8") as lines:
            first = lines.readline()
    except OSError as exc:
        raise SuiteError(f"cannot read the run {path.name}: {exc.strerror}") from None
    try:
        header = json.loads(first)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("kind") != RUN_KIND:
        raise SuiteError(f"{path.name} is not a suite run (its first line is not a run header)")
    return header


def read_rows(path: Path) -> Iterator[RowResult]:
    """Every row the run file holds, one at a time. A last line cut short (the run was killed
    mid-write) is left out: that row runs again on resume."""
    with path.open(encoding="utf-8") as lines:
        next(lines, None)
        for line in lines:
            if not line.endswith("\n"):
                return
            try:
                yield RowResult.from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise SuiteError(f"{path.name} holds a row that cannot be read: {exc}") from None


class RunWriter:
    """Appends rows to a run file as they end; a key in use never reaches it."""

    def __init__(self, path: Path, header: dict[str, Any] | None) -> None:
        self.path = path
        self._file: TextIO = path.open("a", encoding="utf-8")
        if header is not None:
            self._write(json.dumps(header, ensure_ascii=False))

    def _write(self, line: str) -> None:
        self._file.write(REDACTOR.text(line) + "\n")
        self._file.flush()

    def write(self, row: RowResult) -> None:
        self._write(row.to_line())

    def close(self) -> None:
        self._file.close()


def drop_partial_line(path: Path) -> None:
    """Cut a last line that was never finished, so that appending starts on a line of its own."""
    with path.open("rb+") as data:
        data.seek(0, 2)
        size = data.tell()
        if size == 0:
            return
        data.seek(size - 1)
        if data.read(1) == b"\n":
            return
        block = min(size, 1 << 20)
        data.seek(size - block)
        tail = data.read(block)
        cut = tail.rfind(b"\n")
        data.truncate(size - block + cut + 1 if cut >= 0 else 0)
