"""The local server's WebSockets, as Baseten documents them (baseten-api.md §0, §6.1): every
prefix, the upgrade's auth and request id, Truss's close codes, the demo models and the faults."""

from __future__ import annotations

import json
import math
import socket
import struct
import time
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import (
    WS_CHAIN,
    WS_ECHO,
    WS_FAIL,
    WS_NONE,
    WS_SLEEPY,
    WS_STT,
    WS_TTS,
)
from tests.conftest import fast_settings
from tests.emulator.helpers import AUTH, BEARER, FAULT, KEY


def ws_base(server: EmulatorServer) -> str:
    return "ws" + server.base_url[len("http") :]


def open_ws(server: EmulatorServer, path: str, **headers: str) -> ClientConnection:
    return connect(
        ws_base(server) + path,
        additional_headers={**AUTH, **headers},
        max_size=200 * 2**20,
        open_timeout=30,
    )


def sessions(server: EmulatorServer) -> dict[str, dict[str, Any]]:
    answer = httpx.get(server.base_url + "/_emulator/websockets", headers=AUTH)
    assert answer.status_code == 200
    return {s["request_id"]: s for s in answer.json()}


def session_of(server: EmulatorServer, ws: ClientConnection) -> dict[str, Any]:
    assert ws.response is not None
    request_id = ws.response.headers["x-baseten-request-id"]
    for _ in range(200):  # the server records the close a moment after the client sees it
        record = sessions(server)[request_id]
        if record["ended"]:
            return record
        time.sleep(0.01)
    return sessions(server)[request_id]


@pytest.mark.parametrize(
    ("path", "deployment"),
    [
        (f"/model-{WS_ECHO}/production/websocket", "we0prd"),
        (f"/model-{WS_ECHO}/environments/production/websocket", "we0prd"),
        (f"/model-{WS_ECHO}/environments/staging/websocket", "we0stg"),
        (f"/model-{WS_ECHO}/development/websocket", "we0dev"),
        (f"/model-{WS_ECHO}/deployment/we0stg/websocket", "we0stg"),
        (f"/model-{WS_ECHO}-staging/websocket", "we0stg"),
        (f"/chain-{WS_CHAIN}/production/websocket", "wc0prd"),
        (f"/chain-{WS_CHAIN}/environments/staging/websocket", "wc0stg"),
        (f"/chain-{WS_CHAIN}-staging/websocket", "wc0stg"),
    ],
)
def test_every_documented_prefix_echoes_text_and_binary(
    emulator: EmulatorServer, path: str, deployment: str
) -> None:
    with open_ws(emulator, path) as ws:
        assert ws.response is not None
        headers = ws.response.headers
        assert headers["x-baseten-model-version-id"] == deployment
        ws.send("hello")
        ws.send(b"\x00\x01\xff")
        assert ws.recv() == "hello"
        assert ws.recv() == b"\x00\x01\xff"
    record = session_of(emulator, ws)
    assert record["deployment_id"] == deployment
    assert (record["frames_in"], record["frames_out"], record["bytes_in"]) == (2, 2, 8)
    assert (record["closed_by"], record["close_code"]) == ("client", 1000)


@pytest.mark.parametrize("headers", [AUTH, BEARER], ids=["Api-Key", "Bearer"])
def test_both_schemes_open_the_upgrade(emulator: EmulatorServer, headers: dict[str, str]) -> None:
    with connect(
        ws_base(emulator) + f"/model-{WS_ECHO}/production/websocket", additional_headers=headers
    ) as ws:
        ws.send("x")
        assert ws.recv() == "x"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Api-Key wrong-key"}, {"Authorization": f"Basic {KEY}"}],
    ids=["missing", "wrong", "other scheme"],
)
def test_a_bad_key_is_refused_on_the_upgrade_with_an_http_answer(
    emulator: EmulatorServer, headers: dict[str, str]
) -> None:
    url = ws_base(emulator) + f"/model-{WS_ECHO}/production/websocket"
    with pytest.raises(InvalidStatus) as caught:
        connect(url, additional_headers=headers)
    response = caught.value.response
    assert response.status_code == 401
    assert json.loads(response.body) == {"error": "please check the api-key you provided"}
    request_id = response.headers["x-baseten-request-id"]
    assert sessions(emulator)[request_id]["status"] == 401


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/model-zzzz9999/production/websocket", 404),
        (f"/chain-{WS_ECHO}/production/websocket", 404),  # a model's id on a chain host
        (f"/model-{WS_ECHO}/deployment/nope123/websocket", 404),
        (f"/model-{WS_ECHO}-staging/production/websocket", 404),  # no prefixes on regional hosts
        (f"/model-{WS_ECHO}/production/predict", 404),  # only `websocket` upgrades
    ],
)
def test_unknown_targets_are_refused_on_the_upgrade(
    emulator: EmulatorServer, path: str, status: int
) -> None:
    with pytest.raises(InvalidStatus) as caught:
        open_ws(emulator, path)
    assert caught.value.response.status_code == status
    assert "x-baseten-request-id" in caught.value.response.headers


