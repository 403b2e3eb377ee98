"""Streamed speech over real sockets: time to first audio and × real time against what the server
sent (the emulator's orpheus-tts, and a raw server whose every send is timed), the bytes decoded
as they arrive, and the figures in the timings line."""

from __future__ import annotations

import asyncio
import struct
import time
from typing import Any

from playground.core import BasetenClient, Remote, Target
from playground.core.audio import Pcm, StreamDecoder, decode, samples_of
from playground.core.events import BinaryChunk, Finished, JsonBody, ResponseStarted
from playground.core.media import find_media, sniff
from playground.core.metrics import Metrics
from playground.core.text import timings_text
from playground.emulator import EmulatorServer, demo
from playground.emulator.media_models import RATE, speech, wav_header
from tests.core.helpers import collect, only, open_client
from tests.core.raw_server import RawServer, head

TEXT = "Hi there. Can you hear me?"


def expected_samples(text: str) -> list[int]:
    return [sample for piece in speech(text) for sample in piece]


async def call(server: EmulatorServer, target: Target, body: Any) -> list[Any]:
    async with open_client(server) as client:
        return await collect(client.predict(target, body))


def test_production_streams_a_wav_timed_from_its_first_sample(emulator: EmulatorServer) -> None:
    events = asyncio.run(call(emulator, Target(demo.SPEECH), {"text": TEXT}))
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.kind == "binary"
    body = b"".join(event.data for event in only(events, BinaryChunk))
    samples = expected_samples(TEXT)
    assert len(body) == 44 + 2 * len(samples)
    metrics = finished.metrics
    # The server sent the header, then paused before the first piece of audio.
    assert metrics.first_byte_s is not None
    assert metrics.first_audio_s is not None
    assert metrics.first_audio_s >= metrics.first_byte_s
    assert metrics.audio_s == len(samples) / RATE  # every sample the server sent, no header
    assert metrics.realtime_factor is not None
    assert metrics.realtime_factor > 0
    line = timings_text(metrics, len(body), is_streaming=False)
    assert f"first audio {metrics.first_audio_s * 1000:.0f} ms" in line
    assert f"{metrics.realtime_factor:.1f}× real time" in line


def test_staging_streams_big_endian_l16_decoded_as_it_arrives(emulator: EmulatorServer) -> None:
    target = Target(demo.SPEECH, "environment", "staging")
    events = asyncio.run(call(emulator, target, {"text": TEXT}))
    started = only(events, ResponseStarted)[0]
    assert started.content_type == "audio/L16;rate=24000;channels=1"
    chunks = only(events, BinaryChunk)
    assert len(chunks) > 2  # as they came, not one piece at the end
    decoder = StreamDecoder(sniff(chunks[0].data, started.content_type))  # type: ignore[arg-type]
    out = b"".join(decoder.feed(chunk.data) for chunk in chunks)
    assert samples_of(out).tolist() == expected_samples(TEXT)
    metrics = events[-1].metrics
    assert metrics.first_audio_s == metrics.first_byte_s  # raw PCM: no header before the audio
    assert metrics.audio_s == len(expected_samples(TEXT)) / RATE


def test_base64_audio_in_json_is_no_stream_and_has_no_audio_figures(
    emulator: EmulatorServer,
) -> None:
    target = Target(demo.SPEECH, "development")
    events = asyncio.run(call(emulator, target, {"text": TEXT, "stream": False}))
    body = only(events, JsonBody)[0]
    [found] = find_media(body.value)
    pcm = decode(found.decode(body.value["audio"]), found.media)
    assert isinstance(pcm, Pcm)
    assert pcm.samples.tolist() == expected_samples(TEXT)
    metrics = events[-1].metrics
    assert (metrics.first_audio_s, metrics.audio_s, metrics.realtime_factor) == (None, None, None)
    assert "first audio" not in timings_text(metrics, 0, is_streaming=False)


PIECES = 6
PIECE_FRAMES = 2400  # 0.1 s at 24 kHz
GAP = 0.05


def test_figures_against_a_server_whose_every_send_is_timed() -> None:
    """The server sends the WAV header, waits until the client has counted it, then pieces of
    0.1 s each, every 50 ms, each once the client has counted the one before. Every figure the
    client gives must lie between when the server sent a byte and when it saw it counted."""
    box: list[Metrics] = []
    sent: list[float] = []  # perf_counter when each write went out
    seen: list[float] = []  # perf_counter when the client had counted it
    piece = struct.pack(f">{PIECE_FRAMES}h", *range(PIECE_FRAMES))  # L16 is big-endian

    async def counted(condition: Any) -> None:
        # Polled: what it waits on is the client's, on another thread and loop (no Event there).
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        seen.append(time.perf_counter())

    async def handler(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(head(Content_Type="audio/wav", Transfer_Encoding="chunked"))
        header = wav_header(0xFFFFFFFF - 36)[:40] + b"\xff\xff\xff\xff"  # a streamed WAV's
        little = samples_of(piece).tobytes()  # the WAV's samples: little-endian
        for index, data in enumerate([header] + [little] * PIECES):
            if index:
                await asyncio.sleep(GAP)
            sent.append(time.perf_counter())
            writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await writer.drain()
            if index == 0:  # its first byte is timed before it is counted
                await counted(lambda: bool(box) and box[0].bytes >= len(header))
            else:  # a piece is timed before its audio is counted
                frames = index * PIECE_FRAMES
                await counted(lambda f=frames: round((box[0].audio_s or 0) * 24_000) >= f)
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def main(server: RawServer) -> list[Any]:
        client = BasetenClient(Remote.local(server.base_url), "k-0123456789abcdef")
        events = []
        try:
            async for event in client.predict(Target("abc123"), {"text": "x"}):
                if isinstance(event, ResponseStarted):
                    box.append(event.metrics)
                events.append(event)
        finally:
            await client.aclose()
        return events

    with RawServer(handler) as server:
        events = asyncio.run(main(server))
    metrics = events[-1].metrics
    assert metrics.audio_s == PIECES * PIECE_FRAMES / 24_000
    # Times on the client's clock are seconds from its start; the server's are perf_counter.
    # Their differences are on the same clock: the first audio came after the header was
    # counted, between the first piece's send and its being seen.
    header_to_audio = metrics.first_audio_s - metrics.first_byte_s  # type: ignore[operator]
    assert sent[1] - seen[0] <= header_to_audio <= seen[1] - sent[0]
    assert header_to_audio > 0
    # × real time: the audio after the first piece, over the time from the first to the last.
    after = (PIECES - 1) * PIECE_FRAMES / 24_000
    factor = metrics.realtime_factor
    assert factor is not None
    assert after / (seen[-1] - sent[1]) <= factor <= after / (sent[-1] - seen[1])


def test_the_timings_line_says_the_audio_figures_as_they_stream_and_at_the_end() -> None:
    metrics = Metrics(200, headers_s=0.05, first_byte_s=0.06, first_audio_s=0.182, bytes=144_044)
    metrics.audio_s, metrics.realtime_factor = 3.0, 3.42
    assert timings_text(metrics, 0, is_streaming=True) == (
        "Headers 50 ms · TTFB 60 ms · first audio 182 ms · 3.4× real time · "
        "streaming… 144,044 bytes"
    )
    metrics.total_s = 1.0
    assert timings_text(metrics, 0, is_streaming=False) == (
        "Headers 50 ms · TTFB 60 ms · first audio 182 ms · 3.4× real time · Total 1.00 s · 141 KB"
    )
