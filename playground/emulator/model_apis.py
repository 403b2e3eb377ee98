"""Model APIs on the `/inference/v1` base: OpenAI chat completions, the Responses API and the
Messages API (Anthropic's format) by slug, and the list of models."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.emulator import messages_api, responses_api
from playground.emulator.catalogue import ModelAPI
from playground.emulator.chat import ChatEngine
from playground.emulator.faults import (
    DEFAULT_MESSAGES,
    FAULT_HEADER,
    REASONS,
    Faults,
    FaultSpecError,
    error_response,
    fault_response,
)
from playground.emulator.state import EmulatorState


def routes(state: EmulatorState) -> list[Route]:
    api = ModelAPIs(state)
    return [
        Route("/inference/v1/chat/completions", api.chat_completions, methods=["POST"]),
        Route("/inference/v1/responses", api.responses, methods=["POST"]),
        Route("/inference/v1/messages", api.messages, methods=["POST"]),
        Route("/inference/v1/models", api.models, methods=["GET"]),
    ]


def _openai_error(status: int, message: str) -> Response:
    return error_response(status, message, shape="openai")


class ModelAPIs:
    """The Model APIs base, shared LLMs called by slug."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def _prelude(
        self, request: Request, errors: Callable[[int, str], Response]
    ) -> Response | tuple[Faults, Any, ModelAPI]:
        """Auth, faults and the body's Model API; or the error response, shaped by `errors`."""
        # Baseten reads the key from `Authorization` (Api-Key or Bearer) on every route,
        # the Messages API too: an `x-api-key` header alone is no key (baseten-api.md §0).
        auth = self.state.auth(request, status=403)
        if isinstance(auth, Response):
            return auth
        try:
            faults = self.state.faults_for(request, None)
        except FaultSpecError as exc:
            return error_response(400, f"Invalid {FAULT_HEADER}: {exc}")
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.status:
            if faults.shape:
                return fault_response(faults)
            status = faults.status
            message = faults.message or DEFAULT_MESSAGES.get(status, REASONS.get(status, "Error"))
            response = errors(status, message)
            if faults.retry_after >= 0:
                response.headers["Retry-After"] = str(faults.retry_after)
            return response
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return errors(400, f"Invalid JSON: {exc}")
        slug = body.get("model") if isinstance(body, dict) else None
        api = self.state.catalogue.model_apis.get(slug) if isinstance(slug, str) else None
        if api is None:
            return errors(404, f"Model {slug!r} not found")
        return faults, body, api

    async def chat_completions(self, request: Request) -> Response:
        got = await self._prelude(request, _openai_error)
        if isinstance(got, Response):
            return got
        faults, body, api = got
        engine = ChatEngine(api.slug, api.variant, usage_by_default=True)
        return await engine.respond(body, faults, request.state.record)

    async def responses(self, request: Request) -> Response:
        got = await self._prelude(request, responses_api.openai_error)
        if isinstance(got, Response):
            return got
        faults, body, api = got
        engine = ChatEngine(api.slug, api.variant)
        return await responses_api.respond(engine, body, faults, request.state.record)

    async def messages(self, request: Request) -> Response:
        got = await self._prelude(request, messages_api.anthropic_error)
        if isinstance(got, Response):
            return got
        faults, body, api = got
        engine = ChatEngine(api.slug, api.variant)
        return await messages_api.respond(engine, body, faults, request.state.record)

    async def models(self, request: Request) -> Response:
        auth = self.state.auth(request, status=403)
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
                    for api in self.state.catalogue.model_apis.values()
                ],
            }
        )
