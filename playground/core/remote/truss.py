"""The route map of a Truss server's own routes (the container's, not Baseten's gateway), read
from the `truss` package's server (`truss/templates/server/truss_server.py`).

Baseten's gateway puts `/environments/{env}/predict`, `/sync/…` and the rest in front of a
container's routes; a Truss server started on this machine has only the container's. The app's
request model speaks the gateway's endpoints (`predict`, `sync/v1/chat/completions`, `sync/ROUTE`,
`websocket`); this maps each onto the server's own route.
"""

from __future__ import annotations

from playground.core.errors import InvalidRequest

DEFAULT_URL = "http://localhost:8080"
MODEL_NAME = (
    "model"  # the Truss server answers to any name in `/v1/models/{name}`; Baseten uses this
)
READY_ROUTE = f"/v1/models/{MODEL_NAME}"  # 200 `{}` when loaded; 503 `{"error": …}` while loading
PREDICT_ROUTE = f"/v1/models/{MODEL_NAME}:predict"
WEBSOCKET_ROUTE = "/v1/websocket"

# Gateway endpoints with no counterpart on a Truss server: Baseten adds them in front of it.
_GATEWAY_ONLY = {
    "async_predict": "async predict (Baseten's gateway queues it; a Truss server has no queue)",
    "async_request": "async requests (Baseten's gateway keeps them)",
    "wake": "wake (a Truss server on this machine never scales to zero)",
    "run_remote": "a chain's run_remote (a chain runs on Baseten)",
}


def truss_url(base: str, endpoint: str) -> str:
    """The URL of the gateway `endpoint` on the Truss server at `base`.

    `predict` → `/v1/models/model:predict`; `sync/v1` (an OpenAI base) → `/v1`, so that
    `chat/completions`, `completions`, `embeddings`, `messages` and `responses` land on the
    model's methods of those names; `sync/ROUTE` → `/ROUTE` (a custom server's own routes);
    `websocket` → `/v1/websocket`. What only Baseten's gateway has is refused in words.
    """
    base = base.rstrip("/")
    endpoint = endpoint.lstrip("/")
    head = endpoint.split("/", 1)[0]
    if head in _GATEWAY_ONLY:
        raise InvalidRequest(f"A Truss server on this machine has no {_GATEWAY_ONLY[head]}")
    if endpoint == "predict":
        return base + PREDICT_ROUTE
    if endpoint == "websocket":
        return base + WEBSOCKET_ROUTE
    if endpoint == "sync" or endpoint.startswith("sync/"):
        return base + "/" + endpoint.removeprefix("sync").lstrip("/")
    raise InvalidRequest(f"A Truss server has no route for {endpoint!r}")
