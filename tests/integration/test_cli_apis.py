"""`playground chat --api`: the Responses and Messages APIs from a terminal print what chat does."""

from __future__ import annotations

import pytest

from playground.emulator import EmulatorServer
from tests.core.helpers import server_request
from tests.integration.helpers import run


def _chat(
    capsys: pytest.CaptureFixture[str], base: list[str], *flags: str
) -> list[dict[str, object]]:
    argv = ("chat", "--model-api", "playground/demo-reasoner", "-m", "Why is the sky blue?")
    code, records, err = run(capsys, *argv, *flags, *base)
    assert code == 0, err
    return records


@pytest.mark.parametrize("api", ["responses", "messages"])
def test_chat_api_prints_the_same_message_as_chat_completions(
    capsys: pytest.CaptureFixture[str], base: list[str], api: str, emulator: EmulatorServer
) -> None:
    chat = next(r for r in _chat(capsys, base, "--stream") if r["event"] == "message")
    records = _chat(capsys, base, "--stream", "--api", api)
    message = next(r for r in records if r["event"] == "message")
    deltas = [r for r in records if r["event"] == "delta"]
    assert "".join(str(r.get("content", "")) for r in deltas) == message["content"]
    assert "".join(str(r.get("reasoning", "")) for r in deltas) == message["reasoning"]
    assert message["content"] == chat["content"]
    assert message["reasoning"] == chat["reasoning"]
    assert message["finish_reason"] == "stop"
    usage, chat_usage = message["usage"], chat["usage"]
    assert isinstance(usage, dict)
    assert isinstance(chat_usage, dict)
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert usage[name] == chat_usage[name]
    metrics = records[-1]
    assert metrics["event"] == "metrics"
    assert metrics["tokens"] == chat_usage["completion_tokens"]
    seen = server_request(emulator, str(metrics["request_id"]))
    assert seen["path"] == f"/inference/v1/{api}"


def test_chat_api_not_streamed(capsys: pytest.CaptureFixture[str], base: list[str]) -> None:
    message = next(r for r in _chat(capsys, base, "--api", "messages") if r["event"] == "message")
    assert message["content"]
    assert message["reasoning"]


def test_an_unknown_api_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], base: list[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        run(capsys, "chat", "--model-api", "x", "-m", "hi", "--api", "grpc", *base)
    assert caught.value.code == 2
    assert "invalid choice: 'grpc'" in capsys.readouterr().err
