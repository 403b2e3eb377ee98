"""Deterministic log probabilities in OpenAI's shapes (chat `logprobs.content`, legacy completions)."""

from __future__ import annotations

import math
import zlib
from typing import Any

MAX_TOP_LOGPROBS = 20


class LogprobsError(Exception):
    """A logprobs request the engine refuses (400)."""


def wanted(body: dict[str, Any]) -> int | None:
    """How many alternatives per token (0 = only the token's own); None when logprobs are off."""
    top = body.get("top_logprobs")
    if top is not None and (
        isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= MAX_TOP_LOGPROBS
    ):
        raise LogprobsError(f"`top_logprobs` must be an integer between 0 and {MAX_TOP_LOGPROBS}.")
    if not body.get("logprobs"):
        if top:
            raise LogprobsError("`logprobs` must be set to true when `top_logprobs` is used.")
        return None
    return int(top or 0)


def _logprob(token: str, position: int) -> float:
    """A stable value in (-4, 0]: most tokens are likely, some are not."""
    spread = zlib.crc32(f"{position}:{token}".encode()) % 10_000 / 10_000
    return round(-4.0 * spread**3, 6)


def _alternatives(token: str, position: int, count: int, own: float) -> list[tuple[str, float]]:
    stem = token.strip() or token
    options = [stem.upper(), stem.lower(), stem.capitalize(), f" {stem}s", f"{stem}.", " the"]
    options += [f" alt{i}" for i in range(count)]
    seen, out = {token}, [(token, own)]
    mass = 1.0 - math.exp(own)
    for i, option in enumerate(options):
        if len(out) >= count:
            break
        if option in seen:
            continue
        seen.add(option)
        share = max(mass * 0.6 ** (i + 1), 1e-9)
        out.append((option, round(math.log(share), 6)))
    out.sort(key=lambda pair: -pair[1])
    return out[:count]


def entry(token: str, position: int, top: int) -> dict[str, Any]:
    """One token of a chat completion's `logprobs.content`."""
    own = _logprob(token, position)
    return {
        "token": token,
        "logprob": own,
        "bytes": list(token.encode()),
        "top_logprobs": [
            {"token": t, "logprob": lp, "bytes": list(t.encode())}
            for t, lp in (_alternatives(token, position, top, own) if top else [])
        ],
    }


def chat_logprobs(tokens: list[str], top: int, start: int = 0) -> dict[str, Any]:
    return {
        "content": [entry(t, start + i, top) for i, t in enumerate(tokens)],
        "refusal": None,
    }


def completion_logprobs(
    tokens: list[str], top: int, start: int = 0, offset: int = 0
) -> dict[str, Any]:
    """The legacy completions shape: parallel lists, `top_logprobs` as token → logprob maps."""
    own = [_logprob(t, start + i) for i, t in enumerate(tokens)]
    offsets = []
    for token in tokens:
        offsets.append(offset)
        offset += len(token)
    return {
        "tokens": list(tokens),
        "token_logprobs": own,
        "top_logprobs": [
            dict(_alternatives(t, start + i, max(top, 1), own[i])) for i, t in enumerate(tokens)
        ],
        "text_offset": offsets,
    }
