"""The `huge_image` fault: a predict answer of about N bytes carrying one base64 PNG."""

from __future__ import annotations

import base64
import struct

import httpx

from playground.emulator import demo
from tests.emulator.helpers import FAULT, model_path

PREDICT = model_path(demo.CLASSIFIER) + "/predict"


def test_huge_image_answers_with_a_base64_png_of_about_that_size(http: httpx.Client) -> None:
    response = http.post(PREDICT, json={"text": "x"}, headers={FAULT: "huge_image=3000000"})
    assert response.status_code == 200
    assert 2_700_000 <= len(response.content) <= 3_100_000
    image = base64.b64decode(response.json()["data"])
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", image[16:24])
    assert width == 1024
    assert height > 500
