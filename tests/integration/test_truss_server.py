"""The real Truss server (the `truss` package's own server code, from `.venv-truss`, which
`packaging/bootstrap --test` builds) serving tests/integration/truss_model on 127.0.0.1, driven
through the app's Truss remote in core and in the command, and compared against the local
Baseten-compatible server in one comparison across remotes."""

from __future__ import annotations

import pytest

from playground.cli.main import main
from playground.core.api.client import BasetenClient
from playground.core.api.truss_ready import LOADING, READY
from playground.core.compare.run import compare_targets
from playground.core.errors import ApiError
from playground.core.events import ChatFinished, JsonBody, TextChunk
from playground.core.remote.remotes import Remote, Target
from playground.core.request.spec import Column, RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT as CHAT_MODEL
from playground.emulator.demo import CLASSIFIER
from tests.core.helpers import collect, run
from tests.integration.helpers import run as run_command
from tests.integration.truss_helpers import TrussServer, truss_server

__all__ = ["truss_server"]  # the fixture, shared with the window's tests

pytestmark = pytest.mark.slow

MODEL = Target("model")
CHAT = {"messages": [{"role": "user", "content": "hi there"}]}


def _add_truss_remote(server: TrussServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remotes", "add", "truss-local", "--truss", server.url]) == 0
    out, _ = capsys.readouterr()
    assert out == f"added truss-local: a Truss server at {server.url} (no key)\n"


def test_readiness_goes_from_loading_to_ready_in_the_server_s_words(
    truss_server: TrussServer,
) -> None:
    statuses = [r.status for r in truss_server.seen]
    assert statuses[-1] == READY
    assert LOADING in statuses  # the model's load() takes a second
    loading = next(r for r in truss_server.seen if r.status == LOADING)
    assert loading.text == "loading: Model with name model is not ready."
    assert truss_server.process.poll() is None


def test_predict_streaming_and_chat_through_the_remote_in_core(truss_server: TrussServer) -> None:
    async def go() -> None:
        # A key given is dropped: a Truss server takes none, and is sent none.
        client = BasetenClient(truss_server.remote(), "pg-never-sent-to-truss-1234")
        try:
            events = await collect(client.predict(MODEL, {"text": "hello world"}))
            [body] = [e for e in events if isinstance(e, JsonBody)]
            assert body.value == {"upper": "HELLO WORLD", "length": 11, "authorization": None}
            events = await collect(client.predict(MODEL, {"text": "one two", "stream": True}))
            assert "".join(e.text for e in events if isinstance(e, TextChunk)) == "ONE\nTWO\n"
            for stream in (False, True):
                base = client.openai_base(MODEL)
                events = await collect(client.chat(base, {**CHAT, "stream": stream}))
                [done] = [e for e in events if isinstance(e, ChatFinished)]
                assert done.result.content.strip() == "echo: hi there"
                assert done.metrics.streamed is stream
            # A method the model lacks: the server's 404 and its own words.
            with pytest.raises(ApiError) as raised:
                await collect(client.chat(client.openai_base(MODEL).replace("/v1", "/v9"), CHAT))
            assert raised.value.status == 404
            spec = RequestSpec(
                mode="route",
                target=MODEL,
                route="/v1/embeddings",
                method="POST",
                body={"input": "x"},
            )
            with pytest.raises(ApiError) as raised:
                await collect(client.send(spec))
            assert raised.value.status == 404
            assert "`embeddings` must only be called if model has it" in raised.value.message
        finally:
            await client.aclose()

    run(go())


def test_the_command_adds_the_truss_server_and_calls_and_chats_with_no_key(
    truss_server: TrussServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BASETEN_API_KEY", raising=False)  # none needed, none in the keyring
    _add_truss_remote(truss_server, capsys)
    code, lines, err = run_command(
        capsys, "call", "--remote", "truss-local", "-d", '{"text": "hi"}'
    )
    assert code == 0, err
    bodies = [line["body"] for line in lines if line.get("event") == "json"]
    assert bodies == [{"upper": "HI", "length": 2, "authorization": None}]
    code, lines, err = run_command(
        capsys, "chat", "--remote", "truss-local", "-m", "hello", "--stream"
    )
    assert code == 0, err
    said = "".join(line.get("content", "") for line in lines if line.get("event") == "delta")
    assert said.strip() == "echo: hello"


def test_one_comparison_across_the_truss_server_and_the_local_baseten_server(
    truss_server: TrussServer,
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In core: a client per remote, each with its own key (the Truss server's: none).
    async def go() -> None:
        local = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
        truss = BasetenClient(truss_server.remote(), "")
        columns = [Column(MODEL, remote="truss-local"), Column(Target(CLASSIFIER))]
        spec = RequestSpec(mode="predict", target=MODEL, body={"text": "great work"})
        try:
            comparison = await compare_targets(
                local, spec, columns, repeat=2, clients={"truss-local": truss}
            )
        finally:
            await local.aclose()
            await truss.aclose()
        assert len(comparison.rounds) == 2
        for results in comparison.rounds:
            assert [r.outcome for r in results] == ["ok", "ok"]
            assert results[0].body == {"upper": "GREAT WORK", "length": 10, "authorization": None}
            assert results[1].request_id  # Baseten's header, from the local Baseten server only
            assert not results[0].request_id
        assert [s.warm["total"].n for s in comparison.summaries()] == [2, 2]
        diff = comparison.diff(0, 1)
        assert diff.changes  # two different models: their bodies differ, path by path
        # Chat, streamed, across the two: the Truss model's chat_completions and a deployment's.
        chat = RequestSpec(mode="chat", target=MODEL, body={**CHAT, "stream": True})
        chat_columns = [Column(MODEL, remote="truss-local"), Column(Target(CHAT_MODEL))]
        local = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)
        truss = BasetenClient(truss_server.remote(), "")
        try:
            chats = await compare_targets(local, chat, chat_columns, clients={"truss-local": truss})
        finally:
            await local.aclose()
            await truss.aclose()
        [results] = chats.rounds
        assert [(r.outcome, r.kind) for r in results] == [("ok", "chat"), ("ok", "chat")]
        assert results[0].body.strip() == "echo: hi there"
        assert results[1].body
        assert all(r.figure("ttft") is not None for r in results)

    run(go())
    # The command: `--truss REMOTE` is a column on that Truss server; the others on --base-url.
    monkeypatch.setenv("BASETEN_API_KEY", emulator.api_key)
    _add_truss_remote(truss_server, capsys)
    code, lines, err = run_command(
        capsys,
        "compare",
        "--truss",
        "truss-local",
        "--model",
        CLASSIFIER,
        "-d",
        '{"text": "great work"}',
        "--base-url",
        emulator.base_url,
    )
    assert code == 0, err
    columns = [line for line in lines if line["event"] == "column"]
    assert [(c["label"], c["status"]) for c in columns] == [
        ("1. truss-local · model · production", 200),
        (f"2. {CLASSIFIER} · production", 200),
    ]
    assert columns[0]["body"]["authorization"] is None
    summary = lines[-1]
    assert summary["diff"]["columns"] == [1, 2]
