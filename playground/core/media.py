"""Media by content: images and audio known by their first bytes (raw PCM by its Content-Type),
in a binary body or as base64 strings and data URLs anywhere in a JSON body; and the extension a
body is saved with.

Detection reads headers only: a binary body's first bytes, a base64 string's first few dozen
characters (its alphabet is checked at a few spots, its tail for the padding rules, the middle is
never decoded), so that a 20 MB image in a JSON answer costs microseconds. A string is media only when its decoded head
carries a format's magic bytes; looking like base64 is not enough.
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from dataclasses import dataclass
from typing import Any, Literal

MIN_BASE64_CHARS = 64  # shorter strings are ids, tokens and words, not media worth a preview
HEAD_CHARS = 64  # decoded: 48 bytes, enough for every header below but an MP3 frame's length
_WINDOWS = 16  # spots of a long string checked for base64's alphabet
_MP3_CHECK_BYTES = 1448  # past the longest MPEG-1 Layer III frame: a second frame header

Kind = Literal["image", "audio"]


@dataclass(frozen=True)
class Media:
    """What a body or a string holds: its kind, format and what its header says of it."""

    kind: Kind
    format: str  # png, jpeg, webp, gif, wav, mp3, flac, ogg, pcm
    mime: str
    extension: str
    codec: str | None = None  # in an Ogg container: opus, vorbis or flac
    width: int | None = None
    height: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    bits: int | None = None
    duration_s: float | None = None

    def describe(self) -> str:
        """One line for a person: `PNG image, 64×64`, `WAV audio, 24000 Hz, mono, 16-bit, 1.50 s`."""
        name = self.codec.capitalize() if self.codec else self.format.upper()
        parts = [f"{name} {self.kind}"]
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        if self.sample_rate:
            parts.append(f"{self.sample_rate} Hz")
        if self.channels:
            parts.append({1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels"))
        if self.bits:
            parts.append(f"{self.bits}-bit")
        if self.duration_s is not None:
            parts.append(f"{self.duration_s:.2f} s")
        return ", ".join(parts)


@dataclass(frozen=True)
class MediaString:
    """A string inside a JSON value that holds media: where it is and how it is written."""

    path: str  # a JSON path: $.data, $.images[0].b64_json
    media: Media
    encoding: Literal["base64", "data-url"]
    chars: int  # the string's length
    offset: int = 0  # where the base64 starts (after a data URL's comma)
    is_urlsafe: bool = False

    def decode(self, text: str) -> bytes:
        """The media's bytes from the string found at `path`. The whole string is checked now
        (detection sampled it): anything not base64 raises `binascii.Error`."""
        data = text[self.offset :]
        if self.is_urlsafe:
            data = data.replace("-", "+").replace("_", "/")
        return binascii.a2b_base64(data + "=" * (-len(data) % 4), strict_mode=True)


# --- binary bodies ---------------------------------------------------------------------------


def sniff(data: bytes, content_type: str = "", *, size: int | None = None) -> Media | None:
    """The media `data` starts with (magic bytes win over the Content-Type), or raw PCM when the
    Content-Type declares it; None otherwise. `size` is the whole body's length when `data` is
    only its head (durations are computed from it when a header does not say)."""
    total = len(data) if size is None else size
    found = _by_magic(data, total)
    if found is not None:
        return found
    return _pcm(content_type, total)


def _by_magic(data: bytes, total: int) -> Media | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = (_be(data, 16, 4), _be(data, 20, 4)) if data[12:16] == b"IHDR" else (0, 0)
        return _image("png", "image/png", ".png", width, height)
    if data.startswith(b"\xff\xd8\xff"):
        return _image("jpeg", "image/jpeg", ".jpg", *_jpeg_size(data))
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _image("gif", "image/gif", ".gif", _le(data, 6, 2), _le(data, 8, 2))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _image("webp", "image/webp", ".webp", *_webp_size(data))
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _wav(data, total)
    if data[:4] == b"fLaC":
        return _flac(data)
    if data[:4] == b"OggS":
        return _ogg(data)
    if data[:3] == b"ID3" and len(data) >= 10 and data[3] in (2, 3, 4) and data[4] != 0xFF:
        return Media("audio", "mp3", "audio/mpeg", ".mp3")
    frame = _mp3_frame(data, 0)
    if frame and _mp3_frame(data, frame):  # two frames in a row: one sync word may be luck
        return Media("audio", "mp3", "audio/mpeg", ".mp3")
    return None


def _image(fmt: str, mime: str, extension: str, width: int, height: int) -> Media:
    return Media("image", fmt, mime, extension, width=width or None, height=height or None)


def _be(data: bytes, at: int, n: int) -> int:
    return int.from_bytes(data[at : at + n], "big") if len(data) >= at + n else 0


def _le(data: bytes, at: int, n: int) -> int:
    return int.from_bytes(data[at : at + n], "little") if len(data) >= at + n else 0


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the segments to the frame header (SOFn), within what is at hand."""
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return _be(data, at + 7, 2), _be(data, at + 5, 2)
        at += 2 + _be(data, at + 2, 2)
    return 0, 0


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return _le(data, 24, 3) + 1, _le(data, 27, 3) + 1
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = _le(data, 21, 4)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return _le(data, 26, 2) & 0x3FFF, _le(data, 28, 2) & 0x3FFF
    return 0, 0


