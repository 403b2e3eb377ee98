"""Audio as samples: WAV, MP3, FLAC and Ogg Vorbis decoded (miniaudio), raw PCM converted, streamed
audio decoded as it arrives, and the peaks a waveform is drawn from.

Everything comes out as 16-bit signed little-endian PCM, interleaved (`array("h")`), which is what
a playback device takes. Opus is named as not decodable here (miniaudio has no Opus decoder):
`decode` says so in an `Unplayable`, it does not raise.
"""

from __future__ import annotations

import array
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import miniaudio

from playground.core.media import Media, sniff
from playground.core.metrics import Clock, Metrics

OPUS_REASON = "Opus audio cannot be played here; Save… keeps it"


@dataclass(frozen=True)
class PcmFormat:
    """How raw samples are laid out: RFC 2586's audio/L16 is big-endian, a WAV's little."""

    rate: int
    channels: int = 1
    bits: int = 16
    big_endian: bool = True
    is_float: bool = False

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.bits // 8

    @property
    def byte_rate(self) -> int:
        return self.rate * self.frame_bytes

    def seconds(self, size: int) -> float:
        """How long `size` bytes of these samples play."""
        return size / self.byte_rate if self.byte_rate else 0.0


@dataclass
class Pcm:
    """Decoded audio: 16-bit samples, interleaved by channel."""

    samples: array.array[int]
    rate: int
    channels: int

    @property
    def frames(self) -> int:
        return len(self.samples) // max(self.channels, 1)

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class Unplayable:
    """Why audio cannot be decoded here, in words for a person."""

    reason: str


def pcm_format(media: Media) -> PcmFormat | None:
    """The layout of a raw PCM body, from what its Content-Type (or data URL) declared."""
    if media.format != "pcm" or not media.sample_rate:
        return None
    mime, _, params = media.mime.lower().partition(";")
    little = "little" in params or "endian=le" in params.replace(" ", "")
    # audio/L8, L16 and L24 are big-endian (RFC 2586, RFC 3190); audio/pcm and audio/raw are
    # what most servers write, little-endian, unless their parameters say otherwise.
    big = mime.strip().startswith("audio/l") and not little
    if not mime.strip().startswith("audio/l"):
        big = "big" in params or "endian=be" in params.replace(" ", "")
    return PcmFormat(media.sample_rate, media.channels or 1, media.bits or 16, big)


_FIELD_RATE = ("sample_rate", "sampling_rate", "rate", "sr")
_FIELD_CHANNELS = ("channels", "num_channels", "n_channels")
_FIELD_ENCODING = ("encoding", "format", "audio_format", "sample_format")


def declared_pcm(fields: Mapping[str, Any], size: int = 0) -> Media | None:
    """Raw PCM declared by format fields beside the audio in a JSON answer, e.g.
    `{"audio": …, "sample_rate": 24000, "encoding": "pcm_s16le"}`; None when they say nothing
    of a rate or name another format."""
    rate = next((fields[k] for k in _FIELD_RATE if isinstance(fields.get(k), int)), None)
    if not isinstance(rate, int) or isinstance(rate, bool) or not 0 < rate < 1_000_000:
        return None
    channels = next((fields[k] for k in _FIELD_CHANNELS if isinstance(fields.get(k), int)), 1)
    encoding = next((str(fields[k]) for k in _FIELD_ENCODING if k in fields), "pcm").lower()
    if not any(word in encoding for word in ("pcm", "l16", "linear", "s16", "raw", "l24", "l8")):
        return None
    bits = 24 if "24" in encoding else 8 if encoding.endswith(("l8", "u8", "s8")) else 16
    endian = "big" if encoding.endswith("be") or encoding.startswith("l") else "little"
    mime = f"audio/pcm;rate={rate};channels={channels};bits={bits};endian={endian}"
    frame = channels * bits // 8
    duration = size / (rate * frame) if size and frame else None
    return Media(
        "audio", "pcm", mime, ".pcm", sample_rate=rate, channels=channels, bits=bits,
        duration_s=duration,
    )  # fmt: skip


