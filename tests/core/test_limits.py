"""How much one client takes on: a size limit on responses, counted decompressed, that keeps what
arrived; and more requests than it has connections, served first come, first served."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from playground.core import (
    BasetenClient,
    BinaryChunk,
    ChatResult,
    JsonBody,
    Limits,
    Metrics,
    NetworkError,
    Remote,
    ResponseTooLarge,
    Target,
    TextChunk,
    Timeouts,
)
from playground.core.api.policy import MB, CallSettings
from playground.core.api.transport import Transport
from playground.core.text import Failure
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import collect, collect_until_error, fault, only, open_client, run
from tests.core.raw_server import MIB, RawServer, gzip_bomb, head, sends, stalls_after

CLASSIFIER = Target(demo.CLASSIFIER)


def client_of(base_url: str, **kwargs: Any) -> BasetenClient:
    return BasetenClient(Remote.local(base_url), "test-key-0123456789", **kwargs)


async def call_until_error(client: BasetenClient) -> tuple[list[Any], Exception]:
    try:
        return await collect_until_error(client.predict(Target("bomb"), {"x": 1}))
    finally:
        await client.aclose()


# --- the size limit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["application/octet-stream", "application/json", "application/x-ndjson", "text/event-stream"],
)
def test_a_gzip_bomb_is_cut_at_the_limit_counted_decompressed(content_type: str) -> None:
    """256 KB on the wire that expand to 256 MiB of zeros: no newline, no end of an event, so
    a line or event parser would buffer all of it."""
    bomb = gzip_bomb(256)
    response = head(
        Content_Type=content_type, Content_Encoding="gzip", Content_Length=str(len(bomb))
    )
    with RawServer(sends(response + bomb)) as server:
        limits = Limits(max_response_bytes=4 * MIB)
        events, error = run(call_until_error(client_of(server.base_url, limits=limits)))
    assert isinstance(error, ResponseTooLarge)
    assert (error.limit, error.arrived) == (4 * MIB, 4 * MIB)
    assert "4.0 MB limit" in str(error)
    assert "4,194,304 bytes" in str(error)
    assert "--max-response-mb" in error.hint
    assert "Timeouts and retries" in error.hint
    partial = error.partial
    assert isinstance(partial, Metrics)
    assert partial.bytes < len(bomb) / 2  # reading stopped early: most of it never came in
    if content_type == "application/octet-stream":
        kept = b"".join(chunk.data for chunk in only(events, BinaryChunk))
        assert kept == bytes(4 * MIB)  # what arrived is kept, up to the limit
    if content_type == "application/json":
        (body,) = only(events, JsonBody)
        assert body.raw == bytes(4 * MIB)
    assert Failure.of(error).kind == "The response was too large"


def test_a_plain_body_over_the_limit_keeps_its_first_part(emulator: EmulatorServer) -> None:
    headers = fault("huge=3000000")

    async def main() -> tuple[bytes, list[Any], Exception]:
        async with open_client(emulator) as client:
            whole = only(await collect(client.predict(CLASSIFIER, {}, headers=headers)), JsonBody)
        limits = Limits(max_response_bytes=1 * MB)
        async with open_client(emulator) as client:
            client.transport.limits = limits
            cut, error = await collect_until_error(client.predict(CLASSIFIER, {}, headers=headers))
        return whole[0].raw, cut, error

    whole, events, error = run(main())
    assert len(whole) > 2 * MB
    assert isinstance(error, ResponseTooLarge)
    (body,) = only(events, JsonBody)
    assert body.raw == whole[: 1 * MB]
    assert error.arrived == 1 * MB
    assert f"{len(whole) / MB:.1f} MB" in str(error)  # the size the server announced


def test_a_stream_over_the_limit_keeps_the_events_before_it(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[Any], Exception]:
        async with open_client(emulator) as client:
            client.transport.limits = Limits(max_response_bytes=200)
            return await collect_until_error(
                client.predict(Target(demo.STREAMER), {"prompt": "a fox", "max_tokens": 200})
            )

    events, error = run(main())
    assert isinstance(error, ResponseTooLarge)
    text = "".join(chunk.text for chunk in only(events, TextChunk))
    assert len(text.encode()) == 200
    assert text.startswith("Once upon a time")


def test_a_chat_stream_over_the_limit_keeps_the_answer_so_far(emulator: EmulatorServer) -> None:
    body = {"model": "demo-llm", "messages": [{"role": "user", "content": "hi"}], "stream": True}

    async def main() -> tuple[list[Any], Exception]:
        async with open_client(emulator) as client:
            client.transport.limits = Limits(max_response_bytes=4000)
            base = client.openai_base(Target(demo.CHAT))
            return await collect_until_error(
                client.chat(base, body, headers=fault("tokens=400,delay=0"))
            )

    _, error = run(main())
    assert isinstance(error, ResponseTooLarge)
    assert isinstance(error.partial, ChatResult)
    assert error.partial.content  # the deltas that fitted


def test_a_json_call_over_the_limit_says_so(emulator: EmulatorServer) -> None:
    async def main() -> Exception:
        async with open_client(emulator) as client:
            client.transport.limits = Limits(max_response_bytes=100)
            try:
                await client.management.models()
            except ResponseTooLarge as exc:
                return exc
        raise AssertionError("the models list fitted in 100 bytes")

    error = run(main())
    assert error.arrived == 100  # type: ignore[attr-defined]


def test_the_default_limit_takes_the_benchmarks_20_mb_bodies(emulator: EmulatorServer) -> None:
    assert Limits().max_response_bytes == 100 * MB

    async def main() -> list[Any]:
        async with open_client(emulator) as client:
            return await collect(client.predict(CLASSIFIER, {}, headers=fault("huge=20000000")))

    (body,) = only(run(main()), JsonBody)
    assert len(body.raw) > 19 * MB


def test_no_limit_when_set_to_zero() -> None:
    assert CallSettings(max_response_mb=0).limits().max_response_bytes is None
    assert CallSettings(max_response_mb=2.5).limits().max_response_bytes == int(2.5 * MB)
    assert Limits.with_max_response_mb(0).max_response_bytes is None


# --- more requests than connections -----------------------------------------------------------


def test_requests_past_the_width_wait_first_come_first_served() -> None:
    seen: list[int] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.02)
        writer.write(head(Content_Type="application/json", Content_Length="2") + b"{}")
        await writer.drain()

    def recorded(request_head: bytes) -> None:
        for line in request_head.split(b"\r\n"):
            if line.lower().startswith(b"x-seq:"):
                seen.append(int(line.partition(b":")[2]))

    async def main(base_url: str) -> list[Any]:
        client = client_of(base_url, limits=Limits(max_in_flight=1))
        try:
            calls = [
                collect(client.predict(CLASSIFIER, {}, headers={"X-Seq": str(i)}))
                for i in range(12)
            ]
            return await asyncio.gather(*calls)
        finally:
            await client.aclose()

    with RawServer(handler, on_request=recorded) as server:
        results = run(main(server.base_url))
    assert all(len(only(events, JsonBody)) == 1 for events in results)
    assert seen == list(range(12))


def test_waiting_for_a_free_connection_is_not_a_connect_timeout(
    emulator: EmulatorServer,
) -> None:
    """60 requests on 20 connections, each answered after 0.5 s: the last ones wait a second,
    far past the 0.2 s connect timeout, and still succeed."""

    async def main() -> list[Any]:
        transport = Transport(timeouts=Timeouts(connect=0.2), limits=Limits(max_in_flight=20))
        async with open_client(emulator, transport=transport) as client:
            calls = [
                collect(client.predict(CLASSIFIER, {"text": "good"}, headers=fault("latency=0.5")))
                for _ in range(60)
            ]
            return await asyncio.gather(*calls, return_exceptions=True)

    results = run(main())
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    assert all(only(events, JsonBody)[0].value["label"] == "positive" for events in results)


def test_the_pool_timeout_has_its_own_words() -> None:
    response = head(Content_Type="text/plain", Transfer_Encoding="chunked") + b"2\r\nhi\r\n"

    async def main(base_url: str) -> Exception:
        client = client_of(
            base_url, limits=Limits(max_in_flight=1), timeouts=Timeouts(pool=0.3, read=5)
        )
        try:
            holder = client.predict(CLASSIFIER, {})
            first = await anext(holder)  # the response started: it holds the one connection
            assert first is not None
            _, error = await collect_until_error(client.predict(CLASSIFIER, {}))
            await holder.aclose()
            return error
        finally:
            await client.aclose()

    with RawServer(stalls_after(response)) as server:
        error = run(main(server.base_url))
    assert isinstance(error, NetworkError)
    assert error.timeout == "pool"
    assert "waiting for a free connection" in str(error)
    assert "1 request was in flight" in str(error)
    assert "(pool timeout)" in str(error)
    assert "--pool-timeout" in error.hint


def test_as_many_requests_in_flight_as_allowed_over_several_pools() -> None:
    """130 at once need three of httpx's pools (64, 64, 2): the server holds every answer until
    it has seen all of them at the same time."""
    width = 130
    state = {"now": 0, "most": 0}
    everyone = asyncio.Event()

    async def handler(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state["now"] += 1
        state["most"] = max(state["most"], state["now"])
        if state["now"] == width:
            everyone.set()
        try:
            await asyncio.wait_for(everyone.wait(), 5)
        finally:
            state["now"] -= 1
        writer.write(head(Content_Type="application/json", Content_Length="2") + b"{}")
        await writer.drain()

    async def main(base_url: str) -> list[Any]:
        client = client_of(base_url, limits=Limits(max_in_flight=width))
        try:
            calls = [collect(client.predict(CLASSIFIER, {})) for _ in range(width)]
            return await asyncio.gather(*calls)
        finally:
            await client.aclose()

    with RawServer(handler) as server:
        results = run(main(server.base_url))
    assert state["most"] == width
    assert all(len(only(events, JsonBody)) == 1 for events in results)


def test_pools_fill_in_order_up_to_the_width() -> None:
    import httpx

    from playground.core.api.pools import SHARD, Pools

    pools = Pools(130, httpx.Timeout(1.0), None)
    taken = [pools.take() for _ in range(130)]
    assert taken == [0] * SHARD + [1] * SHARD + [2] * 2
    with pytest.raises(RuntimeError):
        pools.take()
    pools.give_back(1)
    assert pools.take() == 1
    run(pools.aclose())


def test_the_width_is_set_when_the_transport_is_made() -> None:
    transport = Transport(limits=Limits(max_in_flight=8))
    transport.limits = Limits(max_response_bytes=MB, max_in_flight=8)  # the size may change
    assert transport.limits.max_response_bytes == MB
    with pytest.raises(ValueError, match="set when the transport is made"):
        transport.limits = Limits(max_in_flight=9)
