"""A big image answer on demand (the `huge_image` fault): `{"data": "<base64 PNG>"}` of a given size."""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from functools import lru_cache

WIDTH = 1024


@lru_cache(maxsize=2)
def huge_image_json(size: int) -> bytes:
    """A JSON body of about `size` bytes holding one base64 PNG of noise (stored, not squeezed:
    noise would not shrink), built once per size."""
    row = 1 + 3 * WIDTH  # a filter byte, then RGB
    height = max(1, size * 3 // 4 // row)
    noise = random.Random(size).randbytes(height * (row - 1))
    rows = b"".join(b"\x00" + noise[y * (row - 1) : (y + 1) * (row - 1)] for y in range(height))

    def block(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", WIDTH, height, 8, 2, 0, 0, 0)
    image = (
        b"\x89PNG\r\n\x1a\n"
        + block(b"IHDR", header)
        + block(b"IDAT", zlib.compress(rows, 0))
        + block(b"IEND", b"")
    )
    return json.dumps({"data": base64.b64encode(image).decode("ascii"), "seed": size}).encode()
