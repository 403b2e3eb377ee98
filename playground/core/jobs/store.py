"""Jobs and webhook payloads in the history's database. A payload's commit is fsync'd before it
returns: an inbox answers 2xx only once the payload is on disk (Baseten keeps no copy)."""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground.core.history.store import FILE_NAME, SCHEMA_VERSION, History, HistoryError
from playground.core.jobs.model import (
    Job,
    options_from_json,
    options_to_json,
    target_from_json,
    target_to_json,
)
from playground.core.jsontext import parse_json
from playground.core.paths import data_dir
from playground.core.request.asyncopts import TERMINAL
from playground.core.secrets import REDACTOR

_COLUMNS = (
    "remote, target, body, options, request_id, status, webhook_status, deployment_id,"
    " created_at, status_at, timeline, errors, error, result, result_at"
)


@dataclass(frozen=True)
class Delivery:
    """A webhook payload as the inbox kept it: its raw bytes, and the secret name that
    verified it ('' when kept unverified, e.g. from a local server without secrets)."""

    id: int
    received_at: float
    request_id: str
    payload: bytes
    verified_by: str

    def json(self) -> Any:
        return parse_json(self.payload)


def default_path() -> Path:
    return data_dir() / FILE_NAME


class JobStore:
    """Safe to use from several threads and processes (SQLite WAL, one lock per store)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 5000")
        if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            History(self.path).close()  # creates the file or brings its schema up to date
        self._db.execute("PRAGMA journal_mode=WAL")
        # A job's status can be asked again after a crash: NORMAL (WAL: safe from a crash of the
        # app, not of the machine). A webhook payload cannot: FULL for it (`keep_delivery`).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self, *, fsync: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise HistoryError(f"The jobs at {self.path} failed: {exc}") from exc

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return list(self._db.execute(sql, args).fetchall())
            except sqlite3.Error as exc:
                raise HistoryError(f"The jobs at {self.path} failed: {exc}") from exc

    # --- jobs ------------------------------------------------------------------------------------

    @staticmethod
    def _values(job: Job) -> tuple[Any, ...]:
        return (
            job.remote,
            target_to_json(job.target),
            REDACTOR.text(json.dumps(job.body)),  # a key typed into a body is not kept
            options_to_json(job.options),
            job.request_id,
            job.status,
            job.webhook_status,
            job.deployment_id,
            job.created_at,
            job.status_at,
            json.dumps(job.timeline),
            REDACTOR.text(json.dumps(job.errors)),
            REDACTOR.text(job.error),
            None if job.result_at is None else REDACTOR.text(json.dumps(job.result)),
            job.result_at,
        )

    def save(self, job: Job) -> Job:
        """Insert a new job (id 0) or write its current state; returns it with its id."""
        if not job.created_at:
            job.created_at = time.time()
        with self._write() as db:
            if job.id:
                columns = [c.strip() for c in _COLUMNS.split(",")]
                values = list(self._values(job))
                if not job.has_result:
                    # A payload the inbox attached meanwhile is not undone by a status poll.
                    columns, values = columns[:-2], values[:-2]
                sets = ", ".join(f"{c} = ?" for c in columns)
                db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*values, job.id))
            else:
                marks = ", ".join("?" * len(_COLUMNS.split(",")))
                cursor = db.execute(
                    f"INSERT INTO jobs ({_COLUMNS}) VALUES ({marks})", self._values(job)
                )
                job.id = int(cursor.lastrowid or 0)
        return job

    @staticmethod
    def _job(row: tuple[Any, ...]) -> Job:
        (id_, remote, target, body, options, request_id, status, webhook_status, deployment_id,
         created_at, status_at, timeline, errors, error, result, result_at) = row  # fmt: skip
        return Job(
            id=id_,
            remote=remote,
            target=target_from_json(target),
            body=parse_json(body),
            options=options_from_json(options),
            request_id=request_id,
            status=status,
            webhook_status=webhook_status,
            deployment_id=deployment_id,
            created_at=created_at,
            status_at=status_at,
            timeline=[(s, t) for s, t in json.loads(timeline)],
            errors=json.loads(errors),
            error=error,
            result=None if result is None else parse_json(result),
            result_at=result_at,
        )

    def get(self, job_id: int) -> Job | None:
        rows = self._read(f"SELECT id, {_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return self._job(rows[0]) if rows else None

    def find(self, ref: str) -> Job | None:
        """A job by its request id, or by its number in this store."""
        rows = self._read(
            f"SELECT id, {_COLUMNS} FROM jobs WHERE request_id = ? ORDER BY id DESC LIMIT 1",
            (ref,),
        )
        if rows:
            return self._job(rows[0])
        return self.get(int(ref)) if ref.isdigit() else None

    def list(self, limit: int = 200) -> list[Job]:
        """The newest first."""
        rows = self._read(f"SELECT id, {_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._job(r) for r in rows]

    def pending(self) -> builtins.list[Job]:
        """Jobs Baseten has queued and not finished: what a watcher picks up after a restart."""
        marks = ", ".join("?" * len(TERMINAL))
        rows = self._read(
            f"SELECT id, {_COLUMNS} FROM jobs WHERE request_id != '' "
            f"AND status NOT IN ({marks}) ORDER BY id",
            tuple(sorted(TERMINAL)),
        )
        return [self._job(r) for r in rows]

    # --- webhook payloads ------------------------------------------------------------------------

    def keep_delivery(self, request_id: str, payload: bytes, verified_by: str) -> Job | None:
        """Keep a payload durably (fsync'd when this returns) and attach its `data` to the job
        with that request id; returns that job, or None when no job has it (still kept)."""
        now = time.time()
        payload = REDACTOR.data(payload)  # a model that echoed a key in use: kept masked
        try:
            parsed = parse_json(payload)
        except ValueError:
            parsed = None
        with self._write(fsync=True) as db:  # on disk before the inbox answers 2xx
            db.execute(
                "INSERT INTO webhooks (received_at, request_id, payload, verified_by)"
                " VALUES (?, ?, ?, ?)",
                (now, request_id, payload, verified_by),
            )
            rows = db.execute(
                f"SELECT id, {_COLUMNS} FROM jobs WHERE request_id = ? ORDER BY id DESC LIMIT 1",
                (request_id,),
            ).fetchall()
            if not rows or not isinstance(parsed, dict):
                return None
            job = self._job(rows[0])
            job.result = parsed.get("data")
            job.result_at = now
            if parsed.get("errors"):
                job.errors = [e for e in parsed["errors"] if isinstance(e, dict)]
            if not job.is_terminal:
                job.set_status("FAILED" if parsed.get("errors") else "SUCCEEDED", now)
            job.webhook_status = "SUCCEEDED"
            sets = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(","))
            db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*self._values(job), job.id))
        return job

    def deliveries(
        self, request_id: str | None = None, limit: int = 200
    ) -> builtins.list[Delivery]:
        where, args = ("WHERE request_id = ?", (request_id,)) if request_id else ("", ())
        rows = self._read(
            "SELECT id, received_at, request_id, payload, verified_by FROM webhooks "
            f"{where} ORDER BY id DESC LIMIT ?",
            (*args, limit),
        )
        return [Delivery(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in rows]
