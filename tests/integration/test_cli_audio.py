"""Streamed speech from the command: the metrics line carries time to first audio, the seconds of
audio received and × real time, from the same core figures the window shows."""

from __future__ import annotations

import base64

import pytest

from playground.emulator import EmulatorServer
from playground.emulator.demo import SPEECH
from playground.emulator.media_models import RATE, speech
from tests.integration.helpers import run


@pytest.mark.parametrize(("environment", "header"), [("production", 44), ("staging", 0)])
def test_call_prints_the_audio_figures(
    capsys: pytest.CaptureFixture[str],
    base: list[str],
    emulator: EmulatorServer,
    environment: str,
    header: int,
) -> None:
    code, records, err = run(
        capsys, "call", "--model", SPEECH, "--env", environment,
        "--data", '{"text": "hi there"}', *base,
    )  # fmt: skip
    assert code == 0, err
    audio = b"".join(base64.b64decode(r["base64"]) for r in records if r["event"] == "binary")
    samples = sum(len(piece) for piece in speech("hi there"))
    assert len(audio) == header + 2 * samples
    metrics = records[-1]
    assert metrics["event"] == "metrics"
    assert metrics["kind"] == "binary"
    assert metrics["audio_s"] == samples / RATE
    assert metrics["first_audio_s"] >= metrics["first_byte_s"]
    assert metrics["realtime_factor"] > 0
