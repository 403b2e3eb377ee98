"""Media in a raw JSON body found without parsing it, decoded in bounded pieces, and the body's
text with each media string elided to a short token.

Everything here holds the GIL only briefly at a time (a regex search over at most a MiB, a base64
decode of at most a MiB), so a worker thread running it never stalls a window for long; a 20 MB
body of plain JSON is never parsed (parsing one holds the GIL ~200 ms).
"""

from __future__ import annotations

import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from playground.core.audio import declared_pcm
from playground.core.jsontext import parse_json
from playground.core.media import MIN_BASE64_CHARS, Media, label_of, sniff_string
from playground.core.text import human_size

__all__ = [
    "Found",
    "MediaItem",
    "elided_text",
    "find_in_raw",
    "label_of",
    "might_hold_media",
    "token_for",
]

CHUNK = 1024 * 1024  # bytes searched, or base64 characters decoded, per GIL hold
# A string that may be base64 media: a quote, perhaps a data URL's head, then 64 base64 chars.
_START = re.compile(rb'"(?:data:[^",\\]{0,200};base64,)?[A-Za-z0-9+/_-]{64}')
_LONGEST_START = 300
# Below this the elided body is parsed and pretty-printed (and media get their JSON paths).
PRETTY_BYTES = 512 * 1024

Encoding = Literal["binary", "base64", "data-url"]


@dataclass(frozen=True)
class Found:
    """A media string in a raw JSON body: its quotes' offsets and what it holds."""

    start: int  # the opening quote
    end: int  # the closing quote (the body's length when the body was cut inside it)
    media: Media
    offset: int  # where the base64 starts, after a data URL's comma
    is_urlsafe: bool
    is_cut: bool
    text: str = field(repr=False)

    @property
    def encoding(self) -> Encoding:
        return "data-url" if self.offset else "base64"

    @property
    def decoded_size(self) -> int:
        return (len(self.text) - self.offset) * 3 // 4

    def decode(self) -> bytes:
        """The media's bytes, decoded a MiB at a time (the GIL is let go between pieces); a cut
        string gives what it holds. `binascii.Error` if it is not base64 after all."""
        body = self.text[self.offset :]
        if self.is_urlsafe:
            body = body.replace("-", "+").replace("_", "/")
        if self.is_cut:
            body = body[: len(body) - len(body) % 4]
        body += "=" * (-len(body) % 4)
        step = CHUNK - CHUNK % 4
        pieces = [
            binascii.a2b_base64(body[at : at + step], strict_mode=True)
            for at in range(0, len(body), step)
        ]
        return b"".join(pieces)


@dataclass
class MediaItem:
    """One piece of media in an answer: a binary body, or a string of a JSON body.

    `data` is the media's bytes (for a binary body that is still arriving, what has arrived).
    """

    media: Media
    label: str  # "body", a JSON path ($.images[1]) or #2
    data: bytes = b""
    encoding: Encoding = "binary"
    is_cut: bool = False  # the answer (or the history's copy of it) ends inside the media
    cut_at: int = 0  # where it was cut: the kept size

    @property
    def suggested_name(self) -> str:
        stem = "image" if self.media.kind == "image" else "audio"
        return stem + self.media.extension

    def describe(self) -> str:
        """`PNG image, 64×64 · 1.2 KB`, and where it was cut if it was."""
        line = f"{self.media.describe()} · {human_size(len(self.data))}"
        if self.is_cut:
            line += f" · cut at {human_size(self.cut_at)}"
        return line


def might_hold_media(head: bytes) -> bool:
    """Whether a body's head has a string that may be base64 media (a cheap look, no decoding)."""
    return _START.search(head) is not None


def find_in_raw(raw: bytes, *, limit: int = 100) -> list[Found]:
    """Every string of a raw JSON body holding base64 media (at most `limit`), in order."""
    found: list[Found] = []
    pos, size = 0, len(raw)
    while pos < size and len(found) < limit:
        match = _START.search(raw, pos, min(size, pos + CHUNK + _LONGEST_START))
        if match is None:
            pos += CHUNK
            continue
        start = match.start()
        if start and raw[start - 1] == 0x5C:  # `\"`: a quote inside a string, not its start
            pos = start + 1
            continue
        end = raw.find(b'"', match.end())
        is_cut = end < 0
        end = size if is_cut else end
        pos = end + 1
        if raw[pos : pos + 16].lstrip()[:1] == b":":  # a key, not a value
            continue
        hit = _sniff(raw[start + 1 : end], is_cut)
        if hit is None and end - start > DECLARED_MIN:
            hit = _sniff(raw[start + 1 : end], is_cut, _declared_pcm(raw, start, end))
        if hit is not None:
            media, offset, is_urlsafe, text = hit
            found.append(Found(start, end, media, offset, is_urlsafe, is_cut, text))
    return found


