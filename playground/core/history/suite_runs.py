"""Suite runs kept in the history database (its `suite_runs` table): a row per run, newest
first, to list them and to compare one with the run before it."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground.core.history.store import History
from playground.core.secrets import REDACTOR


@dataclass(frozen=True)
class SuiteRunRow:
    id: int
    at: float
    suite: str
    run_file: Path
    passed: bool
    summary: Mapping[str, Any]


def record_suite_run(
    history: History,
    suite: str,
    run_file: Path,
    summary: Mapping[str, Any],
    at: float | None = None,
) -> int:
    """Keep one run (its summary masked of any key in use); its id."""
    text = REDACTOR.text(json.dumps(summary, ensure_ascii=False))
    with history._using() as db:  # the store's own lock and error wording
        cursor = db.execute(
            "INSERT INTO suite_runs (at, suite, run_file, passed, summary) VALUES (?, ?, ?, ?, ?)",
            (
                time.time() if at is None else at,
                suite,
                str(run_file),
                int(bool(summary.get("passed"))),
                text,
            ),
        )
    return int(cursor.lastrowid or 0)


def suite_runs(history: History, suite: str | None = None, limit: int = 50) -> list[SuiteRunRow]:
    """The runs kept, newest first (of one suite, when named)."""
    query = "SELECT id, at, suite, run_file, passed, summary FROM suite_runs"
    params: tuple[Any, ...] = ()
    if suite is not None:
        query += " WHERE suite = ?"
        params = (suite,)
    query += " ORDER BY at DESC, id DESC LIMIT ?"
    with history._using(write=False) as db:
        rows = db.execute(query, (*params, limit)).fetchall()
    return [
        SuiteRunRow(int(r[0]), float(r[1]), str(r[2]), Path(r[3]), bool(r[4]), json.loads(r[5]))
        for r in rows
    ]
