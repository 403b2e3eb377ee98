"""Files into a request from the command: `--data-file` sends a file's bytes as the body with a
type known from its content, `--file-field PATH=FILE` puts one as base64 at a JSON path; what the
local server received is checked, and every mistake is one line and exit 2."""

from __future__ import annotations

import base64
import io
import json
import struct
import wave
import zlib
from pathlib import Path
from typing import Any

import pytest

from playground.emulator import EmulatorServer
from playground.emulator.demo import CUSTOM
from tests.integration.helpers import run


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(24000)
        file.writeframes(bytes(range(256)) * 40)  # every byte value, invalid UTF-8 included
    return out.getvalue()


def _png() -> bytes:
    def chunk(name: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff\x00\x00" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "clip.dat": _wav(),  # a WAV whose name says nothing: its bytes say what it is
        "cat.png": _png(),
        "notes.txt": "\ufeffline one\r\nnull \x00 here, déjà vu, 日本語\n".encode(),
        "body.json": b'{ "text" :\n  "great" }',
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made}


def _echo(
    capsys: pytest.CaptureFixture[str], base: list[str], *flags: str
) -> tuple[dict[str, Any], str]:
    """POST through the custom server's /echo route: what it received, and the request id."""
    code, records, err = run(
        capsys, "call", "--model", CUSTOM, "--route", "/echo", "--method", "POST", *flags, *base
    )
    assert code == 0, err
    response = records[0]
    assert response["status"] == 200
    echoed = next(r["body"] for r in records if r["event"] == "json")
    return echoed, response["request_id"]


def test_a_data_file_is_sent_byte_for_byte_with_the_type_its_bytes_say(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    files: dict[str, Path],
    emulator: EmulatorServer,
) -> None:
    data = files["clip.dat"].read_bytes()
    echoed, request_id = _echo(capsys, base, "--data-file", str(files["clip.dat"]))
    assert echoed["headers"]["content-type"] == "audio/wav"
    assert echoed["headers"]["content-length"] == str(len(data))
    # The echo decodes what it got as UTF-8 with replacement: equal to ours, at the same length.
    assert echoed["body"] == data.decode("utf-8", "replace")
    record = emulator.emulator.state.records[request_id]
    assert (record.method, record.path) == ("POST", f"/model-{CUSTOM}/production/sync/echo")
    assert record.headers["content-type"] == "audio/wav"

    text = files["notes.txt"].read_bytes()
    echoed, _ = _echo(capsys, base, "--data-file", str(files["notes.txt"]))
    assert echoed["body"] == text.decode()  # BOM, CRLF, NUL and all, exactly
    assert echoed["headers"]["content-type"] == "text/plain"


def test_a_given_content_type_is_sent_as_given(
    capsys: pytest.CaptureFixture[str], base: list[str], files: dict[str, Path]
) -> None:
    pcm = "audio/L16;rate=24000;channels=1"
    echoed, _ = _echo(capsys, base, "--data-file", str(files["clip.dat"]), "--content-type", pcm)
    assert echoed["headers"]["content-type"] == pcm


def test_a_data_file_goes_to_predict_too(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    files: dict[str, Path],
    emulator: EmulatorServer,
) -> None:
    code, records, err = run(
        capsys, "call", "--model", CUSTOM, "--data-file", str(files["body.json"]), *base
    )
    assert code == 0, err
    assert next(r["body"] for r in records if r["event"] == "json")["echo"] == {"text": "great"}
    record = emulator.emulator.state.records[records[0]["request_id"]]
    assert record.path == f"/model-{CUSTOM}/production/predict"
    assert record.headers["content-type"] == "application/json"
    assert record.headers["content-length"] == str(files["body.json"].stat().st_size)


def test_file_fields_put_files_as_base64_at_their_paths(
    capsys: pytest.CaptureFixture[str], base: list[str], files: dict[str, Path]
) -> None:
    body = {"input": {"prompt": "what is this?"}, "images": [{"detail": "low"}]}
    echoed, _ = _echo(
        capsys,
        base,
        "-d",
        json.dumps(body),
        "--file-field",
        f"input.image={files['cat.png']}",
        "--file-field",
        f"audio={files['clip.dat']}",
        "--file-field",
        f"images[1].data={files['cat.png']}",
        "--file-field",
        f"$.extra.clips[0]={files['notes.txt']}",
    )
    sent = echoed["body"]
    assert echoed["headers"]["content-type"] == "application/json"
    assert sent["input"]["prompt"] == "what is this?"
    assert base64.b64decode(sent["input"]["image"]) == files["cat.png"].read_bytes()
    assert base64.b64decode(sent["audio"]) == files["clip.dat"].read_bytes()
    assert sent["images"][0] == {"detail": "low"}
    assert base64.b64decode(sent["images"][1]["data"]) == files["cat.png"].read_bytes()
    assert base64.b64decode(sent["extra"]["clips"][0]) == files["notes.txt"].read_bytes()


