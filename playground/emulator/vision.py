"""Vision input: `image_url` parts read for real — format, size and (PNG) the dominant colour.

No imaging library: sizes come from the headers, and a PNG is inflated with zlib and unfiltered
here (small images only; a big one is described by its header alone).
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

# A text-only engine's 400 (baseten-api.md §5.5, observed on Baseten; the flat shape).
NOT_MULTIMODAL = "This model does not support multimodal (image/video/audio) inputs."
_MAX_PIXELS = 512 * 512
_COLOURS = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (220, 30, 30),
    "green": (30, 170, 60),
    "blue": (30, 60, 220),
    "yellow": (240, 220, 40),
    "orange": (245, 140, 30),
    "purple": (130, 50, 170),
    "pink": (240, 130, 180),
    "brown": (130, 80, 40),
    "grey": (128, 128, 128),
    "cyan": (40, 200, 220),
}


class ImageError(Exception):
    """An image part the engine refuses (400)."""


@dataclass
class ImageFacts:
    format: str
    width: int
    height: int
    colour: tuple[int, int, int] | None = None

    def describe(self) -> str:
        text = f"a {self.format.upper()} image, {self.width} × {self.height} pixels"
        if self.colour is not None:
            hex_code = "#{:02x}{:02x}{:02x}".format(*self.colour)
            text += f", mostly {colour_name(self.colour)} ({hex_code})"
        return text


def image_parts(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every non-text content part (image_url, input_audio, video_url …) of the messages."""
    return [
        part
        for message in messages
        if isinstance(message.get("content"), list)
        for part in message["content"]
        if isinstance(part, dict) and part.get("type") not in (None, "text")
    ]


def read_part(part: dict[str, Any]) -> ImageFacts:
    if part.get("type") != "image_url":
        raise ImageError(f"Unsupported content part type {part.get('type')!r}; send image_url.")
    image = part.get("image_url")
    url = image.get("url") if isinstance(image, dict) else image
    if not isinstance(url, str) or not url:
        raise ImageError("`image_url.url` is required.")
    if url.startswith(("http://", "https://")):
        raise ImageError(
            f"Could not fetch the image at {url}: this local server is offline and reads only "
            "data URLs (data:image/png;base64,…)."
        )
    if not url.startswith("data:") or "," not in url:
        raise ImageError("`image_url.url` must be an http(s) URL or a data URL.")
    header, _, payload = url[5:].partition(",")
    if not header.endswith(";base64"):
        raise ImageError("An image data URL must be base64-encoded (data:image/…;base64,…).")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImageError("The image data URL is not valid base64.") from None
    facts = sniff(data)
    if facts is None:
        raise ImageError("The image is not a PNG, JPEG, GIF or WebP the model can read.")
    return facts


def sniff(data: bytes) -> ImageFacts | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageFacts("png", width, height, _png_colour(data, width, height))
    if data.startswith(b"\xff\xd8\xff"):
        return ImageFacts("jpeg", *_jpeg_size(data))
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return ImageFacts("gif", width, height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageFacts("webp", width, height)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return 0, 0


def _png_colour(data: bytes, width: int, height: int) -> tuple[int, int, int] | None:
    """The most common colour of a small, 8-bit, non-interlaced PNG; None otherwise."""
    depth, kind, interlace = data[24], data[25], data[28]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(kind)
    if channels is None or depth != 8 or interlace or not 0 < width * height <= _MAX_PIXELS:
        return None
    chunks, palette, at = [], b"", 8
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        name = data[at + 4 : at + 8]
        if name == b"IDAT":
            chunks.append(data[at + 8 : at + 8 + size])
        elif name == b"PLTE":
            palette = data[at + 8 : at + 8 + size]
        elif name == b"IEND":
            break
        at += 12 + size
    try:
        raw = zlib.decompress(b"".join(chunks))
    except zlib.error:
        return None
    stride = width * channels
    if len(raw) < (stride + 1) * height:
        return None
    rows = _unfilter(raw, stride, channels, height)
    counts: Counter[bytes] = Counter()
    for row in rows:
        counts.update(row[i : i + channels] for i in range(0, stride, channels))
    pixel = counts.most_common(1)[0][0]
    if kind == 3:
        index = pixel[0] * 3
        return (palette[index], palette[index + 1], palette[index + 2]) if palette else None
    if kind in (0, 4):
        return (pixel[0], pixel[0], pixel[0])
    return (pixel[0], pixel[1], pixel[2])


def _unfilter(raw: bytes, stride: int, bpp: int, height: int) -> list[bytes]:
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 0xFF
        elif kind == 2:
            for i in range(stride):
                row[i] = (row[i] + previous[i]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + pred) & 0xFF
        rows.append(bytes(row))
        previous = row
    return rows


def colour_name(rgb: tuple[int, int, int]) -> str:
    return min(
        _COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(_COLOURS[n], rgb, strict=True))
    )


def describe_images(parts: list[dict[str, Any]]) -> str:
    """The answer of the vision model: what it read from each image (raises ImageError)."""
    facts = [read_part(part) for part in parts]
    if len(facts) == 1:
        return f"The image is {facts[0].describe()}."
    listed = "; ".join(f"image {i} is {f.describe()}" for i, f in enumerate(facts, 1))
    return f"I see {len(facts)} images: {listed}."
