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
    _fill_search_texts(db, "exchanges_fts")


def _fill_search_texts(db: sqlite3.Connection, table: str) -> None:
    rows = db.execute(
        "SELECT id, target, url, remote, request_id, deployment_id, error, request, content_type,"
        " response, answer FROM exchanges"
    ).fetchall()
    for row in rows:
        add_search_texts(db, table, row[0], search_texts(*row[1:]))


def add_search_texts(
    db: sqlite3.Connection, table: str, exchange_id: int, texts: tuple[str, str, str]
) -> None:
    db.execute(
        f"INSERT INTO {table}(rowid, target, request, response) VALUES (?,?,?,?)",
        (exchange_id, *texts),
    )


# The list's columns come first and the big ones last: SQLite reads a row's columns in order, so
# a column stored after a 256 KB body is reached by walking the body's overflow pages (listing or
# finding 200 such rows took ~19 ms instead of ~0.2 ms).
LIST_FIRST_COLUMNS = """
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    remote TEXT NOT NULL,
    mode TEXT NOT NULL,
    target TEXT NOT NULL,
    url TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER NOT NULL,
    total_s REAL,
    request_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    error TEXT NOT NULL,
    content_type TEXT NOT NULL,
    response_size INTEGER NOT NULL,
    truncated INTEGER NOT NULL,
    metrics TEXT NOT NULL,
    request TEXT NOT NULL,
    answer TEXT NOT NULL,
    response BLOB NOT NULL
"""


@MIGRATIONS.step(2)
def put_the_bodies_last(db: sqlite3.Connection) -> None:
    """The table again, its columns in LIST_FIRST_COLUMNS' order (ids kept: the index's rowids)."""
    db.execute(f"CREATE TABLE exchanges_moved ({LIST_FIRST_COLUMNS})")
    names = ", ".join(line.split()[0] for line in LIST_FIRST_COLUMNS.strip().splitlines())
    db.execute(f"INSERT INTO exchanges_moved ({names}) SELECT {names} FROM exchanges")
    db.execute("DROP TABLE exchanges")
    db.execute("ALTER TABLE exchanges_moved RENAME TO exchanges")
    db.execute("CREATE INDEX exchanges_at ON exchanges(at)")


@MIGRATIONS.step(3)
def add_plain_search_texts(db: sqlite3.Connection) -> None:
    """Without FTS5, the same texts in a plain table: LIKE over them reads 16 KB an entry, not
    its whole body (a search over 200 bodies of 256 KB took ~15 ms)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'exchanges_fts'").fetchone():
        return
    db.execute(
        "CREATE TABLE exchanges_text"
        " (rowid INTEGER PRIMARY KEY, target TEXT, request TEXT, response TEXT)"
    )
    _fill_search_texts(db, "exchanges_text")


@MIGRATIONS.step(4)
def add_jobs_and_webhooks(db: sqlite3.Connection) -> None:
    """Async jobs (core/jobs) and the webhook payloads the inbox received, kept with the history:
    Baseten keeps no outputs, so a payload lost here is lost."""
    db.execute(
        """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            remote TEXT NOT NULL,
            target TEXT NOT NULL,
            body TEXT NOT NULL,
            options TEXT NOT NULL,
            request_id TEXT NOT NULL,
            status TEXT NOT NULL,
            webhook_status TEXT NOT NULL,
            deployment_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            status_at REAL NOT NULL,
            timeline TEXT NOT NULL,
            errors TEXT NOT NULL,
            error TEXT NOT NULL,
            result TEXT,
            result_at REAL
        )"""
    )
    db.execute("CREATE INDEX jobs_request_id ON jobs(request_id)")
    db.execute(
        """CREATE TABLE webhooks (
            id INTEGER PRIMARY KEY,
            received_at REAL NOT NULL,
            request_id TEXT NOT NULL,
            payload BLOB NOT NULL,
            verified_by TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX webhooks_request_id ON webhooks(request_id)")


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


def _any_text_like(term: str) -> tuple[str, list[str]]:
    return (
        "(f.target LIKE ? ESCAPE '\\' OR f.request LIKE ? ESCAPE '\\'"
        " OR f.response LIKE ? ESCAPE '\\')",
        [_like(term)] * 3,
    )


def _select(table: str, where: list[str]) -> str:
    columns = ", ".join(f"e.{c.strip()}" for c in ROW_COLUMNS.split(","))
    return (
        f"SELECT {columns} FROM {table} f JOIN exchanges e ON e.id = f.rowid"
        f" WHERE {' AND '.join(where)}"
    )


def fts_query(terms: list[str]) -> tuple[str, list[str]]:
    """Rows (ROW_COLUMNS) matching every term, through the FTS5 trigram index."""
    # Trigrams match substrings of three characters or more; shorter words go through LIKE.
    long = [t for t in terms if len(t) >= 3]
    where: list[str] = []
    params: list[str] = []
    if long:
        where.append("exchanges_fts MATCH ?")
        params.append(" ".join('"' + t.replace('"', '""') + '"' for t in long))
    for term in terms:
        if len(term) < 3:
            clause, values = _any_text_like(term)
            where.append(clause)
            params += values
    return _select("exchanges_fts", where), params


def like_query(terms: list[str]) -> tuple[str, list[str]]:
    """The same without FTS5: every term as a substring of the same texts (a scan of them)."""
    where: list[str] = []
    params: list[str] = []
    for term in terms:
        clause, values = _any_text_like(term)
        where.append(clause)
        params += values
    return _select("exchanges_text", where), params


@MIGRATIONS.step(5)
def add_suite_runs(db: sqlite3.Connection) -> None:
    """Suite runs, one row each: the suite, when, its run file and its summary (JSON), so that a
    run can be compared with the one before ("what got worse since last time")."""
    db.execute(
        "CREATE TABLE suite_runs (id INTEGER PRIMARY KEY, at REAL NOT NULL, suite TEXT NOT NULL,"
        " run_file TEXT NOT NULL, passed INTEGER NOT NULL, summary TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX suite_runs_by_suite ON suite_runs(suite, at)")
