"""Is a webhook from Baseten? `X-BASETEN-SIGNATURE` holds one `v1=<hex>` per active secret
(several during a rotation), each HMAC-SHA256 of the raw body; the payload's `time` must be
recent (baseten-api.md §0, §4.8)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from playground.core.jsontext import parse_json

SIGNATURE_HEADER = "x-baseten-signature"
REQUEST_ID_HEADER = "x-baseten-request-id"
TOLERANCE_S = 300.0  # Baseten's sample validator allows five minutes


@dataclass(frozen=True)
class Verification:
    """`ok`, the name of the secret that matched, and in words why not otherwise."""

    ok: bool
    reason: str
    secret_name: str = ""
    request_id: str = ""


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def signatures(header: str) -> list[str]:
    """The hex digests of a `v1=<hex>,v1=<hex>` header; other schemes are not ours to read."""
    found = []
    for part in header.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == "v1" and value:
            found.append(value.strip().lower())
    return found


def sign(secret: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Mapping[str, str],
    *,
    now: float | None = None,
    tolerance_s: float = TOLERANCE_S,
) -> Verification:
    """Whether `body` with `headers` was signed by one of `secrets` (name → secret) and is
    recent; the reason is a sentence either way."""
    header = _header(headers, SIGNATURE_HEADER)
    if not header:
        return Verification(False, "No X-BASETEN-SIGNATURE header: the payload is not signed.")
    given = signatures(header)
    if not given:
        return Verification(False, "The X-BASETEN-SIGNATURE header holds no v1= signature.")
    if not secrets:
        return Verification(False, "No webhook secret is kept here to check the signature with.")
    matched = ""
    for name, secret in secrets.items():
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, value) for value in given):
            matched = name
            break
    if not matched:
        return Verification(
            False,
            f"None of the {len(given)} signature(s) matches a kept secret "
            f"({', '.join(secrets)}): the body was changed, or it was signed with another "
            "secret (one rotated out more than 24 h ago?).",
        )
    try:
        payload = parse_json(body)
    except ValueError:
        return Verification(False, "The signature matches but the body is not JSON.", matched)
    if not isinstance(payload, dict):
        return Verification(False, "The signature matches but the body is not an object.", matched)
    request_id = str(payload.get("request_id") or _header(headers, REQUEST_ID_HEADER))
    sent = payload.get("time")
    try:
        at = datetime.fromisoformat(str(sent).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return Verification(
            False, f"The payload's time {sent!r} is not a time.", matched, request_id
        )
    age = (time.time() if now is None else now) - at
    if abs(age) > tolerance_s:
        when = "old" if age > 0 else "in the future"
        return Verification(
            False,
            f"The payload's time is {abs(age):.0f} s {when} (more than {tolerance_s:.0f} s): "
            "a replay, or a clock that is off.",
            matched,
            request_id,
        )
    return Verification(True, f"Verified with the secret {matched!r}.", matched, request_id)