DECLARED_MIN = 1024  # a string this long with no magic bytes may be raw PCM its answer declares
_NEAR = 2048  # how far either side of such a string its format fields are looked for
_FIELD = re.compile(rb'"([A-Za-z_]+)"\s*:\s*(?:(\d{1,7})\b|"([^"\\]{1,40})")')


def _declared_pcm(raw: bytes, start: int, end: int) -> str:
    """The raw PCM type that format fields beside the string at `start:end` declare, e.g.
    `"sample_rate": 24000, "encoding": "pcm_s16le"`; "" when they declare none."""
    fields: dict[str, Any] = {}
    for near in (raw[max(0, start - _NEAR) : start], raw[end + 1 : end + 1 + _NEAR]):
        for match in _FIELD.finditer(near):
            name, number, text = match.groups()
            fields.setdefault(
                name.decode().lower(), int(number) if number else text.decode("latin-1")
            )
    media = declared_pcm(fields)
    return media.mime if media is not None else ""


def _sniff(segment: bytes, is_cut: bool, declared: str = "") -> tuple[Media, int, bool, str] | None:
    if b"\\" in segment:
        if segment.count(b"\\") != segment.count(b"\\/"):  # escapes base64 never needs
            return None
        segment = segment.replace(b"\\/", b"/")  # some encoders write / as \/
    try:
        text = segment.decode("ascii")
    except UnicodeDecodeError:
        return None
    probe = text
    if is_cut:  # the padding rules cannot hold for a cut string: sniff a whole head of it
        probe = text[: max(MIN_BASE64_CHARS, 2048)]
        probe = probe[: len(probe) - len(probe) % 4]
    hit = sniff_string(probe, declared)
    if hit is None:
        return None
    media, offset, is_urlsafe = hit
    return media, offset, is_urlsafe, text


def token_for(found: Found, index: int, count: int, kept: int = 0) -> str:
    """What the text shows instead of the string: `⟨PNG image, 512×512 · 1.2 MB base64⟩`."""
    number = f"#{index + 1} " if count > 1 else ""
    how = "data URL" if found.encoding == "data-url" else "base64"
    size = f"{human_size(found.decoded_size)} {how}"
    if found.is_cut:
        size = f"{how}, cut at {human_size(kept)}"
    return f"⟨{number}{found.media.describe()} · {size}⟩"


def elided_text(raw: bytes, found: list[Found], preview: int) -> tuple[str, bool, list[str]]:
    """The body with each found string replaced by its token: (text, whether it is
    pretty-printed, each media's label: its JSON path when the elided body could be parsed)."""
    tokens = [token_for(f, i, len(found), len(raw)) for i, f in enumerate(found)]
    parts: list[bytes] = []
    at = 0
    for item, token in zip(found, tokens, strict=True):
        parts += [raw[at : item.start], json.dumps(token, ensure_ascii=False).encode()]
        at = item.end + 1
    parts.append(raw[at:])
    elided = b"".join(parts)
    labels = [f"#{i + 1}" for i in range(len(found))]
    if len(elided) <= PRETTY_BYTES and not any(f.is_cut for f in found):
        try:
            value = parse_json(elided)
        except ValueError:
            value = None
        if value is not None:
            paths = _paths_of(value, set(tokens))
            labels = [paths.get(token, label) for token, label in zip(tokens, labels, strict=True)]
            pretty = json.dumps(value, indent=2, ensure_ascii=False)
            if len(pretty) <= preview:
                return pretty, True, labels
    return elided[:preview].decode("utf-8", "replace"), False, labels


def _paths_of(value: Any, tokens: set[str]) -> dict[str, str]:
    paths: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("$", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if item in tokens:
                paths.setdefault(item, path)
        elif isinstance(item, dict):
            stack.extend((label_of(path, key), child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(item))
    return paths
