"""Small real image files for the media tests: PNG, JPEG and WebP written by Qt, GIF by hand."""

from __future__ import annotations

import base64
import struct

from PySide6.QtCore import QBuffer, QByteArray
from PySide6.QtGui import QColor, QImage

MIMES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}


def qt_image(fmt: str, width: int, height: int, colour: str = "#3070c0") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    assert image.save(buffer, fmt.upper())
    buffer.close()
    return bytes(data.data())


def gif(width: int, height: int) -> bytes:
    """A one-colour GIF89a (Qt reads GIF but cannot write it): LZW codes of 3 bits, a clear code
    before every pixel so that the code size never grows."""
    codes = [4, 0] * (width * height) + [5]  # clear, index 0 … end of information
    bits = sum(code << (3 * i) for i, code in enumerate(codes))
    data = bits.to_bytes((3 * len(codes) + 7) // 8, "little")
    blocks = b"".join(
        bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)
    )
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # a global table of 2 colours
        + b"\xd0\x40\x20\xff\xff\xff"
        + b","
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02"  # LZW minimum code size
        + blocks
        + b"\x00;"
    )


def image_file(fmt: str, width: int, height: int) -> bytes:
    return gif(width, height) if fmt == "gif" else qt_image(fmt, width, height)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
