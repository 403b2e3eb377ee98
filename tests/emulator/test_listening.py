"""The local server listens from the moment its address is known, before it starts serving."""

from __future__ import annotations

import socket

from playground.emulator import EmulatorServer
from tests.conftest import fast_settings


def test_a_client_connecting_before_the_server_serves_waits_and_is_answered() -> None:
    server = EmulatorServer(fast_settings())  # its address is known (and printed) by now
    try:
        early = socket.create_connection(("127.0.0.1", server.port), timeout=5)  # not refused
    except BaseException:
        server.stop()
        raise
    with early, server.start():
        early.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := early.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
