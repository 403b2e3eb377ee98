"""The history's tables, one small migration per schema version, and its search queries."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable

from playground.core.migrations import Migrations

# What of a response the search index sees: its first characters are what people look for, and
# indexing more costs write time (trigrams of 16 KB take ~3 ms) and space.
SEARCH_CHARS = 16 * 1024


def _is_text(content_type: str, body: bytes) -> bool:
    kind = content_type.partition(";")[0].strip().lower()
    if kind.startswith(("image/", "audio/", "video/")) or kind == "application/octet-stream":
        return False
    return b"\x00" not in body[:1024]


def fts5_available() -> bool:
    """Whether this sqlite3 has FTS5 with the trigram tokenizer (substring search)."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as db:
            db.execute("CREATE VIRTUAL TABLE probe USING fts5(a, tokenize='trigram')")
    except sqlite3.Error:
        return False
    return True


# --- schema: one small function per version, each run once, in a transaction -------------------

MIGRATIONS: Migrations[Callable[[sqlite3.Connection], None]] = Migrations("history")


@MIGRATIONS.step(0)
def create_exchanges(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            remote TEXT NOT NULL,
            mode TEXT NOT NULL,
            target TEXT NOT NULL,
            url TEXT NOT NULL,
            request TEXT NOT NULL,
            outcome TEXT NOT NULL,
            status INTEGER NOT NULL,
            total_s REAL,
            metrics TEXT NOT NULL,
            request_id TEXT NOT NULL,
            deployment_id TEXT NOT NULL,
            error TEXT NOT NULL,
            content_type TEXT NOT NULL,
            response BLOB NOT NULL,
            response_size INTEGER NOT NULL,
            truncated INTEGER NOT NULL,
            answer TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX exchanges_at ON exchanges(at)")


@MIGRATIONS.step(1)
def add_search_index(db: sqlite3.Connection) -> None:
    """FTS5 over target, request and response where this sqlite3 has it; LIKE does without."""
    if not fts5_available():
        return
    db.execute(
        "CREATE VIRTUAL TABLE exchanges_fts USING fts5(target, request, response, tokenize='trigram')"
    )
    rows = db.execute(
        "SELECT id, target, url, remote, request_id, deployment_id, error, request, content_type,"
        " response, answer FROM exchanges"
    ).fetchall()
    for row in rows:
        db.execute(
            "INSERT INTO exchanges_fts(rowid, target, request, response) VALUES (?,?,?,?)",
            (row[0], *search_texts(*row[1:])),
        )


def search_texts(
    target: str,
    url: str,
    remote: str,
    request_id: str,
    deployment_id: str,
    error: str,
    request: str,
    content_type: str,
    response: bytes,
    answer: str,
) -> tuple[str, str, str]:
    head = response[: SEARCH_CHARS * 4]
    text = answer or (
        head.decode("utf-8", "replace")[:SEARCH_CHARS] if _is_text(content_type, head) else ""
    )
    meta = " ".join(x for x in (target, url, remote, request_id, deployment_id, error) if x)
    return meta, request, text


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


ROW_COLUMNS = "id, at, mode, target, outcome, status, total_s, request_id, error, response_size"
# What one row weighs, summed in SQL to pick how many of the oldest to prune.
ROW_BYTES = "length(response) + length(request) + length(answer) + length(metrics) + 256"


def fts_query(terms: list[str]) -> tuple[str, list[str]]:
    """Rows (ROW_COLUMNS) matching every term, through the FTS5 trigram index."""
    # Trigrams match substrings of three characters or more; shorter words go through LIKE.
    long = [t for t in terms if len(t) >= 3]
    short = [t for t in terms if len(t) < 3]
    where: list[str] = []
    params: list[str] = []
    if long:
        where.append("exchanges_fts MATCH ?")
        params.append(" ".join('"' + t.replace('"', '""') + '"' for t in long))
    for term in short:
        where.append(
            "(f.target LIKE ? ESCAPE '\\' OR f.request LIKE ? ESCAPE '\\'"
            " OR f.response LIKE ? ESCAPE '\\')"
        )
        params += [_like(term)] * 3
    columns = ", ".join(f"e.{c.strip()}" for c in ROW_COLUMNS.split(","))
    sql = (
        f"SELECT {columns} FROM exchanges_fts f JOIN exchanges e ON e.id = f.rowid"
        f" WHERE {' AND '.join(where)}"
    )
    return sql, params


def like_query(terms: list[str]) -> tuple[str, list[str]]:
    """The same without FTS5: every term as a substring of one of the texts (a full scan)."""
    fields = (
        "e.target",
        "e.url",
        "e.remote",
        "e.request_id",
        "e.deployment_id",
        "e.error",
        "e.request",
        "e.answer",
        f"CAST(substr(e.response, 1, {SEARCH_CHARS}) AS TEXT)",
    )
    where: list[str] = []
    params: list[str] = []
    for term in terms:
        where.append("(" + " OR ".join(f"{f} LIKE ? ESCAPE '\\'" for f in fields) + ")")
        params += [_like(term)] * len(fields)
    columns = ", ".join(f"e.{c.strip()}" for c in ROW_COLUMNS.split(","))
    return f"SELECT {columns} FROM exchanges e WHERE {' AND '.join(where)}", params
