"""The local Baseten-compatible server: inference, async, OpenAI routes, Model APIs and management, as ASGI."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import OrderedDict
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp

from playground.emulator import management
from playground.emulator.asyncq import (
    MAX_ASYNC_BODY,
    AsyncJob,
    AsyncQueue,
    AsyncValidationError,
    new_async_request_id,
    validate_async_request,
)
from playground.emulator.behaviours import huge_json
from playground.emulator.catalogue import Call, Catalogue, Deployment, Model
from playground.emulator.chat import ChatEngine
from playground.emulator.demo import demo_catalogue
from playground.emulator.faults import (
    FAULT_HEADER,
    Faults,
    FaultSpecError,
    error_response,
    fault_response,
    parse_faults,
)
from playground.emulator.gateway import (
    BasetenHeaders,
    EmulatorSettings,
    RateLimiter,
    bearer_key,
)
from playground.emulator.streams import RequestRecord, body_response, install_log_filter

UNAUTHORIZED = "please check the api-key you provided"
_HOST = re.compile(r"(model|chain)-([a-z0-9]+)(?:-([a-z0-9][a-z0-9-]*))?")
_PREFIXES = ("production", "development", "environments", "deployment")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Emulator:
    """The server's state and its ASGI app."""

    def __init__(
        self, settings: EmulatorSettings | None = None, catalogue: Catalogue | None = None
    ) -> None:
        self.settings = settings or EmulatorSettings()
        self.catalogue = catalogue or demo_catalogue(self.settings.scale_down_delay)
        self.model_faults: dict[str, Faults] = {}
        self.records: OrderedDict[str, RequestRecord] = OrderedDict()
        self.limiter = RateLimiter(self.settings.rate_limits)
        self.queue = AsyncQueue(
            webhook_secrets=self.settings.webhook_secrets,
            time_scale=self.settings.time_scale,
            wait_until_active=self.wait_until_active,
        )
        install_log_filter()
        self.app = self._build_app()

    # --- bookkeeping -------------------------------------------------------------------------

    def remember(self, record: RequestRecord) -> None:
        self.records[record.request_id] = record
        while len(self.records) > 10_000:
            self.records.popitem(last=False)

    def set_model_faults(self, model_id: str, spec: str | dict[str, Any] | Faults | None) -> None:
        faults = spec if isinstance(spec, Faults) else parse_faults(spec)
        if faults.is_empty:
            self.model_faults.pop(model_id, None)
        else:
            self.model_faults[model_id] = faults

    def _faults_for(self, request: Request, model_id: str | None) -> Faults:
        faults = Faults()
        if model_id and model_id in self.model_faults:
            faults = self.model_faults[model_id]
            if faults.count > 0:
                left = faults.count - 1
                if left == 0:
                    del self.model_faults[model_id]
                else:
                    self.model_faults[model_id] = Faults(**{**faults.__dict__, "count": left})
        header = request.headers.get(FAULT_HEADER)
        if header:
            faults = faults.merged(parse_faults(header))
        return faults

    def _auth(self, request: Request, *, status: int = 401) -> Response | str:
        key = bearer_key(request)
        if key is None or key not in self.settings.api_keys + self.settings.invoke_only_keys:
            return error_response(status, UNAUTHORIZED)
        return key

    def _limited(self, key: str, kind: str, *, shape: str = "gateway") -> Response | None:
        if self.limiter.allow(key, kind):
            return None
        return error_response(
            429, "Rate limit exceeded. Please try again later.", shape=shape, retry_after=1
        )

    async def wait_until_active(self, deployment: Deployment) -> None:
        s = self.settings
        deployment.wake(s.wake_seconds, s.load_seconds)
        left = deployment.seconds_until_active(s.wake_seconds, s.load_seconds)
        if left > 0:  # parked, as Baseten parks a request to a scaled-to-zero deployment
            await asyncio.sleep(left)

    def status_of(self, deployment: Deployment) -> str:
        return deployment.status(self.settings.wake_seconds, self.settings.load_seconds)

    # --- the app -----------------------------------------------------------------------------

    def _build_app(self) -> ASGIApp:
        self._fixed_routes = [
            Route("/", self.root, methods=["GET"]),
            *management.routes(self),
            Route("/inference/v1/chat/completions", self.model_api_chat, methods=["POST"]),
            Route("/inference/v1/models", self.model_api_models, methods=["GET"]),
            Route("/_emulator/faults/{model_id}", self.control_faults, methods=["PUT", "DELETE"]),
            Route("/_emulator/requests/{request_id}", self.control_request, methods=["GET"]),
        ]
        routes = [
            *self._fixed_routes,
            Route("/{host}/{path:path}", self.inference, methods=ALL_METHODS),
        ]
        app = Starlette(routes=routes)
        # Baseten answers an unknown path with 404; Starlette would redirect `/x` to `/x/`.
        app.router.redirect_slashes = False
        app.add_exception_handler(404, self._not_found)
        app.add_exception_handler(405, self._not_allowed)
        app.add_exception_handler(ClientDisconnect, self._client_left)
        return BasetenHeaders(app, self)

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

    # --- control -----------------------------------------------------------------------------

    async def control_faults(self, request: Request) -> Response:
        auth = self._auth(request)
        if isinstance(auth, Response):
            return auth
        model_id = request.path_params["model_id"]
        if request.method == "DELETE":
            self.model_faults.pop(model_id, None)
            return JSONResponse({"model_id": model_id, "faults": {}})
        try:
            body = json.loads(await request.body() or b"{}")
            spec = body.get("spec", body) if isinstance(body, dict) else body
            self.set_model_faults(model_id, spec)
        except (json.JSONDecodeError, FaultSpecError, TypeError) as exc:
            return error_response(400, str(exc))
        faults = self.model_faults.get(model_id, Faults())
        return JSONResponse({"model_id": model_id, "faults": faults.__dict__})

    async def control_request(self, request: Request) -> Response:
        auth = self._auth(request)
        if isinstance(auth, Response):
            return auth
        record = self.records.get(request.path_params["request_id"])
        if record is None:
            return error_response(404, "No such request")
        payload = {k: v for k, v in record.__dict__.items() if k != "headers"}
        payload["authorization_scheme"] = record.headers.get("authorization", "").partition(" ")[0]
        return JSONResponse(payload)

    # --- inference ---------------------------------------------------------------------------

    async def inference(self, request: Request) -> Response:
        host: str = request.path_params["host"]
        path: str = request.path_params["path"]
        match = _HOST.fullmatch(host)
        if match is None:
            if self._known_path(request):
                # A known route asked with the wrong method falls through to here.
                return error_response(405, "Method Not Allowed")
            return error_response(404, "Not found")
        auth = self._auth(request)
        if isinstance(auth, Response):
            return auth
        key = auth
        kind, owner_id, regional_env = match.groups()
        owner = self.catalogue.model(owner_id)
        if owner is None or owner.is_chain != (kind == "chain"):
            what = "Chain" if kind == "chain" else "Model"
            return error_response(404, f"{what} {owner_id} not found", shape="spec")
        try:
            faults = self._faults_for(request, owner.id)
        except FaultSpecError as exc:
            return error_response(400, f"Invalid {FAULT_HEADER}: {exc}")
        segments = path.split("/")
        if segments[0] == "async_request" and len(segments) == 2:
            return await self._async_request(request, key, owner, segments[1], faults)

        resolved = self._resolve(owner, segments, regional_env)
        if isinstance(resolved, Response):
            return resolved
        deployment, endpoint = resolved
        request.state.model_id = owner.id
        request.state.deployment_id = deployment.id
        record: RequestRecord = request.state.record

        if faults.latency > 0 and endpoint not in ("async_predict", "async_run_remote"):
            await asyncio.sleep(faults.latency)
        if faults.status:
            deployment.log(
                f"Request failed with injected status {faults.status}",
                level="ERROR",
                request_id=record.request_id,
            )
            return fault_response(
                faults, default_shape="ratelimit" if faults.status == 429 else "gateway"
            )

        method = request.method
        sync_endpoint = "run_remote" if owner.is_chain else "predict"
        async_endpoint = "async_run_remote" if owner.is_chain else "async_predict"
        if endpoint == sync_endpoint:
            if method != "POST":
                return error_response(405, "Method Not Allowed")
            return await self._predict(request, owner, deployment, faults, record)
        if endpoint == async_endpoint:
            if method != "POST":
                return error_response(405, "Method Not Allowed")
            limited = self._limited(key, "async_predict")
            return limited or await self._async_predict(request, owner, deployment, faults)
        if endpoint == "async_queue_status":
            if method != "GET":
                return error_response(405, "Method Not Allowed")
            limited = self._limited(key, "async_queue_status")
            if limited:
                return limited
            queued, running = self.queue.queue_counts(deployment.id)
            return JSONResponse(
                {
                    "model_id" if not owner.is_chain else "chain_id": owner.id,
                    "deployment_id": deployment.id,
                    "num_queued_requests": queued,
                    "num_in_progress_requests": running,
                }
            )
        if endpoint == "wake":
            if method != "POST":
                return error_response(405, "Method Not Allowed")
            deployment.wake(self.settings.wake_seconds, self.settings.load_seconds)
            deployment.log("Wake requested", request_id=record.request_id)
            return Response(status_code=202)
        if endpoint.startswith("sync/") or endpoint == "sync":
            route = endpoint[len("sync/") :] if endpoint.startswith("sync/") else ""
            body = await request.body()
            await self.wait_until_active(deployment)
            deployment.last_request_at = time.monotonic()
            call = Call(request, body, record.request_id, deployment, faults, record)
            response = await owner.behaviour.route(call, route)
            deployment.log(
                f"{method} /{route} -> {response.status_code}", request_id=record.request_id
            )
            return response
        return error_response(404, f"Unknown endpoint /{endpoint}")

    def _known_path(self, request: Request) -> bool:
        return any(route.matches(request.scope)[0] == Match.PARTIAL for route in self._fixed_routes)

    def _resolve(
        self, owner: Model, segments: list[str], regional_env: str | None
    ) -> tuple[Deployment, str] | Response:
        what = "chain" if owner.is_chain else "model"
        if regional_env is not None:
            if segments[0] in _PREFIXES:
                return error_response(404, "Path-based routing is not available on regional hosts")
            deployment = owner.environment(regional_env)
            if deployment is None:
                return error_response(
                    404, f"Environment {regional_env} not found for {what} {owner.id}"
                )
            return deployment, "/".join(segments)
        head = segments[0]
        if head == "production" and len(segments) >= 2:
            deployment, rest = owner.production, segments[1:]
            missing = f"No production deployment for {what} {owner.id}"
        elif head == "development" and len(segments) >= 2:
            deployment, rest = owner.development, segments[1:]
            missing = f"No development deployment for {what} {owner.id}"
        elif head == "environments" and len(segments) >= 3:
            deployment, rest = owner.environment(segments[1]), segments[2:]
            missing = f"Environment {segments[1]} not found for {what} {owner.id}"
        elif head == "deployment" and len(segments) >= 3:
            deployment, rest = owner.deployment(segments[1]), segments[2:]
            missing = f"Deployment {segments[1]} not found for {what} {owner.id}"
        else:
            return error_response(
                404,
                "Not found: use /production, /environments/{env}, /development or /deployment/{id}",
            )
        if deployment is None:
            return error_response(404, missing, shape="spec")
        return deployment, "/".join(rest)

    async def _predict(
        self,
        request: Request,
        owner: Model,
        deployment: Deployment,
        faults: Faults,
        record: RequestRecord,
    ) -> Response:
        body = await request.body()
        if len(body) > self.settings.max_sync_body:
            return error_response(413, "Request entity too large", shape="spec")
        deployment.log(
            f"Received {request.method} {request.url.path} ({len(body)} bytes)",
            request_id=record.request_id,
        )
        if self.status_of(deployment) != "ACTIVE":
            deployment.log("Request parked until a replica is ready", request_id=record.request_id)
        await self.wait_until_active(deployment)
        deployment.last_request_at = time.monotonic()
        if faults.huge > 0:
            return body_response(huge_json(faults.huge), faults, record)
        call = Call(request, body, record.request_id, deployment, faults, record)
        started = time.monotonic()
        response = await owner.behaviour.predict(call)
        deployment.log(
            f"Completed with status {response.status_code} in {(time.monotonic() - started) * 1000:.0f} ms",
            level="INFO" if response.status_code < 400 else "ERROR",
            request_id=record.request_id,
        )
        return response

    async def _async_predict(
        self, request: Request, owner: Model, deployment: Deployment, faults: Faults
    ) -> Response:
        body = await request.body()
        if len(body) > MAX_ASYNC_BODY:
            return error_response(
                413, "Async request payloads are limited to 256 KiB", shape="spec"
            )
        try:
            payload = json.loads(body) if body else None
            model_input, options = validate_async_request(payload, is_chain=owner.is_chain)
        except json.JSONDecodeError as exc:
            return error_response(400, f"Invalid JSON payload: {exc}", shape="spec")
        except AsyncValidationError as exc:
            return error_response(400, str(exc), shape="spec")
        job = AsyncJob(
            request_id=new_async_request_id(),
            owner_id=owner.id,
            is_chain=owner.is_chain,
            deployment=deployment,
            behaviour=owner.behaviour,
            model_input=model_input,
            options=options,
            run_seconds=self.settings.async_run_seconds + faults.latency,
            fail_code=faults.job_fail,
        )
        self.queue.submit(job)
        deployment.log("Async request queued", request_id=job.request_id)
        return JSONResponse({"request_id": job.request_id}, status_code=201)

    async def _async_request(
        self, request: Request, key: str, owner: Model, request_id: str, faults: Faults
    ) -> Response:
        if faults.status:
            return fault_response(faults)
        limited = self._limited(key, "async_request")
        if limited:
            return limited
        job = self.queue.get(request_id)
        if job is None or job.owner_id != owner.id:
            return error_response(404, f"Async request {request_id} not found")
        request.state.model_id = owner.id
        request.state.deployment_id = job.deployment.id
        if request.method == "GET":
            return JSONResponse(job.to_status())
        if request.method == "DELETE":
            return JSONResponse(self.queue.cancel(request_id))
        return error_response(405, "Method Not Allowed")

    # --- Model APIs --------------------------------------------------------------------------

    async def model_api_chat(self, request: Request) -> Response:
        auth = self._auth(request, status=403)
        if isinstance(auth, Response):
            return auth
        try:
            faults = self._faults_for(request, None)
        except FaultSpecError as exc:
            return error_response(400, f"Invalid {FAULT_HEADER}: {exc}")
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.status:
            return fault_response(faults, default_shape="openai")
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error_response(400, f"Invalid JSON: {exc}", shape="openai")
        slug = body.get("model") if isinstance(body, dict) else None
        api = self.catalogue.model_apis.get(slug) if isinstance(slug, str) else None
        if api is None:
            return error_response(404, f"Model {slug!r} not found", shape="openai")
        engine = ChatEngine(api.slug, api.variant, usage_by_default=True)
        return await engine.respond(body, faults, request.state.record)

    async def model_api_models(self, request: Request) -> Response:
        auth = self._auth(request, status=403)
        if isinstance(auth, Response):
            return auth
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {
                        "id": api.slug,
                        "created": int(api.created_at or 1_767_225_600),
                        "object": "model",
                        "owned_by": "baseten",
                        "name": api.name,
                        "description": api.description,
                        "context_length": api.context_length,
                        "max_completion_tokens": api.max_completion_tokens,
                        "quantization": "fp8",
                        "pricing": {
                            "prompt": "0.0000005",
                            "completion": "0.0000015",
                            "image": "0",
                            "request": "0",
                            "input_cache_read": "0.00000025",
                        },
                        "supported_sampling_parameters": [
                            "temperature",
                            "top_p",
                            "stop",
                            "seed",
                            "max_tokens",
                        ],
                        "supported_features": list(api.supported_features),
                        "input_modalities": ["text"],
                        "output_modalities": ["text"],
                    }
                    for api in self.catalogue.model_apis.values()
                ],
            }
        )

    # --- helpers for management ------------------------------------------------------------------

    def management_auth(self, request: Request) -> Response | str:
        auth = self._auth(request)
        if isinstance(auth, Response):
            return auth
        if auth in self.settings.invoke_only_keys:
            return error_response(
                403, "This API key can invoke models but not use the management API"
            )
        limited = self._limited(auth, "management", shape="ratelimit")
        if limited:
            return limited
        try:
            faults = self._faults_for(request, None)
        except FaultSpecError as exc:
            return error_response(400, f"Invalid {FAULT_HEADER}: {exc}")
        if faults.status:
            return fault_response(
                faults, default_shape="ratelimit" if faults.status == 429 else "gateway"
            )
        return auth
