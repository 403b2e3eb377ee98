"""The history in SQLite: every field back as recorded, search, the body cap, pruning, a broken file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from playground.core.history import schema as history_schema
from playground.core.history import scratch as history_scratch
from playground.core.history import store as history_module
from playground.core.history.store import (
    SCHEMA_VERSION,
    Exchange,
    History,
    HistoryError,
    open_history,
)
from playground.core.metrics import Metrics
from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.spec import RequestSpec


@pytest.fixture(params=["fts5", "like"])
def history(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A history with the FTS5 index, and one as on a sqlite3 without FTS5."""
    if request.param == "like":
        monkeypatch.setattr(history_schema, "fts5_available", lambda: False)
    opened = History(tmp_path / "history.sqlite3")
    assert opened.has_search_index == (request.param == "fts5")
    yield opened
    opened.close()


def spec(model: str = "abc123", body: object = None, **kwargs: object) -> RequestSpec:
    return RequestSpec(
        kwargs.pop("mode", "predict"),  # type: ignore[arg-type]
        Target(model, "environment", "staging"),
        {"text": "hello"} if body is None else body,
        **kwargs,  # type: ignore[arg-type]
    )


def exchange(request: RequestSpec | None = None, **fields: object) -> Exchange:
    request = request or spec()
    return Exchange(request.to_dict(), **{"remote": "local demo", **fields})  # type: ignore[arg-type]


def test_every_field_comes_back_as_recorded(history: History) -> None:
    sent = RequestSpec(
        "async",
        Target("m0dl", "deployment", "dep42"),
        {"prompt": "über ✓"},
        async_options=AsyncOptions(webhook_endpoint="https://example.invalid/hook", priority=2),
        headers={"X-Trace": "t-1"},
    )
    metrics = Metrics(status=201, request_id="req-9", total_s=0.25, first_byte_s=0.1, bytes=7)
    recorded = Exchange(
        sent.to_dict(),
        remote="staging",
        url="http://127.0.0.1:1/model-m0dl/deployment/dep42/async_predict",
        outcome="failed",
        status=201,
        metrics=metrics.to_dict(),
        request_id="req-9",
        deployment_id="dep42",
        error="it broke",
        content_type="application/json",
        response=b'{"request_id": "req-9"}',
        answer="the answer",
        at=1_700_000_000.5,
    )
    new_id = history.record(recorded)
    got = history.get(new_id)
    assert got is not None
    assert got == Exchange(**{**recorded.__dict__, "id": new_id, "response_size": 23})
    assert got.spec() == sent
    assert got.total_s == 0.25
    assert got.mode == "async"
    assert got.where == "model m0dl · deployment dep42"
    assert not got.is_truncated
    [row] = history.list()
    assert (row.id, row.mode, row.target, row.outcome, row.status, row.request_id) == (
        new_id,
        "async",
        "model m0dl · deployment dep42",
        "failed",
        201,
        "req-9",
    )
    assert (row.total_s, row.error, row.response_size, row.at) == (
        0.25,
        "it broke",
        23,
        1.7e9 + 0.5,
    )


def test_when_is_now_unless_given(history: History) -> None:
    before = time.time()
    new_id = history.record(exchange())
    got = history.get(new_id)
    assert got is not None
    assert before <= got.at <= time.time()


def test_a_secret_header_is_refused_at_the_door(history: History) -> None:
    assert "headers" not in spec(headers={"Authorization": "Bearer sk-x"}).to_dict()
    with pytest.raises(ValueError, match="secret headers"):
        history.record(
            Exchange({"mode": "predict", "headers": {"authorization": "Bearer sk-x"}, "body": 1})
        )
    with pytest.raises(ValueError, match="unknown outcome"):
        history.record(exchange(outcome="exploded"))
    assert history.count() == 0


