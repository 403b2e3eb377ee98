"""Media found in a raw JSON body without parsing it, decoded in pieces, elided in its text."""

from __future__ import annotations

import base64
import hashlib
import json
import os

from playground.core.media_scan import CHUNK, elided_text, find_in_raw
from playground.emulator.behaviours import huge_json
from playground.emulator.media_models import png

PNG = png(48, 32, hashlib.sha256(b"scan").digest())
B64 = base64.b64encode(PNG).decode()


def test_plain_json_holds_no_media_however_big() -> None:
    assert find_in_raw(huge_json(3_000_000)) == []


def test_a_base64_png_is_found_decoded_and_elided_with_its_path() -> None:
    raw = json.dumps({"id": "x" * 100, "out": [{"image": B64}]}).encode()
    (found,) = find_in_raw(raw)
    assert (found.media.format, found.media.width, found.media.height) == ("png", 48, 32)
    assert found.decode() == PNG
    text, is_pretty, labels = elided_text(raw, [found], 128 * 1024)
    assert is_pretty
    assert labels == ["$.out[0].image"]
    value = json.loads(text)
    assert value["id"] == "x" * 100
    assert value["out"][0]["image"].startswith("⟨PNG image, 48×32 · ")
    assert value["out"][0]["image"].endswith(" base64⟩")


def test_escaped_slashes_and_a_data_url_are_read_as_the_same_bytes() -> None:
    escaped = json.dumps({"a": B64}).replace("/", "\\/")
    url = json.dumps({"b": f"data:image/png;base64,{B64}"})
    for raw in (escaped.encode(), url.encode()):
        (found,) = find_in_raw(raw)
        assert found.decode() == PNG
    (found,) = find_in_raw(url.encode())
    assert found.encoding == "data-url"


def test_a_string_across_the_search_pieces_is_found_and_decoded_whole() -> None:
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(2 * CHUNK)
    encoded = base64.b64encode(big).decode()
    raw = json.dumps({"pad": "p" * (CHUNK - 20), "img": encoded}).encode()
    (found,) = find_in_raw(raw)
    assert found.start < CHUNK + 100 < found.end
    assert found.decode() == big


def test_ordinary_long_strings_are_not_media() -> None:
    words = base64.b64encode(b"plain words, not a picture " * 40).decode()
    token = "abcdefghijklmnopqrstuvwxyz0123456789" * 8
    quoted = f'he said "{B64}" twice'  # base64 media inside a quote in a sentence: text
    raw = json.dumps({"a": words, "b": token, "c": quoted, B64: 1}).encode()  # and a key
    assert find_in_raw(raw) == []


def test_a_body_cut_inside_the_media_says_so() -> None:
    raw = json.dumps({"data": B64}).encode()[:200]
    (found,) = find_in_raw(raw)
    assert found.is_cut
    assert (found.media.width, found.media.height) == (48, 32)
    assert PNG.startswith(found.decode())
    text, is_pretty, labels = elided_text(raw, [found], 1000)
    assert not is_pretty
    assert labels == ["#1"]
    assert text == '{"data": "⟨PNG image, 48×32 · base64, cut at 200 B⟩"'
