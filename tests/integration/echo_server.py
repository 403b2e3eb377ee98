"""A raw-socket server in front of the local one that quotes the key back, in every spelling a
server or a proxy could use. Baseten never does; the local server stays faithful to Baseten, so
this small one is for the tests alone.

Every request is passed on to the local server, except one whose body says `echo:KIND` (the
last such words, in a chat that holds several): that one is answered here, with the key in it (see `ANSWERS`), a piece at a time, so that a key cut
in two reaches the client in two reads.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from playground.emulator.media_models import png

PAUSE = 0.05  # between the pieces of an answer: each arrives in a read of its own


def spelt(key: str) -> dict[str, str]:
    """`key` as a server could quote it, by the name of the spelling (JSON text: a `\\u` escape
    here is one in the wire's JSON, which decodes to the key itself)."""
    raw = key.encode()
    return {
        "as is": key,
        "upper case": key.upper(),
        "lower case": key.lower(),
        "JSON-escaped": "".join(f"\\u{ord(c):04x}" for c in key),
        "some JSON-escaped": "".join(
            f"\\u{ord(c):04X}" if i % 3 == 0 else c for i, c in enumerate(key)
        ),
        "percent-encoded": "".join(f"%{byte:02X}" for byte in raw),
        "base64": base64.b64encode(raw).decode(),
        "base64 after one byte": base64.b64encode(b"x" + raw).decode(),
        "base64 after two bytes": base64.b64encode(b"xy" + raw).decode(),
        "base64url": base64.urlsafe_b64encode(b"\xfb\xff" + raw).decode(),
        "Basic": "Basic " + base64.b64encode(b"someone:" + raw).decode(),
    }


def _head(status: str, content_type: str, key: str, length: int | None = None) -> bytes:
    lines = [
        f"HTTP/1.1 {status}",
        f"Content-Type: {content_type}",
        f"X-Baseten-Request-Id: {key}",
        "Connection: close",
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _whole(status: str, content_type: str, key: str, body: str) -> list[bytes]:
    data = body.encode()
    return [_head(status, content_type, key, len(data)) + data]


def _chunked(content_type: str, key: str, pieces: list[str]) -> list[bytes]:
    framed = [f"{len(p.encode()):x}\r\n".encode() + p.encode() + b"\r\n" for p in pieces]
    return [_head("200 OK", content_type, key), *framed, b"0\r\n\r\n"]


def _json_text(quotes: dict[str, str]) -> str:
    """A JSON object of the spellings written by hand: `\\u` escapes stay escapes on the wire."""
    return "{" + ", ".join(f'"{name}": "{value}"' for name, value in quotes.items()) + "}"


def _sse(payload: dict[str, object]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _delta(content: str) -> str:
    return _sse(
        {"id": "chatcmpl-echo", "model": "echo", "choices": [{"delta": {"content": content}}]}
    )


def json_body(key: str) -> list[bytes]:
    """A 200 JSON body quoting every spelling; the reason phrase and the request id too."""
    body = '{"echo": "json", "quotes": ' + _json_text(spelt(key)) + "}"
    return _whole(f"200 {key}", "application/json", key, body)


def text_stream(key: str) -> list[bytes]:
    half = len(key) // 2
    return _chunked(
        "text/plain; charset=utf-8",
        key,
        [f"The key is {key[:half]}", f"{key[half:]}, or {key.upper()[:3]}", f"{key.upper()[3:]}."],
    )


def sse(key: str) -> list[bytes]:
    """Events quoting the key: one cut across two reads, one base64url, an in-band error."""
    half = len(key) // 2
    quotes = spelt(key)
    return _chunked(
        "text/event-stream",
        key,
        [
            f"data: the key is {key[:half]}",
            f"{key[half:]}\n\n",
            f"data: {quotes['base64url']}\n\n",
            "event: error\ndata: " + json.dumps({"error": f"refused {key.lower()}"}) + "\n\n",
        ],
    )


def ndjson(key: str) -> list[bytes]:
    quotes = spelt(key)
    return _chunked(
        "application/x-ndjson",
        key,
        [
            json.dumps({"token": "fine"}) + "\n",
            '{"token": "' + quotes["some JSON-escaped"] + '"}\n',
            json.dumps({"error": f"refused {quotes['percent-encoded']}"}) + "\n",
        ],
    )


def error(key: str) -> list[bytes]:
    quotes = spelt(key)
    body = json.dumps({"error": f"refused {quotes['base64url']}", "detail": quotes["Basic"]})
    return _whole("500 Internal Server Error", "application/json", key, body)


def async_job(key: str) -> list[bytes]:
    """An async job whose id is the key: the window then asks for its status by that id."""
    return _whole("201 Created", "application/json", key, json.dumps({"request_id": key}))


def chat_split(key: str) -> list[bytes]:
    """A chat answer with the key cut across two deltas, twice (as is, then base64)."""
    half = len(key) // 2
    b64 = spelt(key)["base64"]
    deltas = [f"The key is {key[:half]}", f"{key[half:]}; in base64 {b64[:5]}", f"{b64[5:]}."]
    pieces = [_delta(d) for d in deltas]
    pieces[1:2] = [pieces[1][:20], pieces[1][20:]]  # and one event cut across two reads
    done = {"id": "chatcmpl-echo", "choices": [{"delta": {}, "finish_reason": "stop"}]}
    return _chunked("text/event-stream", key, [*pieces, _sse(done), "data: [DONE]\n\n"])


def chat_logprobs(key: str) -> list[bytes]:
    """Logprobs that spell the key token by token, and name it whole as an alternative."""
    half = len(key) // 2
    pieces = []
    for token in ("The key is ", key[:half], key[half:], "."):
        alternative = {"token": key, "logprob": -3.0, "bytes": None}
        entry = {"token": token, "logprob": -0.5, "bytes": None, "top_logprobs": [alternative]}
        choice = {"delta": {"content": token}, "logprobs": {"content": [entry]}}
        pieces.append(_sse({"id": "chatcmpl-echo", "model": "echo", "choices": [choice]}))
    done = {"id": "chatcmpl-echo", "choices": [{"delta": {}, "finish_reason": "stop"}]}
    return _chunked("text/event-stream", key, [*pieces, _sse(done), "data: [DONE]\n\n"])


def chat_error(key: str) -> list[bytes]:
    """A chat that breaks off with an in-band error quoting the key, JSON-escaped."""
    escaped = spelt(key)["JSON-escaped"]
    failure = 'data: {"error": {"message": "refused ' + escaped + '", "code": 401}}\n\n'
    return _chunked("text/event-stream", key, [_delta("Working"), failure, "data: [DONE]\n\n"])


def image_json(key: str) -> list[bytes]:
    """A generated image, base64 in JSON, whose PNG quotes the key in a text chunk."""
    image = png(4, 4, bytes(range(32)))
    text = b"tEXt" + b"Comment\0the key is " + key.encode()
    chunk = struct.pack(">I", len(text) - 4) + text + struct.pack(">I", zlib.crc32(text))
    image = image[:33] + chunk + image[33:]  # after the signature and IHDR
    body = json.dumps({"data": base64.b64encode(image).decode()})
    return _whole("200 OK", "application/json", key, body)


ANSWERS: dict[str, Callable[[str], list[bytes]]] = {
    "json": json_body,
    "image-json": image_json,
    "text-stream": text_stream,
    "sse": sse,
    "ndjson": ndjson,
    "error": error,
    "async": async_job,
    "chat-split": chat_split,
    "chat-error": chat_error,
    "chat-logprobs": chat_logprobs,
}
_ASKED = re.compile(rb"echo:([a-z-]+)")


class EchoServer:
    """Listens on 127.0.0.1; `base_url` is what a client is pointed at instead of `upstream`."""

    def __init__(self, upstream: str, key: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.key = key
        self.answered: list[str] = []
        self.heads: list[bytes] = []  # every request's head, as it arrived
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def handle(self, client: socket.socket) -> None:
        head, body = _read_request(client)
        if not head:
            return
        self.heads.append(head)
        asked = [kind.decode() for kind in _ASKED.findall(body)]  # a chat's last message
        with contextlib.suppress(OSError):  # a client may leave early (after an error event)
            if asked and asked[-1] in ANSWERS:
                kind = asked[-1]
                self.answered.append(kind)
                for piece in ANSWERS[kind](self.key):
                    client.sendall(piece)
                    time.sleep(PAUSE)
            else:
                self._pass_on(head, body, client)

    def _pass_on(self, head: bytes, body: bytes, client: socket.socket) -> None:
        """To the local server, one request per connection: it closes, and so do we."""
        lines = [
            line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")
        ]
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body)
            for data in _received(upstream):
                client.sendall(data)


def _received(sock: socket.socket) -> Iterator[bytes]:
    while data := sock.recv(65536):
        yield data


def _read_request(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            return b"", b""
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    found = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    length = int(found.group(1)) if found else 0
    while len(body) < length:
        more = sock.recv(65536)
        if not more:
            break
        body += more
    return head, body