def test_a_model_without_a_websocket_method_closes_1003(emulator: EmulatorServer) -> None:
    with (
        open_ws(emulator, f"/model-{WS_NONE}/production/websocket") as ws,
        pytest.raises(ConnectionClosedError) as caught,
    ):
        ws.recv()
    assert caught.value.rcvd is not None
    assert caught.value.rcvd.code == 1003
    assert session_of(emulator, ws)["closed_by"] == "server"


def test_a_model_failing_mid_session_closes_1011_with_the_reason(emulator: EmulatorServer) -> None:
    received: list[str | bytes] = []
    with open_ws(emulator, f"/model-{WS_FAIL}/production/websocket") as ws:
        for text in ("a", "b", "c"):
            ws.send(text)
        received += [ws.recv(), ws.recv()]
        with pytest.raises(ConnectionClosedError) as caught:
            ws.recv()
    assert received == ["a", "b"]
    assert caught.value.rcvd is not None
    assert caught.value.rcvd.code == 1011
    assert "failed mid-session" in caught.value.rcvd.reason
    assert session_of(emulator, ws)["close_code"] == 1011


def _frame_header(length: int) -> bytes:
    """A masked binary frame's header claiming `length` bytes of payload (RFC 6455 §5.2)."""
    return b"\x82" + bytes([0x80 | 127]) + struct.pack(">Q", length) + b"\x01\x02\x03\x04"


