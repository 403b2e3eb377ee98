"""The remotes a person has: built in, added by hand, and named in ~/.trussrc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.core.remote.config import RemoteConfigError, RemoteStore, remote_from_url
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
    assert data["schema_version"] == 1
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


def test_a_broken_file_is_set_aside_with_a_message(store: RemoteStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"schema_version": 1, "remotes": [', encoding="utf-8")
    assert list(store.all()) == ["baseten"]
    assert "moved to remotes.json.broken-" in store.problems[0]
    assert not store.path.exists()
    assert list(store.path.parent.glob("remotes.json.broken-*"))
    store.add(remote_from_url("laptop", "http://127.0.0.1:8765"))  # a fresh file
    assert list(store.all()) == ["baseten", "laptop"]