def test_a_big_body_is_cut_to_the_cap_and_says_so(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3", body_cap=1000)
    big = history.record(exchange(response=b"x" * 5000))
    small = history.record(exchange(response=b"y" * 1000))
    cut_upstream = history.record(exchange(response=b"z" * 10, response_size=99, is_truncated=True))
    got_big, got_small, got_cut = (history.get(i) for i in (big, small, cut_upstream))
    assert got_big is not None
    assert got_small is not None
    assert got_cut is not None
    assert (len(got_big.response), got_big.size, got_big.is_truncated) == (1000, 5000, True)
    assert (len(got_small.response), got_small.size, got_small.is_truncated) == (1000, 1000, False)
    assert (got_cut.response, got_cut.size, got_cut.is_truncated) == (b"z" * 10, 99, True)
    history.close()


def test_search_finds_target_route_body_response_and_request_id(history: History) -> None:
    first = history.record(
        exchange(spec("classifier1", {"text": "I love this"}), response=b'{"label": "POSITIVE"}')
    )
    second = history.record(
        exchange(
            spec("router77", None, mode="route", method="GET", route="/health/deep"),
            request_id="f00dfeedbeef",
            response=b"ok",
            content_type="text/plain",
        )
    )
    chat = history.record(
        exchange(
            spec("llm0", {"messages": [{"role": "user", "content": "Name a planet"}]}, mode="chat"),
            answer="Saturn, with its rings.",
            error="429: slow down",
        )
    )

    def ids(text: str) -> list[int]:
        return [row.id for row in history.search(text)]

    assert ids("classifier1") == [first]
    assert ids("positive") == [first]  # any case, in the response
    assert ids("health/deep") == [second]  # the route
    assert ids("FEEDBEEF") == [second]  # part of a request id
    assert ids("saturn rings") == [chat]  # every word, in the answer
    assert ids("planet") == [chat]  # the request body
    assert ids("slow down") == [chat]  # the error
    assert ids("staging") == [chat, second, first]  # newest first
    assert ids("ok") == [second]  # shorter than a trigram
    assert ids("love nothing-like-this") == []
    assert ids('50% "quoted" _x') == []  # LIKE and MATCH syntax are only text
    assert ids("   ") == [chat, second, first]


def test_a_binary_or_broken_body_is_kept_byte_for_byte_and_search_still_works(
    history: History,
) -> None:
    data = bytes(range(256)) * 10
    new_id = history.record(exchange(response=data, content_type="image/png"))
    history.record(exchange(response=b"\xff\xfe caf\xc3", content_type="text/plain"))
    got = history.get(new_id)
    assert got is not None
    assert got.response == data
    assert [r.id for r in history.search("abc123")] == [new_id + 1, new_id]


def test_list_pages_newest_first_and_delete_and_clear(history: History) -> None:
    ids = [history.record(exchange(spec(f"model{i}"))) for i in range(5)]
    assert [r.id for r in history.list(limit=2)] == ids[:2:-1][:2]
    assert [r.id for r in history.list(limit=2, offset=2)] == [ids[2], ids[1]]
    assert history.delete(ids[1])
    assert not history.delete(ids[1])
    assert history.get(ids[1]) is None
    assert history.search("model1") == []
    assert history.count() == 4
    history.clear()
    assert history.count() == 0
    assert history.list() == []
    assert history.search("model") == []
    history.record(exchange())  # still usable
    assert history.count() == 1


def test_clear_gives_the_space_back(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    for _ in range(20):
        history.record(exchange(response=b"q" * 100_000))
    assert history.size_bytes() > 2_000_000
    history.clear()
    assert history.size_bytes() < 200_000
    assert b"q" * 1000 not in (tmp_path / "h.sqlite3").read_bytes()
    history.close()


def test_prune_drops_the_oldest_until_the_database_fits(history: History) -> None:
    ids = [
        history.record(exchange(spec(f"m{i}"), response=f"{i} ".encode() * 20_000))
        for i in range(30)
    ]
    assert history.size_bytes() > 1_500_000
    dropped = history.prune(600_000)
    assert dropped > 0
    kept = [row.id for row in history.list()]
    assert kept == ids[dropped:][::-1]  # the oldest went, the newest stayed, in order
    assert history.size_bytes() <= 600_000
    assert len(kept) >= 5  # not far more than needed
    assert history.prune(600_000) == 0
    assert history.prune(0) == len(kept)
    assert history.count() == 0


def test_recording_prunes_now_and_then(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "PRUNE_EVERY", 4)
    history = History(tmp_path / "h.sqlite3", max_bytes=400_000)
    for i in range(40):
        history.record(exchange(spec(f"m{i}"), response=b"z" * 50_000))
    assert 0 < history.count() < 40
    assert history.size_bytes() < 400_000 + 4 * 120_000  # at most one round of records over
    history.close()


def test_a_file_that_is_not_a_database_is_set_aside_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database, just some text " * 100)
    history = History(path)
    assert "could not be read" in history.problem
    assert "new history" in history.problem
    [aside] = tmp_path.glob("history.sqlite3.broken-*")
    assert aside.name in history.problem
    assert aside.read_bytes().startswith(b"this is not a database")
    assert history.count() == 0
    history.record(exchange())
    assert history.count() == 1
    history.close()
    reopened = History(path)
    assert reopened.problem == ""
    assert reopened.count() == 1
    reopened.close()


def test_a_history_from_a_newer_version_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    history = History(path)
    assert "newer Playground" in history.problem
    [aside] = tmp_path.glob("history.sqlite3.broken-*")
    with sqlite3.connect(aside) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5
    old.close()
    assert history.schema_version == SCHEMA_VERSION
    history.close()


@pytest.mark.parametrize("fts5", [True, False])
def test_the_schema_is_versioned_and_an_old_file_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fts5: bool
) -> None:
    if not fts5:
        monkeypatch.setattr(history_schema, "fts5_available", lambda: False)
    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path)
    history_schema.create_exchanges(db)  # as version 1 left it: no search index yet
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO exchanges (at, remote, mode, target, url, request, outcome, status, total_s,"
        " metrics, request_id, deployment_id, error, content_type, response, response_size,"
        " truncated, answer) VALUES (1, 'r', 'predict', 'model old1 · production', '',"
        ' \'{"mode":"predict","target":{"model":"old1"}}\', \'finished\', 200, 0.5, \'{}\','
        " 'rq', '', '', 'text/plain', X'68656c6c6f', 5, 0, '')"
    )
    db.commit()
    db.close()
    history = History(path)
    assert history.schema_version == SCHEMA_VERSION == 6
    assert [r.target for r in history.search("hello")] == ["model old1 · production"]
    got = history.get(1)
    assert got is not None
    assert got.spec() == RequestSpec("predict", Target("old1", "production"))
    assert (got.response, got.response_size, got.request_id) == (b"hello", 5, "rq")
    history.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(exchanges)")]
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0  # the old table's space
    # what the list reads comes before the bodies (a column after one is read through it)
    assert columns[-4:] == ["metrics", "request", "answer", "response"]
    assert set(history_schema.ROW_COLUMNS.replace(" ", "").split(",")) <= set(columns[:-4])


