"""Where an API key comes from: `BASETEN_API_KEY`, or the OS keyring per remote. Never a file of ours."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import keyring
import keyring.errors

KEYRING_SERVICE = "baseten-playground"
ENV_VAR = "BASETEN_API_KEY"


@dataclass(frozen=True)
class FoundKey:
    key: str
    source: str  # "environment" or "keyring"

    def __repr__(self) -> str:  # the key itself never reaches a log or a traceback
        return f"FoundKey(source={self.source!r}, key='…{self.key[-4:]}')"


def find_key(remote_name: str, environ: Mapping[str, str] | None = None) -> FoundKey | None:
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "").strip()
    if value:
        return FoundKey(value, "environment")
    try:
        stored = keyring.get_password(KEYRING_SERVICE, remote_name)
    except (keyring.errors.KeyringError, RuntimeError):
        return None  # no usable keyring (headless Linux): the caller explains what to do
    return FoundKey(stored, "keyring") if stored else None


def mask(key: str) -> str:
    """How a key is shown anywhere: its last four characters at most."""
    return "…" + key[-4:] if len(key) > 8 else "…"