def to_s16(raw: bytes, fmt: PcmFormat) -> bytes:
    """`raw` samples as 16-bit signed little-endian (whole frames only: the caller keeps the
    rest). Slices and byte swaps only, so that minutes of audio convert in milliseconds."""
    width = fmt.bits // 8
    raw = raw[: len(raw) - len(raw) % (width * fmt.channels)]
    if fmt.bits == 16:
        if fmt.big_endian == (sys.byteorder == "little"):
            swapped = array.array("h", raw)
            swapped.byteswap()
            return swapped.tobytes()
        return bytes(raw)
    out = bytearray(2 * (len(raw) // width))
    if fmt.bits == 8:  # L8 and 8-bit WAV are unsigned, offset by 128
        out[1::2] = raw.translate(bytes((i ^ 0x80) for i in range(256)))
    elif fmt.big_endian:  # the two most significant bytes of each sample, swapped
        out[0::2], out[1::2] = raw[1::width], raw[0::width]
    else:
        out[0::2], out[1::2] = raw[width - 2 :: width], raw[width - 1 :: width]
    if sys.byteorder == "big":
        swapped = array.array("h", bytes(out))
        swapped.byteswap()
        return swapped.tobytes()
    return bytes(out)


def samples_of(s16: bytes) -> array.array[int]:
    """16-bit little-endian bytes as native samples."""
    samples = array.array("h", s16)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


_INFO = {
    "wav": miniaudio.wav_get_info,
    "mp3": miniaudio.mp3_get_info,
    "flac": miniaudio.flac_get_info,
    "ogg": miniaudio.vorbis_get_info,
}


def decode(data: bytes, media: Media) -> Pcm | Unplayable:
    """The samples of a whole body, or why there are none."""
    if media.codec == "opus":
        return Unplayable(OPUS_REASON)
    if media.format == "pcm":
        fmt = pcm_format(media)
        if fmt is None or fmt.bits not in (8, 16, 24, 32):
            return Unplayable("Raw PCM whose sample rate was not declared cannot be played")
        return Pcm(samples_of(to_s16(data, fmt)), fmt.rate, fmt.channels)
    if media.format == "ogg" and media.codec not in (None, "vorbis"):
        return Unplayable(f"{media.describe()} cannot be played here; Save… keeps it")
    info = _INFO.get(media.format)
    if info is None:
        return Unplayable(f"{media.format.upper()} audio cannot be played here")
    try:
        head = info(data)
        decoded = miniaudio.decode(data, nchannels=head.nchannels, sample_rate=head.sample_rate)
    except miniaudio.MiniaudioError as exc:
        return Unplayable(f"The {media.format.upper()} audio could not be decoded ({exc})")
    return Pcm(decoded.samples, decoded.sample_rate, decoded.nchannels)


def peaks(
    samples: array.array[int], columns: int, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """The lowest and highest sample in each of `columns` equal spans of `samples[start:end]`.

    A span longer than 256 samples is read at a stride (128 to 256 read): the cost per column stays
    bounded whatever the audio's length, and at a pixel per column the eye sees no difference.
    """
    end = len(samples) if end is None else min(end, len(samples))
    span = end - start
    if columns <= 0 or span <= 0:
        return []
    out: list[tuple[int, int]] = []
    per = span / columns
    stride = max(1, int(per) // 128)
    for column in range(columns):
        lo, hi = start + int(column * per), start + int((column + 1) * per)
        piece = samples[lo : max(hi, lo + 1) : stride]
        out.append((min(piece), max(piece)) if piece else (0, 0))
    return out


# --- streams -----------------------------------------------------------------------------------


def wav_layout(head: bytes) -> tuple[int, PcmFormat] | None:
    """Where a WAV's samples start and how they are laid out, once `head` holds the header up to
    the data chunk; None while it does not (or when the WAV is not integer PCM)."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    at, fmt = 12, None
    while at + 8 <= len(head):
        name, length = head[at : at + 4], int.from_bytes(head[at + 4 : at + 8], "little")
        if name == b"data":
            return (at + 8, fmt) if fmt is not None else None
        if name == b"fmt ":
            if len(head) < at + 24:
                return None
            tag = int.from_bytes(head[at + 8 : at + 10], "little")
            channels = int.from_bytes(head[at + 10 : at + 12], "little")
            rate = int.from_bytes(head[at + 12 : at + 16], "little")
            bits = int.from_bytes(head[at + 22 : at + 24], "little")
            is_float = tag == 3
            if tag not in (1, 3, 0xFFFE) or bits not in (8, 16, 24, 32) or not channels or not rate:
                return None
            fmt = PcmFormat(rate, channels, bits, big_endian=False, is_float=is_float)
        at += 8 + length + (length & 1)
    return None


class StreamDecoder:
    """Streamed audio decoded as it arrives: a WAV's header, then its samples, or raw PCM as
    declared. `feed` returns the 16-bit samples that each chunk completes (so playback can start
    before the body ends). Other formats (MP3, FLAC, Ogg) are kept and decoded at `finish`."""

    MAX_HEADER = 64 * 1024  # a WAV whose header runs longer than this is decoded at the end

    def __init__(self, media: Media) -> None:
        self.media = media
        self.format = pcm_format(media)
        self.header_bytes: int | None = 0 if self.format is not None else None
        self.is_incremental = media.format in ("wav", "pcm")
        self._pending = bytearray()
        self._whole = bytearray()
        self.received = 0

    @property
    def rate(self) -> int | None:
        return self.format.rate if self.format else self.media.sample_rate

    @property
    def channels(self) -> int:
        return self.format.channels if self.format else self.media.channels or 1

    def feed(self, chunk: bytes) -> bytes:
        """The whole 16-bit frames `chunk` completes (nothing while a header is incomplete)."""
        self.received += len(chunk)
        if not self.is_incremental:
            self._whole += chunk
            return b""
        self._pending += chunk
        if self.header_bytes is None:
            layout = wav_layout(bytes(self._pending[: self.MAX_HEADER]))
            if layout is None:
                if len(self._pending) > self.MAX_HEADER:
                    self.is_incremental = False
                    self._whole, self._pending = self._pending, bytearray()
                return b""
            if layout[1].is_float:  # rare in a stream: kept and decoded whole at the end
                self.is_incremental = False
                self._whole, self._pending = self._pending, bytearray()
                return b""
            self.header_bytes, self.format = layout
            del self._pending[: self.header_bytes]
        assert self.format is not None
        usable = len(self._pending) - len(self._pending) % self.format.frame_bytes
        if not usable:
            return b""
        out = to_s16(bytes(self._pending[:usable]), self.format)
        del self._pending[:usable]
        return out

    def finish(self) -> Pcm | Unplayable | None:
        """What could only be decoded whole (None when everything came out of `feed`)."""
        if self.is_incremental:
            return None
        return decode(bytes(self._whole), self.media)


class AudioMeter:
    """Time to first audio and × real time, taken as an audio body's bytes come off the wire.

    - `first_audio_s`: when the first sample byte arrived, after any container header (a WAV's
      header up to its data chunk; raw PCM has none), in seconds from the request being sent.
    - `audio_s`: seconds of audio received so far (bytes after the header over the byte rate).
    - `realtime_factor`: seconds of audio received per second of wall time, counted from the
      first audio on: the audio that arrived after the first audio's read, over the time since.
      Above 1× a playback started at the first audio never runs dry; the read that carried the
      first audio is left out, as its bytes took no time to arrive from that moment.

    Only WAV and raw PCM are metered: their byte rate is known from the header.
    """

    def __init__(self, content_type: str, metrics: Metrics, clock: Clock) -> None:
        self._content_type = content_type
        self._metrics = metrics
        self._clock = clock
        self._head = bytearray()
        self._received = 0
        self._header: int | None = None
        self._format: PcmFormat | None = None
        self._first_piece = 0
        self.is_done = False  # not audio this meter can read: it stops looking

    def feed(self, chunk: bytes) -> None:
        if self.is_done or not chunk:
            return
        first = self._metrics.first_byte_s
        # The first read is the first byte's: one moment, so that raw PCM's first audio is its TTFB.
        now = first if not self._received and first is not None else self._clock.now()
        self._received += len(chunk)
        if self._format is None and not self._find_layout(chunk):
            return
        assert self._format is not None
        assert self._header is not None
        audio = self._received - self._header
        if audio <= 0:
            return
        metrics = self._metrics
        metrics.audio_s = self._format.seconds(audio)
        if metrics.first_audio_s is None:
            metrics.first_audio_s = now
            self._first_piece = audio
            return
        span = now - metrics.first_audio_s
        if span > 0:
            metrics.realtime_factor = self._format.seconds(audio - self._first_piece) / span

    def _find_layout(self, chunk: bytes) -> bool:
        self._head += chunk
        media = sniff(bytes(self._head[:64]), self._content_type)
        if media is None or media.kind != "audio" or media.format not in ("wav", "pcm"):
            self.is_done = media is not None or len(self._head) >= 12  # RIFF…WAVE is 12 bytes
            return False
        if media.format == "pcm":
            fmt = pcm_format(media)
            layout = (0, fmt) if fmt is not None else None
            self.is_done = layout is None
        else:
            layout = wav_layout(bytes(self._head))
            self.is_done = layout is None and len(self._head) > StreamDecoder.MAX_HEADER
        if layout is None or not layout[1].byte_rate:
            self.is_done = self.is_done or layout is not None
            return False
        self._header, self._format = layout
        self._head.clear()
        return True


def wav_bytes(pcm: Pcm) -> bytes:
    """`pcm` as a 16-bit WAV file (what raw PCM is saved as, for players that want a header)."""
    data = pcm.samples.tobytes() if sys.byteorder == "little" else _swapped(pcm.samples)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, pcm.channels,
        pcm.rate, pcm.rate * pcm.channels * 2, pcm.channels * 2, 16, b"data", len(data),
    )  # fmt: skip
    return header + data


def _swapped(samples: array.array[int]) -> bytes:
    copy = array.array("h", samples)
    copy.byteswap()
    return copy.tobytes()