def test_a_malformed_stored_request_says_so_in_words(history: History) -> None:
    new_id = history.record(Exchange({"mode": "teleport", "target": {"model": "x"}}))
    got = history.get(new_id)
    assert got is not None
    with pytest.raises(ValueError, match="unknown mode"):
        got.spec()
    assert "x" in got.where


@pytest.mark.parametrize(
    ("damage", "note"),
    [
        (
            """request = '{"mode": "predict",'""",
            "The stored request cannot be read (it is not valid JSON: Expecting property name "
            "enclosed in double quotes at line 1, column 20); it is shown empty.",
        ),
        (
            "request = '" + "[" * 100_000 + "'",
            "The stored request cannot be read (it is not valid JSON: arrays or objects are "
            "nested too deeply to read (more than 500 levels) at line 1, column 501); it is "
            "shown empty.",
        ),
        (
            """request = '{"n": """ + "1" * 5000 + "}'",
            "The stored request cannot be read (it is not valid JSON: a number with 5,000 digits "
            "(4,300 at most) at line 1, column 7); it is shown empty.",
        ),
        (
            "request = X'ff00', metrics = '[1, 2]'",
            "The stored request cannot be read (it is not valid JSON: Expecting value at line 1, "
            "column 1); it is shown empty. The stored metrics is a list, not an object; it is "
            "shown empty.",
        ),
        ("metrics = 'null'", "The stored metrics is null, not an object; it is shown empty."),
        ("response = 1.5", "The stored response is a number, not bytes; it is shown empty."),
    ],
    ids=["bad-json", "deep", "long-number", "blob-and-list", "null", "number"],
)
def test_a_damaged_row_gives_what_can_be_read_with_a_note(
    tmp_path: Path, damage: str, note: str
) -> None:
    path = tmp_path / "history.sqlite3"
    history = History(path)
    before = history.record(exchange(spec("before")))
    damaged = history.record(exchange(spec("damaged"), response=b"kept", status=200))
    with sqlite3.connect(path) as db:  # a file damaged behind the history's back
        db.execute(f"UPDATE exchanges SET {damage} WHERE id = ?", (damaged,))
    db.close()
    got = history.get(damaged)
    assert got is not None
    assert got.note == note
    assert (got.id, got.status, got.remote) == (damaged, 200, "local demo")
    if "response" not in damage:
        assert got.response == b"kept"
    if "request" not in damage:
        assert got.spec() == spec("damaged")
    else:
        assert got.request == {}
        assert got.where == ""
        with pytest.raises(ValueError, match="a request needs a target"):
            got.spec()
    assert [row.id for row in history.list()] == [damaged, before]  # the rest is all there
    fine = history.get(before)
    assert fine is not None
    assert fine.note == ""
    assert fine.spec() == spec("before")
    history.close()


