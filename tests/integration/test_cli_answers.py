"""How `playground call` and `chat` end on answers that are not what they seem: streams that carry
an error or stop short exit 4 as chat's do, a redirect is named and not followed (exit 1), and a
body too deep to parse is shown as it came, never as a traceback."""

from __future__ import annotations

import http.client
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, NDJSON
from tests.integration.helpers import run

CHAT_BODY = '{"messages": [{"role": "user", "content": "hi"}], "stream": true}'
NDJSON_BODY = '{"prompt": "a fox", "max_tokens": 6}'

# --- what the local server cannot send: a canned answer on loopback ----------------------------


class CannedServer(socketserver.ThreadingTCPServer):
    """What the local server cannot send: one fixed HTTP response to every request, on loopback."""

    daemon_threads = True

    def __init__(self, response: bytes) -> None:
        self.response = response
        self.requests: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _CannedHandler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _CannedHandler(socketserver.StreamRequestHandler):
    server: CannedServer

    def handle(self) -> None:
        request_line = self.rfile.readline()
        headers = http.client.parse_headers(self.rfile)
        body = self.rfile.read(int(headers.get("Content-Length", 0)))
        self.server.requests.append(request_line + body)
        self.wfile.write(self.server.response)


@pytest.fixture
def canned(monkeypatch: pytest.MonkeyPatch) -> Iterator[CannedServer]:
    """Set its response with `canned.response = …` before calling it."""
    monkeypatch.setenv("BASETEN_API_KEY", "k-canned")
    server = CannedServer(b"")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _response(body: bytes, content_type: str, status: str = "200 OK", extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


@pytest.fixture
def fresh_base(fresh_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("BASETEN_API_KEY", fresh_emulator.api_key)
    return ["--base-url", fresh_emulator.base_url]


def _call(
    capsys: pytest.CaptureFixture[str],
    server: EmulatorServer,
    model: str,
    body: str,
    faults: dict[str, Any],
) -> tuple[int, list[dict[str, Any]], str]:
    server.emulator.state.set_model_faults(model, {**faults, "delay": 0, "count": 1})
    return run(capsys, "call", "--model", model, "-d", body, "--base-url", server.base_url)


# --- streams that end badly exit 4, as chat's do ----------------------------------------------


@pytest.mark.usefixtures("fresh_base")
@pytest.mark.parametrize(
    ("model", "body", "faults", "says"),
    [
        (
            CHAT,
            CHAT_BODY,
            {"error_at": 2},
            "The server reported an error mid-stream: Internal error",
        ),
        (CHAT, CHAT_BODY, {"end_after": 3}, "The stream ended without a finish reason or [DONE]"),
        (CHAT, CHAT_BODY, {"cut_after": 3}, "closed before the response was complete"),
        (NDJSON, NDJSON_BODY, {"error_at": 2}, "The server reported an error mid-stream: Internal"),
        (NDJSON, NDJSON_BODY, {"cut_after": 2}, "closed before the response was complete"),
    ],
    ids=["sse-error", "sse-no-done", "sse-cut", "ndjson-error", "ndjson-cut"],
)
def test_a_stream_that_ends_badly_exits_4(
    capsys: pytest.CaptureFixture[str],
    fresh_emulator: EmulatorServer,
    model: str,
    body: str,
    faults: dict[str, Any],
    says: str,
) -> None:
    code, records, err = _call(capsys, fresh_emulator, model, body, faults)
    assert code == 4, err
    assert says in err
    assert err.startswith("error: ")
    kinds = [r["event"] for r in records]
    assert kinds[0] == "response"
    assert {"sse", "ndjson"} & set(kinds)  # what arrived is printed
    assert "metrics" not in kinds  # as chat: no summary of an answer that is not whole


@pytest.mark.usefixtures("fresh_base")
@pytest.mark.parametrize(
    ("model", "body"), [(CHAT, CHAT_BODY), (NDJSON, NDJSON_BODY)], ids=["sse", "ndjson"]
)
def test_a_whole_stream_exits_0(
    capsys: pytest.CaptureFixture[str], fresh_emulator: EmulatorServer, model: str, body: str
) -> None:
    code, records, err = _call(capsys, fresh_emulator, model, body, {})
    assert code == 0, err
    assert records[-1]["event"] == "metrics"


def test_chat_and_call_agree_on_an_in_band_error(
    capsys: pytest.CaptureFixture[str], fresh_emulator: EmulatorServer, fresh_base: list[str]
) -> None:
    fresh_emulator.emulator.state.set_model_faults(CHAT, {"error_at": 2, "delay": 0, "count": 1})
    code, _, chat_err = run(capsys, "chat", "--model", CHAT, "-m", "hi", "--stream", *fresh_base)
    assert code == 4
    call_code, _, call_err = _call(capsys, fresh_emulator, CHAT, CHAT_BODY, {"error_at": 2})
    assert call_code == 4
    assert call_err.splitlines()[0] == chat_err.splitlines()[0]


# --- a redirect is an answer of its own --------------------------------------------------------


@pytest.mark.usefixtures("fresh_base")
@pytest.mark.parametrize("command", ["call", "chat"])
def test_a_redirect_without_location_exits_1(
    capsys: pytest.CaptureFixture[str], fresh_emulator: EmulatorServer, command: str
) -> None:
    model = CLASSIFIER if command == "call" else CHAT
    fresh_emulator.emulator.state.set_model_faults(model, {"status": 307, "count": 1})
    what = ["-d", "{}"] if command == "call" else ["-m", "hi"]
    code, records, err = run(
        capsys, command, "--model", model, *what, "--base-url", fresh_emulator.base_url
    )
    assert code == 1
    assert records == []
    assert "error: 307: The server answered 307 Temporary Redirect without a Location" in err


def test_a_redirect_is_named_and_not_followed(
    capsys: pytest.CaptureFixture[str], canned: CannedServer
) -> None:
    canned.response = _response(
        b"", "text/plain", "302 Found", "Location: https://elsewhere.invalid/predict\r\n"
    )
    code, records, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", canned.base_url
    )
    assert code == 1
    assert records == []
    assert (
        "error: 302: The server redirects to https://elsewhere.invalid/predict; "
        "redirects are not followed" in err
    )
    assert "hint: " in err
    assert len(canned.requests) == 1


# --- bodies that cannot be parsed are shown as they came ---------------------------------------

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("depth", [100_000, 300_000], ids=["parsed-at-once", "parsed-later"])
def test_a_json_body_nested_too_deeply_is_shown_as_text(
    capsys: pytest.CaptureFixture[str], canned: CannedServer, depth: int
) -> None:
    body = b"[" * depth + b"]" * depth
    canned.response = _response(body, "application/json")
    code, records, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", canned.base_url
    )
    assert code == 0, err
    text = next(r for r in records if r["event"] == "text")
    assert text["text"] == body.decode()
    notices = [text.get("notice", "")] + [r["message"] for r in records if r["event"] == "notice"]
    assert any("nested too deeply" in str(n) for n in notices)
    assert records[-1]["event"] == "metrics"


