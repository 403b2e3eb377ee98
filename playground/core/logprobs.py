"""An answer's tokens with their log probabilities and likeliest alternatives: what a chat
asked for logprobs shows tinted, in the shapes a stream's chunks are decoded into."""

from __future__ import annotations

from typing import Any

import msgspec


class Alternative(msgspec.Struct, frozen=True, gc=False):
    """One of the likeliest tokens at a place in an answer, with its log probability."""

    token: str
    logprob: float


class TokenLogprob(msgspec.Struct, frozen=True, gc=False):
    """One token of an answer with its log probability, and the likeliest alternatives.

    A msgspec struct, named as OpenAI's `logprobs.content` entries are: a stream's chunks are
    decoded straight into it (chat/protocol.py), without building the dicts and the `bytes`
    lists of every token first. Never part of a cycle, so the garbage collector skips it.
    """

    token: str
    logprob: float
    top: tuple[Alternative, ...] = msgspec.field(default=(), name="top_logprobs")

    @classmethod
    def from_openai(cls, entry: Any) -> TokenLogprob | None:
        """From an OpenAI `logprobs.content` entry of any shape; None for one that has no token
        and log probability (alternatives without theirs are left out)."""
        if not isinstance(entry, dict) or not isinstance(entry.get("logprob"), int | float):
            return None
        alternatives = entry.get("top_logprobs")
        top = tuple(
            Alternative(str(alt.get("token", "")), float(alt["logprob"]))
            for alt in (alternatives if isinstance(alternatives, list) else ())
            if isinstance(alt, dict) and isinstance(alt.get("logprob"), int | float)
        )
        return cls(str(entry.get("token", "")), float(entry["logprob"]), top)


TokenLogprobs = tuple[TokenLogprob, ...]


def token_logprobs(logprobs: Any) -> TokenLogprobs:
    """The tokens of a choice's `logprobs` object (`{"content": [...]}`); () when absent."""
    entries = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(entries, list):
        return ()
    try:
        return msgspec.convert(entries, TokenLogprobs)
    except msgspec.ValidationError:  # an odd shape: entry by entry, keeping what makes sense
        return tuple(t for t in map(TokenLogprob.from_openai, entries) if t is not None)
