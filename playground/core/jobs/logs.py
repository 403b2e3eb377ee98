"""A deployment's logs around one request, filtered by its request id through the management
API (`GET /v1/models/{id}/deployments/{dep}/logs?request_id=…`, or the environment's
`…/environments/{env}/logs`; baseten-api.md §7.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from playground.core.api.client import BasetenClient
from playground.core.errors import ApiError, PlaygroundError


class LogsUnavailable(PlaygroundError):
    """The key may call models but not read their logs (an invoke-only key), or no logs here."""


@dataclass(frozen=True)
class LogLine:
    at: float  # epoch seconds
    level: str
    message: str
    replica: str
    request_id: str

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> LogLine:
        try:
            at = int(str(raw.get("timestamp", "0"))) / 1e9  # epoch nanoseconds, as a string
        except ValueError:
            at = 0.0
        return cls(
            at,
            str(raw.get("level") or "INFO"),
            str(raw.get("message", "")),
            str(raw.get("replica") or ""),
            str(raw.get("request_id") or ""),
        )

    @property
    def time_text(self) -> str:
        return datetime.fromtimestamp(self.at, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"

    def text(self) -> str:
        """One line, as a person copies it: `2026-12-05 21:35:01.123Z INFO  message`."""
        return f"{self.time_text} {self.level:<7} {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time_text,
            "level": self.level,
            "message": self.message,
            "replica": self.replica,
            "request_id": self.request_id,
        }


async def request_logs(
    client: BasetenClient,
    model_id: str,
    request_id: str,
    *,
    deployment_id: str | None = None,
    environment: str = "production",
    min_level: str | None = None,
) -> list[LogLine]:
    """The logs of `request_id`, oldest first: of the deployment when its id is known (a
    response's X-Baseten-Model-Version-Id, a job's status), else of the environment."""
    where = (
        f"models/{model_id}/deployments/{deployment_id}/logs"
        if deployment_id
        else f"models/{model_id}/environments/{environment}/logs"
    )
    params: dict[str, Any] = {"request_id": request_id, "limit": 1000, "direction": "asc"}
    if min_level:
        params["min_level"] = min_level
    try:
        payload, _ = await client.request_json(
            "GET", client.remote.management_url(where), params=params
        )
    except ApiError as exc:
        if exc.status in (401, 403):
            raise LogsUnavailable(
                f"This API key cannot read logs ({exc.status}: {exc.message}). Logs come from "
                "the management API: use a personal or workspace key that may manage models; "
                "an invoke-only key can call models but not read their logs."
            ) from exc
        if exc.status == 404:
            raise LogsUnavailable(
                f"No logs there ({exc.message}): check the model id and the deployment."
            ) from exc
        raise
    lines = payload.get("logs", []) if isinstance(payload, dict) else []
    return [LogLine.from_json(line) for line in lines if isinstance(line, dict)]
