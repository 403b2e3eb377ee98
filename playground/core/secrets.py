"""What counts as a secret, and how one is hidden wherever it could be shown or kept."""

from __future__ import annotations

# Headers that carry a credential: never kept in a preset or the history, never typed into the
# window, shown masked. The one list for requests and for what a response view displays.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie"}
)


def is_secret_header(name: str) -> bool:
    return name.lower() in SECRET_HEADERS


def mask(key: str) -> str:
    """How a key is shown anywhere: its last four characters at most."""
    return "••••" + key[-4:] if len(key) > 8 else "••••"


def redact(data: bytes, key: str) -> bytes:
    """`data` with every copy of `key` masked: for what a server echoes back (some proxies quote
    the key they refused). Keys shorter than 8 characters are left alone: too likely to be words."""
    if len(key) < 8:
        return data
    return data.replace(key.encode(), mask(key).encode())
