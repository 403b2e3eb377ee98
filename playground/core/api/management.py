"""The management API: models, deployments with their status, environments, logs by request id."""

from __future__ import annotations

from typing import Any

from playground.core.api.json_api import JsonApi

# Deployment statuses in which a deployment answers (or parks the request until it does).


class ManagementAPI:
    """Thin, typed-by-documentation calls; results are the API's JSON objects (baseten-api.md §8.3)."""

    def __init__(self, client: JsonApi) -> None:
        self._client = client

    def _url(self, path: str) -> str:
        return self._client.remote.management_url(path)

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        payload, _ = await self._client.request_json("GET", self._url(path), params=params)
        return payload

    async def models(self) -> list[dict[str, Any]]:
        return list((await self._get("models")).get("models", []))

    async def model(self, model_id: str) -> dict[str, Any]:
        return dict(await self._get(f"models/{model_id}"))

    async def deployments(self, model_id: str) -> list[dict[str, Any]]:
        return list((await self._get(f"models/{model_id}/deployments")).get("deployments", []))

    async def deployment(self, model_id: str, ref: str) -> dict[str, Any]:
        """`ref` is `production`, `development` or a deployment id."""
        return dict(await self._get(f"models/{model_id}/deployments/{ref}"))

    async def environments(self, model_id: str) -> list[dict[str, Any]]:
        return list((await self._get(f"models/{model_id}/environments")).get("environments", []))

    async def environment(self, model_id: str, name: str) -> dict[str, Any]:
        return dict(await self._get(f"models/{model_id}/environments/{name}"))

    async def logs(
        self,
        model_id: str,
        deployment_id: str,
        *,
        request_id: str | None = None,
        limit: int = 500,
        direction: str = "asc",
        min_level: str | None = None,
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit, "direction": direction}
        if request_id:
            params["request_id"] = request_id
        if min_level:
            params["min_level"] = min_level
        payload = await self._get(f"models/{model_id}/deployments/{deployment_id}/logs", params)
        return list(payload.get("logs", []))

    async def example_input(self, model_id: str, deployment_id: str) -> Any:
        """`model_metadata.example_model_input` from the deployment's config.yaml, if it has one.

        The shape of the config endpoint's answer is not in our reference; this reads the parsed
        config where we expect it and gives None otherwise.
        """
        payload = await self._get(
            f"models/{model_id}/deployments/{deployment_id}/config", {"output_format": "parsed"}
        )
        parsed = payload.get("parsed", payload) if isinstance(payload, dict) else {}
        metadata = parsed.get("model_metadata") if isinstance(parsed, dict) else None
        return metadata.get("example_model_input") if isinstance(metadata, dict) else None

    async def chains(self) -> list[dict[str, Any]]:
        return list((await self._get("chains")).get("chains", []))

    async def chain(self, chain_id: str) -> dict[str, Any]:
        return dict(await self._get(f"chains/{chain_id}"))

    async def chain_deployments(self, chain_id: str) -> list[dict[str, Any]]:
        return list((await self._get(f"chains/{chain_id}/deployments")).get("deployments", []))

    async def chain_environments(self, chain_id: str) -> list[dict[str, Any]]:
        payload = await self._get(f"chains/{chain_id}/environments")
        return list(payload.get("environments", []))
