"""Media known by content: magic bytes and headers in binary bodies, base64 and data URLs in JSON,
ordinary strings left alone, and the extension a body is saved with."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import random
import struct
import wave
import zlib

import pytest

from playground.core.media import Media, MediaString, extension_for, find_media, sniff

# Written by Qt's image writers (5×3 red): a real JPEG, a lossy WebP (VP8) and a lossless (VP8L).
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAZABkAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4"
    "UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAADAAUDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcI"
    "CQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRol"
    "JicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ip"
    "qrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAA"
    "AAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLR"
    "ChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaX"
    "mJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEA"
    "PwDFoooryz7w/9k="
)
WEBP_LOSSY = base64.b64decode(
    "UklGRjgAAABXRUJQVlA4ICwAAACQAQCdASoFAAMAAsBMJaACdLoAA5gA/u5DH+5sc4twV/9tD/9aH/60P+lAAA=="
)
WEBP_LOSSLESS = base64.b64decode("UklGRhwAAABXRUJQVlA4TA8AAAAvBIAAAAcQ/Y/+ByKi/wEA")
# The smallest GIF89a, its logical screen set to 7×4.
GIF = (
    b"GIF89a\x07\x00\x04\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def png(width: int, height: int) -> bytes:
    def chunk(name: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(name + data)
        return struct.pack(">I", len(data)) + name + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x80" * width * 3 for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def wav(rate: int, channels: int, width: int, frames: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(channels)
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(b"\x01" * frames * channels * width)
    return out.getvalue()


def mp3_frames(count: int) -> bytes:
    """MPEG-1 Layer III, 128 kb/s, 44.1 kHz, no padding: 417-byte frames."""
    return (b"\xff\xfb\x90\x00" + b"\x00" * 413) * count


def flac(rate: int, channels: int, bits: int, samples: int) -> bytes:
    packed = (rate << 44) | ((channels - 1) << 41) | ((bits - 1) << 36) | samples
    info = struct.pack(">HH", 4096, 4096) + b"\x00" * 6 + packed.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + b"\x80" + len(info).to_bytes(3, "big") + info


def ogg(packet: bytes) -> bytes:
    page = b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8
    return page + bytes([1, len(packet)]) + packet


OPUS = ogg(b"OpusHead\x01\x02" + struct.pack("<HIhB", 312, 48000, 0, 0))
VORBIS = ogg(b"\x01vorbis" + struct.pack("<IBIiiiB", 0, 1, 44100, 0, 128000, 0, 0xB8) + b"\x01")


@pytest.mark.parametrize(
    ("data", "fmt", "mime", "extension", "size"),
    [
        (png(64, 32), "png", "image/png", ".png", (64, 32)),
        (JPEG, "jpeg", "image/jpeg", ".jpg", (5, 3)),
        (WEBP_LOSSY, "webp", "image/webp", ".webp", (5, 3)),
        (WEBP_LOSSLESS, "webp", "image/webp", ".webp", (5, 3)),
        (GIF, "gif", "image/gif", ".gif", (7, 4)),
    ],
    ids=["png", "jpeg", "webp-lossy", "webp-lossless", "gif"],
)
def test_images_are_known_by_their_bytes_with_their_size(
    data: bytes, fmt: str, mime: str, extension: str, size: tuple[int, int]
) -> None:
    media = sniff(data, "application/octet-stream")
    assert media == Media("image", fmt, mime, extension, width=size[0], height=size[1])


def test_a_wav_header_gives_rate_channels_bits_and_duration() -> None:
    media = sniff(wav(24000, 1, 2, 36000))
    assert media == Media(
        "audio", "wav", "audio/wav", ".wav", sample_rate=24000, channels=1, bits=16, duration_s=1.5
    )
    assert media.describe() == "WAV audio, 24000 Hz, mono, 16-bit, 1.50 s"
    stereo = sniff(wav(44100, 2, 1, 22050))
    assert stereo is not None
    assert (stereo.channels, stereo.bits, stereo.duration_s) == (2, 8, 0.5)


def test_a_streamed_wav_says_no_length_so_the_bodys_size_gives_the_duration() -> None:
    data = bytearray(wav(16000, 1, 2, 16000))
    data[40:44] = b"\xff\xff\xff\xff"  # the data chunk's size, unknown when it was sent
    data[4:8] = b"\xff\xff\xff\xff"
    head = sniff(bytes(data[:64]), size=len(data))
    assert head is not None
    assert head.duration_s == 1.0


def test_audio_formats_and_the_codec_in_an_ogg() -> None:
    id3 = sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3_frames(1))
    assert id3 == Media("audio", "mp3", "audio/mpeg", ".mp3")
    assert sniff(mp3_frames(2)) == Media("audio", "mp3", "audio/mpeg", ".mp3")
    assert sniff(flac(48000, 2, 16, 96000)) == Media(
        "audio",
        "flac",
        "audio/flac",
        ".flac",
        sample_rate=48000,
        channels=2,
        bits=16,
        duration_s=2.0,
    )
    opus, vorbis = sniff(OPUS), sniff(VORBIS)
    assert opus == Media(
        "audio", "ogg", "audio/ogg", ".opus", codec="opus", channels=2, sample_rate=48000
    )
    assert vorbis == Media(
        "audio", "ogg", "audio/ogg", ".ogg", codec="vorbis", channels=1, sample_rate=44100
    )
    assert vorbis.describe() == "Vorbis audio, 44100 Hz, mono"


def test_one_mp3_sync_word_is_not_enough() -> None:
    assert sniff(mp3_frames(1) + b"\x00" * 500) is None  # no second frame where it should be
    assert sniff(b"\xff\xf1\x50\x80" + b"\x00" * 1000) is None  # AAC in ADTS: layer 0


def test_raw_pcm_is_known_only_by_a_content_type_that_declares_it() -> None:
    samples = b"\x00\x01" * 24000
    media = sniff(samples, "audio/L16;rate=24000;channels=1")
    assert media is not None
    assert (media.format, media.extension, media.sample_rate, media.channels, media.bits) == (
        "pcm",
        ".pcm",
        24000,
        1,
        16,
    )
    assert media.duration_s == 1.0
    stereo = sniff(samples, 'audio/pcm; rate="16000"; channels=2; bits=16')
    assert stereo is not None
    assert stereo.duration_s == 0.75
    assert sniff(samples, "audio/pcm").duration_s is None  # type: ignore[union-attr]  # no rate
    assert sniff(samples, "application/octet-stream") is None
    assert sniff(samples, "audio/mpeg") is None  # a type is not trusted without its bytes
    assert sniff(png(2, 2), "audio/L16;rate=24000").format == "png"  # type: ignore[union-attr]


def b64(data: bytes, *, urlsafe: bool = False, padded: bool = True) -> str:
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    return text if padded else text.rstrip("=")


def test_media_anywhere_in_json_is_found_with_its_path() -> None:
    sound = wav(24000, 1, 2, 2400)
    body = {
        "id": "gen-1",
        "data": b64(png(8, 8)),
        "images": [{"url": None}, {"b64_json": b64(JPEG)}],
        "audio": {"data": "data:audio/wav;base64," + b64(sound)},
        "speech": "data:audio/L16;rate=16000;channels=1;base64," + b64(b"\x00\x00" * 800),
        "thumb nail": b64(WEBP_LOSSY, urlsafe=True, padded=False),
        "chunks": [b64(OPUS), b64(mp3_frames(3))],
    }
    found = find_media(body)
    assert [(f.path, f.media.format, f.encoding) for f in found] == [
        ("$.data", "png", "base64"),
        ("$.images[1].b64_json", "jpeg", "base64"),
        ("$.audio.data", "wav", "data-url"),
        ("$.speech", "pcm", "data-url"),
        ('$["thumb nail"]', "webp", "base64"),
        ("$.chunks[0]", "ogg", "base64"),
        ("$.chunks[1]", "mp3", "base64"),
    ]
    assert found[2].media.duration_s == 0.1  # from the header, though only the head was decoded
    assert found[3].media.duration_s == 0.05  # from the string's length and the declared rate
    assert found[2].decode(body["audio"]["data"]) == sound  # type: ignore[index]
    assert found[4].decode(body["thumb nail"]) == WEBP_LOSSY  # type: ignore[arg-type]
    assert find_media(body, limit=2) == found[:2]


def test_a_bare_string_and_a_list_are_walked_too() -> None:
    [found] = find_media(b64(GIF * 3))
    assert found == MediaString("$", found.media, "base64", len(b64(GIF * 3)))
    assert [f.path for f in find_media([[b64(GIF * 3)]])] == ["$[0][0]"]


def test_ordinary_strings_that_look_like_base64_are_not_media() -> None:
    rng = random.Random(16)
    words = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "answers"]
    ordinary = [
        hashlib.sha256(b"x").hexdigest(),
        hashlib.sha512(b"x").hexdigest(),
        hashlib.sha512(b"x").hexdigest().upper(),
        "".join(rng.choice(words) for _ in range(40)),  # a run of words, letters only
        "".join(w.capitalize() for w in words) * 3,
        "A" * 200,
        "eyJhbGciOiJIUzI1NiJ9." + "x" * 100,  # a JWT's dot is not base64
        "sk-" + "a1B2" * 30,
    ]
    ordinary += [b64(rng.randbytes(rng.randint(48, 300))) for _ in range(3000)]
    ordinary += [b64(rng.randbytes(rng.randint(48, 300)), urlsafe=True) for _ in range(3000)]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    ordinary += ["".join(rng.choices(alphabet, k=128)) for _ in range(3000)]
    assert [text for text in ordinary if find_media({"v": text})] == []


def test_base64_media_that_breaks_the_rules_is_not_taken() -> None:
    image = b64(png(8, 8))
    assert find_media(image)
    assert find_media(image[:63]) == []  # too short to be worth it
    assert find_media(image + "=") == []  # padding past a multiple of 4
    assert find_media(image.rstrip("=") + "A") == []  # one past a multiple of 4
    assert find_media(image + " and then some words of prose") == []
    assert find_media(image[:70] + "+" + image[71:80] + "_" + image[81:]) == []  # two alphabets
    assert find_media("data:image/png," + image) == []  # not a base64 data URL
    assert find_media("é" + image) == []


def test_decoding_checks_the_whole_string_which_detection_only_sampled() -> None:
    data = png(8, 8) + bytes(range(256)) * 40  # what follows IEND is the file's own business
    image = b64(data)
    broken = image[:1001] + "!" + image[1002:]  # between two of the spots checked
    [found] = find_media({"image": broken})
    with pytest.raises(binascii.Error):
        found.decode(broken)
    assert found.decode(image) == data


@pytest.mark.parametrize(
    ("content_type", "extension"),
    [
        ("image/png", ".png"),
        ("image/jpeg", ".jpg"),
        ("image/webp", ".webp"),
        ("IMAGE/GIF; x=y", ".gif"),
        ("audio/wav", ".wav"),
        ("audio/x-wav", ".wav"),
        ("audio/mpeg", ".mp3"),
        ("audio/flac", ".flac"),
        ("audio/ogg", ".ogg"),
        ("audio/L16;rate=24000;channels=1", ".pcm"),
        ("application/json", ".json"),
        ("application/json; charset=utf-8", ".json"),
        ("application/problem+json", ".json"),
        ("application/x-ndjson", ".ndjson"),
        ("text/event-stream", ".sse"),
        ("text/plain; charset=utf-8", ".txt"),
        ("text/x-unheard-of", ".txt"),
        ("application/pdf", ".pdf"),
        ("application/octet-stream", ".bin"),
        ("application/x-unheard-of", ".bin"),
        ("", ".bin"),
    ],
)
def test_the_extension_a_body_is_saved_with(content_type: str, extension: str) -> None:
    assert extension_for(content_type) == extension
