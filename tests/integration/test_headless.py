"""`playground call` and `playground chat` against the local server, as a script would use them."""

from __future__ import annotations

import pytest

from playground.core.remote.keys import KEYRING_SERVICE
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, CUSTOM, SLEEPY, STREAMER
from tests.conftest import MemoryKeyring
from tests.integration.helpers import run


def test_call_predict_prints_events_and_metrics(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, records, _ = run(
        capsys, "call", "--model", CLASSIFIER, "--env", "staging", "-d", '{"text": "great"}', *base
    )
    assert code == 0
    assert [r["event"] for r in records] == ["response", "json", "metrics"]
    assert records[1]["body"]["model_version"] == "v2"  # type: ignore[index]
    metrics = records[2]
    assert metrics["status"] == 200
    assert metrics["request_id"] == records[0]["request_id"]
    assert metrics["deployment_id"] == "wq7d3kb"
    assert 0 < metrics["headers_s"] <= metrics["first_byte_s"] <= metrics["total_s"]  # type: ignore[operator]


def test_call_streams_text_chunks(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    code, records, _ = run(
        capsys,
        "call",
        "--model",
        STREAMER,
        "-d",
        '{"prompt": "a fox", "max_tokens": 12}',
        "--base-url",
        base[1],
    )
    assert code == 0
    texts = [r["text"] for r in records if r["event"] == "text"]
    assert len(texts) == 12
    assert "".join(texts).startswith("Once upon a time")  # type: ignore[arg-type]


def test_call_route_and_method(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    code, records, _ = run(
        capsys,
        "call",
        "--model",
        CUSTOM,
        "--route",
        "/echo",
        "--method",
        "PUT",
        "-d",
        '{"x": 1}',
        *base,
    )
    assert code == 0
    body = next(r["body"] for r in records if r["event"] == "json")
    assert body["method"] == "PUT"  # type: ignore[index]
    assert body["body"] == {"x": 1}  # type: ignore[index]


def test_call_async_waits_to_a_terminal_state(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, records, _ = run(
        capsys,
        "call",
        "--model",
        CLASSIFIER,
        "--async",
        "--wait",
        "--priority",
        "1",
        "-d",
        '{"text": "ok"}',
        *base,
    )
    assert code == 0
    assert records[0]["event"] == "submitted"
    statuses = [r["status"] for r in records if r["event"] == "status"]
    assert statuses[-1] == "SUCCEEDED"


def test_call_async_rejects_bad_options_before_sending(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, _, err = run(
        capsys, "call", "--model", CLASSIFIER, "--async", "--priority", "3", "-d", "{}", *base
    )
    assert code == 2
    assert "priority must be a whole number from 0 to 2" in err


def test_call_wake(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    code, records, _ = run(capsys, "call", "--model", SLEEPY, "--wake", *base)
    assert code == 0
    assert records == [{"event": "woken", "status": 202, "request_id": records[0]["request_id"]}]


def test_chat_streams_deltas_then_message_and_usage(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, records, _ = run(
        capsys,
        "chat",
        "--model",
        CHAT,
        "--model-name",
        "demo-llm",
        "-m",
        "What is a cold start?",
        "--stream",
        *base,
    )
    assert code == 0
    deltas = "".join(str(r.get("content", "")) for r in records if r["event"] == "delta")
    message = next(r for r in records if r["event"] == "message")
    assert deltas == message["content"]
    assert message["finish_reason"] == "stop"
    metrics = records[-1]
    assert metrics["event"] == "metrics"
    assert metrics["tokens"] == message["usage"]["completion_tokens"]  # type: ignore[index]
    assert metrics["tokens_estimated"] is False


def test_chat_with_a_model_api(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    code, records, _ = run(
        capsys, "chat", "--model-api", "playground/demo-reasoner", "-m", "hi", *base
    )
    assert code == 0
    message = next(r for r in records if r["event"] == "message")
    assert message["reasoning"]
    assert message["content"]


def test_errors_exit_non_zero_with_the_message_on_stderr(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, records, err = run(capsys, "call", "--model", "nope1234", "-d", "{}", *base)
    assert code == 1
    assert records == []
    assert "error: 404: Model nope1234 not found" in err
    assert "request id: " in err
    assert "hint: " in err


def test_invalid_json_body_says_line_and_column(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    code, _, err = run(capsys, "call", "--model", CLASSIFIER, "-d", '{\n  "text": }', *base)
    assert code == 2
    assert "line 2, column 11" in err


def test_no_key_is_a_clear_usage_error(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer
) -> None:
    code, _, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", emulator.base_url
    )
    assert code == 2
    assert "no API key" in err


def test_key_from_the_keyring(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, test_keyring: MemoryKeyring
) -> None:
    test_keyring.set_password(KEYRING_SERVICE, "custom", emulator.api_key)
    code, records, _ = run(
        capsys,
        "call",
        "--model",
        CLASSIFIER,
        "-d",
        '{"text": "hi"}',
        "--base-url",
        emulator.base_url,
    )
    assert code == 0
    assert records[0]["status"] == 200


def test_bad_key_never_printed(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", "sk-secret-never-shown-123")
    code, _, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", emulator.base_url
    )
    assert code == 1
    assert "401" in err
    assert "sk-secret-never-shown-123" not in err


def test_refused_connection_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    monkeypatch.setenv("BASETEN_API_KEY", "k")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", f"http://127.0.0.1:{port}"
    )
    assert code == 3
    assert f"127.0.0.1:{port}" in err