def test_an_ndjson_line_nested_too_deeply_is_shown_as_text(
    capsys: pytest.CaptureFixture[str], canned: CannedServer
) -> None:
    canned.response = _response(
        b'{"token": "a"}\n' + NESTED + b'\n{"done": true}\n', "application/x-ndjson"
    )
    code, records, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", canned.base_url
    )
    assert code == 0, err
    assert [r["event"] for r in records] == [
        "response",
        "ndjson",
        "notice",
        "text",
        "ndjson",
        "metrics",
    ]
    assert records[3]["text"] == NESTED.decode() + "\n"


def test_a_chat_answer_nested_too_deeply_exits_4(
    capsys: pytest.CaptureFixture[str], canned: CannedServer
) -> None:
    canned.response = _response(NESTED, "application/json")
    code, _, err = run(capsys, "chat", "--model", CHAT, "-m", "hi", "--base-url", canned.base_url)
    assert code == 4
    assert "error: The server sent invalid JSON: arrays or objects are nested too deeply" in err


def test_a_lone_surrogate_in_an_answer_is_printed_escaped(
    capsys: pytest.CaptureFixture[str], canned: CannedServer
) -> None:
    canned.response = _response(b'{"text": "\\ud800 ok"}', "application/json")
    code, records, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", canned.base_url
    )
    assert code == 0, err
    assert next(r for r in records if r["event"] == "json")["body"] == {"text": "\ud800 ok"}


# --- streams of other shapes: an error event, and a promise of an end ---------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "code", "says"),
    [
        ("text/event-stream", b"data: one\n\ndata: two\n\n", 0, ""),
        ("text/event-stream", b"data: one\n\nevent: error\ndata: overloaded\n\n", 4, "overloaded"),
        ("text/event-stream", b'data: {"error": {"message": "GPU lost"}}\n\n', 4, "GPU lost"),
        ("text/event-stream", b'data: {"error": null, "v": 1}\n\n', 0, ""),
        (
            "application/x-ndjson",
            b'{"v": 1, "done": false}\n{"v": 2, "done": false}\n',
            4,
            '"done": true',
        ),
        ("application/x-ndjson", b'{"v": 1, "done": false}\n{"done": true}\n', 0, ""),
        ("application/x-ndjson", b'{"v": 1}\n{"v": 2}\n', 0, ""),
        ("application/x-ndjson", b'{"choices": [{"delta": {"content": "a"}}]}\n', 4, "[DONE]"),
    ],
    ids=[
        "sse-plain",
        "sse-error-event",
        "sse-error-object",
        "sse-null-error",
        "ndjson-not-done",
        "ndjson-done",
        "ndjson-plain",
        "ndjson-chunks-unfinished",
    ],
)
def test_streams_of_other_shapes(
    capsys: pytest.CaptureFixture[str],
    canned: CannedServer,
    content_type: str,
    body: bytes,
    code: int,
    says: str,
) -> None:
    canned.response = _response(body, content_type)
    got, records, err = run(
        capsys, "call", "--model", CLASSIFIER, "-d", "{}", "--base-url", canned.base_url
    )
    assert got == code, err
    assert says in err
    assert records[0]["event"] == "response"


def test_an_answer_core_cannot_read_is_a_sentence_not_a_traceback(
    capsys: pytest.CaptureFixture[str], canned: CannedServer
) -> None:
    # An async submit answered without a request id: whatever fails, a person reads one error.
    canned.response = _response(b"{}", "application/json")
    code, _, err = run(
        capsys, "call", "--model", CLASSIFIER, "--async", "-d", "{}", "--base-url", canned.base_url
    )
    assert code == 1
    assert err.startswith("error: ")
    assert "Traceback" not in err
