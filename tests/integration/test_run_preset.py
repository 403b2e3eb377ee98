"""`playground run PRESET` against the local server: saved presets sent from a terminal."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from playground.core.presets.preset import Preset
from playground.core.presets.store import PresetStore
from playground.core.remote.remotes import Target
from playground.core.request.attachments import FileRef
from playground.core.request.spec import Column, RequestSpec
from playground.core.ws.plan import OutFrame, WsPlan
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM, STREAMER
from playground.emulator.demo.websockets import WS_ECHO, WS_FAIL
from tests.integration.helpers import run


@pytest.fixture
def store(tmp_path: Path) -> PresetStore:
    store = PresetStore(tmp_path / "presets")
    store.save(
        Preset(
            "Sentiment on staging",
            RequestSpec("predict", Target(CLASSIFIER, "environment", "staging"), {"text": "great"}),
            remote="local",
        )
    )
    chat_body = {
        "model": "demo-llm",
        "messages": [{"role": "user", "content": "Say hi"}],
        "stream": True,
        "max_tokens": 8,
    }
    store.save(Preset("Chat", RequestSpec("chat", Target(CHAT), chat_body), remote="local"))
    return store


@pytest.fixture
def flags(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, store: PresetStore
) -> list[str]:
    monkeypatch.setenv("BASETEN_API_KEY", emulator.api_key)
    return ["--base-url", emulator.base_url, "--presets-dir", str(store.user_dir)]


def test_run_a_predict_preset_by_name(capsys: pytest.CaptureFixture[str], flags: list[str]) -> None:
    code, records, err = run(capsys, "run", "sentiment on staging", *flags)
    assert (code, err) == (0, "")
    assert [r["event"] for r in records] == ["response", "json", "metrics"]
    assert records[1]["body"]["model_version"] == "v2"  # type: ignore[index]
    assert records[2]["status"] == 200


def test_run_a_chat_preset_streams_deltas_then_the_message(
    capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    code, records, _ = run(capsys, "run", "Chat", *flags)
    assert code == 0
    events = [r["event"] for r in records]
    assert events[0] == "response"
    assert events[-2:] == ["message", "metrics"]
    deltas = [r["content"] for r in records if r["event"] == "delta" and "content" in r]
    assert len(deltas) > 1
    assert records[-2]["content"] == "".join(deltas)  # type: ignore[arg-type]
    assert records[-1]["streamed"] is True


def test_run_a_preset_file_and_a_route(
    capsys: pytest.CaptureFixture[str], flags: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "echo.json"
    spec = RequestSpec("route", Target(CUSTOM), {"x": 1}, "PUT", "/echo", headers={"X-Trace": "t"})
    path.write_text(Preset("Echo", spec, remote="local").to_text())
    code, records, _ = run(capsys, "run", str(path), *flags)
    assert code == 0
    body = next(r["body"] for r in records if r["event"] == "json")
    assert body["method"] == "PUT"  # type: ignore[index]
    assert body["body"] == {"x": 1}  # type: ignore[index]


def test_exit_codes(
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    store: PresetStore,
) -> None:
    missing = RequestSpec("predict", Target("nosuchmodel"), {})
    store.save(Preset("Missing model", missing))
    code, _, err = run(capsys, "run", "Missing model", *flags)
    assert code == 1
    assert "404" in err

    cut = RequestSpec(
        "predict", Target(STREAMER), {"prompt": "x"}, headers={"X-Emulator-Fault": "cut_after=2"}
    )
    store.save(Preset("Cut", cut))
    assert run(capsys, "run", "Cut", *flags)[0] == 4

    code, _, err = run(capsys, "run", "Sentiment on stagin", *flags)
    assert code == 2
    assert "did you mean 'Sentiment on staging'?" in err

    code, _, err = run(capsys, "run", "Chat", "--presets-dir", str(store.user_dir))
    assert code == 2
    assert "saved for the remote 'local'; say where it is with --base-url" in err

    columns = (Column(Target(CLASSIFIER)), Column(Target(CLASSIFIER, "environment", "staging")))
    store.save(Preset("Both", RequestSpec("predict", Target(CLASSIFIER), {}), columns=columns))
    code, _, err = run(capsys, "run", "Both", *flags)
    assert code == 2
    assert "is a comparison of 2 columns" in err
    assert "playground compare" in err

    closed = ["--base-url", "http://127.0.0.1:9", "--presets-dir", str(store.user_dir)]
    assert run(capsys, "run", "Sentiment on staging", *closed)[0] == 3


def test_broken_files_are_reported_and_left_alone(
    capsys: pytest.CaptureFixture[str], flags: list[str], store: PresetStore
) -> None:
    broken = store.user_dir / "broken.json"
    broken.write_text("{,")
    code, records, err = run(capsys, "run", "Sentiment on staging", *flags)
    assert code == 0
    assert records[0]["event"] == "response"
    assert "warning: broken.json was not loaded: it is not valid JSON" in err
    assert "line 1, column 2" in err
    assert broken.exists()


def test_files_json_or_the_disk_cannot_give_never_stop_a_run(
    capsys: pytest.CaptureFixture[str], flags: list[str], store: PresetStore
) -> None:
    folder = store.user_dir
    (folder / "deep.json").write_text("[" * 100_000)
    (folder / "long.json").write_text('{"schema_version": 1, "name": ' + "9" * 5000 + "}")
    (folder / "bytes.json").write_bytes(bytes(range(256)))
    (folder / "folder.json").mkdir()
    os.mkfifo(folder / "pipe.json")
    code, records, err = run(capsys, "run", "Sentiment on staging", *flags)
    assert code == 0
    assert records[0]["event"] == "response"
    warnings = sorted(line for line in err.splitlines() if line.startswith("warning: "))
    assert warnings == [
        "warning: bytes.json was not loaded: it is not UTF-8 text: byte 0x80 at line 2, "
        "column 118.",
        "warning: deep.json was not loaded: it is not valid JSON: arrays or objects are nested "
        "too deeply to read (more than 500 levels) at line 1, column 501.",
        "warning: folder.json was not loaded: it is a folder, not a file.",
        "warning: long.json was not loaded: it is not valid JSON: a number with 5,000 digits "
        "(4,300 at most) at line 1, column 31.",
        "warning: pipe.json was not loaded: it is not a regular file (a pipe or a device).",
    ]
    assert "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == [
        "bytes.json",
        "chat.json",
        "deep.json",
        "folder.json",
        "long.json",
        "pipe.json",
        "sentiment-on-staging.json",
    ]  # a script reads; nothing is moved

    code, _, err = run(capsys, "run", str(folder / "deep.json"), *flags)
    assert code == 2
    assert err == (
        f"error: {folder / 'deep.json'} cannot be run: it is not valid JSON: arrays or objects "
        "are nested too deeply to read (more than 500 levels) at line 1, column 501\n"
    )


def test_a_preset_with_a_file_sends_it_from_its_relative_path(
    capsys: pytest.CaptureFixture[str], flags: list[str], store: PresetStore, tmp_path: Path
) -> None:
    clip = tmp_path / "samples" / "clip.wav"
    clip.parent.mkdir()
    clip.write_bytes(os.urandom(5000))
    spec = RequestSpec("route", Target(CUSTOM), {"audio": FileRef.from_path(clip)}, "POST", "/echo")
    store.save(Preset("With a file", spec, remote="local"))
    code, records, err = run(capsys, "run", "With a file", *flags)
    assert (code, err) == (0, "")
    sent = records[1]["body"]["body"]["audio"]  # type: ignore[index]
    assert base64.b64decode(sent) == clip.read_bytes()

    clip.unlink()
    code, _, err = run(capsys, "run", "With a file", *flags)
    assert code == 2
    assert f"clip.wav is missing: it was expected at {clip}" in err


def test_a_websocket_preset_runs_its_session_as_playground_ws_does(
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    store: PresetStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frames = (OutFrame.of_text("hi"), OutFrame.of_json({"a": 1}), OutFrame.of_bytes(b"\x00\xff"))
    store.save(Preset("Echo ws", WsPlan(Target(WS_ECHO), frames).to_spec(), remote="local"))
    code, records, err = run(capsys, "run", "Echo ws", *flags)
    assert (code, err) == (0, "")
    assert records[0]["event"] == "open"
    assert [r["event"] for r in records[-2:]] == ["closed", "metrics"]
    received = [r for r in records if r.get("direction") == "received"]
    assert [r.get("text") for r in received[:2]] == ["hi", '{"a": 1}']
    assert base64.b64decode(received[2]["base64"]) == b"\x00\xff"  # type: ignore[arg-type]
    assert (records[-1]["frames_sent"], records[-1]["frames_received"]) == (3, 3)

    store.save(Preset("Fails", WsPlan(Target(WS_FAIL), frames).to_spec(), remote="local"))
    code, records, err = run(capsys, "run", "Fails", *flags)
    assert code == 4
    assert (records[-2]["event"], records[-2]["code"]) == ("closed", 1011)
    assert "hint:" in err

    store.save(Preset("Silent", WsPlan(Target(WS_ECHO)).to_spec(), remote="local"))
    code, _, err = run(capsys, "run", "Silent", *flags)
    assert code == 2
    assert "has no frames to send" in err

    monkeypatch.setenv("BASETEN_API_KEY", "not-the-key-123")
    code, records, err = run(capsys, "run", "Echo ws", *flags)
    assert (code, records) == (1, [])
    assert "401: please check the api-key you provided" in err