def test_file_fields_as_data_urls_name_the_type(
    capsys: pytest.CaptureFixture[str], base: list[str], files: dict[str, Path]
) -> None:
    echoed, _ = _echo(
        capsys,
        base,
        "--file-field",
        f"image={files['cat.png']}",
        "--file-field",
        f"audio={files['clip.dat']}",
        "--as-data-url",
    )
    image, audio = echoed["body"]["image"], echoed["body"]["audio"]
    assert (
        image == "data:image/png;base64," + base64.b64encode(files["cat.png"].read_bytes()).decode()
    )
    assert audio.startswith("data:audio/wav;base64,")
    assert base64.b64decode(audio.partition(",")[2]) == files["clip.dat"].read_bytes()


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (
            ["--data-file", "{missing}"],
            "--data-file: cannot read {missing}: No such file or directory",
        ),
        (["--data-file", "{dir}"], "--data-file: cannot read {dir}: Is a directory"),
        (
            ["--file-field", "audio={missing}"],
            "--file-field audio: cannot read {missing}: No such file or directory",
        ),
        (["--file-field", "audio"], "--file-field 'audio': not PATH=FILE"),
        (["--file-field", "=x.wav"], "--file-field '=x.wav': not PATH=FILE"),
        (["--file-field", "a..b={png}"], "--file-field 'a..b': not a path like audio"),
        (["--file-field", "a[x]={png}"], "--file-field 'a[x]': not a path like audio"),
        (["--file-field", "a.={png}"], "--file-field 'a.': not a path like audio"),
        (
            ["-d", '{"input": "text"}', "--file-field", "input.image={png}"],
            "--file-field 'input.image': the body holds a string where the path needs an object",
        ),
        (
            ["-d", '{"images": []}', "--file-field", "images[1]={png}"],
            "--file-field 'images[1]': index 1 is past the end of a list of 0",
        ),
        (
            ["-d", "[]", "--file-field", "image={png}"],
            "--file-field 'image': the body holds a list where the path needs an object",
        ),
        (
            ["--data-file", "{png}", "-d", "{}"],
            "--data-file is the whole body: it cannot go with -d, -f or --file-field",
        ),
        (["--content-type", "image/png"], "--content-type goes with --data-file"),
        (
            ["--data-file", "{png}", "--content-type", "a\r\nX-Evil: 1"],
            r"--content-type 'a\r\nX-Evil: 1': a header value cannot hold '\r'",
        ),
        (["--as-data-url"], "--as-data-url goes with --file-field"),
        (
            ["--data-file", "{png}", "--async"],
            "an async request's body is JSON: use -d, -f or --file-field",
        ),
    ],
    ids=[
        "missing-data-file",
        "directory",
        "missing-field-file",
        "no-equals",
        "no-path",
        "empty-step",
        "bad-index",
        "trailing-dot",
        "into-a-string",
        "past-the-end",
        "into-a-list",
        "two-bodies",
        "type-alone",
        "type-line-break",
        "data-url-alone",
        "async",
    ],
)
def test_a_file_flag_mistake_is_one_line_and_exit_2_and_nothing_is_sent(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    files: dict[str, Path],
    tmp_path: Path,
    emulator: EmulatorServer,
    flags: list[str],
    says: str,
) -> None:
    where = {"missing": tmp_path / "nope.wav", "dir": tmp_path, "png": files["cat.png"]}

    def filled(text: str) -> str:
        for name, path in where.items():
            text = text.replace("{" + name + "}", str(path))
        return text

    argv = [filled(flag) for flag in flags]
    before = len(emulator.emulator.state.records)
    code, records, err = run(capsys, "call", "--model", CUSTOM, *argv, *base)
    assert code == 2, err
    assert records == []
    assert err.startswith("error: " + filled(says)), err
    assert err.count("\n") == 1, err
    assert len(emulator.emulator.state.records) == before
