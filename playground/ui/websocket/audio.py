"""A session's received binary frames as one audio file: raw PCM (.pcm) or with a WAV header
(.wav), its format taken from what the model said in its JSON frames (e.g. a text-to-speech
model's end marker: sample_rate, sample_width, channels), 16 kHz 16-bit mono otherwise."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from playground.core.files import write_atomically
from playground.core.ws.frames import Frame


@dataclass(frozen=True)
class PcmFormat:
    sample_rate: int = 16_000
    sample_width: int = 2  # bytes per sample
    channels: int = 1

    @property
    def words(self) -> str:
        return f"{self.sample_rate} Hz, {8 * self.sample_width}-bit, {self.channels} channel(s)"


def received_audio(frames: Iterable[Frame]) -> tuple[bytes, PcmFormat]:
    """The received binary frames joined in order, and the format the model announced."""
    chunks: list[bytes] = []
    found = PcmFormat()
    for frame in frames:
        if frame.direction != "received":
            continue
        if isinstance(frame.data, bytes):
            chunks.append(frame.data)
        elif '"sample_rate"' in frame.data:
            found = _format(frame.data) or found
    return b"".join(chunks), found


def _format(text: str) -> PcmFormat | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    rate, width, channels = (value.get(k) for k in ("sample_rate", "sample_width", "channels"))
    if not isinstance(rate, int) or rate <= 0:
        return None
    width = width if isinstance(width, int) and width in (1, 2, 3, 4) else 2
    channels = channels if isinstance(channels, int) and channels > 0 else 1
    return PcmFormat(rate, width, channels)


def save_audio(path: Path, data: bytes, pcm: PcmFormat) -> None:
    """`.wav`: a WAV file of `data`; any other name: the raw bytes. Written atomically (and,
    like every file the app writes, with any key in use masked)."""
    if path.suffix.lower() == ".wav":
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(pcm.channels)
            out.setsampwidth(pcm.sample_width)
            out.setframerate(pcm.sample_rate)
            out.writeframes(data)
        data = buffer.getvalue()
    write_atomically(path, data)
