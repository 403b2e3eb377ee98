"""Run the local server on loopback, in a background thread (for --demo and tests) or in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from dataclasses import dataclass
from types import TracebackType

import uvicorn

from playground.emulator.app import Emulator
from playground.emulator.state import EmulatorSettings


@dataclass(frozen=True)
class Endpoints:
    """The three bases of the local remote (design.md, "Remotes")."""

    base_url: str

    @property
    def inference(self) -> str:
        return self.base_url + "/{host}"

    @property
    def management(self) -> str:
        return self.base_url + "/api"

    @property
    def model_apis(self) -> str:
        return self.base_url + "/inference/v1"


BACKLOG = 2048  # uvicorn's own


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every response written in two parts waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening from here on: a client that connects as soon as the address is printed waits
    # in the queue until the server accepts, instead of being refused.
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _config(emulator: Emulator, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        emulator.app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        # The sans-I/O implementation on the `websockets` package: it reads a frame's length from
        # its header and closes 1009 past the limit without buffering the frame.
        ws="websockets-sansio",
        ws_max_size=emulator.state.settings.max_ws_message,
    )


class EmulatorServer:
    """The emulator on a loopback port in a thread of its own, with its own event loop.

    Its own thread keeps the server answering while the caller's loop is busy (a Qt window
    rendering, a test blocking), as a real remote server would.
    """

    def __init__(
        self,
        settings: EmulatorSettings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.emulator = Emulator(settings)
        self._sock = bind(host, port)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self._server = uvicorn.Server(_config(self.emulator, log_level))
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def settings(self) -> EmulatorSettings:
        return self.emulator.state.settings

    @property
    def api_key(self) -> str:
        return self.settings.api_key

    @property
    def endpoints(self) -> Endpoints:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return Endpoints(f"http://{host}:{self.port}")

    @property
    def base_url(self) -> str:
        return self.endpoints.base_url

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)

            async def main() -> None:
                serve = loop.create_task(self._server.serve(sockets=[self._sock]))
                # uvicorn offers a flag, not an event, for "listening".
                while not self._server.started and not serve.done():  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                ready.set()
                await serve
                await self.emulator.state.queue.close()

            try:
                loop.run_until_complete(main())
            finally:
                ready.set()
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="playground-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or not self._server.started:
            raise RuntimeError("the local server did not start")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (if it was) and close the socket."""
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
            self._thread = None
        with contextlib.suppress(OSError):
            self._sock.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (Ctrl+C)."""

        async def main() -> None:
            try:
                await self._server.serve(sockets=[self._sock])
            finally:
                await self.emulator.state.queue.close()

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
