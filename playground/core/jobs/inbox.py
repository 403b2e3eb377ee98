"""The webhook inbox: a small ASGI app on a loopback port that verifies each delivery's
signature, keeps the payload durably (an fsync'd commit) before it answers 2xx, and attaches it
to its job by request id. Baseten cannot reach a laptop: a tunnel or relay of the person's own
forwards a public HTTPS URL to it (`InboxSettings.public_url`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground.core.jobs.model import Job
from playground.core.jobs.store import JobStore
from playground.core.jobs.verify import REQUEST_ID_HEADER, Verification, verify
from playground.core.jobs.webhook_secrets import load_secrets
from playground.core.paths import config_dir

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse

PATH = "/webhooks/baseten"
DEFAULT_PORT = 8788
MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    """One delivery the inbox kept: its payload, the verification, and its job if known."""

    request_id: str
    payload: Any
    verification: Verification
    job: Job | None


OnReceived = Callable[[Received], None]


def create_app(
    store: JobStore,
    *,
    secrets: Callable[[], Mapping[str, str]] = load_secrets,
    on_received: OnReceived | None = None,
    tolerance_s: float = 300.0,
) -> Starlette:
    """The receiver: POST PATH. 401 in words for a missing, bad or stale signature; 200 only
    after the payload is on disk."""
    from starlette.applications import Starlette  # only once an inbox is wanted (~35 ms)
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "The payload is too large."}, status_code=413)
        checked = verify(request.headers, body, secrets(), tolerance_s=tolerance_s)
        if not checked.ok:
            return JSONResponse({"error": checked.reason}, status_code=401)
        request_id = checked.request_id or request.headers.get(REQUEST_ID_HEADER, "")
        job = await asyncio.to_thread(store.keep_delivery, request_id, body, checked.secret_name)
        if on_received is not None:
            payload = json.loads(body)
            on_received(Received(request_id, payload, checked, job))
        return JSONResponse({"kept": True, "request_id": request_id, "job": job and job.id})

    return Starlette(routes=[Route(PATH, receive, methods=["POST"])])


@dataclass
class InboxSettings:
    """Where the inbox listens and the public URL a tunnel gives it (not secret: a file)."""

    port: int = DEFAULT_PORT
    public_url: str = ""

    @staticmethod
    def path() -> Path:
        return config_dir() / "inbox.json"

    @classmethod
    def load(cls) -> InboxSettings:
        try:
            values = json.loads(cls.path().read_text(encoding="utf-8"))
            return cls(int(values.get("port", DEFAULT_PORT)), str(values.get("public_url", "")))
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()

    def save(self) -> None:
        self.path().parent.mkdir(parents=True, exist_ok=True)
        self.path().write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    def webhook_endpoint(self, port: int | None = None) -> str:
        """The exact `webhook_endpoint` to send: the tunnel's URL when one is set (Baseten
        requires HTTPS), else the loopback receiver (enough for a local server)."""
        if self.public_url:
            return self.public_url.rstrip("/") + PATH
        return f"http://127.0.0.1:{port or self.port}{PATH}"


class InboxServer:
    """The inbox served by uvicorn on 127.0.0.1, started and stopped from a running loop."""

    def __init__(self, app: Starlette, port: int = 0) -> None:
        import uvicorn  # only once an inbox is wanted

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", ws="none"
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    async def start(self) -> InboxServer:
        self._task = asyncio.get_running_loop().create_task(
            self._server.serve(sockets=[self._sock])
        )
        while not self._server.started:  # uvicorn offers a flag, not an event
            if self._task.done():
                await self._task
                raise OSError("the inbox did not start")
            await asyncio.sleep(0.01)
        return self

    async def serve(self) -> None:
        """Until stopped (or Ctrl+C in a terminal)."""
        if self._task is None:
            await self.start()
        assert self._task is not None
        await self._task

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(OSError):
            self._sock.close()
