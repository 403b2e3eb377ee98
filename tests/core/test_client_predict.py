"""predict as events: each Content-Type as its own events, honest metrics, UTF-8 across chunks, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import json

from playground.core import (
    BasetenClient,
    BinaryChunk,
    Finished,
    JsonBody,
    NdjsonLine,
    Notice,
    Remote,
    ResponseStarted,
    SseEvent,
    Target,
    TextChunk,
)
from playground.core.events import PredictEvent
from playground.core.secrets import REDACTOR
from playground.emulator import EmulatorServer, demo
from playground.emulator.streams import RequestRecord
from tests.core.helpers import (
    collect,
    deployment_id,
    eventually,
    fault,
    only,
    open_client,
    raw_server,
    read_request,
    response_head,
    run,
    seen_leaving,
    server_request,
    started_and_finished,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_honest_metrics(started: ResponseStarted, finished: Finished) -> None:
    metrics = finished.metrics
    assert metrics is started.metrics  # one object, filled in as the call goes
    assert metrics.status == 200
    assert metrics.request_id
    assert metrics.request_id == started.headers["x-baseten-request-id"]
    assert metrics.model_id == started.headers["x-baseten-model-id"]
    assert metrics.deployment_id == started.headers["x-baseten-model-version-id"]
    assert metrics.attempts == 1
    assert metrics.headers_s is not None
    assert metrics.first_byte_s is not None
    assert metrics.total_s is not None
    assert 0 < metrics.headers_s <= metrics.first_byte_s <= metrics.total_s
    assert metrics.bytes > 0


async def story(client: BasetenClient) -> str:
    """The streamer's story, asked for whole (JSON) rather than streamed."""
    request = {"prompt": "a lighthouse", "stream": False}
    events = await collect(client.predict(Target(demo.STREAMER), request))
    (body,) = only(events, JsonBody)
    text: str = body.value["text"]
    return text


def test_json_body(emulator: EmulatorServer) -> None:
    async def main() -> list[PredictEvent]:
        async with open_client(emulator) as client:
            return await collect(
                client.predict(Target(demo.CLASSIFIER), {"text": "I love it, great"})
            )

    events = run(main())
    started, finished = started_and_finished(events)
    assert started.status == 200
    assert started.content_type.startswith("application/json")
    assert [type(e) for e in events] == [ResponseStarted, JsonBody, Finished]
    body = events[1]
    assert isinstance(body, JsonBody)
    assert body.value == {"label": "positive", "score": 0.99}
    assert json.loads(body.raw) == body.value
    assert finished.kind == "json"
    assert_honest_metrics(started, finished)
    assert finished.metrics.model_id == demo.CLASSIFIER
    assert finished.metrics.deployment_id == deployment_id(emulator, demo.CLASSIFIER)
    assert finished.metrics.bytes == len(body.raw)
    seen = server_request(emulator, finished.metrics.request_id or "")
    assert seen["completed"] is True
    assert seen["path"] == f"/model-{demo.CLASSIFIER}/production/predict"


def test_each_target_kind_reaches_its_deployment(emulator: EmulatorServer) -> None:
    targets = {
        "production": Target(demo.CLASSIFIER),
        "staging": Target(demo.CLASSIFIER, "environment", "staging"),
        "development": Target(demo.CLASSIFIER, "development"),
    }
    by_id = Target(
        demo.CLASSIFIER, "deployment", deployment_id(emulator, demo.CLASSIFIER, "staging")
    )

    async def main() -> dict[str, Finished]:
        async with open_client(emulator) as client:
            ends: dict[str, Finished] = {}
            for name, target in [*targets.items(), ("by-id", by_id)]:
                events = await collect(client.predict(target, {"text": "good"}))
                ends[name] = started_and_finished(events)[1]
            return ends

    ends = run(main())
    for name in targets:
        assert ends[name].metrics.deployment_id == deployment_id(emulator, demo.CLASSIFIER, name)
    assert ends["by-id"].metrics.deployment_id == ends["staging"].metrics.deployment_id