def _wav(data: bytes, total: int) -> Media:
    rate = channels = bits = byte_rate = 0
    duration = None
    at = 12
    while at + 8 <= len(data):
        name, length = data[at : at + 4], _le(data, at + 4, 4)
        if name == b"fmt ":
            channels, rate = _le(data, at + 10, 2), _le(data, at + 12, 4)
            byte_rate, bits = _le(data, at + 16, 4), _le(data, at + 22, 2)
        elif name == b"data":
            # A streamed WAV says 0 or 0xFFFFFFFF: the data is whatever follows the header.
            if length in (0, 0xFFFFFFFF) or length > total - at - 8:
                length = max(total - at - 8, 0)
            duration = length / byte_rate if byte_rate else None
            break
        at += 8 + length + (length & 1)
    return Media(
        "audio",
        "wav",
        "audio/wav",
        ".wav",
        sample_rate=rate or None,
        channels=channels or None,
        bits=bits or None,
        duration_s=duration,
    )


def _flac(data: bytes) -> Media:
    rate = channels = bits = 0
    duration = None
    if len(data) >= 26 and data[4] & 0x7F == 0:  # the first block is STREAMINFO
        packed = _be(data, 18, 8)
        rate = packed >> 44
        channels = ((packed >> 41) & 0x7) + 1
        bits = ((packed >> 36) & 0x1F) + 1
        samples = packed & 0xFFFFFFFFF
        duration = samples / rate if rate and samples else None
    return Media(
        "audio",
        "flac",
        "audio/flac",
        ".flac",
        sample_rate=rate or None,
        channels=channels or None,
        bits=bits or None,
        duration_s=duration,
    )


def _ogg(data: bytes) -> Media:
    """The codec is named by the first packet, which follows the first page's header."""
    packet = 27 + data[26] if len(data) > 26 else len(data)
    head = data[packet:]
    if head.startswith(b"OpusHead"):
        return Media(
            "audio",
            "ogg",
            "audio/ogg",
            ".opus",
            codec="opus",
            channels=head[9] if len(head) > 9 else None,
            sample_rate=_le(head, 12, 4) or None,
        )
    if head.startswith(b"\x01vorbis"):
        return Media(
            "audio",
            "ogg",
            "audio/ogg",
            ".ogg",
            codec="vorbis",
            channels=head[11] if len(head) > 11 else None,
            sample_rate=_le(head, 12, 4) or None,
        )
    if head.startswith(b"\x7fFLAC"):
        return Media("audio", "ogg", "audio/ogg", ".oga", codec="flac")
    return Media("audio", "ogg", "audio/ogg", ".ogg")


