"""Where an API key comes from: `BASETEN_API_KEY`, `~/.trussrc` (read only), or the OS keyring per remote."""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from playground.core.secrets import mask, remember

if TYPE_CHECKING:
    from playground.core.remote.remotes import Remote

KEYRING_SERVICE = "baseten-playground"


def _keyring() -> ModuleType:
    """keyring, loaded when first needed: finding its backend costs start-up time."""
    import keyring
    import keyring.errors

    return keyring


ENV_VAR = "BASETEN_API_KEY"


class KeyringUnavailable(Exception):
    """No usable OS keyring (a headless Linux box, a locked one): keep the key for this session."""


@dataclass(frozen=True)
class FoundKey:
    key: str
    source: str  # "environment", "keyring" or "trussrc [section]"

    def __post_init__(self) -> None:
        remember(self.key)  # masked from now on, even before (or unless) it is used

    def __repr__(self) -> str:  # the key itself never reaches a log or a traceback
        return f"FoundKey(source={self.source!r}, key={self.masked!r})"

    @property
    def masked(self) -> str:
        return mask(self.key)


def env_key(environ: Mapping[str, str] | None = None) -> FoundKey | None:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return FoundKey(value, "environment") if value else None


def keyring_key(remote_name: str) -> FoundKey | None:
    keyring = _keyring()
    try:
        stored = keyring.get_password(KEYRING_SERVICE, remote_name)
    except (keyring.errors.KeyringError, RuntimeError):
        return None
    return FoundKey(stored, "keyring") if stored else None


def find_key(remote_name: str, environ: Mapping[str, str] | None = None) -> FoundKey | None:
    """The environment wins (as with the baseten CLI), then the keyring."""
    return env_key(environ) or keyring_key(remote_name)


def keyring_usable() -> bool:
    """Whether the OS keyring can hold a key here (not on a headless box, not when locked)."""
    keyring = _keyring()
    try:
        keyring.get_password(KEYRING_SERVICE, "__probe__")
    except (keyring.errors.KeyringError, RuntimeError):
        return False
    return True


def store_key(remote_name: str, key: str) -> None:
    """Keep `key` in the OS keyring for `remote_name`; raises KeyringUnavailable when there is none."""
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, remote_name, key)
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise KeyringUnavailable(
            "No usable keyring on this system, so the key is kept for this session only. "
            f"Set {ENV_VAR} to have it every time."
        ) from exc


def forget_key(remote_name: str) -> None:
    keyring = _keyring()
    try:
        keyring.delete_password(KEYRING_SERVICE, remote_name)
    except keyring.errors.PasswordDeleteError:
        pass
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise KeyringUnavailable(str(exc)) from exc


def trussrc_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("USER_TRUSSRC_PATH") or Path.home() / ".trussrc")


@dataclass(frozen=True)
class TrussRemote:
    """A section of `~/.trussrc` with an inline API key (truss's own format; we only read it)."""

    section: str
    remote_url: str
    key: FoundKey


def trussrc_keys(path: Path | None = None) -> list[TrussRemote]:
    """The API keys in `~/.trussrc`; a missing or broken file gives none, never an exception."""
    path = path or trussrc_path()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return []
    found = []
    for section in parser.sections():
        entry = parser[section]
        if entry.get("remote_provider", "baseten") != "baseten":
            continue
        key = entry.get("api_key", "").strip()
        if key and entry.get("auth_type", "api_key") == "api_key":
            found.append(
                TrussRemote(
                    section,
                    entry.get("remote_url", "https://app.baseten.co"),
                    FoundKey(key, f"trussrc [{section}]"),
                )
            )
    return found


def own_key(remote: Remote) -> FoundKey | None:
    """`remote`'s own key: the keyring's for its name, or its ~/.trussrc section's. Never
    BASETEN_API_KEY: that is the window's remote's, and must not go to another one."""
    if not remote.needs_key:
        return None
    found = keyring_key(remote.name)
    if found is not None:
        return found
    return next((e.key for e in trussrc_keys() if e.section == remote.name), None)
