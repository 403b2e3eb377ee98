"""Model APIs on the `/inference/v1` base: OpenAI chat completions by slug, and the list of models."""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.emulator.chat import ChatEngine
from playground.emulator.faults import FAULT_HEADER, FaultSpecError, error_response, fault_response
from playground.emulator.state import EmulatorState


def routes(state: EmulatorState) -> list[Route]:
    api = ModelAPIs(state)
    return [
        Route("/inference/v1/chat/completions", api.chat_completions, methods=["POST"]),
        Route("/inference/v1/models", api.models, methods=["GET"]),
    ]


class ModelAPIs:
    """The Model APIs base, shared LLMs called by slug."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def chat_completions(self, request: Request) -> Response:
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
            return fault_response(faults, default_shape="openai")
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error_response(400, f"Invalid JSON: {exc}", shape="openai")
        slug = body.get("model") if isinstance(body, dict) else None
        api = self.state.catalogue.model_apis.get(slug) if isinstance(slug, str) else None
        if api is None:
            return error_response(404, f"Model {slug!r} not found", shape="openai")
        engine = ChatEngine(api.slug, api.variant, usage_by_default=True)
        return await engine.respond(body, faults, request.state.record)

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