_MP3_KBPS = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 Layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 Layer III
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame(data: bytes, at: int) -> int:
    """The length of the Layer III frame whose header is at `at`, or 0 if there is none."""
    if len(data) < at + 4 or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return 0
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    rate_index, bitrate_index = (data[at + 2] >> 2) & 3, data[at + 2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or bitrate_index in (0, 15):
        return 0  # reserved, free-format, or not Layer III (ADTS AAC has layer 0)
    kbps = _MP3_KBPS[3 if version == 3 else 2][bitrate_index]
    rate = _MP3_RATES[version][rate_index]
    padding = (data[at + 2] >> 1) & 1
    return (144 if version == 3 else 72) * kbps * 1000 // rate + padding


_PCM_TYPES = {"audio/l8": 8, "audio/l16": 16, "audio/l24": 24, "audio/pcm": 16, "audio/raw": 16}


def _pcm(content_type: str, total: int) -> Media | None:
    mime, params = _parse_type(content_type)
    if mime not in _PCM_TYPES:
        return None
    bits = _int(params.get("bits") or params.get("bit_depth")) or _PCM_TYPES[mime]
    rate = _int(params.get("rate") or params.get("sample_rate"))
    channels = _int(params.get("channels")) or 1
    duration = total / (rate * channels * bits / 8) if rate and total else None
    return Media(
        "audio",
        "pcm",
        content_type.strip() or mime,
        ".pcm",
        sample_rate=rate,
        channels=channels,
        bits=bits,
        duration_s=duration,
    )


def _parse_type(content_type: str) -> tuple[str, dict[str, str]]:
    mime, *rest = content_type.split(";")
    params = {}
    for item in rest:
        name, _, value = item.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return mime.strip().lower(), params


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 < int(value) < 10_000_000 else None


# --- strings in JSON -------------------------------------------------------------------------

_STANDARD = re.compile(r"[A-Za-z0-9+/]*")
_URLSAFE = re.compile(r"[A-Za-z0-9_-]*")
_DATA_URL = re.compile(r"data:([^,;]*)((?:;[^,;]*)*);base64,", re.IGNORECASE)


def sniff_string(text: str, declared: str = "") -> tuple[Media, int, bool] | None:
    """If `text` is base64 (or a base64 data URL) of media: the media, where the base64 starts
    and whether it is URL-safe. Only the head is decoded. `declared`: a raw PCM Content-Type the
    answer gives elsewhere (format fields beside the string), for bytes with no magic."""
    if len(text) < MIN_BASE64_CHARS:
        return None
    offset = 0
    if text[:5].lower() == "data:":
        match = _DATA_URL.match(text, 0, 512)
        if match is None:
            return None
        offset, declared = match.end(), match.group(1) + match.group(2)
    checked = _base64_head(text, offset)
    if checked is None:
        return None
    head, is_urlsafe = checked
    total = (len(text) - offset) * 3 // 4 - _padding(text)
    if _mp3_frame(head, 0):  # a frame sync is checked against the next frame: decode that far
        head = _decode(text, offset, _MP3_CHECK_BYTES * 4 // 3 + 4, is_urlsafe) or b""
    media = _by_magic(head, total)
    if media is None and declared:
        media = _pcm(declared, total)
    return (media, offset, is_urlsafe) if media is not None else None


def _base64_head(text: str, offset: int) -> tuple[bytes, bool] | None:
    """The decoded head, if the head and the tail of `text[offset:]` keep base64's rules."""
    body = len(text) - offset
    if not text.isascii() or body < MIN_BASE64_CHARS:
        return None
    padding = _padding(text)
    end = len(text) - padding
    # The head, the tail and windows spread between them: a constant cost for any length.
    step = max((end - offset) // _WINDOWS, HEAD_CHARS)
    last = max(end - HEAD_CHARS, offset)
    starts = [*range(offset, last, step), last]
    windows = [text[start : min(start + HEAD_CHARS, end)] for start in starts]
    if all(_STANDARD.fullmatch(window) for window in windows):
        is_urlsafe = False
    elif all(_URLSAFE.fullmatch(window) for window in windows):
        is_urlsafe = True
    else:
        return None
    # Padded, the length is a multiple of 4 with at most two `=`; unpadded, never 1 past one.
    if padding > 2 or (padding and body % 4) or (not padding and body % 4 == 1):
        return None
    decoded = _decode(text, offset, HEAD_CHARS, is_urlsafe)
    return (decoded, is_urlsafe) if decoded is not None else None


def _padding(text: str) -> int:
    """The `=` at the end (a slice of the last few: stripping the whole string would copy it)."""
    end = text[-4:]
    return len(end) - len(end.rstrip("="))


def _decode(text: str, offset: int, chars: int, is_urlsafe: bool) -> bytes | None:
    piece = text[offset : offset + chars - chars % 4].rstrip("=")
    piece = piece[: len(piece) - len(piece) % 4] if len(piece) % 4 == 1 else piece
    if is_urlsafe:
        piece = piece.replace("-", "+").replace("_", "/")
    try:
        return binascii.a2b_base64(piece + "=" * (-len(piece) % 4), strict_mode=True)
    except binascii.Error:
        return None


def find_media(value: Any, *, limit: int = 100) -> list[MediaString]:
    """Every string in a parsed JSON value that holds base64 media, in document order, with its
    JSON path (at most `limit` of them)."""
    found: list[MediaString] = []
    stack: list[tuple[str, Any]] = [("$", value)]
    while stack and len(found) < limit:
        path, item = stack.pop()
        if isinstance(item, str):
            hit = sniff_string(item)
            if hit is not None:
                media, offset, is_urlsafe = hit
                encoding: Literal["base64", "data-url"] = "data-url" if offset else "base64"
                found.append(MediaString(path, media, encoding, len(item), offset, is_urlsafe))
        elif isinstance(item, dict):
            stack.extend((label_of(path, key), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in reversed(list(enumerate(item))))
    return found


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def label_of(path: str, key: object) -> str:
    """A child's JSON path: `$.data`, `$["a key"]`."""
    key = str(key)
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


# --- extensions ------------------------------------------------------------------------------

# Pinned, because mimetypes reads the system's tables and they differ from host to host.
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/wav": ".wav",
    "audio/wave": ".wav",
    "audio/x-wav": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "application/json": ".json",
    "text/event-stream": ".sse",
    "text/plain": ".txt",
    "application/octet-stream": ".bin",
    **dict.fromkeys(_PCM_TYPES, ".pcm"),
}


def extension_for(content_type: str) -> str:
    """The extension to save a body of this Content-Type with; `.bin` when nothing says."""
    mime = content_type.partition(";")[0].strip().lower()
    if mime in _EXTENSIONS:
        return _EXTENSIONS[mime]
    if "ndjson" in mime or "jsonl" in mime:
        return ".ndjson"
    if mime.endswith(("+json", "/json")):
        return ".json"
    guessed = mimetypes.guess_extension(mime, strict=False) if mime else None
    if guessed:
        return guessed
    return ".txt" if mime.startswith("text/") else ".bin"
