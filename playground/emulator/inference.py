"""Inference on the model and chain hosts: predict, async predict and its queue, wake, custom routes."""

from __future__ import annotations

import asyncio
import json
import re
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

from playground.emulator.asyncq import (
    MAX_ASYNC_BODY,
    AsyncJob,
    AsyncValidationError,
    validate_async_request,
)
from playground.emulator.behaviours import huge_json
from playground.emulator.catalogue import Call, Deployment, Model
from playground.emulator.faults import (
    FAULT_HEADER,
    Faults,
    FaultSpecError,
    error_response,
    fault_response,
)
from playground.emulator.huge_media import huge_image_json
from playground.emulator.state import EmulatorState
from playground.emulator.streams import RequestRecord, body_response

_HOST = re.compile(r"(model|chain)-([a-z0-9]+)(?:-([a-z0-9][a-z0-9-]*))?")
_PREFIXES = ("production", "development", "environments", "deployment")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes(state: EmulatorState, known_routes: list[BaseRoute]) -> list[Route]:
    """The catch-all route to `/{host}/...`, which must come after the `known_routes`."""
    api = InferenceAPI(state, known_routes)
    return [Route("/{host}/{path:path}", api.inference, methods=ALL_METHODS)]


class InferenceAPI:
    """The handler of every path below a model or chain host."""

    def __init__(self, state: EmulatorState, known_routes: list[BaseRoute]) -> None:
        self.state = state
        # The routes before this catch-all, to tell a wrong method (405) from an unknown path.
        self.known_routes = known_routes

    async def inference(self, request: Request) -> Response:
        host: str = request.path_params["host"]
        path: str = request.path_params["path"]
        match = _HOST.fullmatch(host)
        if match is None:
            if self._known_path(request):
                # A known route asked with the wrong method falls through to here.
                return error_response(405, "Method Not Allowed")
            return error_response(404, "Not found")
        auth = self.state.auth(request)
        if isinstance(auth, Response):
            return auth
        key = auth
        kind, owner_id, regional_env = match.groups()
        owner = self.state.catalogue.model(owner_id)
        if owner is None or owner.is_chain != (kind == "chain"):
            what = "Chain" if kind == "chain" else "Model"
            return error_response(404, f"{what} {owner_id} not found", shape="spec")
        try:
            faults = self.state.faults_for(request, owner.id)
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
            limited = self.state.limited(key, "async_predict")
            return limited or await self._async_predict(request, owner, deployment, faults)
        if endpoint == "async_queue_status":
            if method != "GET":
                return error_response(405, "Method Not Allowed")
            limited = self.state.limited(key, "async_queue_status")
            if limited:
                return limited
            queued, running = self.state.queue.queue_counts(deployment.id)
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
            deployment.wake(self.state.settings.wake_seconds, self.state.settings.load_seconds)
            deployment.log("Wake requested", request_id=record.request_id)
            return Response(status_code=202)
        if endpoint.startswith("sync/") or endpoint == "sync":
            route = endpoint[len("sync/") :] if endpoint.startswith("sync/") else ""
            body = await request.body()
            await self.state.wait_until_active(deployment)
            deployment.last_request_at = time.monotonic()
            call = Call(request, body, record.request_id, deployment, faults, record)
            response = await owner.behaviour.route(call, route)
            deployment.log(
                f"{method} /{route} -> {response.status_code}", request_id=record.request_id
            )
            return response
        return error_response(404, f"Unknown endpoint /{endpoint}")

    def _known_path(self, request: Request) -> bool:
        return any(route.matches(request.scope)[0] == Match.PARTIAL for route in self.known_routes)

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
        if len(body) > self.state.settings.max_sync_body:
            return error_response(413, "Request entity too large", shape="spec")
        deployment.log(
            f"Received {request.method} {request.url.path} ({len(body)} bytes)",
            request_id=record.request_id,
        )
        if self.state.status_of(deployment) != "ACTIVE":
            deployment.log("Request parked until a replica is ready", request_id=record.request_id)
        await self.state.wait_until_active(deployment)
        deployment.last_request_at = time.monotonic()
        if faults.huge > 0:
            return body_response(huge_json(faults.huge), faults, record)
        if faults.huge_image > 0:
            return body_response(huge_image_json(faults.huge_image), faults, record)
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
        record: RequestRecord = request.state.record
        job = AsyncJob(
            # The response's X-Baseten-Request-Id is the job's request id (baseten-api.md §0).
            request_id=record.request_id,
            owner_id=owner.id,
            is_chain=owner.is_chain,
            deployment=deployment,
            behaviour=owner.behaviour,
            model_input=model_input,
            options=options,
            run_seconds=self.state.settings.async_run_seconds + faults.latency,
            fail_code=faults.job_fail,
        )
        self.state.queue.submit(job)
        deployment.log(
            f"Async request queued (priority {options.priority}, at most "
            f"{options.max_time_in_queue_seconds} s in the queue, "
            f"{options.max_attempts} attempt(s))",
            request_id=job.request_id,
        )
        return JSONResponse({"request_id": job.request_id}, status_code=201)

    async def _async_request(
        self, request: Request, key: str, owner: Model, request_id: str, faults: Faults
    ) -> Response:
        if faults.status:
            return fault_response(faults)
        kind = "async_cancel" if request.method == "DELETE" else "async_request"
        limited = self.state.limited(key, kind)
        if limited:
            return limited
        job = self.state.queue.get(request_id)
        if job is None or job.owner_id != owner.id:
            return error_response(404, f"Async request {request_id} not found")
        request.state.model_id = owner.id
        request.state.deployment_id = job.deployment.id
        if request.method == "GET":
            return JSONResponse(job.to_status())
        if request.method == "DELETE":
            return JSONResponse(self.state.queue.cancel(request_id))
        return error_response(405, "Method Not Allowed")
