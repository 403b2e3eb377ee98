"""Audio as samples: whole bodies decoded, raw PCM converted by its declared layout, streams
decoded as they arrive, Opus named rather than raised, peaks bounded for long audio."""

from __future__ import annotations

import array
import io
import math
import struct
import sys
import wave

import miniaudio
import pytest

from playground.core.audio import (
    OPUS_REASON,
    Pcm,
    StreamDecoder,
    Unplayable,
    declared_pcm,
    decode,
    peaks,
    samples_of,
    wav_layout,
)
from playground.core.media import sniff

RATE = 16_000


def tone(frames: int = RATE // 2, channels: int = 1) -> array.array[int]:
    return array.array(
        "h",
        [
            round(9000 * math.sin(2 * math.pi * 440 * (i // channels) / RATE) * (1 - 2 * (i % 2)))
            for i in range(frames * channels)
        ],
    )


def wav_of(samples: array.array[int], channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(RATE)
        if width == 2:
            data = samples.tobytes() if sys.byteorder == "little" else _swapped(samples)
        else:
            data = bytes((s >> 8) + 128 for s in samples)
        writer.writeframes(data)
    return out.getvalue()


def _swapped(samples: array.array[int]) -> bytes:
    copy = array.array("h", samples)
    copy.byteswap()
    return copy.tobytes()


def big_endian(samples: array.array[int]) -> bytes:
    return b"".join(struct.pack(">h", s) for s in samples)


def test_a_wav_decodes_to_its_samples() -> None:
    samples = tone(channels=2)
    data = wav_of(samples, channels=2)
    pcm = decode(data, sniff(data))  # type: ignore[arg-type]
    assert isinstance(pcm, Pcm)
    assert (pcm.rate, pcm.channels, pcm.frames) == (RATE, 2, RATE // 2)
    assert pcm.samples == samples
    assert pcm.duration_s == 0.5


def test_a_broken_body_is_named_not_raised() -> None:
    broken = b"fLaC" + b"\x00" * 200
    result = decode(broken, sniff(broken))  # type: ignore[arg-type]
    assert isinstance(result, Unplayable)
    assert "FLAC" in result.reason
    assert "could not be decoded" in result.reason


def test_opus_is_named_and_not_raised() -> None:
    page = b"OggS\x00\x02" + bytes(20) + b"\x01\x13" + b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00"
    media = sniff(page + bytes(40))
    assert media is not None
    assert media.codec == "opus"
    result = decode(page, media)
    assert result == Unplayable(OPUS_REASON)
    assert result.reason == "Opus audio cannot be played here; Save… keeps it"


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("audio/L16;rate=16000;channels=1", "l16"),
        ("audio/L24; rate=16000", "l24"),
        ("audio/L8;rate=16000", "l8"),
        ("audio/pcm;rate=16000", "le16"),
    ],
)
def test_raw_pcm_by_its_declared_layout(content_type: str, raw: str) -> None:
    samples = tone()
    if raw == "l16":
        data = big_endian(samples)
        expected = samples
    elif raw == "l24":
        data = b"".join(struct.pack(">i", s << 8)[1:] for s in samples)
        expected = samples
    elif raw == "l8":
        data = bytes((s >> 8) + 128 for s in samples)
        expected = array.array("h", [(s >> 8) << 8 for s in samples])
    else:
        data = b"".join(struct.pack("<h", s) for s in samples)
        expected = samples
    media = sniff(data[:64], content_type, size=len(data))
    assert media is not None
    assert media.format == "pcm"
    pcm = decode(data, media)
    assert isinstance(pcm, Pcm)
    assert (pcm.rate, pcm.channels) == (RATE, 1)
    assert pcm.samples == expected


def test_pcm_without_a_rate_is_named() -> None:
    media = sniff(b"\x00" * 64, "audio/L16")
    assert media is not None
    result = decode(b"\x00" * 64, media)
    assert isinstance(result, Unplayable)
    assert "sample rate" in result.reason


def test_json_format_fields_declare_raw_pcm() -> None:
    samples = tone()
    data = b"".join(struct.pack("<h", s) for s in samples)
    media = declared_pcm({"sample_rate": RATE, "encoding": "pcm_s16le"}, len(data))
    assert media is not None
    assert media.duration_s == 0.5
    pcm = decode(data, media)
    assert isinstance(pcm, Pcm)
    assert pcm.samples == samples
    big = declared_pcm({"sampling_rate": RATE, "format": "linear16be", "channels": 1})
    assert big is not None
    pcm = decode(big_endian(samples), big)
    assert isinstance(pcm, Pcm)
    assert pcm.samples == samples
    assert declared_pcm({"sample_rate": RATE, "format": "mp3"}) is None
    assert declared_pcm({"text": "hello"}) is None


def test_a_streamed_wav_decodes_as_it_arrives_in_any_cut() -> None:
    samples = tone(channels=2)
    data = wav_of(samples, channels=2)
    for cut in (1, 3, 7, 44, 45, 1000):
        decoder = StreamDecoder(sniff(data[:44]))  # type: ignore[arg-type]
        out = bytearray()
        for at in range(0, len(data), cut):
            out += decoder.feed(data[at : at + cut])
            if at + cut < 44:
                assert decoder.header_bytes is None
        assert decoder.header_bytes == 44
        assert decoder.finish() is None
        assert samples_of(bytes(out)) == samples


def test_a_streamed_8_bit_wav_comes_out_16_bit() -> None:
    samples = tone()
    data = wav_of(samples, width=1)
    decoder = StreamDecoder(sniff(data[:44]))  # type: ignore[arg-type]
    out = decoder.feed(data[:500]) + decoder.feed(data[500:])
    assert samples_of(out) == array.array("h", [(s >> 8) << 8 for s in samples])


def test_a_streamed_compressed_body_is_kept_and_decoded_at_the_end() -> None:
    broken = b"fLaC" + bytes(100)
    decoder = StreamDecoder(sniff(broken))  # type: ignore[arg-type]
    assert decoder.feed(broken[:50]) == b""
    assert decoder.feed(broken[50:]) == b""
    result = decoder.finish()
    assert isinstance(result, Unplayable)
    assert "FLAC" in result.reason


def test_wav_layout_waits_for_the_data_chunk() -> None:
    data = wav_of(tone())
    assert wav_layout(data[:30]) is None
    layout = wav_layout(data[:44])
    assert layout is not None
    assert layout[0] == 44
    assert layout[1].rate == RATE
    assert not layout[1].big_endian


def test_peaks_are_the_lows_and_highs_of_each_column() -> None:
    samples = array.array("h", [0, 5, -3, 2, 100, -100, 7, 7])
    assert peaks(samples, 4) == [(0, 5), (-3, 2), (-100, 100), (7, 7)]
    assert peaks(samples, 2, 4) == [(-100, 100), (7, 7)]
    assert peaks(samples, 0) == []
    assert peaks(array.array("h"), 10) == []


def test_peaks_of_an_hour_read_at_a_stride_still_find_the_loud_part() -> None:
    hour = array.array("h", bytes(2 * 3600 * RATE))
    hour[len(hour) // 2 : len(hour) // 2 + RATE] = array.array(
        "h", ([20000] * 50 + [-20000] * 50) * (RATE // 100)
    )
    columns = peaks(hour, 800)
    assert len(columns) == 800
    loud = [i for i, (lo, hi) in enumerate(columns) if hi > 10000 and lo < -10000]
    assert loud == [400]


def test_miniaudio_decodes_what_it_is_given_as_the_library_says() -> None:
    """The library's own null backend is there: the UI's tests play to it."""
    assert miniaudio.Backend.NULL in miniaudio.get_enabled_backends()
