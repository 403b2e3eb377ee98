"""Honest, named timings taken at the network layer: headers, first byte, first token, total, rate."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Metrics:
    """One call's figures. Times are seconds from the moment the request was sent."""

    status: int = 0
    request_id: str | None = None
    model_id: str | None = None
    deployment_id: str | None = None
    attempts: int = 1  # the retries after 429/502/503 included
    waited_s: float = 0.0  # seconds spent waiting between attempts
    headers_s: float | None = None
    first_byte_s: float | None = None
    first_token_s: float | None = None
    total_s: float | None = None
    bytes: int = 0
    tokens: int | None = None
    tokens_estimated: bool = False
    prompt_tokens: int | None = None
    streamed: bool = False
    # An audio body (WAV or raw PCM): when its first sample came, after any container header;
    # how many seconds of audio arrived; and at what pace (see `core.audio.AudioMeter`).
    first_audio_s: float | None = None
    audio_s: float | None = None
    realtime_factor: float | None = None

    @property
    def tokens_per_s(self) -> float | None:
        """Completion tokens per second of generation.

        Streamed: the tokens after the first over the time from the first token to the end
        (the decode rate). Not streamed: all tokens over the whole call, the only honest figure.
        """
        if not self.tokens or self.total_s is None:
            return None
        if not self.streamed:
            return self.tokens / self.total_s if self.total_s > 0 else None
        start = self.first_token_s if self.first_token_s is not None else self.first_byte_s
        span = self.total_s - (start or 0.0)
        if self.tokens > 1 and span > 0:
            return (self.tokens - 1) / span
        return self.tokens / self.total_s if self.total_s > 0 else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tokens_per_s"] = self.tokens_per_s
        return data


class Clock:
    """Marks against one start, with the monotonic high-resolution clock."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def now(self) -> float:
        return time.perf_counter() - self.start