def test_octet_stream_arrives_as_text_chunks(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[PredictEvent], str]:
        async with open_client(emulator) as client:
            events = await collect(
                client.predict(
                    Target(demo.STREAMER),
                    {"prompt": "a lighthouse", "stream": True},
                    headers=fault("delay=0"),
                )
            )
            return events, await story(client)

    events, whole = run(main())
    started, finished = started_and_finished(events)
    assert started.content_type == "application/octet-stream"
    chunks = only(events, TextChunk)
    assert len(chunks) >= 3
    assert len(chunks) == len(events) - 2  # nothing but text between the start and the end
    text = "".join(chunk.text for chunk in chunks)
    assert text == whole
    assert finished.kind == "text-stream"
    assert_honest_metrics(started, finished)
    assert finished.metrics.bytes == len(text.encode())


def test_utf8_split_into_single_bytes_decodes_exactly(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[PredictEvent], str]:
        async with open_client(emulator) as client:
            REDACTOR.replace_keys(())  # the decoding alone: no character waits to be masked
            events = await collect(
                client.predict(
                    Target(demo.STREAMER),
                    {"prompt": "a lighthouse", "stream": True},
                    headers=fault("delay=0,chunk_bytes=1,trickle=0.001"),
                )
            )
            return events, await story(client)

    events, whole = run(main())
    assert any(len(char.encode()) >= 3 for char in whole)  # “, —, 漢, 🎉 …
    _, finished = started_and_finished(events)
    assert not only(events, Notice)
    chunks = only(events, TextChunk)
    assert "".join(chunk.text for chunk in chunks) == whole
    assert "\ufffd" not in whole
    # One byte per chunk: every character, however many bytes, is its own event, never a piece.
    assert all(len(chunk.text) == 1 for chunk in chunks)
    assert len(chunks) == len(whole)
    assert finished.metrics.bytes == len(whole.encode())


