"""Core's WebSocket session against the local server on loopback: frames both ways with their
times, failed upgrades as our errors with Baseten's words, close codes in words, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest

from playground.core import (
    ApiError,
    InvalidRequest,
    NetworkError,
    Remote,
    StreamCut,
    Target,
    Timeouts,
)
from playground.core.api.wake import deployment_status
from playground.core.secrets import remember
from playground.core.ws.frames import Closed, Frame, WebSocketClosed, close_words
from playground.core.ws.session import WsSession, ws_url
from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import WS_CHAIN, WS_ECHO, WS_FAIL, WS_NONE, WS_SLEEPY
from tests.conftest import fast_settings
from tests.core.helpers import eventually, fault, open_client, run, unused_port


def server_session(server: EmulatorServer, request_id: str | None) -> dict[str, Any]:
    assert request_id
    with httpx.Client(trust_env=False, timeout=5.0) as http:
        answer = http.get(
            f"{server.base_url}/_emulator/websockets/{request_id}",
            headers={"Authorization": f"Bearer {server.api_key}"},
        )
    assert answer.status_code == 200, answer.text
    record: dict[str, Any] = answer.json()
    return record


async def received(session: WsSession, count: int) -> list[Frame | Closed]:
    out: list[Frame | Closed] = []
    async for event in session:
        out.append(event)
        if len(out) == count or isinstance(event, Closed):
            break
    return out


def test_echo_keeps_frames_times_sizes_and_figures(emulator: EmulatorServer) -> None:
    async def go() -> WsSession:
        async with open_client(emulator) as client, WsSession(client, Target(WS_ECHO)) as session:
            sent = [await session.send_text("héllo"), await session.send_bytes(b"\x00\x01")]
            assert [f.direction for f in sent] == ["sent", "sent"]
            got = await received(session, 2)
            assert [e.data for e in got if isinstance(e, Frame)] == ["héllo", b"\x00\x01"]
            return session

    session = run(go())
    m = session.metrics
    assert session.closed == Closed(1000, "", "client", session.closed.at_s)  # type: ignore[union-attr]
    assert (m.frames_sent, m.frames_received, m.bytes_sent, m.bytes_received) == (2, 2, 8, 8)
    assert m.deployment_id == "we0prd"
    assert m.connect_s is not None
    assert m.first_frame_s is not None
    times = [f.at_s for f in session.frames]
    assert times == sorted(times)
    assert [f.size for f in session.frames] == [6, 2, 6, 2]
    assert m.first_frame_s == session.frames[2].at_s
    assert m.frames_per_s is not None
    assert m.frames_per_s > 0
    assert m.bytes_per_s == pytest.approx(m.frames_per_s * 4)
    record = server_session(emulator, m.request_id)
    assert (record["closed_by"], record["close_code"], record["frames_in"]) == ("client", 1000, 2)


def test_the_url_comes_from_the_remotes_inference_template() -> None:
    remote = Remote.baseten()
    from playground.core import BasetenClient

    client = BasetenClient(remote, "k")
    assert ws_url(client, Target("abc", "environment", "staging")) == (
        "wss://model-abc.api.baseten.co/environments/staging/websocket"
    )
    assert ws_url(client, Target("abc", "regional", "prod-eu")) == (
        "wss://model-abc-prod-eu.api.baseten.co/websocket"
    )
    assert ws_url(client, Target("cid", "deployment", "d1", is_chain=True)) == (
        "wss://chain-cid.api.baseten.co/deployment/d1/websocket"
    )
    local = BasetenClient(Remote.local("http://127.0.0.1:9"), "k")
    assert ws_url(local, Target("abc")) == "ws://127.0.0.1:9/model-abc/production/websocket"


def test_a_chains_entrypoint_takes_a_session(emulator: EmulatorServer) -> None:
    async def go() -> list[Frame | Closed]:
        async with (
            open_client(emulator) as client,
            WsSession(client, Target(WS_CHAIN, is_chain=True)) as session,
        ):
            await session.send_text("to the chain")
            return await received(session, 1)

    assert [e.data for e in run(go()) if isinstance(e, Frame)] == ["to the chain"]


@pytest.mark.parametrize(
    ("target", "spec", "status", "words"),
    [
        (Target(WS_ECHO), "", 401, "please check the api-key you provided"),
        (Target(WS_ECHO, "deployment", "nope"), "", 404, "Deployment nope not found"),
        (Target(WS_ECHO), "status=504", 504, "Request timed out"),
        (Target(WS_ECHO), "status=408", 408, "Request Timeout"),
    ],
)
def test_a_failed_upgrade_is_an_api_error_with_basetens_words(
    emulator: EmulatorServer, target: Target, spec: str, status: int, words: str
) -> None:
    async def go() -> ApiError:
        key = "wrong-key-777" if status == 401 else None
        async with open_client(emulator, key=key) as client:
            with pytest.raises(ApiError) as caught:
                await WsSession(client, target, headers=fault(spec) if spec else None).open()
            return caught.value

    error = run(go())
    assert error.status == status
    assert words in error.message
    assert error.request_id
    assert server_session(emulator, error.request_id)["status"] == status
    expected = {401: "key", 404: "model id", 504: "timed out", 408: "timed out"}[status]
    assert expected in error.hint


def test_nothing_listening_is_a_network_error() -> None:
    async def go() -> NetworkError:
        from playground.core import BasetenClient

        client = BasetenClient(Remote.local(f"http://127.0.0.1:{unused_port()}"), "k")
        with pytest.raises(NetworkError) as caught:
            await WsSession(client, Target(WS_ECHO)).open()
        await client.aclose()
        return caught.value

    error = run(go())
    assert "Connection refused" in str(error)
    assert "listening" in error.hint


@pytest.mark.parametrize(
    ("model", "spec", "code", "kind"),
    [
        (WS_NONE, "", 1003, WebSocketClosed),
        (WS_FAIL, "", 1011, WebSocketClosed),
        (WS_ECHO, "cut_after=1", 1006, StreamCut),
    ],
)
def test_close_codes_become_words_and_errors(
    emulator: EmulatorServer, model: str, spec: str, code: int, kind: type[Exception]
) -> None:
    async def go() -> Closed:
        async with open_client(emulator) as client:
            session = WsSession(client, Target(model), headers=fault(spec) if spec else None)
            async with session:
                with contextlib.suppress(kind):  # the server may have closed already
                    for text in ("a", "b", "c"):
                        await session.send_text(text)
                events = await received(session, 10)
            closed = events[-1]
            assert isinstance(closed, Closed)
            return closed

    closed = run(go())
    assert closed.code == code
    assert closed.by == ("dropped" if code == 1006 else "server")
    error = closed.error()
    assert isinstance(error, kind)
    assert close_words(code) in str(error)
    if code == 1011:
        assert "CUDA out of memory" in str(error)
        assert "logs" in error.hint  # type: ignore[union-attr]


def test_close_words_cover_the_documented_codes() -> None:
    for code, word in {
        1000: "normally",
        1001: "going away",
        1003: "websocket method",
        1006: "without a close frame",
        1008: "policy",
        1009: "100 MiB",
        1011: "model failed",
    }.items():
        assert word in close_words(code), code
    assert (
        close_words(1011, "boom")
        == "1011 (the model failed: an error in its websocket method): boom"
    )


def test_a_message_over_the_servers_limit_closes_1009() -> None:
    async def go() -> Closed:
        with EmulatorServer(fast_settings(max_ws_message=1024)) as server:
            async with open_client(server) as client, WsSession(client, Target(WS_ECHO)) as session:
                await session.send_bytes(b"x" * 2048)
                events = await received(session, 1)  # the close, not an echo
        closed = events[-1]
        assert isinstance(closed, Closed)
        return closed

    closed = run(go())
    assert (closed.code, closed.by) == (1009, "server")
    assert isinstance(closed.error(), WebSocketClosed)


def test_a_received_message_over_our_limit_closes_1009(emulator: EmulatorServer) -> None:
    async def go() -> Closed:
        async with (
            open_client(emulator) as client,
            WsSession(client, Target(WS_ECHO), max_size=16) as session,
        ):
            await session.send_text("x" * 32)
            events = await received(session, 1)  # the close, not an echo
        closed = events[-1]
        assert isinstance(closed, Closed)
        return closed

    closed = run(go())
    assert closed.code == 1009
    assert "100 MiB" in closed.words


def test_cancelling_the_reader_closes_the_socket_and_the_server_sees_it(
    emulator: EmulatorServer,
) -> None:
    async def go() -> str | None:
        async with open_client(emulator) as client:
            session = WsSession(client, Target(WS_ECHO))

            async def listen() -> None:
                async with session:
                    async for _ in session:
                        pass

            task = asyncio.create_task(listen())
            await eventually(lambda: session.is_open)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert session.closed is not None
            assert (session.closed.code, session.closed.by) == (1001, "client")
            request_id = session.request_id
            await eventually(lambda: server_session(emulator, request_id)["ended"])
            return request_id

    record = server_session(emulator, run(go()))
    assert (record["closed_by"], record["close_code"]) == ("client", 1001)


def test_the_upgrade_waits_for_a_scaled_to_zero_model(fresh_emulator: EmulatorServer) -> None:
    async def go() -> list[Frame | Closed]:
        async with open_client(fresh_emulator) as client:
            session = WsSession(client, Target(WS_SLEEPY))
            assert session.state == "new"
            opening = asyncio.create_task(session.open())
            await eventually(lambda: session.state == "connecting")
            status = await deployment_status(client, Target(WS_SLEEPY))
            assert status in ("WAKING_UP", "LOADING_MODEL")  # parked while it wakes
            async with await opening:
                assert session.state == "open"
                with pytest.raises(InvalidRequest, match="opened already"):
                    await session.open()  # one socket per session, never a second behind it
                await session.send_text("wake")
                events = await received(session, 1)
            assert session.state == "closed"
            return events

    assert [e.data for e in run(go()) if isinstance(e, Frame)] == ["wake"]


def test_an_upgrade_not_answered_in_time_is_a_read_timeout(fresh_emulator: EmulatorServer) -> None:
    async def go() -> NetworkError:
        timeouts = Timeouts(read=0.05)
        async with open_client(fresh_emulator, timeouts=timeouts) as client:
            with pytest.raises(NetworkError) as caught:
                await WsSession(client, Target(WS_SLEEPY)).open()
            return caught.value

    error = run(go())
    assert error.timeout == "read"
    assert "upgrade" in str(error)


def test_a_key_echoed_in_a_frame_never_reaches_a_frame(emulator: EmulatorServer) -> None:
    secret = "pgSECRET-frame-7hQ2mX9vL4"
    remember(secret)

    async def go() -> WsSession:
        async with open_client(emulator) as client, WsSession(client, Target(WS_ECHO)) as session:
            await session.send_text(f"my key is {secret}")
            await session.send_bytes(secret.encode())
            await received(session, 2)
            return session

    session = run(go())
    for frame in session.frames:
        data = frame.data if isinstance(frame.data, bytes) else frame.data.encode()
        assert secret.encode() not in data, frame
    assert "my key is" in str(session.frames[2].data)


def test_frames_sent_together_are_written_together_and_echoed_in_order(
    emulator: EmulatorServer,
) -> None:
    texts = [f"frame {n}" for n in range(300)]

    async def go() -> tuple[list[Frame], list[Frame | Closed], int, int]:
        async with open_client(emulator) as client, WsSession(client, Target(WS_ECHO)) as session:
            assert session._ws is not None
            transport = session._ws.transport
            writes = 0
            write = transport.write

            def counted(data: bytes) -> None:  # asyncio's transport: each call a socket write
                nonlocal writes
                writes += 1
                write(data)

            transport.write = counted
            sent = await session.send_many([*texts[:299], texts[299].encode()])
            got = await received(session, 300)
            together = writes
            # A sender that never yields (each send awaited in turn) is written as it goes:
            # never more than a few hundred frames wait in memory for the end of the turn.
            writes = 0
            for text in texts * 4:
                await session.send_text(text)
            alone = writes
            assert len(await received(session, 1200)) == 1200
            return sent, got, together, alone

    sent, got, together, alone = run(go())
    assert [f.data for f in sent] == [*texts[:299], texts[299].encode()]
    assert [f.direction for f in sent] == ["sent"] * 300
    assert [e.data for e in got if isinstance(e, Frame)] == [*texts[:299], texts[299].encode()]
    assert together == 1  # 300 frames, one write
    assert 4 <= alone <= 6  # 1,200 frames sent one by one without a pause: a write per 256
