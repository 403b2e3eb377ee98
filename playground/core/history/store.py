"""The history: every request and what came back, in SQLite, searchable, capped and pruned by size."""

from __future__ import annotations

import builtins
import contextlib
import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.core.history import scratch
from playground.core.history.rows import ExchangeRow, exchange_fields
from playground.core.history.schema import (
    MIGRATIONS,
    ROW_BYTES,
    ROW_COLUMNS,
    add_search_texts,
    fts_query,
    like_query,
    search_texts,
)
from playground.core.request.spec import RequestSpec
from playground.core.secrets import is_secret_header

__all__ = [
    "BODY_CAP",
    "SCHEMA_VERSION",
    "Exchange",
    "ExchangeRow",
    "History",
    "HistoryError",
    "open_history",
]

# Every migration is registered by now (a feature that keeps more in the history registers its
# step in the module that defines it, imported above).
SCHEMA_VERSION = MIGRATIONS.latest

# A response body is kept up to this many bytes (its full size and a flag say what was cut).
BODY_CAP = 256 * 1024
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
PRUNE_EVERY = 32  # records between two size checks
OUTCOMES = ("finished", "failed", "cancelled")
BUSY_S = 5.0  # how long to wait for another Playground that holds the file
FILE_NAME = "history.sqlite3"


class HistoryError(Exception):
    """The history could not be read or written (a full disk, a file broken while in use)."""


@dataclass(frozen=True)
class Exchange:
    """One request and what came back, as the history keeps it.

    `request` is `RequestSpec.to_dict()` (it never holds a secret header); `response` is the body
    as received, cut to the history's cap when recorded; `response_size` is its full size.
    """

    request: Mapping[str, Any]
    remote: str = ""
    url: str = ""
    outcome: str = "finished"
    status: int = 0
    metrics: Mapping[str, Any] = field(default_factory=dict)
    request_id: str = ""
    deployment_id: str = ""
    error: str = ""
    content_type: str = ""
    response: bytes = b""
    response_size: int | None = None  # None: len(response)
    is_truncated: bool = False
    answer: str = ""  # chat: the assistant's text
    at: float = 0.0  # seconds since the epoch; 0 means "when recorded"
    id: int = 0  # given by the history
    note: str = ""  # read back: what of the stored row could not be read, in words

    @property
    def mode(self) -> str:
        return str(self.request.get("mode", ""))

    @property
    def where(self) -> str:
        try:
            return self.spec().where
        except ValueError:
            return str(self.request.get("target", ""))

    @property
    def total_s(self) -> float | None:
        total = self.metrics.get("total_s")
        return float(total) if isinstance(total, int | float) else None

    @property
    def size(self) -> int:
        return len(self.response) if self.response_size is None else self.response_size

    def spec(self) -> RequestSpec:
        """The request, ready to load or send again; ValueError if the stored one is malformed."""
        return RequestSpec.from_dict(self.request)

    def response_text(self) -> str:
        """The kept body as text (invalid UTF-8 replaced), for showing and searching."""
        return self.response.decode("utf-8", "replace")


def _check_no_secrets(request: Mapping[str, Any]) -> None:
    """The door: RequestSpec drops secret headers already; a dict made elsewhere must too."""
    headers = request.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise ValueError("the request's headers must be an object")
    leaking = sorted(k for k in headers if is_secret_header(str(k)))
    if leaking:
        raise ValueError(f"history never stores secret headers ({', '.join(leaking)})")


def _row(row: sqlite3.Row) -> ExchangeRow:
    return ExchangeRow(*row)


