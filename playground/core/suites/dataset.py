"""A suite's rows, read one at a time (a 100,000-row file never sits in memory): JSONL (one
object a line), CSV (a header line, then text values), or the suite's inline cases."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground.core.suites.suite import Suite, SuiteError


@dataclass(frozen=True)
class Row:
    """One row: its number (1-based, in file order), its id (an `id` column, else the number as
    text) and its values."""

    number: int
    id: str
    values: Mapping[str, Any]


def _row(number: int, values: Any, where: str) -> Row:
    if not isinstance(values, Mapping):
        raise SuiteError(f"{where}: a row is an object, not {type(values).__name__}")
    return Row(number, str(values.get("id", number)), values)


def _jsonl(path: Path) -> Iterator[Row]:
    number = 0
    with path.open(encoding="utf-8") as lines:
        for line_no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            number += 1
            try:
                values = json.loads(line)
            except ValueError as exc:
                raise SuiteError(f"{path.name} line {line_no} is not JSON: {exc}") from None
            yield _row(number, values, f"{path.name} line {line_no}")


def _csv(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8", newline="") as rows:
        for number, values in enumerate(csv.DictReader(rows), start=1):
            yield _row(number, values, f"{path.name} row {number}")


def rows(suite: Suite) -> Iterator[Row]:
    """The suite's rows in order; SuiteError in words for a file that cannot be read."""
    path = suite.dataset_path
    if path is None:
        for number, case in enumerate(suite.cases, start=1):
            yield _row(number, case, f"case {number}")
        return
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".csv"):
        raise SuiteError(f"the dataset {path.name} is not .jsonl or .csv")
    try:
        yield from (_csv(path) if suffix == ".csv" else _jsonl(path))
    except OSError as exc:
        raise SuiteError(f"cannot read the dataset {path.name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"the dataset {path.name} is not UTF-8 text") from None


def count_rows(suite: Suite) -> int:
    """How many rows there are, without keeping them."""
    return sum(1 for _ in rows(suite))
