"""A few lines of HTTP/1.1 on a loopback socket, for what the local server cannot send: a gzip
bomb, a server that stalls or trickles forever, one that accepts no connection at all."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

MIB = 1024 * 1024


class RawServer:
    """`handler` answers every connection, on a loop in a thread of its own, so that the server
    keeps going whatever the client's loop does (as a real remote would)."""

    def __init__(self, handler: Handler, on_request: Callable[[bytes], None] | None = None) -> None:
        self.handler = handler
        self.on_request = on_request
        self.port = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="raw-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                request = await read_request(reader)
                if self.on_request is not None:
                    self.on_request(request)
                await self.handler(reader, writer)
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()
                tasks.discard(task)

        server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    def __enter__(self) -> RawServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the raw server did not start")
        return self

    def __exit__(self, *_: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """The request's head and body (by Content-Length), read and thrown away."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head + (await reader.readexactly(length) if length else b"")


def head(status: str = "200 OK", **headers: str) -> bytes:
    """A response's head; `Connection: close`, as this server answers one request a connection."""
    headers.setdefault("Connection", "close")
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def gzip_bomb(mebibytes: int) -> bytes:
    """A valid gzip body that expands to `mebibytes` MiB of zeros (about 1 KB each)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MIB)
    # After a full flush the compressor starts afresh: every MiB of zeros is the same block.
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    final = b"\x03\x00"  # an empty last block
    trailer = struct.pack("<II", crc, (mebibytes * MIB) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + block * mebibytes + final + trailer


def sends(response: bytes) -> Handler:
    """A handler that sends `response` whole."""

    async def handler(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(response)
        await writer.drain()

    return handler


def stalls_after(response: bytes) -> Handler:
    """Sends `response` (perhaps only the head), then says nothing more, for ever."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(response)
        await writer.drain()
        await reader.read()  # until the client goes away

    return handler


def trickles(every: float) -> Handler:
    """A chunked body that sends one byte every `every` seconds, for ever: never silent for
    long, never done."""

    async def handler(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(head(Content_Type="text/plain", Transfer_Encoding="chunked"))
        while True:
            writer.write(b"1\r\nx\r\n")
            await writer.drain()
            await asyncio.sleep(every)

    return handler


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port whose listening socket never accepts, its queue full: a connect to it hangs
    (the kernel drops the SYN) rather than being refused."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):  # the queue holds backlog + 1; the rest hang in SYN_SENT
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
