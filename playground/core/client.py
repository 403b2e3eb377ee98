"""The HTTP client for Baseten's APIs: one long-lived httpx.AsyncClient, timings, and the project's errors."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from playground.core.errors import ApiError, NetworkError, error_message
from playground.core.remotes import Remote, Target

# Sync predict may take Baseten's full 1200 s, and a cold start parks the request silently.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=1300.0, write=60.0, pool=10.0)


@dataclass(frozen=True)
class CallResult:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-baseten-request-id")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class BasetenClient:
    """Calls one remote with one key; share a single instance for the app's life."""

    def __init__(
        self,
        remote: Remote,
        api_key: str,
        *,
        auth_scheme: str = "Bearer",
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.remote = remote
        self._key = api_key
        # Baseten accepts both; truss sends `Api-Key` for keys from ~/.trussrc.
        self._scheme = auth_scheme
        self._http = http or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"{self._scheme} {self._key}"}

    async def _send(self, method: str, url: str, **kwargs: Any) -> CallResult:
        started = time.perf_counter()
        try:
            response = await self._http.request(method, url, headers=self._headers(), **kwargs)
        except httpx.TimeoutException as exc:
            raise NetworkError(f"Timed out talking to {httpx.URL(url).host}") from exc
        except httpx.HTTPError as exc:
            raise NetworkError(f"Could not reach {httpx.URL(url).host}: {exc}") from exc
        result = CallResult(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            response.content,
            time.perf_counter() - started,
        )
        if response.is_error:
            raise ApiError(result.status, error_message(result.body), result.request_id)
        return result

    async def list_models(self) -> list[dict[str, Any]]:
        result = await self._send("GET", self.remote.management + "/v1/models")
        models: list[dict[str, Any]] = json.loads(result.body)["models"]
        return models

    async def predict(self, target: Target, body: Any) -> CallResult:
        return await self._send("POST", target.predict_url(self.remote), json=body)

    async def aclose(self) -> None:
        await self._http.aclose()
