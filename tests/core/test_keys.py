"""Keys: the environment, the keyring per remote, ~/.trussrc read only, and never shown whole."""

from __future__ import annotations

from pathlib import Path

import keyring.errors
import pytest

from playground.core.remote.keys import (
    KEYRING_SERVICE,
    KeyringUnavailable,
    find_key,
    forget_key,
    store_key,
    trussrc_keys,
)
from playground.core.secrets import Redactor, mask
from tests.conftest import MemoryKeyring


def test_environment_wins_over_the_keyring(test_keyring: MemoryKeyring) -> None:
    test_keyring.set_password(KEYRING_SERVICE, "baseten", "from-keyring-1234")
    assert find_key("baseten", {"BASETEN_API_KEY": "from-env-5678"}).source == "environment"  # type: ignore[union-attr]
    found = find_key("baseten", {})
    assert found is not None
    assert (found.key, found.source) == ("from-keyring-1234", "keyring")
    assert find_key("other", {}) is None


def test_store_and_forget(test_keyring: MemoryKeyring) -> None:
    store_key("local", "abcdefgh12345678")
    assert test_keyring.items[(KEYRING_SERVICE, "local")] == "abcdefgh12345678"
    forget_key("local")
    forget_key("local")  # forgetting twice is fine
    assert find_key("local", {}) is None


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")


def test_no_keyring_is_a_plain_message_not_a_crash() -> None:
    keyring.set_keyring(BrokenKeyring())
    assert find_key("baseten", {}) is None
    with pytest.raises(KeyringUnavailable, match="this session only"):
        store_key("baseten", "k" * 20)


def test_trussrc_sections_with_inline_keys(tmp_path: Path) -> None:
    rc = tmp_path / ".trussrc"
    rc.write_text(
        "[baseten]\nremote_provider = baseten\nremote_url = https://app.baseten.co\n"
        "api_key = abcd1234.efgh5678\n\n"
        "[staging]\nremote_url = https://app.staging.baseten.co\napi_key = stg-key-0000\n\n"
        "[oauth]\nremote_provider = baseten\nauth_type = oauth\n\n"
        "[other]\nremote_provider = something-else\napi_key = nope\n",
        encoding="utf-8",
    )
    found = trussrc_keys(rc)
    assert [(r.section, r.remote_url, r.key.key) for r in found] == [
        ("baseten", "https://app.baseten.co", "abcd1234.efgh5678"),
        ("staging", "https://app.staging.baseten.co", "stg-key-0000"),
    ]
    assert rc.read_text(encoding="utf-8").startswith("[baseten]")  # read, never written


@pytest.mark.parametrize("content", [None, "not an ini file [", "\xff\xfe garbage"])
def test_missing_or_broken_trussrc_gives_nothing(tmp_path: Path, content: str | None) -> None:
    rc = tmp_path / ".trussrc"
    if content is not None:
        rc.write_bytes(content.encode("latin-1"))
    assert trussrc_keys(rc) == []


def test_keys_are_masked_in_reprs() -> None:
    found = find_key("x", {"BASETEN_API_KEY": "sk-very-secret-9876"})
    assert "sk-very-secret" not in repr(found)
    assert mask("sk-very-secret-9876") == "••••9876"
    assert mask("short") == "••••"


def test_redact_masks_every_copy_of_a_key_and_leaves_short_ones() -> None:
    key = "sk-live-abcdef123456"
    redact = Redactor([key]).data
    assert redact(f"a {key} b {key}".encode()) == "a ••••3456 b ••••3456".encode()
    assert redact(b"nothing here") == b"nothing here"
    assert Redactor(["short"]).data(b"the word short") == b"the word short"  # too short
    assert Redactor([""]).data(b"anything") == b"anything"
