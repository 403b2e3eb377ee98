"""`playground ws` against the local server, as a script would use it: frames from flags, files
and stdin; frames out as JSON lines; a metrics line; exit codes as the other commands."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import WS_CHAIN, WS_ECHO, WS_FAIL, WS_NONE, WS_TTS
from tests.integration.helpers import run


def test_text_frames_from_flags_come_back_as_json_lines(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, records, err = run(
        capsys, "ws", "--model", WS_ECHO, "--env", "staging", "--send", "hi", "--send",
        '{"a": 1}', "--idle", "0.3", *base,
    )  # fmt: skip
    assert code == 0, err
    events = [(r["event"], r.get("direction")) for r in records]
    assert events[0] == ("open", None)
    assert events[-2:] == [("closed", None), ("metrics", None)]
    frames = [r for r in records if r["event"] == "frame"]
    assert [(f["direction"], f["text"]) for f in frames if f["direction"] == "received"] == [
        ("received", "hi"),
        ("received", '{"a": 1}'),
    ]
    assert records[0]["deployment_id"] == "we0stg"
    assert records[-2]["code"] == 1000
    metrics = records[-1]
    assert (metrics["frames_sent"], metrics["frames_received"]) == (2, 2)
    assert metrics["request_id"] == records[0]["request_id"]
    assert metrics["close"] == "1000 (closed normally)"


def test_stdin_lines_are_text_frames(
    capsys: pytest.CaptureFixture[str], base: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("one\n\ntwo\n"))
    code, records, err = run(capsys, "ws", "--chain", WS_CHAIN, "--stdin", "--idle", "0.3", *base)
    assert code == 0, err
    sent = [r["text"] for r in records if r.get("direction") == "sent"]
    got = [r["text"] for r in records if r.get("direction") == "received"]
    assert sent == got == ["one", "two"]


def test_binary_frames_go_as_base64_or_into_a_file(
    capsys: pytest.CaptureFixture[str], base: list[str], tmp_path: Path
) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\xffabc")
    code, records, err = run(
        capsys, "ws", "--model", WS_ECHO, "--send-file", str(blob), "--binary", "--idle", "0.3",
        *base,
    )  # fmt: skip
    assert code == 0, err
    received = [r for r in records if r.get("direction") == "received"]
    assert received[0]["bytes"] == 5
    assert base64.b64decode(received[0]["base64"]) == b"\x00\xffabc"

    audio = tmp_path / "speech.pcm"
    code, records, err = run(
        capsys, "ws", "--model", WS_TTS, "--send", "hello", "--save-binary", str(audio),
        "--idle", "0.5", *base,
    )  # fmt: skip
    assert code == 0, err
    end = json.loads([r for r in records if r.get("direction") == "received"][-1]["text"])
    assert end["type"] == "end"
    assert audio.stat().st_size == end["bytes"] == 5 * 960 * 2
    assert all(
        r.get("saved") == str(audio)
        for r in records
        if "bytes" in r and r.get("direction") == "received"
    )


@pytest.mark.parametrize(("model", "code", "words"), [(WS_FAIL, 4, "1011"), (WS_NONE, 4, "1003")])
def test_a_close_that_is_not_normal_exits_4_after_the_frames_that_came(
    capsys: pytest.CaptureFixture[str], base: list[str], model: str, code: int, words: str
) -> None:
    exit_code, records, err = run(
        capsys, "ws", "--model", model, "--send", "a", "--send", "b", "--send", "c", *base
    )
    assert exit_code == code
    assert records[-2]["event"] == "closed"
    assert records[-2]["code"] == int(words)
    assert records[-1]["event"] == "metrics"
    assert words in err
    assert "hint:" in err


def test_a_refused_upgrade_exits_1_with_basetens_words(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", "not-the-key-123")
    code, records, err = run(
        capsys, "ws", "--model", WS_ECHO, "--send", "x", "--base-url", emulator.base_url
    )
    assert code == 1
    assert records == []
    assert "401: please check the api-key you provided" in err
    assert "request id:" in err


def test_usage_mistakes_exit_2(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    code, _, err = run(capsys, "ws", "--model", WS_ECHO, *base)
    assert code == 2
    assert "--send" in err
    code, _, err = run(capsys, "ws", "--model", WS_ECHO, "--send", "x", "--binary", *base)
    assert code == 2
    assert "--binary goes with --send-file" in err
