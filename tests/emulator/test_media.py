"""Media models over real sockets: base64 PNG images, streamed and JSON speech, and transcription."""

from __future__ import annotations

import array
import base64
import io
import struct
import wave
import zlib
from typing import Any

import httpx
import pytest

from playground.emulator import demo
from tests.emulator.helpers import PNG_SIGNATURE, model_path, server_record

IMAGE = model_path(demo.IMAGE_GEN) + "/predict"
SPEECH = model_path(demo.SPEECH) + "/predict"
SPEECH_STAGING = model_path(demo.SPEECH, "environments/staging") + "/predict"
SPEECH_DEV = model_path(demo.SPEECH, "development") + "/predict"
STT = model_path(demo.TRANSCRIBER) + "/predict"
TWO_SENTENCES = "Hello from the playground. Can you hear me?"


def png_of(response: httpx.Response) -> bytes:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["data"]
    return base64.b64decode(body["data"], validate=True)


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of an 8-bit RGB PNG, checking every chunk's CRC."""
    assert data.startswith(PNG_SIGNATURE)
    chunks: dict[bytes, bytes] = {}
    at = len(PNG_SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, payload = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + payload), kind
        chunks[kind] = chunks.get(kind, b"") + payload
        at += 12 + length
    kinds = list(chunks)
    assert kinds[0] == b"IHDR"
    assert kinds[-1] == b"IEND"
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    return width, height, zlib.decompress(chunks[b"IDAT"])