def _stream_of(
    pieces: list[bytes], content_type: str = "application/octet-stream"
) -> list[PredictEvent]:
    """predict against a server that sends exactly these pieces, one HTTP chunk each (the local
    server chunks on whole tokens or fixed sizes, never at chosen bytes)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        headers = {"Content-Type": content_type, "Transfer-Encoding": "chunked"}
        writer.write(response_head(200, headers))
        for piece in pieces:
            writer.write(b"%x\r\n%b\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def main() -> list[PredictEvent]:
        async with raw_server(answer) as url:
            client = BasetenClient(Remote.local(url), "k")
            try:
                return await collect(client.predict(Target(demo.STREAMER), {"stream": True}))
            finally:
                await client.aclose()

    return run(main())


def test_characters_split_across_chunk_boundaries() -> None:
    text = "café 日本 🎉!"
    data = text.encode()
    # Cut inside é (2 bytes), inside 日 (3 bytes) and twice inside 🎉 (4 bytes).
    cuts = [
        data.index("é".encode()) + 1,
        data.index("日".encode()) + 2,
        data.index("🎉".encode()) + 1,
        data.index("🎉".encode()) + 3,
    ]
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    events = _stream_of(pieces)
    assert not only(events, Notice)
    assert "".join(c.text for c in only(events, TextChunk)) == text
    assert started_and_finished(events)[1].kind == "text-stream"


def test_stream_ending_inside_a_character_is_reported() -> None:
    events = _stream_of([b"ok ", "é".encode()[:1]])
    assert "".join(c.text for c in only(events, TextChunk)) == "ok "
    (notice,) = only(events, Notice)
    assert "UTF-8" in notice.message


def test_a_stream_that_is_not_utf8_is_kept_as_bytes() -> None:
    events = _stream_of([b"text first, ", b"\xff\xfe\x00binary", b"\x01\x02"])
    assert "".join(c.text for c in only(events, TextChunk)) == "text first, "
    assert len(only(events, Notice)) == 1
    assert b"".join(c.data for c in only(events, BinaryChunk)) == b"\xff\xfe\x00binary\x01\x02"


def test_ndjson_lines(emulator: EmulatorServer) -> None:
    async def main() -> list[PredictEvent]:
        async with open_client(emulator) as client:
            return await collect(
                client.predict(
                    Target(demo.NDJSON),
                    {"prompt": "a harbour", "stream": True},
                    headers=fault("delay=0"),
                )
            )

    events = run(main())
    started, finished = started_and_finished(events)
    assert started.content_type == "application/x-ndjson"
    lines = only(events, NdjsonLine)
    assert len(lines) == len(events) - 2
    *tokens, last = lines
    assert last.value == {"done": True, "tokens": len(tokens)}
    assert [line.value["index"] for line in tokens] == list(range(len(tokens)))
    assert all(json.loads(line.raw) == line.value for line in lines)
    assert "".join(line.value["token"] for line in tokens).startswith("Once upon a time")
    assert finished.kind == "ndjson"
    assert_honest_metrics(started, finished)


def test_server_sent_events_from_a_chat_model(emulator: EmulatorServer) -> None:
    body = {"model": "demo-llm", "messages": [{"role": "user", "content": "What is SSE?"}]}

    async def main() -> tuple[list[PredictEvent], list[PredictEvent]]:
        async with open_client(emulator) as client:
            target = Target(demo.CHAT)
            streamed = await collect(
                client.predict(target, {**body, "stream": True}, headers=fault("delay=0"))
            )
            whole = await collect(client.predict(target, body, headers=fault("delay=0")))
            return streamed, whole

    streamed, whole = run(main())
    started, finished = started_and_finished(streamed)
    assert started.content_type.startswith("text/event-stream")
    events = only(streamed, SseEvent)
    assert len(events) == len(streamed) - 2
    assert events[-1].data == "[DONE]"
    chunks = [json.loads(e.data) for e in events[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    content = "".join(
        choice["delta"].get("content") or "" for chunk in chunks for choice in chunk["choices"]
    )
    (answer,) = only(whole, JsonBody)
    assert content == answer.value["choices"][0]["message"]["content"]
    assert finished.kind == "sse"
    assert_honest_metrics(started, finished)


def test_binary_png(emulator: EmulatorServer) -> None:
    async def main() -> list[PredictEvent]:
        async with open_client(emulator) as client:
            return await collect(
                client.predict(Target(demo.IMAGE), {"prompt": "a red square", "size": 32})
            )

    events = run(main())
    started, finished = started_and_finished(events)
    assert started.content_type == "image/png"
    data = b"".join(chunk.data for chunk in only(events, BinaryChunk))
    assert data.startswith(PNG_SIGNATURE)
    assert not only(events, TextChunk)
    assert finished.kind == "binary"
    assert_honest_metrics(started, finished)
    assert finished.metrics.bytes == len(data) == int(started.headers["content-length"])


def test_custom_server_routes(emulator: EmulatorServer) -> None:
    async def main() -> tuple[list[PredictEvent], list[PredictEvent]]:
        async with open_client(emulator) as client:
            target = Target(demo.CUSTOM)
            health = await collect(client.route(target, "health"))
            echo = await collect(
                client.route(target, "/echo", "post", {"a": [1, "é"]}, {"X-Trace": "t1"})
            )
            return health, echo

    health, echo = run(main())
    (status,) = only(health, JsonBody)
    assert status.value["status"] == "ok"
    (answer,) = only(echo, JsonBody)
    assert answer.value["method"] == "POST"
    assert answer.value["path"] == "/echo"
    assert answer.value["body"] == {"a": [1, "é"]}
    assert answer.value["headers"]["x-trace"] == "t1"


def test_cancelling_mid_stream_closes_the_connection_and_keeps_what_arrived(
    emulator: EmulatorServer,
) -> None:
    async def main() -> tuple[list[PredictEvent], RequestRecord, str]:
        received: list[PredictEvent] = []
        async with open_client(emulator) as client:

            async def consume() -> None:
                async for event in client.predict(
                    Target(demo.STREAMER),
                    {"prompt": "a lighthouse", "stream": True},
                    headers=fault("delay=0.05"),
                ):
                    received.append(event)

            task = asyncio.get_running_loop().create_task(consume())
            await eventually(lambda: len(only(received, TextChunk)) >= 4 or task.done())
            assert not task.done(), "the stream ended before it could be cancelled"
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            assert task.cancelled()
            # With the client still open: the cancel itself must have closed the connection.
            seen = await seen_leaving(emulator, _request_id(received[0]))
            return received, seen, await story(client)

    received, seen, whole = run(main())
    assert isinstance(received[0], ResponseStarted)
    assert not only(received, Finished)
    chunks = only(received, TextChunk)
    assert len(chunks) >= 4
    assert whole.startswith("".join(chunk.text for chunk in chunks))
    assert seen.completed is False
    assert 4 <= seen.events_sent < 40  # the story has 48 tokens; we left long before its end


def test_leaving_a_stream_early_closes_the_connection(emulator: EmulatorServer) -> None:
    async def main() -> RequestRecord:
        async with open_client(emulator) as client:
            stream = client.predict(
                Target(demo.STREAMER), {"prompt": "x", "stream": True}, headers=fault("delay=0.05")
            )
            async with contextlib.aclosing(stream) as events:
                started = await anext(events)
                assert isinstance(started, ResponseStarted)
                assert isinstance(await anext(events), TextChunk)
            return await seen_leaving(emulator, _request_id(started))

    assert run(main()).completed is False


def _request_id(started: PredictEvent) -> str:
    assert isinstance(started, ResponseStarted)
    assert started.metrics.request_id
    return started.metrics.request_id


def test_a_plain_text_body_is_one_text_chunk() -> None:
    body = "héllo, plain".encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))}
        writer.write(response_head(200, headers) + body[:2])  # é split between two writes
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(body[2:])
        await writer.drain()

    async def main() -> list[PredictEvent]:
        async with raw_server(answer) as url:
            client = BasetenClient(Remote.local(url), "k")
            try:
                return await collect(client.predict(Target(demo.CLASSIFIER), {}))
            finally:
                await client.aclose()

    events = run(main())
    assert [type(e) for e in events] == [ResponseStarted, TextChunk, Finished]
    assert only(events, TextChunk)[0].text == "héllo, plain"
    finished = started_and_finished(events)[1]
    assert finished.kind == "text"
    assert finished.metrics.bytes == len(body)


def test_no_content_finishes_empty(fresh_emulator: EmulatorServer) -> None:
    async def main() -> list[PredictEvent]:
        async with open_client(fresh_emulator) as client:
            return await collect(client.route(Target(demo.CUSTOM), "items/1", "DELETE"))

    events = run(main())
    started, finished = started_and_finished(events)
    assert started.status == 204
    assert len(events) == 2
    assert finished.kind == "empty"
    assert finished.metrics.bytes == 0


def test_a_20_mb_json_body_arrives_whole_and_counted(emulator: EmulatorServer) -> None:
    async def main() -> list[PredictEvent]:
        async with open_client(emulator) as client:
            return await collect(
                client.predict(
                    Target(demo.CLASSIFIER), {"text": "x"}, headers=fault("huge=20000000")
                )
            )

    events = run(main())
    _, finished = started_and_finished(events)
    (body,) = only(events, JsonBody)
    assert len(body.raw) > 19_000_000
    assert not body.is_parsed  # parsing would hold the GIL: only on demand
    assert body.value["rows"] == len(body.value["data"])
    assert finished.kind == "json"
    assert finished.metrics.bytes == len(body.raw)
