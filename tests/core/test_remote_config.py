"""The remotes a person has: built in, added by hand, and named in ~/.trussrc."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from playground.core.remote.config import (
    RemoteConfigError,
    RemoteFileError,
    RemoteStore,
    remote_from_url,
)
from playground.core.remote.remotes import Remote


@pytest.fixture
def store(tmp_path: Path) -> RemoteStore:
    return RemoteStore(tmp_path / "config" / "remotes.json", trussrc=tmp_path / ".trussrc")


def test_baseten_is_built_in(store: RemoteStore) -> None:
    assert store.get("baseten") == Remote.baseten()
    with pytest.raises(RemoteConfigError, match="known: baseten"):
        store.get("staging")


def test_added_remotes_round_trip_in_a_plain_file(store: RemoteStore) -> None:
    store.add(remote_from_url("staging", "https://app.staging.baseten.co"))
    store.add(remote_from_url("laptop", "http://127.0.0.1:8765"))
    assert store.get("staging").management == "https://api.staging.baseten.co"
    assert store.get("laptop").inference == "http://127.0.0.1:8765/{host}"
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    assert [r["name"] for r in data["remotes"]] == ["staging", "laptop"]
    assert store.path.read_text(encoding="utf-8").endswith("}\n")
    store.remove("staging")
    assert list(store.all()) == ["baseten", "laptop"]
    with pytest.raises(RemoteConfigError, match="No added remote"):
        store.remove("staging")


def test_trussrc_sections_are_remotes_and_never_copied(store: RemoteStore, tmp_path: Path) -> None:
    (tmp_path / ".trussrc").write_text(
        "[work]\nremote_provider = baseten\nremote_url = https://app.staging.baseten.co\n"
        "api_key = abcdefghijklmnop\n",
        encoding="utf-8",
    )
    assert store.get("work").model_apis == "https://inference.staging.baseten.co/v1"
    assert not store.path.exists()  # read, never written


@pytest.mark.parametrize(
    ("name", "url", "words"),
    [("bad name", "https://app.baseten.co", "letters, digits"), ("x", "", "not a URL")],
)
def test_bad_remotes_say_what_is_wrong(name: str, url: str, words: str) -> None:
    with pytest.raises(RemoteConfigError, match=words):
        remote_from_url(name, url)


def test_baseten_cannot_be_replaced(store: RemoteStore) -> None:
    with pytest.raises(RemoteConfigError, match="built in"):
        store.add(Remote.local("http://127.0.0.1:1", name="baseten"))


TRUSSRC = (
    "[work]\nremote_provider = baseten\nremote_url = https://app.staging.baseten.co\n"
    "api_key = abcdefghijklmnop\n"
)


def _deny(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`path` cannot be opened, as chmod 000 does (for anyone but root, whom tests may run as)."""
    real_open = os.open

    def no_permission(name: object, *args: object, **kwargs: object) -> int:
        if Path(str(name)) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_permission)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"schema_version": 1, "remotes": [', "is not valid JSON: Expecting value at line 1"),
        (bytes(range(256)) * 4, "is not UTF-8 text: byte 0x80 at line 2, column 118"),
        (b"\x00\x13garbage", "is not valid JSON: Expecting value at line 1, column 1"),
        (b"[" * 100_000, "arrays or objects are nested too deeply to read (more than 500 levels)"),
        (b'{"schema_version": ' + b"1" * 5000 + b"}", "a number with 5,000 digits (4,300 at most)"),
        (b"[]", "it must hold a JSON object"),
        (b'{"remotes": []}', "schema_version None is not a version Playground knows"),
        (b'{"schema_version": 1, "remotes": {}}', '"remotes" must be a list'),
        (b'{"schema_version": 1, "remotes": [7]}', "remote 1 must be a JSON object"),
        (
            b'{"schema_version": 1, "remotes": [{"name": "x", "inference": 1}]}',
            "remote 1 ('x') needs inference (a URL, as a string)",
        ),
        (
            b'{"schema_version": 1, "remotes": [{"name": "baseten"}]}',
            "remote 1 is named 'baseten', which is built in",
        ),
        ("folder", "cannot be used: it is a folder, not a file."),
        ("no permission", "cannot be used: it cannot be read (Permission denied)."),
        (
            b'{"schema_version": 3, "remotes": [], "more": {}}',
            "was written by a newer Playground (schema_version 3; this one reads up to 2). It is "
            "left as it is: change your remotes with that Playground.",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_left_as_it_is_and_said_so(
    store: RemoteStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes | str,
    words: str,
) -> None:
    (tmp_path / ".trussrc").write_text(TRUSSRC, encoding="utf-8")
    store.path.parent.mkdir(parents=True)
    if content == "folder":
        store.path.mkdir()
    else:
        store.path.write_bytes(b"{}" if content == "no permission" else content)  # type: ignore[arg-type]
    if content == "no permission":
        _deny(store.path, monkeypatch)
    before = sorted(store.path.parent.iterdir())
    # What needs no file still works: the built-in remote and ~/.trussrc's.
    assert list(store.all()) == ["baseten", "work"]
    assert store.get("baseten") == Remote.baseten()
    [problem] = store.problems
    assert problem.startswith(str(store.path))
    assert words in problem
    # What may be in the file is refused in words, never guessed, and nothing is written.
    for change in (
        lambda: store.get("work"),
        lambda: store.get("laptop"),
        lambda: store.add(remote_from_url("laptop", "http://127.0.0.1:8765")),
        lambda: store.remove("laptop"),
    ):
        with pytest.raises(RemoteFileError) as raised:
            change()
        assert str(raised.value) == problem
    assert sorted(store.path.parent.iterdir()) == before
    if isinstance(content, bytes):
        assert store.path.read_bytes() == content
    monkeypatch.undo()
    # Once it is fixed (or moved away), it is read again.
    if store.path.is_dir():
        store.path.rmdir()
    else:
        store.path.unlink()
    store.add(remote_from_url("laptop", "http://127.0.0.1:8765"))
    assert list(store.all()) == ["baseten", "work", "laptop"]
    assert store.problems == []
