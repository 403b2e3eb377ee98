"""Webhook secrets (`whsec_…`) live in the OS keyring only, by name: never in a settings file,
never printed (each is masked like an API key once read)."""

from __future__ import annotations

import json

from playground.core.remote.keys import KEYRING_SERVICE, KeyringUnavailable, _keyring
from playground.core.secrets import remember

ENTRY = "webhook-secrets"  # one keyring entry: a JSON object of name → secret


def load_secrets() -> dict[str, str]:
    """Every kept secret by name ({} when there are none or no keyring)."""
    keyring = _keyring()
    try:
        stored = keyring.get_password(KEYRING_SERVICE, ENTRY)
    except (keyring.errors.KeyringError, RuntimeError):
        return {}
    try:
        secrets = json.loads(stored) if stored else {}
    except ValueError:
        return {}
    if not isinstance(secrets, dict):
        return {}
    kept = {str(k): str(v) for k, v in secrets.items() if v}
    for secret in kept.values():
        remember(secret)
    return kept


def _save(secrets: dict[str, str]) -> None:
    keyring = _keyring()
    try:
        if secrets:
            keyring.set_password(KEYRING_SERVICE, ENTRY, json.dumps(secrets))
        else:
            keyring.delete_password(KEYRING_SERVICE, ENTRY)
    except keyring.errors.PasswordDeleteError:
        pass
    except (keyring.errors.KeyringError, RuntimeError) as exc:
        raise KeyringUnavailable(
            "No usable keyring on this system: webhook secrets are kept nowhere else."
        ) from exc


def store_secret(name: str, secret: str) -> None:
    """Keep `secret` under `name` (a second one during a rotation keeps the first)."""
    if not name.strip() or not secret.strip():
        raise ValueError("a webhook secret needs a name and a value")
    remember(secret.strip())
    secrets = load_secrets()
    secrets[name.strip()] = secret.strip()
    _save(secrets)


def forget_secret(name: str) -> None:
    secrets = load_secrets()
    if secrets.pop(name, None) is not None:
        _save(secrets)


def secret_names() -> list[str]:
    return sorted(load_secrets())