def test_a_frame_over_100_mib_closes_1009_from_its_header_alone(emulator: EmulatorServer) -> None:
    # Only the header of a 100 MiB + 1 frame is sent: the server must answer without the body.
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as raw:
        raw.sendall(
            (
                f"GET /model-{WS_ECHO}/production/websocket HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{emulator.port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\nAuthorization: Api-Key {KEY}\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += raw.recv(4096)
        head, _, rest = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        raw.sendall(_frame_header(100 * 2**20 + 1) + b"abc")
        while len(rest) < 4:
            chunk = raw.recv(4096)
            if not chunk:
                break
            rest += chunk
    assert rest[0] == 0x88  # a close frame
    assert struct.unpack(">H", rest[2:4])[0] == 1009


def test_a_message_over_the_limit_closes_1009() -> None:
    with EmulatorServer(fast_settings(max_ws_message=1024)) as server:
        with open_ws(server, f"/model-{WS_ECHO}/production/websocket") as ws:
            ws.send(b"x" * 1024)
            assert ws.recv() == b"x" * 1024
            ws.send(b"x" * 1025)
            with pytest.raises(ConnectionClosed) as caught:
                ws.recv()
        assert caught.value.rcvd is not None
        assert caught.value.rcvd.code == 1009


def test_the_upgrade_waits_while_a_scaled_to_zero_model_wakes(
    fresh_emulator: EmulatorServer,
) -> None:
    state = fresh_emulator.emulator.state
    deployment = state.catalogue.models[WS_SLEEPY].production
    assert deployment is not None
    assert state.status_of(deployment) == "SCALED_TO_ZERO"
    with open_ws(fresh_emulator, f"/model-{WS_SLEEPY}/production/websocket") as ws:
        assert state.status_of(deployment) == "ACTIVE"
        ws.send("awake?")
        assert ws.recv() == "awake?"


def _tone(seconds: float, loud: bool) -> bytes:
    n = int(16_000 * seconds)
    amplitude = 9000 if loud else 0
    return struct.pack(
        f"<{n}h", *(int(amplitude * math.sin(2 * math.pi * 440 * i / 16_000)) for i in range(n))
    )


def test_speech_to_text_answers_from_the_audio_it_heard(emulator: EmulatorServer) -> None:
    audio = _tone(0.5, loud=False) + _tone(0.3, loud=True) + _tone(0.2, loud=False)
    with open_ws(emulator, f"/model-{WS_STT}/production/websocket") as ws:
        ws.send(audio[:16_000])  # the first half second: silence
        partial = json.loads(ws.recv())
        ws.send(audio[16_000:])
        second = json.loads(ws.recv())
        ws.send(json.dumps({"type": "end"}))
        final = json.loads(ws.recv())
    assert partial == {
        "type": "partial",
        "text": "(silence)",
        "duration_s": 0.5,
        "segments": [],
        "bytes": 16_000,
    }
    assert second["type"] == "partial"
    assert final["type"] == "final"
    assert final["duration_s"] == 1.0
    assert final["segments"] == [{"start": 0.5, "end": 0.8}]
    assert final["text"] == "speech 0.5-0.8s"


def test_text_to_speech_answers_pcm_that_fits_the_text_then_an_end_marker(
    emulator: EmulatorServer,
) -> None:
    audio = b""
    with open_ws(emulator, f"/model-{WS_TTS}/production/websocket") as ws:
        ws.send("hi there")
        while isinstance(frame := ws.recv(), bytes):
            audio += frame
    end = json.loads(frame)
    # 8 characters, 60 ms each, 16-bit mono at 16 kHz
    assert len(audio) == 8 * 960 * 2 == end["bytes"]
    assert end == {
        "type": "end",
        "bytes": 15360,
        "sample_rate": 16000,
        "sample_width": 2,
        "channels": 1,
        "duration_s": 0.48,
    }
    samples = struct.unpack(f"<{len(audio) // 2}h", audio)
    assert max(samples[:960]) > 5000  # "h" is a tone
    assert set(samples[2 * 960 : 3 * 960]) == {0}  # the space is silence


def test_fault_latency_delays_every_frame(emulator: EmulatorServer) -> None:
    with open_ws(
        emulator, f"/model-{WS_ECHO}/production/websocket", **{FAULT: "latency=0.05"}
    ) as ws:
        started = time.monotonic()
        for text in ("a", "b", "c"):
            ws.send(text)
        assert [ws.recv() for _ in range(3)] == ["a", "b", "c"]
        assert time.monotonic() - started >= 0.15


def test_fault_cut_after_drops_the_connection_without_a_close_frame(
    emulator: EmulatorServer,
) -> None:
    with open_ws(
        emulator, f"/model-{WS_ECHO}/production/websocket", **{FAULT: "cut_after=1"}
    ) as ws:
        ws.send("a")
        ws.send("b")
        assert ws.recv() == "a"
        with pytest.raises(ConnectionClosedError) as caught:
            ws.recv()
    assert caught.value.rcvd is None  # no close frame came
    record = session_of(emulator, ws)
    assert (record["closed_by"], record["close_code"]) == ("dropped", 1006)


def test_fault_read_delay_is_a_slow_reader(emulator: EmulatorServer) -> None:
    with open_ws(
        emulator, f"/model-{WS_ECHO}/production/websocket", **{FAULT: "read_delay=0.02"}
    ) as ws:
        for text in ("a", "b", "c"):
            ws.send(text)
        assert [ws.recv() for _ in range(3)] == ["a", "b", "c"]
    record = session_of(emulator, ws)
    assert record["read_gaps"][:3] == [0.02, 0.02, 0.02]


@pytest.mark.parametrize("status", [408, 504])
def test_fault_status_refuses_the_upgrade(emulator: EmulatorServer, status: int) -> None:
    with pytest.raises(InvalidStatus) as caught:
        open_ws(emulator, f"/model-{WS_ECHO}/production/websocket", **{FAULT: f"status={status}"})
    assert caught.value.response.status_code == status


def test_per_model_faults_apply_to_websockets(fresh_emulator: EmulatorServer) -> None:
    answer = httpx.put(
        fresh_emulator.base_url + f"/_emulator/faults/{WS_ECHO}",
        headers=AUTH,
        json={"status": 504, "count": 1},
    )
    assert answer.status_code == 200
    with pytest.raises(InvalidStatus) as caught:
        open_ws(fresh_emulator, f"/model-{WS_ECHO}/production/websocket")
    assert caught.value.response.status_code == 504
    with open_ws(fresh_emulator, f"/model-{WS_ECHO}/production/websocket") as ws:
        ws.send("again")
        assert ws.recv() == "again"
