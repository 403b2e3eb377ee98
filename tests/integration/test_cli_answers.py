"""How `playground call` and `chat` end on answers that are not what they seem: a body too deep to
parse is shown as it came, never as a traceback."""

from __future__ import annotations

import http.client
import socketserver
import threading
from collections.abc import Iterator

import pytest

from playground.emulator.demo import CHAT, CLASSIFIER
from tests.integration.helpers import run

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
