"""WebSockets on the model and chain hosts: the upgrade authenticated like any call, Truss's close
codes, faults per frame, and a record of every session for tests (`/_emulator/websockets`)."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from playground.emulator.catalogue import Deployment, Model
from playground.emulator.faults import FAULT_HEADER, Faults, FaultSpecError, error_response
from playground.emulator.inference import InferenceAPI
from playground.emulator.state import EmulatorState
from playground.emulator.streams import StreamCut

_HOST = re.compile(r"(model|chain)-([a-z0-9]+)(?:-([a-z0-9][a-z0-9-]*))?")

# Truss's close codes (baseten-api.md §0): normal end, no websocket method, a model error.
CLOSE_NORMAL, CLOSE_UNSUPPORTED, CLOSE_MODEL_ERROR = 1000, 1003, 1011
# How a failed upgrade shows on Baseten (§0): 408 or 504.
UPGRADE_TIMEOUTS = {408: "Request Timeout", 504: "Request timed out"}


@dataclass
class SessionRecord:
    """What the server saw of one WebSocket session, for tests that must see its side."""

    request_id: str
    path: str
    model_id: str = ""
    deployment_id: str = ""
    status: int = 0  # 101 when accepted, else the status the upgrade was refused with
    frames_in: int = 0
    frames_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    close_code: int | None = None
    close_reason: str = ""
    closed_by: str = ""  # "client", "server", "dropped" (no close frame) or "" while open
    ended: bool = False
    read_gaps: list[float] = field(default_factory=list)  # seconds waited before each read

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ModelClosed(Exception):
    """Raised by a model's `websocket` to close the session with its own code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class WsCall:
    """One session as a model's `websocket(self, ws)` sees it, with the session's faults applied."""

    def __init__(
        self, ws: WebSocket, record: SessionRecord, faults: Faults, deployment: Deployment
    ) -> None:
        self._ws = ws
        self.record = record
        self.faults = faults
        self.deployment = deployment

    @property
    def variant(self) -> dict[str, Any]:
        return self.deployment.variant

    async def receive(self) -> str | bytes | None:
        """The client's next frame, or None once it has closed."""
        if self.faults.read_delay > 0:
            await asyncio.sleep(self.faults.read_delay)
            self.record.read_gaps.append(self.faults.read_delay)
        message = await self._ws.receive()
        if message["type"] == "websocket.disconnect":
            self.record.close_code = message.get("code", 1005)
            self.record.close_reason = message.get("reason") or ""
            self.record.closed_by = "client"
            return None
        data: str | bytes = message["text"] if message.get("text") is not None else message["bytes"]
        self.record.frames_in += 1
        self.record.bytes_in += len(data.encode() if isinstance(data, str) else data)
        return data

    async def send(self, data: str | bytes) -> None:
        faults = self.faults
        if 0 <= faults.cut_after <= self.record.frames_out:
            raise StreamCut("fault: connection dropped without a close frame")
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if isinstance(data, str):
            await self._ws.send_text(data)
            self.record.bytes_out += len(data.encode())
        else:
            await self._ws.send_bytes(data)
            self.record.bytes_out += len(data)
        self.record.frames_out += 1

    async def send_json(self, payload: Any) -> None:
        await self.send(json.dumps(payload, ensure_ascii=False))


