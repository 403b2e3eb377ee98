"""Whether a Truss server is ready, said as a deployment's status is (§ Remotes: a Truss server).

Its readiness route, `GET /v1/models/model`, answers 200 `{}` once `load()` has returned and 503
`{"error": "Model with name model is not ready."}` while it runs. A load that raised makes the
server stop (it kills its own process): from then on nothing answers at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from playground.core.api.client import BasetenClient
from playground.core.errors import InvalidRequest
from playground.core.jsontext import parse_json
from playground.core.remote.truss import READY_ROUTE

READY, LOADING, FAILED, UNREACHABLE = "ACTIVE", "LOADING_MODEL", "FAILED", "INACTIVE"


@dataclass(frozen=True)
class Readiness:
    """`status` in the management API's words (ACTIVE, LOADING_MODEL, FAILED, INACTIVE), and
    the server's own message when it gave one (or why none could be had)."""

    status: str
    message: str = ""

    @property
    def is_ready(self) -> bool:
        return self.status == READY

    @property
    def text(self) -> str:
        words = {READY: "ready", LOADING: "loading", FAILED: "failed", UNREACHABLE: "not running"}
        said = words.get(self.status, self.status)
        return f"{said}: {self.message}" if self.message else said


async def truss_readiness(client: BasetenClient, *, timeout_s: float = 5.0) -> Readiness:
    """Ask the Truss server behind `client` once (no retries: a 503 is the answer, not a fault)."""
    remote = client.remote
    if remote.kind != "truss":
        raise InvalidRequest(f"{remote.name} is not a Truss server")
    url = remote.inference.rstrip("/") + READY_ROUTE
    try:
        response = await client.transport.http.get(url, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return Readiness(UNREACHABLE, f"no Truss server answers at {remote.inference} ({exc})")
    if response.status_code == 200:
        return Readiness(READY)
    message = _error_message(response)
    if response.status_code == 503:
        return Readiness(LOADING, message)
    return Readiness(FAILED, f"{response.status_code}: {message}")


def _error_message(response: httpx.Response) -> str:
    """The server's `{"error": …}` (every error of a Truss server has that shape), or its text."""
    try:
        body = parse_json(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return response.text[:300] or response.reason_phrase
