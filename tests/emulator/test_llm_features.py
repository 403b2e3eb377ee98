"""Vision, logprobs, reasoning effort and legacy completions on the local server."""

from __future__ import annotations

import base64
import json
import math
import struct
import zlib
from typing import Any

import httpx
import pytest

from playground.emulator import demo
from tests.emulator.helpers import FAULT, chat_body, chunks_of, model_path, sse_data

FAST = {FAULT: "delay=0"}
CHAT = model_path(demo.CHAT) + "/sync/v1/chat/completions"
VISION = model_path(demo.VISION) + "/sync/v1/chat/completions"
REASONER = model_path(demo.REASONER) + "/sync/v1/chat/completions"
COMPLETIONS = model_path(demo.CHAT) + "/sync/v1/completions"


def png(width: int, height: int, pixel: bytes, *, colour_type: int = 2, odd: bytes = b"") -> bytes:
    """A PNG of one colour (and `odd` as the first pixel), each row with another filter."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b""
    for y in range(height):
        row = (odd + pixel * (width - 1)) if y == 0 and odd else pixel * width
        rows += bytes([0]) + row  # filter 0: raw
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def image_message(*urls: str, text: str = "What is in this image?") -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    parts += [{"type": "image_url", "image_url": {"url": url}} for url in urls]
    return [{"role": "user", "content": parts}]


# --- vision ------------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
def test_the_vision_model_reads_the_image_it_is_sent(http: httpx.Client, streamed: bool) -> None:
    blue = png(7, 5, b"\x10\x30\xe0", odd=b"\xff\xff\xff")
    body = {"model": "baseten", "messages": image_message(data_url(blue)), "stream": streamed}
    response = http.post(VISION, json=body, headers=FAST)
    assert response.status_code == 200, response.text
    if streamed:
        chunks = chunks_of(sse_data(response.text.splitlines()))
        text = "".join(
            c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]
        )
    else:
        text = response.json()["choices"][0]["message"]["content"]
    assert text == "The image is a PNG image, 7 × 5 pixels, mostly blue (#1030e0)."


def test_the_vision_model_reads_several_images_and_formats(http: httpx.Client) -> None:
    gif = b"GIF89a" + struct.pack("<HH", 320, 200) + b"\x00" * 20
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xc0\x00\x11\x08"
        + struct.pack(">HH", 480, 640)
        + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    )
    grey = png(3, 3, b"\x80", colour_type=0)
    urls = [data_url(gif, "image/gif"), data_url(jpeg, "image/jpeg"), data_url(grey)]
    body = {"model": "demo-vision", "messages": image_message(*urls)}
    text = http.post(VISION, json=body, headers=FAST).json()["choices"][0]["message"]["content"]
    assert text == (
        "I see 3 images: image 1 is a GIF image, 320 × 200 pixels; image 2 is a JPEG image, "
        "640 × 480 pixels; image 3 is a PNG image, 3 × 3 pixels, mostly grey (#808080)."
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://example.com/cat.png", "Could not fetch the image at https://example.com/cat.png"),
        ("http://example.com/cat.png", "this local server is offline"),
        ("data:image/png;base64,!!!", "not valid base64"),
        (data_url(b"not an image at all"), "is not a PNG, JPEG, GIF or WebP"),
    ],
)
def test_the_vision_model_refuses_what_it_cannot_read(
    http: httpx.Client, url: str, words: str
) -> None:
    body = {"model": "demo-vision", "messages": image_message(url), "stream": True}
    response = http.post(VISION, json=body)
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]


@pytest.mark.parametrize("path", [CHAT, REASONER])
def test_text_only_models_answer_basetens_400_for_images(http: httpx.Client, path: str) -> None:
    body = {"messages": image_message(data_url(png(1, 1, b"\x00\x00\x00"))), "stream": True}
    response = http.post(path, json=body)
    assert response.status_code == 400
    assert response.json() == {
        "message": "This model does not support multimodal (image/video/audio) inputs.",
        "type": "Bad Request",
        "code": 400,
    }


# --- logprobs ----------------------------------------------------------------------------------


def check_entry(entry: dict[str, Any], top: int) -> None:
    assert set(entry) == {"token", "logprob", "bytes", "top_logprobs"}
    assert entry["bytes"] == list(entry["token"].encode())
    assert entry["logprob"] <= 0
    assert len(entry["top_logprobs"]) == top
    if top:
        tokens = [alt["token"] for alt in entry["top_logprobs"]]
        assert entry["token"] in tokens
        probs = [alt["logprob"] for alt in entry["top_logprobs"]]
        assert probs == sorted(probs, reverse=True)
        assert sum(math.exp(p) for p in probs) <= 1.0 + 1e-6


@pytest.mark.parametrize("top", [0, 3])
def test_logprobs_in_openais_shape_streamed_or_not(http: httpx.Client, top: int) -> None:
    body = chat_body(logprobs=True, top_logprobs=top)
    whole = http.post(CHAT, json=body, headers=FAST).json()["choices"][0]
    content = whole["logprobs"]["content"]
    assert whole["logprobs"]["refusal"] is None
    assert "".join(e["token"] for e in content) == whole["message"]["content"]
    for entry in content:
        check_entry(entry, top)
    streamed = http.post(CHAT, json={**body, "stream": True}, headers=FAST)
    chunks = [c for c in chunks_of(sse_data(streamed.text.splitlines())) if c["choices"]]
    per_token = [
        e
        for c in chunks
        if c["choices"][0]["logprobs"]
        for e in c["choices"][0]["logprobs"]["content"]
    ]
    assert per_token == content  # deterministic: the same values, token by token


def test_no_logprobs_unless_asked(http: httpx.Client) -> None:
    assert http.post(CHAT, json=chat_body(), headers=FAST).json()["choices"][0]["logprobs"] is None


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"top_logprobs": 2}, "`logprobs` must be set to true"),
        ({"logprobs": True, "top_logprobs": 21}, "between 0 and 20"),
    ],
)
def test_bad_logprobs_are_400(http: httpx.Client, extra: dict[str, Any], words: str) -> None:
    response = http.post(CHAT, json=chat_body(**extra))
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]


# --- reasoning effort --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [REASONER, "/inference/v1/chat/completions"])
def test_reasoning_effort_changes_how_long_the_model_reasons(http: httpx.Client, path: str) -> None:
    model = "demo-reasoner" if path == REASONER else "playground/demo-reasoner"
    tokens = {}
    for effort in ("low", "medium", "high"):
        body = chat_body("Is 1009 prime?", model=model, reasoning_effort=effort)
        response = http.post(path, json=body, headers=FAST).json()
        usage = response["usage"]
        tokens[effort] = usage["completion_tokens_details"]["reasoning_tokens"]
        assert len(response["choices"][0]["message"]["reasoning_content"].split()) == tokens[effort]
    assert 0 < tokens["low"] < tokens["medium"] < tokens["high"]
    default = http.post(path, json=chat_body("Is 1009 prime?", model=model), headers=FAST)
    default = default.json()["usage"]
    assert default["completion_tokens_details"]["reasoning_tokens"] == tokens["medium"]


def test_an_unknown_effort_is_400(http: httpx.Client) -> None:
    response = http.post(REASONER, json=chat_body(reasoning_effort="extreme"))
    assert response.status_code == 400
    assert "low, medium or high" in response.json()["error"]["message"]


# --- legacy completions ------------------------------------------------------------------------


def test_legacy_completions_whole_and_streamed(http: httpx.Client) -> None:
    body = {"model": "baseten", "prompt": "The capital of France is", "max_tokens": 5}
    whole = http.post(COMPLETIONS, json=body, headers=FAST).json()
    assert whole["object"] == "text_completion"
    choice = whole["choices"][0]
    assert choice["finish_reason"] == "length"
    assert whole["usage"]["completion_tokens"] == 5
    streamed = http.post(
        COMPLETIONS,
        json={**body, "stream": True, "stream_options": {"include_usage": True}},
        headers=FAST,
    )
    assert streamed.headers["content-type"].startswith("text/event-stream")
    data = sse_data(streamed.text.splitlines())
    assert data[-1] == "[DONE]"
    chunks = chunks_of(data)
    assert all(c["object"] == "text_completion" for c in chunks)
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == choice["text"]
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "length"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == whole["usage"]


def test_legacy_completions_default_to_16_tokens_and_give_logprobs(http: httpx.Client) -> None:
    body = {"prompt": "Once", "logprobs": 2}
    choice = http.post(COMPLETIONS, json=body, headers=FAST).json()["choices"][0]
    logprobs = choice["logprobs"]
    assert len(logprobs["tokens"]) == 16
    assert "".join(logprobs["tokens"]) == choice["text"]
    assert logprobs["text_offset"][0] == 0
    assert logprobs["text_offset"][1] == len(logprobs["tokens"][0])
    assert all(len(top) == 2 for top in logprobs["top_logprobs"])


def test_legacy_completions_on_vllm_insist_on_the_served_name(http: httpx.Client) -> None:
    path = model_path(demo.VLLM_MODEL) + "/sync/v1/completions"
    refused = http.post(path, json={"model": "baseten", "prompt": "hi"})
    assert refused.status_code == 404
    assert refused.json()["message"] == "The model `baseten` does not exist."
    assert http.post(path, json={"model": "Qwen/Qwen3-8B", "prompt": "hi"}).status_code == 200


def test_legacy_completions_refuse_a_missing_prompt(http: httpx.Client) -> None:
    response = http.post(COMPLETIONS, json={"max_tokens": 3})
    assert response.status_code == 400
    assert json.loads(response.text)["error"]["message"].startswith("`prompt` must be")


def test_streamed_legacy_completions_carry_each_tokens_logprobs(http: httpx.Client) -> None:
    body = {"prompt": "Once", "logprobs": 1, "max_tokens": 6}
    whole = http.post(COMPLETIONS, json=body, headers=FAST).json()["choices"][0]["logprobs"]
    streamed = http.post(COMPLETIONS, json={**body, "stream": True}, headers=FAST)
    chunks = [c for c in chunks_of(sse_data(streamed.text.splitlines())) if c["choices"]]
    parts = [c["choices"][0]["logprobs"] for c in chunks if c["choices"][0]["logprobs"]]
    assert [t for p in parts for t in p["tokens"]] == whole["tokens"]
    assert [v for p in parts for v in p["token_logprobs"]] == whole["token_logprobs"]
    assert [o for p in parts for o in p["text_offset"]] == whole["text_offset"]
