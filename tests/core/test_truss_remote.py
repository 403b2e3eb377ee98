"""A Truss server as a remote: its own route map, no key, readiness, and the remotes file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from playground.core.api.client import BasetenClient
from playground.core.api.truss_ready import truss_readiness
from playground.core.errors import InvalidRequest
from playground.core.remote.config import RemoteStore, remote_from_url, truss_remote
from playground.core.remote.remotes import Remote, Target
from playground.core.request.spec import RequestSpec
from tests.core.helpers import collect, raw_server, read_request, response_head, run, unused_port

TRUSS = Remote.truss("http://127.0.0.1:8080", "laptop")
MODEL = Target("model")


def test_the_app_s_request_model_lands_on_the_truss_server_s_own_routes() -> None:
    base = "http://127.0.0.1:8080"
    assert MODEL.predict_url(TRUSS) == base + "/v1/models/model:predict"
    # Every target is the one model the server serves: the environment is Baseten's, not its.
    assert Target("abc", "environment", "staging").predict_url(TRUSS) == MODEL.predict_url(TRUSS)
    chat = RequestSpec(mode="chat", target=MODEL, body={"messages": []})
    assert chat.url(TRUSS) == base + "/v1/chat/completions"
    assert MODEL.openai_base(TRUSS) + "/embeddings" == base + "/v1/embeddings"
    route = RequestSpec(mode="route", target=MODEL, route="/health", method="GET")
    assert route.url(TRUSS) == base + "/health"
    assert MODEL.url(TRUSS, "websocket") == base + "/v1/websocket"
    assert TRUSS.model_apis_url("chat/completions") == base + "/v1/chat/completions"
    for endpoint, said in (("async_predict", "async predict"), ("wake", "wake")):
        with pytest.raises(InvalidRequest, match=f"has no {said}"):
            MODEL.url(TRUSS, endpoint)
    with pytest.raises(InvalidRequest, match="no management API"):
        TRUSS.management_url("models")
    # Baseten's remotes are as they were.
    assert MODEL.predict_url(Remote.baseten()) == (
        "https://model-model.api.baseten.co/production/predict"
    )


def test_no_key_is_ever_sent_to_a_truss_server() -> None:
    seen: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        seen.append(head)
        body = b'{"ok": true}'
        writer.write(
            response_head(
                200, {"Content-Type": "application/json", "Content-Length": str(len(body))}
            )
            + body
        )
        await writer.drain()

    async def go() -> None:
        async with raw_server(answer) as url:
            client = BasetenClient(Remote.truss(url, "laptop"), "a-key-it-must-not-see-123")
            try:
                assert client.has_key  # nothing to ask for: the server takes none
                events = await collect(client.predict(MODEL, {"text": "hi"}))
                assert any(getattr(e, "value", None) == {"ok": True} for e in events)
            finally:
                await client.aclose()

    run(go())
    assert seen
    assert seen[0].startswith(b"POST /v1/models/model:predict ")
    assert b"authorization" not in seen[0].lower()
    assert b"a-key-it-must-not-see" not in seen[0]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"{}", "ready"),
        (
            503,
            b'{"error": "Model with name model is not ready."}',
            "loading: Model with name model is not ready.",
        ),
        (500, b'{"error": "Unhandled exception: boom"}', "failed: 500: Unhandled exception: boom"),
    ],
)
def test_readiness_is_said_as_a_deployment_s_status(
    status: int, body: bytes, expected: str
) -> None:
    asked: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head, _ = await read_request(reader)
        asked.append(head.split(b"\r\n")[0])
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        writer.write(response_head(status, headers) + body)
        await writer.drain()

    async def go() -> str:
        async with raw_server(answer) as url:
            client = BasetenClient(Remote.truss(url), "")
            try:
                return (await truss_readiness(client)).text
            finally:
                await client.aclose()

    assert run(go()) == expected
    assert asked == [b"GET /v1/models/model HTTP/1.1"]  # once: a 503 is an answer, not retried


def test_readiness_of_a_server_that_is_not_running() -> None:
    async def go(port: int) -> str:
        client = BasetenClient(Remote.truss(f"http://127.0.0.1:{port}"), "")
        try:
            readiness = await truss_readiness(client)
        finally:
            await client.aclose()
        assert readiness.status == "INACTIVE"
        return readiness.text

    port = unused_port()  # nothing listens: refused
    assert run(go(port)).startswith(
        f"not running: no Truss server answers at http://127.0.0.1:{port}"
    )


def test_a_truss_remote_is_kept_with_its_kind_and_old_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "remotes.json"
    store = RemoteStore(path, trussrc=tmp_path / ".trussrc")
    # A version 1 file (before kinds): its remotes are Baseten's kind, and it is read as it is.
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "remotes": [
                    {
                        "name": "laptop",
                        "inference": "http://127.0.0.1:8765/{host}",
                        "management": "http://127.0.0.1:8765/api",
                        "model_apis": "http://127.0.0.1:8765/inference/v1",
                    }
                ],
            }
        )
    )
    assert store.get("laptop") == remote_from_url("laptop", "http://127.0.0.1:8765")
    store.add(truss_remote("truss-local", "localhost:8080"))
    data = json.loads(path.read_text())
    assert data["schema_version"] == 2
    assert [r["kind"] for r in data["remotes"]] == ["baseten", "truss"]
    again = RemoteStore(path, trussrc=tmp_path / ".trussrc").get("truss-local")
    assert again == Remote.truss("http://localhost:8080", "truss-local")
    assert not again.needs_key
    assert again.label == "http://localhost:8080"
    data["remotes"][1]["kind"] = "docker"
    path.write_text(json.dumps(data))
    with pytest.raises(Exception, match="needs a kind, one of baseten, truss, not 'docker'"):
        store.get("truss-local")
