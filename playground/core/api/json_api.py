"""What the management API and async jobs need of a client: its remote and one JSON call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from playground.core.metrics import Metrics
from playground.core.remote.remotes import Remote


class JsonApi(Protocol):
    """`BasetenClient` is one; passing this instead keeps the client's helpers free of it."""

    remote: Remote

    async def request_json(
        self,
        method: str,
        url: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, Metrics]: ...
