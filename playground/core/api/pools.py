"""The HTTP clients behind a transport: enough httpx clients of at most `SHARD` connections each
for the requests in flight, made as they are needed, sharing one TLS context.

Why not one client as wide as the work: httpx's pool (httpcore 1.0) walks its connections once
per connection each time it hands one out, so its cost per request grows with the square of its
size. At 300 connections that was ~16 ms of CPU a request (benchmarks/many_in_flight.py): a loop
that busy answers late, and a server's keep-alive can close a connection the client is slow to
reuse. Pools of 64 cost a twentieth of that each.
"""

from __future__ import annotations

import ssl

import httpx

SHARD = 64
KEEPALIVE_S = 4.0
USER_AGENT = "baseten-playground"


class Pools:
    """`width` connections at most, in clients of at most `SHARD`; `take` gives the index of a
    client with room (the first one, while it has room: its connections are reused most),
    `give_back` frees it. The caller keeps at most `width` requests in flight."""

    def __init__(self, width: int, timeout: httpx.Timeout, http: httpx.AsyncClient | None) -> None:
        self.width = width
        self.timeout = timeout
        self._clients: list[httpx.AsyncClient] = []
        self._rooms: list[int] = []
        self._busy: list[int] = []
        self._tls: ssl.SSLContext | None = None
        if http is not None:  # one given client (a test's mock transport) takes everything
            self._add(http, width)

    @property
    def first(self) -> httpx.AsyncClient:
        if not self._clients:
            self._add(self._make(self._room_of(0)), self._room_of(0))
        return self._clients[0]

    def client(self, index: int) -> httpx.AsyncClient:
        return self._clients[index]

    def take(self) -> int:
        for index, busy in enumerate(self._busy):
            if busy < self._rooms[index]:
                self._busy[index] += 1
                return index
        index = len(self._clients)
        room = self._room_of(index)
        if room <= 0:
            raise RuntimeError(f"more than {self.width} requests in flight")
        self._add(self._make(room), room)
        self._busy[index] += 1
        return index

    def give_back(self, index: int) -> None:
        self._busy[index] -= 1

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    def _room_of(self, index: int) -> int:
        return min(SHARD, self.width - SHARD * index)

    def _add(self, client: httpx.AsyncClient, room: int) -> None:
        self._clients.append(client)
        self._rooms.append(room)
        self._busy.append(0)

    def _make(self, room: int) -> httpx.AsyncClient:
        if self._tls is None:
            self._tls = httpx.create_ssl_context()  # ~50 ms: once, whatever the number of pools
        limits = httpx.Limits(
            max_connections=room,
            max_keepalive_connections=room,
            # Let an idle connection go before the server does: uvicorn (a Truss server, the
            # local one) closes it after 5 s, and a request sent on it as it closes is lost.
            keepalive_expiry=KEEPALIVE_S,
        )
        return httpx.AsyncClient(
            verify=self._tls,
            timeout=self.timeout,
            limits=limits,
            headers={"User-Agent": USER_AGENT},
        )
