"""A chain's logs around one request: each chainlet's logs of the chain deployment that served it,
filtered by its request id (`GET /v1/chains/{id}/deployments/{dep}/chainlets/{cid}/logs`),
merged oldest first; each line's `replica` names its chainlet."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from playground.core.api.client import BasetenClient
from playground.core.errors import ApiError
from playground.core.jobs.logs import LogLine, LogsUnavailable


async def chain_request_logs(
    client: BasetenClient,
    chain_id: str,
    request_id: str,
    *,
    deployment_id: str | None = None,
    environment: str = "production",
    min_level: str | None = None,
) -> list[LogLine]:
    """The lines of `request_id` from every chainlet of the deployment `deployment_id` (a
    response's deployment id) or, when unknown or not a chain deployment, of `environment`'s."""
    try:
        deployment = await _deployment(client, chain_id, deployment_id, environment)
        params: dict[str, Any] = {"request_id": request_id, "limit": 1000, "direction": "asc"}
        if min_level:
            params["min_level"] = min_level
        lines: list[LogLine] = []
        for chainlet in deployment.get("chainlets") or []:
            where = (
                f"chains/{chain_id}/deployments/{deployment['id']}/chainlets/{chainlet['id']}/logs"
            )
            payload, _ = await client.request_json(
                "GET", client.remote.management_url(where), params=params
            )
            raw = payload.get("logs", []) if isinstance(payload, dict) else []
            name = str(chainlet.get("name") or chainlet["id"])
            lines += [
                _named(LogLine.from_json(line), name) for line in raw if isinstance(line, dict)
            ]
    except ApiError as exc:
        if exc.status in (401, 403):
            raise LogsUnavailable(
                f"This API key cannot read logs ({exc.status}: {exc.message}). Logs come from "
                "the management API: use a personal or workspace key that may manage models; "
                "an invoke-only key can call chains but not read their logs."
            ) from exc
        if exc.status == 404:
            raise LogsUnavailable(
                f"No chainlet logs there ({exc.message}): check the chain id and the deployment."
            ) from exc
        raise
    # The endpoint may not filter by request id: only this request's lines, whatever it sends.
    return sorted(
        (line for line in lines if line.request_id == request_id), key=lambda line: line.at
    )


def _named(line: LogLine, chainlet: str) -> LogLine:
    return replace(line, replica=f"{chainlet} · {line.replica}" if line.replica else chainlet)


async def _deployment(
    client: BasetenClient, chain_id: str, deployment_id: str | None, environment: str
) -> dict[str, Any]:
    payload, _ = await client.request_json(
        "GET", client.remote.management_url(f"chains/{chain_id}/deployments")
    )
    deployments = [d for d in payload.get("deployments", []) if isinstance(d, dict)]
    by_id = [d for d in deployments if deployment_id and d.get("id") == deployment_id]
    in_env = [d for d in deployments if d.get("environment") == environment]
    if by_id or in_env:
        return (by_id or in_env)[0]
    raise LogsUnavailable(
        f"Chain {chain_id} has no deployment "
        + (f"{deployment_id} " if deployment_id else "")
        + f"in {environment}: no chainlet logs to read."
    )
