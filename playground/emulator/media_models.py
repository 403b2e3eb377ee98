"""Media models as Baseten users deploy them: an image generator, text-to-speech and speech-to-text."""

from __future__ import annotations

import array
import asyncio
import base64
import binascii
import hashlib
import io
import math
import struct
import sys
import wave
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from starlette.responses import Response

from playground.emulator.behaviours import Behaviour, invalid
from playground.emulator.catalogue import Call, InvalidInput
from playground.emulator.streams import streaming

# --- image generator (SDXL / Flux Truss examples answer {"data": "<base64 PNG>"}) -------------


def png(width: int, height: int, key: bytes) -> bytes:
    """An RGB PNG whose colours and pattern come from `key` (a hash), written with zlib alone."""

    def block(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    first, second = key[0:3], key[3:6]
    palette = [
        bytes(round(a + (b - a) * level / 255) for a, b in zip(first, second, strict=True))
        for level in range(256)
    ]
    pattern, kx, ky, size = key[6] % 3, 1 + key[7] % 7, 1 + key[8] % 7, 4 + key[9] % 28
    cx, cy = key[10] * width // 256, key[11] * height // 256
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        if pattern == 0:  # diagonal bands
            levels = ((x * kx + y * ky + key[12]) % 256 for x in range(width))
        elif pattern == 1:  # a checkerboard over a gradient
            levels = (
                (x * 127 // width) + 128 * ((x // size + y // size) % 2) for x in range(width)
            )
        else:  # rings about a point
            levels = (int(math.hypot(x - cx, y - cy) * kx) % 256 for x in range(width))
        rows += b"".join(palette[level] for level in levels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + block(b"IHDR", header)
        + block(b"IDAT", zlib.compress(bytes(rows), 6))
        + block(b"IEND", b"")
    )


def _dimension(payload: dict[str, Any], name: str) -> int:
    value = payload.get(name, 256)
    if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= 512:
        raise InvalidInput(f"Input validation error: {name} must be an integer from 16 to 512")
    return value


class ImageGeneratorBehaviour(Behaviour):
    """A text-to-image model: `{"prompt": …}` in, `{"data": "<base64 PNG>"}` out."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        if not isinstance(payload, dict):
            raise InvalidInput("Input validation error: the body must be a JSON object")
        prompt = payload.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidInput("Input validation error: `prompt` (a non-empty string) is required")
        width, height = _dimension(payload, "width"), _dimension(payload, "height")
        seed = payload.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidInput("Input validation error: seed must be an integer")
        # Each environment's deployment draws in a style of its own, as a new checkpoint would.
        key = f"{variant.get('style', '')}\0{prompt}\0{seed}".encode()
        image = png(width, height, hashlib.sha256(key).digest())
        return {"data": base64.b64encode(image).decode("ascii")}


# --- text-to-speech (Orpheus / Kokoro Truss examples) -----------------------------------------

RATE = 24_000
TONE_SECONDS = 0.08
WORD_GAP_SECONDS = 0.15
SENTENCE_GAP_SECONDS = 0.4
# Each letter is spoken as a tone of its own pitch, so that the demo transcriber can hear it back.
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789.,?!'-"
BASE_HZ, STEP_HZ = 400.0, 40.0
MAX_TEXT = 2_000
L16 = f"audio/L16;rate={RATE};channels=1"


@lru_cache(maxsize=len(ALPHABET))
def _tone(char: str) -> array.array[int]:
    frequency = BASE_HZ + STEP_HZ * ALPHABET.index(char)
    count, fade = round(RATE * TONE_SECONDS), RATE // 200  # 5 ms fades: no clicks
    samples = array.array("h")
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        samples.append(round(12_000 * envelope * math.sin(2 * math.pi * frequency * i / RATE)))
    return samples


def _silence(seconds: float) -> array.array[int]:
    return array.array("h", bytes(2 * round(RATE * seconds)))


def speech(text: str) -> list[array.array[int]]:
    """The pieces of audio (a tone per letter, silence between words) that `text` is spoken as."""
    pieces: list[array.array[int]] = []
    pending_gap, prev = 0.0, ""
    for char in text.lower():
        if char.isspace():
            gap = SENTENCE_GAP_SECONDS if prev and prev in ".?!" else WORD_GAP_SECONDS
            pending_gap = max(pending_gap, gap) if pieces else 0.0
        elif char in ALPHABET:
            if pending_gap:
                pieces.append(_silence(pending_gap))
                pending_gap = 0.0
            pieces.append(_tone(char))
            prev = char
    return pieces


def _pcm(samples: array.array[int], *, big_endian: bool) -> bytes:
    if big_endian != (sys.byteorder == "big"):
        samples = array.array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def wav_header(data_bytes: int, rate: int = RATE) -> bytes:
    """A 44-byte RIFF/WAVE header for mono 16-bit PCM whose length is known up front."""
    return (
        struct.pack("<4sI4s", b"RIFF", 36 + data_bytes, b"WAVE")
        + struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16)
        + struct.pack("<4sI", b"data", data_bytes)
    )


def wav(pieces: list[array.array[int]]) -> bytes:
    data = b"".join(_pcm(piece, big_endian=False) for piece in pieces)
    return wav_header(len(data)) + data


def spoken(text: str) -> str:
    """`text` spoken, as base64 WAV (what the JSON answer carries, and the demo's STT example)."""
    return base64.b64encode(wav(speech(text))).decode("ascii")


@dataclass(frozen=True)
class SpeechRequest:
    text: str
    stream: bool


def _speech_request(payload: Any) -> SpeechRequest:
    if not isinstance(payload, dict):
        raise InvalidInput("Input validation error: the body must be a JSON object")
    text = payload.get("text", payload.get("prompt"))
    if not isinstance(text, str):
        raise InvalidInput("Input validation error: `text` (a string) is required")
    if not any(char in ALPHABET for char in text.lower()):
        raise InvalidInput("Input validation error: `text` has nothing to say")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Input validation error: `text` is longer than {MAX_TEXT} characters")
    stream = payload.get("stream", True)
    if not isinstance(stream, bool):
        raise InvalidInput("Input validation error: `stream` must be true or false")
    return SpeechRequest(text, stream)


class SpeechBehaviour(Behaviour):
    """Text-to-speech: streams WAV or raw L16 PCM by deployment, or base64 WAV in JSON."""

    streams = True

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        request = _speech_request(payload)
        return {"audio": spoken(request.text)}

    async def predict(self, call: Call) -> Response:
        try:
            request = _speech_request(call.json())
        except InvalidInput as exc:
            return invalid(str(exc))
        kind = str(call.variant.get("format", "wav"))
        if not request.stream or kind == "json":
            return await super().predict(call)
        pieces = speech(request.text)
        delay = (
            call.faults.delay if call.faults.delay >= 0 else float(call.variant.get("delay", 0.02))
        )
        # audio/L16 is big-endian (RFC 2586); a WAV's samples are little-endian.
        big_endian = kind == "pcm"

        async def events() -> AsyncIterator[bytes]:
            if not big_endian:
                yield wav_header(sum(2 * len(piece) for piece in pieces))
            for index, piece in enumerate(pieces):
                if delay > 0:
                    await asyncio.sleep(delay)
                elif index % 64 == 0:
                    await asyncio.sleep(0)
                yield _pcm(piece, big_endian=big_endian)

        media_type = L16 if big_endian else "audio/wav"
        return streaming(events(), call.faults, call.record, media_type=media_type, kind="raw")


# --- speech-to-text (Whisper Truss examples) ---------------------------------------------------

SILENCE_LEVEL = 300  # below about 1% of full scale counts as silence
WORD_GAP = 0.05  # seconds of silence that end a word
SEGMENT_GAP = 0.3  # seconds of silence that end a segment


def _decode_audio(payload: Any) -> tuple[array.array[int], int, int]:
    """Mono 16-bit samples, frame rate and frame count of the base64 WAV in `payload`."""
    if not isinstance(payload, dict):
        raise InvalidInput("Input validation error: the body must be a JSON object")
    if "audio" not in payload and ("url" in payload or "audio_url" in payload):
        raise InvalidInput(
            "Input validation error: this local server never fetches URLs; "
            "send the audio inline as base64 in `audio`"
        )
    encoded = payload.get("audio")
    if not isinstance(encoded, str) or not encoded:
        raise InvalidInput("Input validation error: `audio` (a base64-encoded WAV) is required")
    if encoded.startswith("data:"):
        encoded = encoded.partition(",")[2]
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"Input validation error: `audio` is not valid base64: {exc}") from exc
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width = reader.getnchannels(), reader.getsampwidth()
            rate, frames = reader.getframerate(), reader.getnframes()
            raw = reader.readframes(frames)
    except (wave.Error, EOFError, struct.error) as exc:
        raise InvalidInput(f"Input validation error: `audio` is not a WAV file: {exc}") from exc
    if width != 2:
        raise InvalidInput("Input validation error: `audio` must be 16-bit PCM")
    samples = array.array("h", raw[: len(raw) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples[::channels], rate, len(samples) // channels


def _sounds(samples: array.array[int], rate: int) -> list[tuple[int, int]]:
    """The (start, end) sample spans of sound between silences of at least WORD_GAP."""
    spans: list[tuple[int, int]] = []
    start, last_loud, min_gap = -1, -1, int(WORD_GAP * rate)
    for i, sample in enumerate(samples):
        if abs(sample) > SILENCE_LEVEL:
            if start < 0:
                start = i
            elif i - last_loud > min_gap:
                spans.append((start, last_loud + 1))
                start = i
            last_loud = i
    if start >= 0:
        spans.append((start, last_loud + 1))
    return spans


def _hear(samples: array.array[int], rate: int, start: int, end: int) -> str:
    """The letters in one span: its length in tones, each tone's pitch from zero crossings."""
    tone = TONE_SECONDS * rate
    count = round((end - start) / tone)
    letters = []
    for n in range(count):
        lo, hi = (
            start + round(n * (end - start) / count),
            start + round((n + 1) * (end - start) / count),
        )
        signs = [sample > 0 for sample in samples[lo:hi] if sample]
        crossings = sum(a != b for a, b in pairwise(signs))
        index = round((crossings * rate / (2 * (hi - lo)) - BASE_HZ) / STEP_HZ)
        letters.append(ALPHABET[index] if 0 <= index < len(ALPHABET) else "?")
    return "".join(letters)


class TranscriptionBehaviour(Behaviour):
    """Speech-to-text: base64 WAV in; text, timed segments, language and duration out."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        samples, rate, frames = _decode_audio(payload)
        segments: list[dict[str, Any]] = []
        previous_end = None
        for start, end in _sounds(samples, rate):
            word = _hear(samples, rate, start, end)
            if not word:
                continue
            if previous_end is not None and (start - previous_end) / rate < SEGMENT_GAP:
                segments[-1]["text"] += " " + word
                segments[-1]["end"] = round(end / rate, 3)
            else:
                segments.append(
                    {"start": round(start / rate, 3), "end": round(end / rate, 3), "text": word}
                )
            previous_end = end
        return {
            "text": " ".join(segment["text"] for segment in segments),
            "segments": segments,
            "language": "en",
            "duration": round(frames / rate, 3) if rate else 0.0,
        }
