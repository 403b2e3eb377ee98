"""The management API (`/v1/...` under the local `/api` prefix): models, deployments, environments, logs, chains."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.emulator.catalogue import LEVELS, Deployment, Model, iso
from playground.emulator.faults import error_response
from playground.emulator.state import EmulatorState

_INSTANCE_TYPES: dict[str, dict[str, Any]] = {
    "CPU:1x2": {"memory_limit_mib": 2048, "millicpu_limit": 1000, "gpu_count": 0, "gpu_type": None},
    "CPU:2x8": {"memory_limit_mib": 8192, "millicpu_limit": 2000, "gpu_count": 0, "gpu_type": None},
    "T4:4x16": {
        "memory_limit_mib": 16384,
        "millicpu_limit": 4000,
        "gpu_count": 1,
        "gpu_type": "T4",
    },
    "L4:4x16": {
        "memory_limit_mib": 16384,
        "millicpu_limit": 4000,
        "gpu_count": 1,
        "gpu_type": "L4",
    },
    "A10G:4x16": {
        "memory_limit_mib": 16384,
        "millicpu_limit": 4000,
        "gpu_count": 1,
        "gpu_type": "A10G",
    },
    "H100:1x26x234": {
        "memory_limit_mib": 239616,
        "millicpu_limit": 26000,
        "gpu_count": 1,
        "gpu_type": "H100",
    },
}
_GPU_MEMORY = {"T4": 16384, "L4": 24576, "A10G": 24576, "H100": 81920}


def instance_type(name: str) -> dict[str, Any]:
    spec = _INSTANCE_TYPES.get(name, _INSTANCE_TYPES["CPU:1x2"])
    return {
        "id": name,
        "name": name,
        **spec,
        "gpu_memory_limit_mib": _GPU_MEMORY.get(spec["gpu_type"] or ""),
    }


def routes(state: EmulatorState) -> list[Route]:
    api = ManagementAPI(state)
    base = "/api/v1"
    model = base + "/models/{model_id}"
    chain = base + "/chains/{chain_id}"
    return [
        Route(base + "/models", api.models, methods=["GET"]),
        Route(model, api.model, methods=["GET"]),
        Route(model + "/deployments", api.deployments, methods=["GET"]),
        Route(model + "/deployments/{deployment}", api.deployment, methods=["GET"]),
        Route(model + "/deployments/{deployment}/logs", api.deployment_logs, methods=["GET"]),
        Route(model + "/deployments/{deployment}/config", api.deployment_config, methods=["GET"]),
        Route(model + "/environments", api.environments, methods=["GET"]),
        Route(model + "/environments/{env}", api.environment, methods=["GET"]),
        Route(model + "/environments/{env}/logs", api.environment_logs, methods=["GET"]),
        Route(base + "/chains", api.chains, methods=["GET"]),
        Route(chain, api.chain, methods=["GET"]),
        Route(chain + "/deployments", api.chain_deployments, methods=["GET"]),
        Route(chain + "/environments", api.chain_environments, methods=["GET"]),
        Route(
            chain + "/deployments/{deployment}/chainlets/{chainlet}/logs",
            api.chainlet_logs,
            methods=["GET"],
        ),
        Route(base + "/model_apis", api.model_apis, methods=["GET"]),
        Route(base + "/users/me", api.me, methods=["GET"]),
    ]


class ManagementAPI:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    # --- serialisers ---------------------------------------------------------------------------

    def deployment_json(self, model: Model, dep: Deployment) -> dict[str, Any]:
        settings = self.state.settings
        return {
            "id": dep.id,
            "created_at": iso(dep.created_at),
            "name": dep.name,
            "model_id": model.id,
            "is_production": dep.environment == "production",
            "is_development": dep.is_development,
            "status": self.state.status_of(dep),
            "active_replica_count": dep.replicas(settings.wake_seconds, settings.load_seconds),
            "autoscaling_settings": dep.autoscaling_settings(),
            "instance_type_name": dep.instance_type_name,
            "environment": dep.environment,
            "labels": None,
            "region": None,
            "request_backpressure_settings": {"policy": "QUEUE_ON_FULL"},
        }

    def model_json(self, model: Model) -> dict[str, Any]:
        production = model.production
        development = model.development
        return {
            "id": model.id,
            "created_at": iso(model.created_at),
            "name": model.name,
            "deployments_count": len(model.deployments),
            "production_deployment_id": production.id if production else None,
            "development_deployment_id": development.id if development else None,
            "instance_type_name": (production or model.deployments[0]).instance_type_name,
            "team_name": model.team_name,
        }

    def environment_json(self, model: Model, name: str) -> dict[str, Any]:
        dep = model.environment(name)
        current = self.deployment_json(model, dep) if dep else None
        return {
            "name": name,
            "created_at": iso(model.created_at),
            "model_id": model.id,
            "current_deployment": current,
            "candidate_deployment": None,
            "in_progress_promotion": None,
            "autoscaling_settings": dep.autoscaling_settings() if dep else None,
            "promotion_settings": {
                "redeploy_on_promotion": False,
                "rolling_deploy": False,
                "promotion_cleanup_strategy": "SCALE_TO_ZERO",
                "rolling_deploy_config": None,
                "ramp_up_while_promoting": False,
                "ramp_up_duration_seconds": 600,
            },
            "instance_type": instance_type(dep.instance_type_name if dep else "CPU:1x2"),
            "request_backpressure_settings": {"policy": "QUEUE_ON_FULL"},
        }

    # --- lookups -------------------------------------------------------------------------------

    def _model(self, request: Request, *, chain: bool = False) -> Model | Response:
        auth = self.state.management_auth(request)
        if isinstance(auth, Response):
            return auth
        key = "chain_id" if chain else "model_id"
        model = self.state.catalogue.model(request.path_params[key])
        if model is None or model.is_chain != chain:
            what = "Chain" if chain else "Model"
            return error_response(404, f"{what} {request.path_params[key]} not found")
        return model

    def _deployment(self, request: Request, model: Model) -> Deployment | Response:
        ref = request.path_params["deployment"]
        dep = (
            {
                "production": model.production,
                "development": model.development,
            }.get(ref)
            if ref in ("production", "development")
            else model.deployment(ref)
        )
        if dep is None:
            return error_response(404, f"Deployment {ref} not found for model {model.id}")
        return dep

    # --- endpoints -----------------------------------------------------------------------------

    async def models(self, request: Request) -> Response:
        auth = self.state.management_auth(request)
        if isinstance(auth, Response):
            return auth
        name = request.query_params.get("name")
        models = [
            self.model_json(m)
            for m in self.state.catalogue.models.values()
            if not m.is_chain and (name is None or m.name == name)
        ]
        return JSONResponse({"models": models})

    async def model(self, request: Request) -> Response:
        model = self._model(request)
        return model if isinstance(model, Response) else JSONResponse(self.model_json(model))

    async def deployments(self, request: Request) -> Response:
        model = self._model(request)
        if isinstance(model, Response):
            return model
        name = request.query_params.get("name")
        return JSONResponse(
            {
                "deployments": [
                    self.deployment_json(model, d)
                    for d in model.deployments
                    if name is None or d.name == name
                ]
            }
        )

    async def deployment(self, request: Request) -> Response:
        model = self._model(request)
        if isinstance(model, Response):
            return model
        dep = self._deployment(request, model)
        return dep if isinstance(dep, Response) else JSONResponse(self.deployment_json(model, dep))

    async def deployment_config(self, request: Request) -> Response:
        # The response shape of this endpoint is not in our reference; this is a best guess that
        # carries what a playground needs from config.yaml: model_metadata.example_model_input.
        model = self._model(request)
        if isinstance(model, Response):
            return model
        dep = self._deployment(request, model)
        if isinstance(dep, Response):
            return dep
        parsed = {
            "model_name": model.name,
            "description": model.description,
            "model_metadata": {"example_model_input": model.example_input},
            "resources": {"instance_type": dep.instance_type_name},
        }
        return JSONResponse({"parsed": parsed})

    async def environments(self, request: Request) -> Response:
        model = self._model(request)
        if isinstance(model, Response):
            return model
        return JSONResponse(
            {"environments": [self.environment_json(model, name) for name in model.environments]}
        )

    async def environment(self, request: Request) -> Response:
        model = self._model(request)
        if isinstance(model, Response):
            return model
        name = request.path_params["env"]
        if name not in model.environments:
            return error_response(404, f"Environment {name} not found for model {model.id}")
        return JSONResponse(self.environment_json(model, name))

    def _logs(self, request: Request, deps: list[Deployment]) -> Response:
        query = request.query_params
        try:
            limit = int(query.get("limit", 500))
            start = int(query["start_epoch_millis"]) if "start_epoch_millis" in query else None
            end = int(query["end_epoch_millis"]) if "end_epoch_millis" in query else None
        except ValueError:
            return error_response(400, "limit and the epoch millis must be integers")
        if not 1 <= limit <= 1000:
            return error_response(400, "limit must be between 1 and 1000")
        direction = query.get("direction", "asc")
        if direction not in ("asc", "desc"):
            return error_response(400, "direction must be asc or desc")
        min_level = LEVELS.get(query.get("min_level", "DEBUG").upper())
        if min_level is None:
            return error_response(400, "min_level must be DEBUG, INFO, WARNING or ERROR")
        try:
            pattern = re.compile(query["search_pattern"]) if "search_pattern" in query else None
        except re.error as exc:
            return error_response(400, f"search_pattern is not a valid pattern: {exc}")
        request_id = query.get("request_id")
        lines = sorted(
            (line for dep in deps for line in dep.logs), key=lambda line: line.timestamp_ns
        )
        selected = [
            line
            for line in lines
            if (request_id is None or line.request_id == request_id)
            and (start is None or line.timestamp_ns >= start * 1_000_000)
            and (end is None or line.timestamp_ns <= end * 1_000_000)
            and LEVELS[line.level] >= min_level
            and (pattern is None or pattern.search(line.message))
        ]
        if direction == "desc":
            selected.reverse()
        return JSONResponse(
            {
                "logs": [
                    {
                        "timestamp": str(line.timestamp_ns),
                        "message": line.message,
                        "replica": line.replica,
                        "request_id": line.request_id,
                        "level": line.level,
                    }
                    for line in selected[:limit]
                ]
            }
        )

    async def deployment_logs(self, request: Request) -> Response:
        model = self._model(request)
        if isinstance(model, Response):
            return model
        dep = self._deployment(request, model)
        return dep if isinstance(dep, Response) else self._logs(request, [dep])

    async def environment_logs(self, request: Request) -> Response:
        model = self._model(request)
        if isinstance(model, Response):
            return model
        dep = model.environment(request.path_params["env"])
        if dep is None:
            return error_response(404, f"Environment {request.path_params['env']} not found")
        return self._logs(request, [dep])

    def chain_json(self, chain: Model) -> dict[str, Any]:
        return {
            "id": chain.id,
            "created_at": iso(chain.created_at),
            "name": chain.name,
            "deployments_count": len(chain.deployments),
            "team_name": chain.team_name,
        }

    def chain_deployment_json(self, chain: Model, dep: Deployment) -> dict[str, Any]:
        status = self.state.status_of(dep)
        settings = self.state.settings
        return {
            "id": dep.id,
            "created_at": iso(dep.created_at),
            "chain_id": chain.id,
            "environment": dep.environment,
            "chainlets": [
                {
                    "id": dep.id + "-entry",
                    "name": "Entrypoint",
                    "autoscaling_settings": dep.autoscaling_settings(),
                    "instance_type_name": dep.instance_type_name,
                    "active_replica_count": dep.replicas(
                        settings.wake_seconds, settings.load_seconds
                    ),
                    "status": status,
                }
            ],
            "status": status,
        }

    async def chains(self, request: Request) -> Response:
        auth = self.state.management_auth(request)
        if isinstance(auth, Response):
            return auth
        return JSONResponse(
            {
                "chains": [
                    self.chain_json(m) for m in self.state.catalogue.models.values() if m.is_chain
                ]
            }
        )

    async def chain(self, request: Request) -> Response:
        chain = self._model(request, chain=True)
        return chain if isinstance(chain, Response) else JSONResponse(self.chain_json(chain))

    async def chain_deployments(self, request: Request) -> Response:
        chain = self._model(request, chain=True)
        if isinstance(chain, Response):
            return chain
        return JSONResponse(
            {"deployments": [self.chain_deployment_json(chain, d) for d in chain.deployments]}
        )

    async def chain_environments(self, request: Request) -> Response:
        chain = self._model(request, chain=True)
        if isinstance(chain, Response):
            return chain
        return JSONResponse(
            {"environments": [self.environment_json(chain, name) for name in chain.environments]}
        )

    async def chainlet_logs(self, request: Request) -> Response:
        """The demo chains have one chainlet, the entrypoint: its logs are its deployment's."""
        chain = self._model(request, chain=True)
        if isinstance(chain, Response):
            return chain
        params = request.path_params
        dep = next((d for d in chain.deployments if d.id == params["deployment"]), None)
        if dep is None or params["chainlet"] != dep.id + "-entry":
            return error_response(404, f"Chainlet {params['chainlet']} not found")
        return self._logs(request, [dep])

    async def model_apis(self, request: Request) -> Response:
        auth = self.state.management_auth(request)
        if isinstance(auth, Response):
            return auth
        return JSONResponse(
            {
                "items": [
                    {
                        "name": api.slug,
                        "display_name": api.name,
                        "description": api.description,
                        "model_family": None,
                        "release_date": "2026-01-01",
                        "invoke_url": str(request.base_url).rstrip("/") + "/inference",
                        "context_length": api.context_length,
                        "cost_per_million_input_tokens": 0.5,
                        "cost_per_million_output_tokens": 1.5,
                        "rate_limits": [{"type": "REQUEST", "unit": "MINUTE", "threshold": 600}],
                        "org_details": None,
                    }
                    for api in self.state.catalogue.model_apis.values()
                ],
                "pagination": {"has_more": False, "cursor": None},
            }
        )

    async def me(self, request: Request) -> Response:
        auth = self.state.management_auth(request)
        if isinstance(auth, Response):
            return auth
        return JSONResponse(
            {
                "user_id": "usr_demo0001",
                "email": "demo@example.com",
                "name": "Demo User",
                "workspace_name": "Demo workspace",
            }
        )
