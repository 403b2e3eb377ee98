"""What a person gives the command (a body file, stdin, messages, a route) when it is wrong: one
line that says what and where, exit 2, never a traceback; and text files in any encoding JSON
allows are read as meant."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM
from tests.integration.helpers import run

BODY = {"text": "great"}


def _usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, records, err = run(capsys, *argv)
    assert code == 2, err
    assert records == []
    assert err.startswith("error: "), err
    assert err.count("\n") == 1, err  # one line, no traceback
    return err


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            b'{"text": "caf\xe9"}',
            "not UTF-8 text (0xe9: invalid continuation byte) at line 1, column 14",
        ),
        (b'{\n  "text": "\xff"}', "not UTF-8 text (0xff: invalid start byte) at line 2, column 12"),
        (b"[" * 100_000, "arrays or objects are nested too deeply to read"),
        (
            b'{"text": "x",\n "n": ' + b"9" * 5000 + b"}",
            "a number with 5,000 digits (4,300 at most) at line 2, column 7",
        ),
        (b'{"text": }', "Expecting value at line 1, column 10"),
        (b"", "Expecting value at line 1, column 1"),
    ],
    ids=["latin-1", "bad-byte", "nested", "huge-number", "syntax", "empty"],
)
def test_a_bad_body_file_says_what_and_where(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path, data: bytes, says: str
) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(data)
    err = _usage_error(capsys, "call", "--model", CLASSIFIER, "-f", str(path), *base)
    assert f"the body in {path} is not valid JSON: {says}" in err


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + json.dumps(BODY).encode(),  # UTF-8 as Windows editors save it
        json.dumps(BODY).encode("utf-16"),  # with its BOM
        json.dumps(BODY).encode("utf-16-le"),  # JSON's own rule finds it without one
        json.dumps(BODY).encode("utf-32"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-16-le", "utf-32"],
)
def test_a_body_in_any_unicode_encoding_json_allows_is_read(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(data)
    code, records, err = run(capsys, "call", "--model", CLASSIFIER, "-f", str(path), *base)
    assert code == 0, err
    assert next(r for r in records if r["event"] == "json")["body"]["label"] == "positive"


def test_a_body_on_stdin_is_read_as_bytes(
    capsys: pytest.CaptureFixture[str], base: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(BODY).encode("utf-16")))
    )
    code, records, err = run(capsys, "call", "--model", CLASSIFIER, "-f", "-", *base)
    assert code == 0, err
    assert records[0]["status"] == 200

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"[" * 100_000)))
    err = _usage_error(capsys, "call", "--model", CLASSIFIER, "-f", "-", *base)
    assert "the body in stdin is not valid JSON: arrays or objects are nested too deeply" in err


def test_a_body_file_that_cannot_be_read(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.json"
    err = _usage_error(capsys, "call", "--model", CLASSIFIER, "-f", str(missing), *base)
    assert f"cannot read the body from {missing}: No such file or directory" in err
    err = _usage_error(capsys, "call", "--model", CLASSIFIER, "-f", str(tmp_path), *base)
    assert f"cannot read the body from {tmp_path}: Is a directory" in err


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (None, "cannot read the list of messages from {path}: No such file or directory"),
        (
            b'[{"role": "user", "content": "\xc3"}]',
            "not UTF-8 text (0xc3: invalid continuation byte)",
        ),
        (b"[" * 100_000, "nested too deeply"),
        (b'[{"role": "user", "content": ' + b"1" * 5000 + b"}]", "a number with 5,000 digits"),
    ],
    ids=["missing", "not-utf-8", "nested", "huge-number"],
)
def test_a_bad_messages_file_says_what_and_where(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    tmp_path: Path,
    data: bytes | None,
    says: str,
) -> None:
    path = tmp_path / "messages.json"
    if data is not None:
        path.write_bytes(data)
    err = _usage_error(capsys, "chat", "--model", CHAT, "--messages-file", str(path), *base)
    assert says.format(path=path) in err


def test_a_messages_file_in_utf_16_is_read(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "messages.json"
    path.write_bytes(json.dumps([{"role": "user", "content": "Grüße"}]).encode("utf-16"))
    code, records, err = run(capsys, "chat", "--model", CHAT, "--messages-file", str(path), *base)
    assert code == 0, err
    assert next(r for r in records if r["event"] == "message")["content"]


@pytest.mark.parametrize(
    "argv",
    [
        ["-d", "[" * 100_000],
        ["-d", "[" + "1" * 5000 + "]"],
        ["--extra", "[" * 100_000, "-m", "hi"],
    ],
    ids=["data-nested", "data-huge-number", "extra-nested"],
)
def test_a_bad_json_argument_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], base: list[str], argv: list[str]
) -> None:
    command = "chat" if "--extra" in argv else "call"
    err = _usage_error(capsys, command, "--model", CLASSIFIER, *argv, *base)
    assert "is not valid JSON" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["call", "--model", CUSTOM, "--route", "/echo\r\nX-Injected: 1"],
        ["call", "--model", CUSTOM, "--route", "/health\n"],
        ["call", "--model", "q8mz\r\n3kvd", "-d", "{}"],
        ["call", "--model", CLASSIFIER, "--env", "staging\n", "-d", "{}"],
        ["chat", "--model", CHAT, "--deployment", "x\ty", "-m", "hi"],
        ["compare", "--model", CUSTOM, "--env", "production", "--env", "a\rb", "--route", "/h"],
        ["compare", "--model", CUSTOM, "--env", "production", "--development", "--route", "/h\n"],
    ],
    ids=["route-crlf", "route-lf", "model", "env", "deployment", "compare-env", "compare-route"],
)
def test_a_control_character_in_a_url_part_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], base: list[str], argv: list[str]
) -> None:
    err = _usage_error(capsys, *argv, *base)
    assert "holds a control character" in err
    assert "which no URL can carry" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--base-url", "http://127.0.0.1:99999"], "port 99999 is not 1 to 65535"),
        (["--base-url", "http://[::1"], "is not a URL"),
        (["--base-url", "127.0.0.1:8765"], "is not an http:// or https:// URL with a host"),
        (["--base-url", "ftp://127.0.0.1"], "is not an http:// or https:// URL with a host"),
        (
            [
                "--inference-url",
                "https://{host}.example:0",
                "--management-url",
                "https://example/api",
                "--model-apis-url",
                "https://example/v1",
            ],
            "--inference-url 'https://{host}.example:0': port 0",
        ),
    ],
    ids=["port", "ipv6", "no-scheme", "ftp", "inference-port"],
)
def test_a_remote_url_that_is_not_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    says: str,
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", "k")
    err = _usage_error(capsys, "call", "--model", CLASSIFIER, "-d", "{}", *argv)
    assert says in err


COMPARE = ["compare", "--model", CLASSIFIER, "--env", "production", "--env", "staging", "-d", "{}"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["call", "--model", CUSTOM, "--route", "/echo", "--method", "G ET"], "not an HTTP method"),
        ([*COMPARE, "-H", "X-Trace: a\r\nX-Injected: 1"], "a header value cannot hold '\\r'"),
        ([*COMPARE, "-H", "X Trace: a"], "not NAME:VALUE"),
        ([*COMPARE, "--column-header", "2:X-Trace:a\nb"], "a header value cannot hold '\\n'"),
    ],
    ids=["method", "header-crlf", "header-name", "column-header-lf"],
)
def test_a_method_or_header_that_cannot_be_sent_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], base: list[str], argv: list[str], says: str
) -> None:
    err = _usage_error(capsys, *argv, *base)
    assert says in err
