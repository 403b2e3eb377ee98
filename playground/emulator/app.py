"""The local Baseten-compatible server as ASGI: its state, and the routes of each feature in order."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from playground.emulator import control, inference, management, model_apis, websocket
from playground.emulator.catalogue import Catalogue
from playground.emulator.demo import demo_catalogue
from playground.emulator.faults import error_response
from playground.emulator.gateway import BasetenHeaders
from playground.emulator.state import EmulatorSettings, EmulatorState
from playground.emulator.streams import install_log_filter


class Emulator:
    """The server's state (`state`: settings, catalogue, faults, records, queue) and its ASGI app."""

    def __init__(
        self, settings: EmulatorSettings | None = None, catalogue: Catalogue | None = None
    ) -> None:
        settings = settings or EmulatorSettings()
        self.state = EmulatorState(settings, catalogue or demo_catalogue(settings.scale_down_delay))
        install_log_filter()
        self.app = self._build_app()

    # --- the app -----------------------------------------------------------------------------

    def _build_app(self) -> ASGIApp:
        known: list[BaseRoute] = [
            Route("/", self.root, methods=["GET"]),
            *management.routes(self.state),
            *model_apis.routes(self.state),
            *control.routes(self.state),
            *websocket.routes(self.state),
        ]
        app = Starlette(routes=[*known, *inference.routes(self.state, known)])
        # Baseten answers an unknown path with 404; Starlette would redirect `/x` to `/x/`.
        app.router.redirect_slashes = False
        app.add_exception_handler(404, self._not_found)
        app.add_exception_handler(405, self._not_allowed)
        app.add_exception_handler(ClientDisconnect, self._client_left)
        return BasetenHeaders(app, self.state)

    async def _not_found(self, request: Request, exc: Exception) -> Response:
        return error_response(404, "Not found")

    async def _client_left(self, request: Request, exc: Exception) -> Response:
        # The client gave up while its body was still to be read; nobody reads this answer.
        request.state.record.disconnected = True
        return Response(status_code=499)

    async def _not_allowed(self, request: Request, exc: Exception) -> Response:
        return error_response(405, "Method Not Allowed")

    async def root(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "name": "Playground local Baseten-compatible server",
                "inference": base + "/{host}",
                "management": base + "/api",
                "model_apis": base + "/inference/v1",
            }
        )
