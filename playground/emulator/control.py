"""The emulator's own `/_emulator` routes: faults injected per model, and what a request carried."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.emulator.faults import Faults, FaultSpecError, error_response
from playground.emulator.state import EmulatorState


def routes(state: EmulatorState) -> list[Route]:
    api = ControlAPI(state)
    return [
        Route("/_emulator/faults/{model_id}", api.faults, methods=["PUT", "DELETE"]),
        Route("/_emulator/requests/{request_id}", api.request_record, methods=["GET"]),
    ]


class ControlAPI:
    """Routes for tests and demos, not Baseten's: faults per model and request records."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def faults(self, request: Request) -> Response:
        auth = self.state.auth(request)
        if isinstance(auth, Response):
            return auth
        model_id = request.path_params["model_id"]
        if request.method == "DELETE":
            self.state.model_faults.pop(model_id, None)
            return JSONResponse({"model_id": model_id, "faults": {}})
        try:
            body = json.loads(await request.body() or b"{}")
            spec = body.get("spec", body) if isinstance(body, dict) else body
            self.state.set_model_faults(model_id, spec)
        except (json.JSONDecodeError, FaultSpecError, TypeError) as exc:
            return error_response(400, str(exc))
        faults = self.state.model_faults.get(model_id, Faults())
        return JSONResponse({"model_id": model_id, "faults": faults.__dict__})

    async def request_record(self, request: Request) -> Response:
        auth = self.state.auth(request)
        if isinstance(auth, Response):
            return auth
        record = self.state.records.get(request.path_params["request_id"])
        if record is None:
            return error_response(404, "No such request")
        payload = {k: v for k, v in record.__dict__.items() if k != "headers"}
        payload["authorization_scheme"] = record.headers.get("authorization", "").partition(" ")[0]
        return JSONResponse(payload)
