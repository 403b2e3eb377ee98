"""The gateway's side of every call: Baseten's request id headers, and a record of each request."""

from __future__ import annotations

import secrets
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from playground.emulator.state import EmulatorState
from playground.emulator.streams import RequestRecord


class BasetenHeaders:
    """Stamps every response, errors included, with Baseten's request id headers."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex + secrets.token_hex(3)[:5]
        accepted_at = str(int(time.time() * 1000))
        scope_state = scope.setdefault("state", {})
        scope_state["request_id"] = request_id
        record = RequestRecord(request_id, scope["method"], scope["path"])
        record.headers = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])
        }
        self.state.remember(record)
        scope_state["record"] = record

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                extra = {
                    "x-baseten-request-id": request_id,
                    "x-baseten-session-id": request_id,
                    "x-baseten-accepted-at": accepted_at,
                }
                if "model_id" in scope_state:
                    extra["x-baseten-model-id"] = scope_state["model_id"]
                    extra["x-baseten-model-version-id"] = scope_state["deployment_id"]
                    extra["x-baseten-model-prediction-attempts"] = "1"
                headers += [(k.encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": headers}
                record.status = message["status"]
            await send(message)

        await self.app(scope, receive, stamped)
