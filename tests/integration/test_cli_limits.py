"""The sending commands' timeouts, retries and size limit, as a script would use them: each timeout
named when it fires, each retry said on stderr before its wait, what arrived kept."""

from __future__ import annotations

import re

import pytest

from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from tests.core.raw_server import RawServer, stalls_after, trickles, unanswered_port
from tests.integration.helpers import run

CALL = ("call", "--model", CLASSIFIER, "-d", '{"text": "great"}')


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", "test-key-0123456789")


@pytest.fixture
def fresh(fresh_emulator: EmulatorServer, key: None) -> EmulatorServer:
    return fresh_emulator


def test_the_read_timeout_flag(capsys: pytest.CaptureFixture[str], key: None) -> None:
    with RawServer(stalls_after(b"")) as server:
        code, _, err = run(capsys, *CALL, "--base-url", server.base_url, "--read-timeout", "0.3")
    assert code == 3
    assert "for 0.3 s (read timeout)" in err
    assert "--read-timeout" in err


def test_the_connect_timeout_flag(capsys: pytest.CaptureFixture[str], key: None) -> None:
    with unanswered_port() as port:
        base = f"http://127.0.0.1:{port}"
        code, _, err = run(capsys, *CALL, "--base-url", base, "--connect-timeout", "0.3")
    assert code == 3
    assert "(connect timeout)" in err


def test_the_whole_request_timeout_flag(capsys: pytest.CaptureFixture[str], key: None) -> None:
    with RawServer(trickles(0.05)) as server:
        code, records, err = run(capsys, *CALL, "--base-url", server.base_url, "--timeout", "0.5")
    assert code == 4  # cut mid-body: what arrived was printed
    assert "0.5 s deadline (total timeout)" in err
    assert [r["event"] for r in records][:2] == ["response", "text"]


def test_the_pool_timeout_flag_is_taken(capsys: pytest.CaptureFixture[str], key: None) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, *CALL, "--pool-timeout", "nope")
    assert exited.value.code == 2
    assert "--pool-timeout" in capsys.readouterr().err


def test_max_response_mb_cuts_and_keeps(
    capsys: pytest.CaptureFixture[str], fresh: EmulatorServer
) -> None:
    fresh.emulator.state.set_model_faults(CLASSIFIER, "huge=3000000,count=1")
    code, records, err = run(capsys, *CALL, "--base-url", fresh.base_url, "--max-response-mb", "1")
    assert code == 4
    assert "1.0 MB limit" in err
    assert "1,048,576 bytes" in err
    assert "--max-response-mb" in err
    kept = [r for r in records if r["event"] == "text"]
    assert len(kept[0]["text"]) == 1024 * 1024  # what arrived, printed


def test_each_retry_is_said_on_stderr(
    capsys: pytest.CaptureFixture[str], fresh: EmulatorServer
) -> None:
    fresh.emulator.state.set_model_faults(CLASSIFIER, "status=429,retry_after=1,count=1")
    code, records, err = run(capsys, *CALL, "--base-url", fresh.base_url, "--retries", "3")
    assert code == 0
    said = re.fullmatch(
        r"429 Too Many Requests \(request id (\w+)\): retrying in 1 s \(attempt 2 of 4\)\n", err
    )
    assert said, err
    assert records[-1]["attempts"] == 2
    assert records[-1]["waited_s"] == 1.0


def test_retries_0_turns_them_off(
    capsys: pytest.CaptureFixture[str], fresh: EmulatorServer
) -> None:
    fresh.emulator.state.set_model_faults(CLASSIFIER, "status=429,retry_after=1,count=1")
    code, _, err = run(capsys, *CALL, "--base-url", fresh.base_url, "--retries", "0")
    assert code == 1
    assert "retrying" not in err
    assert err.startswith("error: 429: Rate limit exceeded")


def test_a_negative_setting_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fresh: EmulatorServer
) -> None:
    code, _, err = run(capsys, *CALL, "--base-url", fresh.base_url, "--retries", "-1")
    assert code == 2
    assert "--retries cannot be negative" in err


@pytest.mark.parametrize("command", ["call", "chat", "compare", "run"])
def test_every_sending_command_takes_the_flags(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit):
        run(capsys, command, "--help")
    usage = capsys.readouterr().out
    for flag in (
        "--connect-timeout",
        "--read-timeout",
        "--pool-timeout",
        "--timeout",
        "--retries",
        "--max-response-mb",
    ):
        assert flag in usage