class History:
    """The history in one SQLite file, safe to use from two threads.

    Writes go through one connection and reads through another (WAL lets a reader go on while
    a write or a prune runs), each behind its own lock, so that a window can list and search
    on its own thread while a worker records.

    A file that is not a database (or one from a newer Playground) is set aside, never deleted,
    and a new history starts; `problem` then says so in words.
    """

    def __init__(
        self,
        path: Path,
        *,
        body_cap: int = BODY_CAP,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.path = path
        self.body_cap = body_cap
        self.max_bytes = max_bytes
        self.problem = ""
        self.scratch: Path | None = None  # a temporary folder of this session's: gone on close
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._since_prune = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = self._connect_when_free()
        except sqlite3.OperationalError:
            raise  # locked by another Playground, or not writable: not the file's fault
        except sqlite3.DatabaseError as exc:
            aside = self._set_aside()
            self.problem = (
                f"The history file could not be read ({exc}); it was kept as {aside.name} "
                "and a new history started."
            )
            self._writer = self._connect()
        self._reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._reader.execute("PRAGMA query_only = ON")
        self._reader.execute("PRAGMA busy_timeout = 5000")
        self.has_search_index = self._has_table("exchanges_fts")
        # What search reads: the FTS5 index, or the same texts in a plain table (LIKE).
        self._texts = "exchanges_fts" if self.has_search_index else "exchanges_text"

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; never corrupt
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                # BEGIN IMMEDIATE: of two processes opening a new file, one migrates while the
                # other waits, then reads the version again and finds nothing left to do.
                with self._transaction(db):
                    version = db.execute("PRAGMA user_version").fetchone()[0]
                    if version > SCHEMA_VERSION:
                        raise sqlite3.DatabaseError(
                            f"written by a newer Playground (schema {version}, this one reads "
                            f"up to {SCHEMA_VERSION})"
                        )
                    for step, migrate in MIGRATIONS.after(version):
                        migrate(db)
                        db.execute(f"PRAGMA user_version = {step + 1}")
                if db.execute("PRAGMA freelist_count").fetchone()[0]:
                    self._compact(db)  # a step copied a table: give the old one's space back
            db.execute("SELECT count(*) FROM exchanges").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def _connect_when_free(self) -> sqlite3.Connection:
        """`_connect`, tried again while another process holds the file (it may be opening it
        too: switching to WAL fails at once rather than wait as busy_timeout says)."""
        deadline, pause = time.monotonic() + BUSY_S, 0.01
        while True:
            try:
                return self._connect()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                source.replace(Path(str(aside) + suffix))
        return aside

    @staticmethod
    @contextlib.contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextlib.contextmanager
    def _using(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection, under its lock, with sqlite's errors said as HistoryError."""
        lock, db = (self._write_lock, self._writer) if write else (self._read_lock, self._reader)
        with lock:
            try:
                yield db
            except sqlite3.Error as exc:
                raise HistoryError(f"The history at {self.path} failed: {exc}") from exc

    def _has_table(self, name: str) -> bool:
        with self._using(write=False) as db:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        return found is not None

    @property
    def schema_version(self) -> int:
        with self._using(write=False) as db:
            version: int = db.execute("PRAGMA user_version").fetchone()[0]
        return version

    # --- writing ---------------------------------------------------------------------------------

    def record(self, exchange: Exchange) -> int:
        """Keep `exchange` (its body cut to the cap); returns its id. Prunes now and then."""
        _check_no_secrets(exchange.request)
        if exchange.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {exchange.outcome!r}; one of {', '.join(OUTCOMES)}")
        body = exchange.response
        truncated = exchange.is_truncated or len(body) > self.body_cap
        body = body[: self.body_cap]
        request = json.dumps(exchange.request, ensure_ascii=False, separators=(",", ":"))
        where = exchange.where
        values = {
            "at": exchange.at or time.time(),
            "remote": exchange.remote,
            "mode": exchange.mode,
            "target": where,
            "url": exchange.url,
            "request": request,
            "outcome": exchange.outcome,
            "status": exchange.status,
            "total_s": exchange.total_s,
            "metrics": json.dumps(dict(exchange.metrics), separators=(",", ":")),
            "request_id": exchange.request_id,
            "deployment_id": exchange.deployment_id,
            "error": exchange.error,
            "content_type": exchange.content_type,
            "response": body,
            "response_size": exchange.size,
            "truncated": int(truncated),
            "answer": exchange.answer,
        }
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        with self._using() as db, self._transaction(db):
            cursor = db.execute(f"INSERT INTO exchanges ({names}) VALUES ({marks})", values)
            new_id = int(cursor.lastrowid or 0)
            texts = search_texts(
                where,
                exchange.url,
                exchange.remote,
                exchange.request_id,
                exchange.deployment_id,
                exchange.error,
                request,
                exchange.content_type,
                body,
                exchange.answer,
            )
            add_search_texts(db, self._texts, new_id, texts)
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self.prune(self.max_bytes)
        return new_id

    def delete(self, exchange_id: int) -> bool:
        with self._using() as db, self._transaction(db):
            gone = db.execute("DELETE FROM exchanges WHERE id = ?", (exchange_id,)).rowcount
            db.execute(f"DELETE FROM {self._texts} WHERE rowid = ?", (exchange_id,))
        return gone > 0

    def clear(self) -> None:
        """Forget everything, and give the space back (nothing is left in the file's free pages)."""
        with self._using() as db:
            with self._transaction(db):
                db.execute("DELETE FROM exchanges")
                db.execute(f"DELETE FROM {self._texts}")
                if self.has_search_index:
                    db.execute("INSERT INTO exchanges_fts(exchanges_fts) VALUES ('optimize')")
            self._compact(db)

    def prune(self, max_bytes: int) -> int:
        """Drop the oldest exchanges until the data fits in `max_bytes`; returns how many went."""
        self._since_prune = 0
        dropped = 0
        with self._using() as db:
            while (used := self._used_bytes(db)) > max_bytes:
                total = db.execute(f"SELECT count(*), sum({ROW_BYTES}) FROM exchanges").fetchone()
                if not total[0]:
                    break
                # The rows' own bytes stand for the pages they take (with the search index).
                excess = (used - max_bytes) * total[1] / used
                last = db.execute(
                    f"SELECT id FROM (SELECT id, sum({ROW_BYTES}) OVER (ORDER BY id) AS running"
                    " FROM exchanges) WHERE running >= ? ORDER BY id LIMIT 1",
                    (excess,),
                ).fetchone()
                last_id = (
                    last[0] if last else db.execute("SELECT max(id) FROM exchanges").fetchone()[0]
                )
                with self._transaction(db):
                    db.execute(f"DELETE FROM {self._texts} WHERE rowid <= ?", (last_id,))
                    dropped += db.execute(
                        "DELETE FROM exchanges WHERE id <= ?", (last_id,)
                    ).rowcount
                    if self.has_search_index:
                        # Deleted rows stay in the index's segments until they are merged.
                        db.execute("INSERT INTO exchanges_fts(exchanges_fts) VALUES ('optimize')")
            if dropped:
                self._compact(db)
        return dropped

    def _used_bytes(self, db: sqlite3.Connection) -> int:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size: int = (pages - free) * db.execute("PRAGMA page_size").fetchone()[0]
        return size

    def _compact(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def size_bytes(self) -> int:
        """The files on disk: the database and its write-ahead log."""
        return sum(
            p.stat().st_size for p in (self.path, Path(str(self.path) + "-wal")) if p.exists()
        )

    def close(self) -> None:
        with self._read_lock:
            self._reader.close()
        with self._write_lock:
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._writer.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # --- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        with self._using(write=False) as db:
            total: int = db.execute("SELECT count(*) FROM exchanges").fetchone()[0]
        return total

    def list(self, limit: int = 200, offset: int = 0) -> list[ExchangeRow]:
        """The newest first."""
        with self._using(write=False) as db:
            rows = db.execute(
                f"SELECT {ROW_COLUMNS} FROM exchanges ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [_row(r) for r in rows]

    def search(self, text: str, limit: int = 200) -> builtins.list[ExchangeRow]:
        """Exchanges whose target, URL, request id, route, body or response contain every word
        of `text` (any case), newest first."""
        terms = text.split()
        if not terms:
            return self.list(limit)
        if self.has_search_index:
            sql, params = fts_query(terms)
        else:
            sql, params = like_query(terms)
        with self._using(write=False) as db:
            rows = db.execute(sql + " ORDER BY e.id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_row(r) for r in rows]

    def get(self, exchange_id: int) -> Exchange | None:
        with self._using(write=False) as db:
            db.row_factory = sqlite3.Row
            try:
                row = db.execute("SELECT * FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()
            finally:
                db.row_factory = None
        # What cannot be read of the row (a damaged file) is said in `note`, never raised.
        return Exchange(**exchange_fields(row)) if row is not None else None


def open_history(path: Path, **options: Any) -> History:
    """The history at `path`; when it cannot be opened there (a folder that is not writable, a
    database another Playground holds locked for seconds), one in a temporary folder for this
    session, removed when it closes, with `problem` saying so. The app always has a history to
    record into."""
    try:
        return History(path, **options)
    except (OSError, sqlite3.Error) as exc:
        scratch.remove_stale()  # those of sessions that died before they could
        folder = scratch.make_folder()
        try:
            history = History(folder / path.name, **options)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        history.scratch = folder
        history.problem = (
            f"The history could not be opened at {path} ({exc}); this session's history is "
            f"kept in {folder} instead."
        )
        return history