def test_a_worker_records_while_the_window_reads(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(50):
                history.record(exchange(spec(f"w{i}"), response=b"r" * 50_000))
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=write)
    worker.start()
    while worker.is_alive():
        history.list(20)
        history.search("w1")
    worker.join()
    assert errors == []
    assert history.count() == 50
    history.close()


def test_a_write_that_fails_is_a_history_error(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite3")
    history.close()
    with pytest.raises(HistoryError, match="history"):
        history.record(exchange())


def test_a_folder_it_cannot_write_gives_a_history_for_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    history = open_history(blocked / "history.sqlite3")
    assert "could not be opened" in history.problem
    assert str(blocked) in history.problem
    [folder] = (tmp_path / "tmp").iterdir()
    assert folder.name.startswith(f"playground-history-{os.getpid()}-")
    assert history.path.parent == folder
    assert str(folder) in history.problem
    history.record(exchange())
    assert history.count() == 1
    history.close()
    assert blocked.read_text() == "a file where the data folder should be"
    assert list((tmp_path / "tmp").iterdir()) == []  # the session's folder goes with it


def test_folders_of_sessions_that_died_are_removed_and_no_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "tmp"
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    with subprocess.Popen([sys.executable, "-c", "pass"]) as gone:
        pass
    day = 24 * 3600
    ages = {
        f"playground-history-{gone.pid}-dead1234": 2 * day,  # its process ended: removed
        f"playground-history-{gone.pid}-fresh123": 3600,  # written an hour ago: kept
        f"playground-history-{os.getpid()}-alive123": 30 * day,  # its process runs: kept
        "playground-history-oldform1": 8 * day,  # named by no process, a week old: removed
        "playground-history-oldform2": 2 * day,  # not yet
        "playground-other-thing": 30 * day,  # not ours
    }
    now = time.time()
    for name, age in ages.items():
        (root / name).mkdir(parents=True)
        (root / name / "history.sqlite3").write_bytes(b"x")
        for path in (root / name / "history.sqlite3", root / name):
            os.utime(path, (now - age, now - age))
    removed = {p.name for p in history_scratch.remove_stale(now=now)}
    assert removed == {f"playground-history-{gone.pid}-dead1234", "playground-history-oldform1"}
    assert {p.name for p in root.iterdir()} == set(ages) - removed
    # Folders of another user are never touched (as root, say, or in a shared /tmp).
    monkeypatch.setattr(os, "getuid", lambda: os.stat(root).st_uid + 1)
    (root / "playground-history-oldform3").mkdir()
    os.utime(root / "playground-history-oldform3", (now - 30 * day, now - 30 * day))
    assert history_scratch.remove_stale(now=now) == []
    # A new session's fallback tidies them.
    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    (tmp_path / "blocked").write_text("")
    history = open_history(tmp_path / "blocked" / "history.sqlite3")
    history.close()
    assert not (root / "playground-history-oldform3").exists()


OPENER = r"""
import sys, time
from pathlib import Path
from playground.core.history.store import Exchange, open_history

folder, rounds, start = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
for n in range(rounds):
    while time.time() < start + n * 0.4:  # every process opens the same new file at once
        pass
    history = open_history(folder / f"history-{n}.sqlite3")
    history.record(Exchange({"mode": "predict", "target": {"model": f"m{n}"}}))
    print(n, repr(history.problem), history.path, flush=True)
    history.close()
"""


def test_processes_opening_the_same_new_history_at_once_share_it(tmp_path: Path) -> None:
    """Starting two windows at once: each records into the one history, none into a scratch one."""
    processes, rounds = 4, 8
    root = str(Path(__file__).resolve().parents[2])
    scratch = tmp_path / "tmp"  # where a history for the session would go, were it locked out
    scratch.mkdir()
    start = str(time.time() + 1.5)  # after every interpreter has started
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(tmp_path), str(rounds), start],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": root, "TMPDIR": str(scratch)},
        )
        for _ in range(processes)
    ]
    lines = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        lines += out.splitlines()
    expected = [f"{n} '' {tmp_path / f'history-{n}.sqlite3'}" for n in range(rounds)]
    assert sorted(lines) == sorted(expected * processes)
    for n in range(rounds):
        history = History(tmp_path / f"history-{n}.sqlite3")
        assert history.count() == processes
        assert history.schema_version == SCHEMA_VERSION
        history.close()
    assert list(scratch.iterdir()) == []
