"""What the demo WebSocket models do: echo, speech to text from the PCM it hears, text to speech
as PCM, and a model that fails mid-session."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from playground.emulator.behaviours import Behaviour
from playground.emulator.websocket import WsCall

# The audio both stand-ins speak: 16-bit little-endian mono PCM at 16 kHz, as voice models take.
SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2
WINDOW_S = 0.1  # loudness is judged per 100 ms
LOUD_RMS = 500  # of 32767: above this a window counts as speech
TTS_SECONDS_PER_CHAR = 0.06
TTS_FRAME_BYTES = int(SAMPLE_RATE * SAMPLE_WIDTH * WINDOW_S)


class WsBehaviour(Behaviour):
    """A model deployed with `runtime.transport.kind: websocket`; predict still answers JSON."""

    def compute(self, variant: dict[str, Any], payload: Any) -> Any:
        return {"error": "this model is served over its websocket endpoint"}


class EchoWs(WsBehaviour):
    """Sends every frame back as it came: text as text, binary as binary."""

    async def websocket(self, ws: WsCall) -> None:
        while (frame := await ws.receive()) is not None:
            await ws.send(frame)


def loud_windows(pcm: bytes) -> list[bool]:
    """Per 100 ms window of 16-bit PCM: is it loud (RMS over LOUD_RMS)?"""
    step = TTS_FRAME_BYTES
    out: list[bool] = []
    for start in range(0, len(pcm) - len(pcm) % SAMPLE_WIDTH, step):
        piece = pcm[start : start + step]
        piece = piece[: len(piece) - len(piece) % SAMPLE_WIDTH]
        if not piece:
            break
        samples = struct.unpack(f"<{len(piece) // 2}h", piece)
        rms = math.sqrt(sum(s * s for s in samples) / len(samples))
        out.append(rms > LOUD_RMS)
    return out


def segments(loud: list[bool]) -> list[dict[str, float]]:
    """The loud stretches as {start, end} in seconds."""
    found: list[dict[str, float]] = []
    start: int | None = None
    for i, is_loud in enumerate([*loud, False]):
        if is_loud and start is None:
            start = i
        elif not is_loud and start is not None:
            found.append({"start": round(start * WINDOW_S, 3), "end": round(i * WINDOW_S, 3)})
            start = None
    return found


def transcript(pcm: bytes, final: bool) -> dict[str, Any]:
    found = segments(loud_windows(pcm))
    words = [f"speech {s['start']:.1f}-{s['end']:.1f}s" for s in found]
    return {
        "type": "final" if final else "partial",
        "text": " | ".join(words) if words else "(silence)",
        "duration_s": round(len(pcm) / (SAMPLE_RATE * SAMPLE_WIDTH), 3),
        "segments": found,
        "bytes": len(pcm),
    }


class SpeechToTextWs(WsBehaviour):
    """Streaming speech to text: binary PCM frames in; a partial transcript after each, a final
    one on the text frame `{"type": "end"}` (or when the client closes)."""

    async def websocket(self, ws: WsCall) -> None:
        pcm = bytearray()
        while (frame := await ws.receive()) is not None:
            if isinstance(frame, bytes):
                pcm += frame
                await ws.send_json(transcript(bytes(pcm), final=False))
                continue
            try:
                command = json.loads(frame)
            except json.JSONDecodeError:
                command = {}
            if isinstance(command, dict) and command.get("type") == "end":
                await ws.send_json(transcript(bytes(pcm), final=True))
                return
            await ws.send_json({"type": "error", "message": 'send PCM audio, then {"type": "end"}'})


def speech(text: str) -> bytes:
    """PCM for `text`: a tone per character (silence for spaces), 60 ms each."""
    per_char = int(SAMPLE_RATE * TTS_SECONDS_PER_CHAR)
    out = bytearray()
    for char in text:
        if char.isspace():
            out += b"\0\0" * per_char
            continue
        freq = 200 + (ord(char) % 40) * 15
        out += struct.pack(
            f"<{per_char}h",
            *(int(8000 * math.sin(2 * math.pi * freq * n / SAMPLE_RATE)) for n in range(per_char)),
        )
    return bytes(out)


class TextToSpeechWs(WsBehaviour):
    """Text to speech: a text frame in; binary frames of PCM (60 ms per character) out, then
    `{"type": "end", ...}` saying how much audio was sent."""

    async def websocket(self, ws: WsCall) -> None:
        while (frame := await ws.receive()) is not None:
            text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
            try:
                parsed = json.loads(text)
                if isinstance(parsed, dict) and isinstance(parsed.get("text"), str):
                    text = parsed["text"]
            except json.JSONDecodeError:
                pass
            audio = speech(text)
            for start in range(0, len(audio), TTS_FRAME_BYTES):
                await ws.send(audio[start : start + TTS_FRAME_BYTES])
            await ws.send_json(
                {
                    "type": "end",
                    "bytes": len(audio),
                    "sample_rate": SAMPLE_RATE,
                    "sample_width": SAMPLE_WIDTH,
                    "channels": 1,
                    "duration_s": round(len(audio) / (SAMPLE_RATE * SAMPLE_WIDTH), 3),
                }
            )


class FailingWs(WsBehaviour):
    """Echoes `fail_after` frames (default 2), then raises: Truss closes 1011 with the reason."""

    async def websocket(self, ws: WsCall) -> None:
        left = int(ws.variant.get("fail_after", 2))
        while (frame := await ws.receive()) is not None:
            if left <= 0:
                raise RuntimeError("the model failed mid-session (CUDA out of memory)")
            await ws.send(frame)
            left -= 1
