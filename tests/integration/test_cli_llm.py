"""`playground chat` with a JSON Schema, images, logprobs, reasoning effort and extra headers."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from playground.emulator import EmulatorServer, demo
from tests.integration.helpers import run

FAST = ["--header", "X-Emulator-Fault: delay=0"]
SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 1},
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["title", "tags", "score"],
    "additionalProperties": False,
}


def message(records: list[dict]) -> dict:
    return next(r for r in records if r["event"] == "message")


def green_png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x20\xb0\x40" * 4 for _ in range(3))
    header = struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    path.write_bytes(data + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("stream", [[], ["--stream"]])
@pytest.mark.parametrize("wrapped", [False, True])
def test_chat_with_a_schema_file(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    tmp_path: Path,
    stream: list[str],
    wrapped: bool,
) -> None:
    path = tmp_path / "review.json"
    spec = {"name": "review", "schema": SCHEMA, "strict": True} if wrapped else SCHEMA
    path.write_text(json.dumps(spec))
    code, records, err = run(
        capsys,
        "chat",
        "--model",
        demo.CHAT,
        "-m",
        "Review this film",
        "--schema",
        str(path),
        *stream,
        *FAST,
        *base,
    )
    assert code == 0, err
    Draft202012Validator(SCHEMA).validate(json.loads(message(records)["content"]))


def test_chat_with_images(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    image = green_png(tmp_path / "leaf.png")
    code, records, err = run(
        capsys,
        "chat",
        "--model",
        demo.VISION,
        "-m",
        "What is this?",
        "--image",
        str(image),
        "--image",
        str(image),
        *FAST,
        *base,
    )
    assert code == 0, err
    facts = "a PNG image, 4 × 3 pixels, mostly green (#20b040)"
    assert message(records)["content"] == f"I see 2 images: image 1 is {facts}; image 2 is {facts}."


def test_an_image_to_a_text_only_model_gets_basetens_400(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    image = green_png(tmp_path / "leaf.png")
    code, _, err = run(
        capsys, "chat", "--model", demo.CHAT, "-m", "What?", "--image", str(image), *base
    )
    assert code != 0
    assert "This model does not support multimodal (image/video/audio) inputs." in err


def test_chat_with_logprobs(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    code, records, err = run(
        capsys,
        "chat",
        "--model",
        demo.CHAT,
        "-m",
        "hi",
        "--logprobs",
        "3",
        "--stream",
        *FAST,
        *base,
    )
    assert code == 0, err
    answer = message(records)
    assert "".join(t["token"] for t in answer["logprobs"]) == answer["content"]
    assert all(len(t["top"]) == 3 for t in answer["logprobs"])


def test_chat_with_reasoning_effort(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    tokens = []
    for effort in ("low", "medium", "high"):
        code, records, err = run(
            capsys,
            "chat",
            "--model",
            demo.REASONER,
            "-m",
            "Is 1009 prime?",
            "--reasoning-effort",
            effort,
            *FAST,
            *base,
        )
        assert code == 0, err
        tokens.append(message(records)["usage"]["completion_tokens_details"]["reasoning_tokens"])
    assert tokens == sorted(set(tokens))


def test_chat_sends_extra_headers(
    capsys: pytest.CaptureFixture[str], base: list[str], emulator: EmulatorServer
) -> None:
    code, records, err = run(
        capsys,
        "chat",
        "--model",
        demo.CHAT,
        "-m",
        "hi",
        "--header",
        "x-session-affinity: conv-42",
        *FAST,
        *base,
    )
    assert code == 0, err
    request_id = next(r for r in records if r["event"] == "response")["request_id"]
    seen = emulator.emulator.state.records[request_id].headers
    assert seen["x-session-affinity"] == "conv-42"


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--header", "no colon"], "--header wants NAME:VALUE, not 'no colon'"),
        (["--logprobs", "21"], "--logprobs takes 0 to 20"),
        (
            ["--json-mode", "--schema", "{schema}"],
            "--schema and --json-mode are two response formats",
        ),
        (["--image", "{text}"], "notes.txt is not a PNG, JPEG, GIF or WebP image"),
        (["--schema", "{text}"], "is not valid JSON"),
    ],
)
def test_chat_flag_mistakes_are_said(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    tmp_path: Path,
    flags: list[str],
    words: str,
) -> None:
    (tmp_path / "s.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "notes.txt").write_text("not json")
    paths = {"{schema}": str(tmp_path / "s.json"), "{text}": str(tmp_path / "notes.txt")}
    argv = [paths.get(flag, flag) for flag in flags]
    code, records, err = run(capsys, "chat", "--model", demo.CHAT, "-m", "hi", *argv, *base)
    assert code == 2
    assert records == []
    assert words in err
