"""The emulator's world: models, deployments, environments and chains, and what a model's code is handed."""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from playground.emulator.faults import Faults
from playground.emulator.streams import RequestRecord


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class LogLine:
    timestamp_ns: int
    message: str
    level: str
    replica: str
    request_id: str | None


LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


@dataclass
class Deployment:
    """One deployment of a model (or chain), with a status that follows scale-to-zero and wake."""

    id: str
    name: str
    owner_id: str
    created_at: float
    variant: dict[str, Any]
    environment: str | None = None
    is_development: bool = False
    instance_type_name: str = "L4:4x16"
    min_replica: int = 1
    max_replica: int = 1
    scale_down_delay: int = 900
    concurrency_target: int = 1
    is_chain: bool = False
    # Status machine for scale-to-zero deployments: None means "has been idle at zero".
    wake_started_at: float | None = None
    last_request_at: float = 0.0
    fixed_status: str | None = None
    logs: deque[LogLine] = field(default_factory=lambda: deque(maxlen=10_000))

    def status(self, wake_seconds: float, load_seconds: float, now: float | None = None) -> str:
        if self.fixed_status:
            return self.fixed_status
        if self.min_replica > 0:
            return "ACTIVE"
        now = time.monotonic() if now is None else now
        if self.wake_started_at is None:
            return "SCALED_TO_ZERO"
        elapsed = now - self.wake_started_at
        if elapsed < wake_seconds:
            return "WAKING_UP"
        if elapsed < wake_seconds + load_seconds:
            return "LOADING_MODEL"
        idle_since = max(self.last_request_at, self.wake_started_at + wake_seconds + load_seconds)
        if now - idle_since > self.scale_down_delay:
            self.wake_started_at = None
            return "SCALED_TO_ZERO"
        return "ACTIVE"

    def wake(self, wake_seconds: float, load_seconds: float) -> None:
        if self.status(wake_seconds, load_seconds) == "SCALED_TO_ZERO":
            self.wake_started_at = time.monotonic()

    def seconds_until_active(self, wake_seconds: float, load_seconds: float) -> float:
        if self.status(wake_seconds, load_seconds) == "ACTIVE":
            return 0.0
        assert self.wake_started_at is not None
        return max(0.0, self.wake_started_at + wake_seconds + load_seconds - time.monotonic())

    def replicas(self, wake_seconds: float, load_seconds: float) -> int:
        status = self.status(wake_seconds, load_seconds)
        if status == "ACTIVE":
            return max(self.min_replica, 1)
        return 0 if status in ("SCALED_TO_ZERO", "WAKING_UP", "INACTIVE") else 1

    def log(self, message: str, *, level: str = "INFO", request_id: str | None = None) -> None:
        self.logs.append(
            LogLine(time.time_ns(), message, level, f"{self.id}-replica-0", request_id)
        )

    def autoscaling_settings(self) -> dict[str, Any]:
        return {
            "min_replica": self.min_replica,
            "max_replica": self.max_replica,
            "autoscaling_window": 60,
            "scale_down_delay": self.scale_down_delay,
            "concurrency_target": self.concurrency_target,
            "target_utilization_percentage": 70,
            "target_in_flight_tokens": None,
            "max_scale_down_rate": None,
        }


class InvalidInput(Exception):
    pass


@dataclass
class Call:
    """One inference call as a model's code sees it."""

    request: Request
    body: bytes
    request_id: str
    deployment: Deployment
    faults: Faults
    record: RequestRecord

    @property
    def variant(self) -> dict[str, Any]:
        return self.deployment.variant

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Invalid JSON payload: {exc}") from exc


class ModelCode(Protocol):
    """What the server asks of a model's code (`behaviours.Behaviour` is the demo's)."""

    async def predict(self, call: Call) -> Response: ...

    async def route(self, call: Call, route: str) -> Response: ...

    def run_job(self, variant: dict[str, Any], payload: Any) -> Any: ...


@dataclass
class Model:
    id: str
    name: str
    behaviour: ModelCode
    deployments: list[Deployment]
    environments: dict[str, str]  # environment name -> current deployment id
    created_at: float
    example_input: Any = None
    description: str = ""
    team_name: str = "Demo team"
    is_chain: bool = False

    def deployment(self, deployment_id: str) -> Deployment | None:
        return next((d for d in self.deployments if d.id == deployment_id), None)

    @property
    def production(self) -> Deployment | None:
        dep_id = self.environments.get("production")
        return self.deployment(dep_id) if dep_id else None

    @property
    def development(self) -> Deployment | None:
        return next((d for d in self.deployments if d.is_development), None)

    def environment(self, name: str) -> Deployment | None:
        dep_id = self.environments.get(name)
        return self.deployment(dep_id) if dep_id else None


@dataclass
class ModelAPI:
    """A Baseten-hosted shared LLM, called by slug on the Model APIs base."""

    slug: str
    name: str
    description: str
    behaviour: ModelCode
    variant: dict[str, Any]
    context_length: int = 131_072
    max_completion_tokens: int = 32_768
    supported_features: tuple[str, ...] = ()
    created_at: float = 0.0


@dataclass
class Catalogue:
    models: dict[str, Model]
    model_apis: dict[str, ModelAPI]

    def model(self, model_id: str) -> Model | None:
        return self.models.get(model_id)