def assert_truss_error(response: httpx.Response, *words: str) -> None:
    """Baseten's Truss-server error (baseten-api.md §7.2 item 3): 400, {"error": "..."}."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert list(body) == ["error"]
    assert isinstance(body["error"], str)
    for word in words:
        assert word in body["error"]
    assert response.headers["x-baseten-error-source"] == "04"
    assert response.headers["x-baseten-error-code"] == "700"


# --- image generator -----------------------------------------------------------------------------


def test_image_generator_answers_a_base64_png_of_the_asked_size(http: httpx.Client) -> None:
    data = png_of(http.post(IMAGE, json={"prompt": "a lighthouse", "width": 48, "height": 32}))
    width, height, rows = decode_png(data)
    assert (width, height) == (48, 32)
    assert len(rows) == height * (1 + 3 * width)
    assert len(set(rows)) > 2  # a picture, not a flat colour


def test_image_depends_on_prompt_environment_and_seed_only(http: httpx.Client) -> None:
    staging = model_path(demo.IMAGE_GEN, "environments/staging") + "/predict"

    def image(url: str, **body: Any) -> bytes:
        return png_of(http.post(url, json={"width": 64, "height": 64, **body}))

    first = image(IMAGE, prompt="a cat")
    assert image(IMAGE, prompt="a cat") == first
    assert image(IMAGE, prompt="a dog") != first
    assert image(staging, prompt="a cat") != first
    assert image(staging, prompt="a cat") == image(staging, prompt="a cat")
    assert image(IMAGE, prompt="a cat", seed=7) != first


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, ("prompt",)),
        ({"prompt": ""}, ("prompt",)),
        ({"prompt": "x", "width": 4}, ("width",)),
        ({"prompt": "x", "height": "big"}, ("height",)),
        ({"prompt": "x", "seed": "lucky"}, ("seed",)),
        (["a list"], ("JSON object",)),
    ],
)
def test_image_generator_refuses_bad_input(
    http: httpx.Client, body: Any, words: tuple[str, ...]
) -> None:
    assert_truss_error(http.post(IMAGE, json=body), *words)


def test_image_generator_refuses_a_body_that_is_not_json(http: httpx.Client) -> None:
    assert_truss_error(http.post(IMAGE, content=b"{prompt"), "Invalid JSON")


# --- text to speech ------------------------------------------------------------------------------


def stream(http: httpx.Client, url: str, body: Any) -> tuple[httpx.Response, list[bytes]]:
    chunks: list[bytes] = []
    with http.stream("POST", url, json=body) as response:
        assert response.status_code == 200
        chunks.extend(response.iter_raw())
    return response, chunks


def read_wav(data: bytes) -> tuple[Any, bytes]:
    with wave.open(io.BytesIO(data), "rb") as reader:
        params = reader.getparams()
        return params, reader.readframes(params.nframes)


def test_production_streams_a_wav_header_then_pcm_in_pieces(http: httpx.Client) -> None:
    response, chunks = stream(http, SPEECH, {"text": "Hi there."})
    assert response.headers["content-type"] == "audio/wav"
    assert len(chunks) > 1
    data = b"".join(chunks)
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
    params, frames = read_wav(data)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 24_000)
    assert params.nframes * 2 == len(frames) == len(data) - 44
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    # The server sent the header, then a piece per letter and one for the gap between words.
    record = server_record(http, response.headers["x-baseten-request-id"])
    assert record["events_sent"] == 1 + len("Hithere.") + 1
    assert record["completed"]


def test_stream_false_answers_the_same_wav_as_base64_json(http: httpx.Client) -> None:
    _, chunks = stream(http, SPEECH, {"text": "Hi there."})
    response = http.post(SPEECH, json={"text": "Hi there.", "stream": False})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    audio = base64.b64decode(response.json()["audio"], validate=True)
    assert audio == b"".join(chunks)
    # The development deployment answers JSON whatever `stream` says.
    development = http.post(SPEECH_DEV, json={"text": "Hi there."})
    assert development.headers["content-type"] == "application/json"
    assert base64.b64decode(development.json()["audio"]) == audio


def test_staging_streams_raw_big_endian_l16_pcm(http: httpx.Client) -> None:
    response, chunks = stream(http, SPEECH_STAGING, {"text": "Hi there."})
    kind, *params = response.headers["content-type"].split(";")
    assert kind == "audio/L16"
    assert dict(p.strip().split("=") for p in params) == {"rate": "24000", "channels": "1"}
    assert len(chunks) > 1
    pcm = b"".join(chunks)
    assert not pcm.startswith(b"RIFF")
    # The same samples as the WAV, in network byte order as audio/L16 has them (RFC 2586).
    wav_audio = http.post(SPEECH, json={"text": "Hi there.", "stream": False}).json()["audio"]
    _, frames = read_wav(base64.b64decode(wav_audio))
    assert len(pcm) == len(frames)
    big, little = array.array("h"), array.array("h")
    big.frombytes(pcm)
    little.frombytes(frames)
    if array.array("h", [1]).tobytes() == b"\x01\x00":  # this machine is little-endian
        big.byteswap()
    else:
        little.byteswap()
    assert big == little
    assert any(big)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, ("text",)),
        ({"text": 42}, ("text",)),
        ({"text": "   "}, ("nothing to say",)),
        ({"text": "hi", "stream": "yes"}, ("stream",)),
        ({"text": "a" * 2001}, ("longer",)),
        ("hello", ("JSON object",)),
    ],
)
def test_speech_refuses_bad_input(http: httpx.Client, body: Any, words: tuple[str, ...]) -> None:
    assert_truss_error(http.post(SPEECH, json=body), *words)
    assert_truss_error(http.post(SPEECH_DEV, json=body), *words)


# --- speech to text ------------------------------------------------------------------------------


def test_speech_round_trips_through_the_transcriber(http: httpx.Client) -> None:
    _, chunks = stream(http, SPEECH, {"text": TWO_SENTENCES})
    spoken = b"".join(chunks)
    params, _ = read_wav(spoken)
    response = http.post(STT, json={"audio": base64.b64encode(spoken).decode()})
    assert response.status_code == 200, response.text
    result = response.json()
    duration = params.nframes / params.framerate
    assert result["duration"] == pytest.approx(duration, abs=1e-3)
    assert result["language"] == "en"
    assert result["text"] == TWO_SENTENCES.lower()
    segments = result["segments"]
    assert [s["text"] for s in segments] == ["hello from the playground.", "can you hear me?"]
    edges = [edge for s in segments for edge in (s["start"], s["end"])]
    assert edges == sorted(edges)
    assert 0 <= edges[0] < 0.01
    assert edges[-1] == pytest.approx(duration, abs=0.01)
    assert segments[1]["start"] - segments[0]["end"] == pytest.approx(0.4, abs=0.01)


def test_transcriber_times_segments_from_the_audio_it_is_given(http: httpx.Client) -> None:
    # Half a second of silence before the same speech moves every timestamp by half a second;
    # as much again after it lengthens the audio but moves nothing.
    _, chunks = stream(http, SPEECH, {"text": "Hi. Bye."})
    params, frames = read_wav(b"".join(chunks))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setparams(params)
        half_second = bytes(params.framerate)  # of 16-bit silence
        writer.writeframes(half_second + frames + half_second)
    plain = http.post(STT, json={"audio": base64.b64encode(b"".join(chunks)).decode()}).json()
    late = http.post(STT, json={"audio": base64.b64encode(buffer.getvalue()).decode()}).json()
    assert late["text"] == plain["text"] == "hi. bye."
    assert late["duration"] == pytest.approx(plain["duration"] + 1.0, abs=1e-3)
    for before, after in zip(plain["segments"], late["segments"], strict=True):
        assert after["start"] == pytest.approx(before["start"] + 0.5, abs=0.002)
        assert after["end"] == pytest.approx(before["end"] + 0.5, abs=0.002)


def test_silence_transcribes_to_nothing(http: httpx.Client) -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(bytes(4 * 16_000))
    audio = "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode()
    result = http.post(STT, json={"audio": audio}).json()
    assert result == {"text": "", "segments": [], "language": "en", "duration": 1.0}


def eight_bit_wav() -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(8_000)
        writer.writeframes(bytes(800))
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"url": "https://example.com/hello.wav"}, ("never fetches", "`audio`")),
        ({"audio_url": "https://example.com/hello.wav"}, ("never fetches",)),
        ({}, ("`audio`", "required")),
        ({"audio": 12}, ("`audio`", "required")),
        ({"audio": "not base64!"}, ("not valid base64",)),
        ({"audio": "aGVsbG8=!"}, ("not valid base64",)),  # a lax decoder would read "hello"
        ({"audio": base64.b64encode(b"ID3 an mp3, say").decode()}, ("not a WAV",)),
        ({"audio": eight_bit_wav()}, ("16-bit",)),
        ([1, 2], ("JSON object",)),
    ],
)
def test_transcriber_refuses_bad_input(
    http: httpx.Client, body: Any, words: tuple[str, ...]
) -> None:
    assert_truss_error(http.post(STT, json=body), *words)


# --- the demo's examples -------------------------------------------------------------------------


def test_each_media_model_answers_its_example_input(http: httpx.Client) -> None:
    catalogue = demo.demo_catalogue()
    for model_id in (demo.IMAGE_GEN, demo.SPEECH, demo.TRANSCRIBER):
        model = catalogue.models[model_id]
        assert model.description
        response = http.post(model_path(model_id) + "/predict", json=model.example_input)
        assert response.status_code == 200, (model_id, response.text)
    example = catalogue.models[demo.TRANSCRIBER].example_input
    assert http.post(STT, json=example).json()["text"] == "hi"