class WebSocketModel(Protocol):
    """What a model deployed with `runtime.transport.kind: websocket` implements."""

    async def websocket(self, ws: WsCall) -> None: ...


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The control route (before the inference catch-all) and the WebSocket route of every host."""
    api = WebSocketAPI(state)
    return [
        Route("/_emulator/websockets", api.list_sessions, methods=["GET"]),
        Route("/_emulator/websockets/{request_id}", api.session, methods=["GET"]),
        WebSocketRoute("/{host}/{path:path}", api.websocket),
    ]


class WebSocketAPI:
    """The upgrade on every documented prefix, and the records of the sessions it served."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.sessions: OrderedDict[str, SessionRecord] = OrderedDict()
        self._resolver = InferenceAPI(state, [])

    async def list_sessions(self, request: Request) -> Response:
        auth = self.state.auth(request)
        if isinstance(auth, Response):
            return auth
        return JSONResponse([r.to_dict() for r in self.sessions.values()])

    async def session(self, request: Request) -> Response:
        auth = self.state.auth(request)
        if isinstance(auth, Response):
            return auth
        record = self.sessions.get(request.path_params["request_id"])
        if record is None:
            return error_response(404, "No such session")
        return JSONResponse(record.to_dict())

    def _remember(self, record: SessionRecord) -> None:
        self.sessions[record.request_id] = record
        while len(self.sessions) > 1_000:
            self.sessions.popitem(last=False)

    async def websocket(self, ws: WebSocket) -> None:
        request_id = uuid.uuid4().hex + secrets.token_hex(3)[:5]
        record = SessionRecord(request_id, ws.url.path)
        self._remember(record)
        headers = {"x-baseten-request-id": request_id, "x-baseten-session-id": request_id}
        upgrade = await self._upgrade(ws, record, headers)
        if isinstance(upgrade, Response):
            record.status = upgrade.status_code
            record.ended = True
            for name, value in headers.items():
                upgrade.headers[name] = value
            await ws.send_denial_response(upgrade)
            return
        owner, deployment, faults = upgrade
        code = getattr(owner.behaviour, "websocket", None)
        await ws.accept(headers=[(k.encode(), v.encode()) for k, v in headers.items()])
        record.status = 101
        deployment.log("WebSocket session opened", request_id=request_id)
        try:
            if code is None:
                # Truss accepts, then closes: the model has no `websocket` method.
                await self._close(
                    ws, record, CLOSE_UNSUPPORTED, "Model does not implement websocket"
                )
                return
            call = WsCall(ws, record, faults, deployment)
            try:
                await code(call)
            except ModelClosed as exc:
                await self._close(ws, record, exc.code, exc.reason)
                return
            except (WebSocketDisconnect, StreamCut, OSError):
                raise
            except Exception as exc:
                deployment.log(
                    f"WebSocket model error: {exc}", level="ERROR", request_id=request_id
                )
                reason = f"{type(exc).__name__}: {exc}".encode()[:120].decode("utf-8", "ignore")
                await self._close(ws, record, CLOSE_MODEL_ERROR, reason)
                return
            if not record.closed_by:
                await self._close(ws, record, CLOSE_NORMAL, "")
        except StreamCut:
            record.closed_by, record.close_code = "dropped", 1006
            raise  # uvicorn closes the transport without a close frame (the log filter hides it)
        except WebSocketDisconnect as exc:
            record.closed_by = record.closed_by or "client"
            record.close_code = record.close_code or exc.code
        finally:
            record.ended = True
            deployment.last_request_at = time.monotonic()

    async def _close(self, ws: WebSocket, record: SessionRecord, code: int, reason: str) -> None:
        record.close_code, record.close_reason, record.closed_by = code, reason, "server"
        await ws.close(code, reason)

    async def _upgrade(
        self, ws: WebSocket, record: SessionRecord, headers: dict[str, str]
    ) -> tuple[Model, Deployment, Faults] | Response:
        """The model, deployment and faults of the upgrade, or the HTTP answer refusing it."""
        match = _HOST.fullmatch(ws.path_params["host"])
        if match is None:
            return error_response(404, "Not found")
        auth = self.state.auth(ws)  # type: ignore[arg-type]  # reads only the headers
        if isinstance(auth, Response):
            return auth
        kind, owner_id, regional_env = match.groups()
        owner = self.state.catalogue.model(owner_id)
        if owner is None or owner.is_chain != (kind == "chain"):
            what = "Chain" if kind == "chain" else "Model"
            return error_response(404, f"{what} {owner_id} not found", shape="spec")
        try:
            faults = self.state.faults_for(ws, owner.id)  # type: ignore[arg-type]
        except FaultSpecError as exc:
            return error_response(400, f"Invalid {FAULT_HEADER}: {exc}")
        resolved = self._resolver._resolve(owner, ws.path_params["path"].split("/"), regional_env)
        if isinstance(resolved, Response):
            return resolved
        deployment, endpoint = resolved
        if endpoint != "websocket":
            return error_response(404, f"Unknown endpoint /{endpoint}")
        record.model_id, record.deployment_id = owner.id, deployment.id
        headers["x-baseten-model-id"] = owner.id
        headers["x-baseten-model-version-id"] = deployment.id
        if faults.status:
            # A failed upgrade shows as 408 or 504 on Baseten; any status can be asked for.
            message = faults.message or UPGRADE_TIMEOUTS.get(faults.status, "")
            return error_response(faults.status, message, shape=faults.shape or "gateway")
        # The upgrade waits, as a request does, while a scaled-to-zero deployment wakes.
        await self.state.wait_until_active(deployment)
        return owner, deployment, faults
