"""A Truss server in the target bar: its one model, with one target whose status is the server's
readiness (loading → ready, or failed in the server's words), followed while it loads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from playground.core.api.truss_ready import FAILED, READY, UNREACHABLE, Readiness, truss_readiness
from playground.core.remote.catalogue import TargetChoice
from playground.core.remote.remotes import Target
from playground.core.remote.truss import MODEL_NAME

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient

LABEL = "this Truss server"
POLL_S = 0.5  # while loading: load() often takes seconds, and ready should show at once
MAX_POLL_S = 5.0  # while nothing answers (not started yet): asked less and less often


def truss_models() -> list[dict[str, Any]]:
    """The one model a Truss server serves, as the management API would list it."""
    return [{"id": MODEL_NAME, "name": "Truss server"}]


def truss_choice(readiness: Readiness) -> TargetChoice:
    """Its one target; the server's message rides along as the deployment's name (the tooltip)."""
    return TargetChoice(
        Target(MODEL_NAME), LABEL, readiness.status, MODEL_NAME, readiness.message or LABEL
    )


async def follow_readiness(
    client: BasetenClient,
    said: Callable[[Readiness], None],
    *,
    poll_s: float = POLL_S,
) -> Readiness:
    """Ask until the server is ready or failed, calling `said` with each new answer; while it
    loads every `poll_s`, while nothing answers at a doubling interval up to MAX_POLL_S."""
    last: Readiness | None = None
    delay = poll_s
    while True:
        readiness = await truss_readiness(client)
        if readiness != last:
            said(readiness)
            last = readiness
        if readiness.status in (READY, FAILED):
            return readiness
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_POLL_S) if readiness.status == UNREACHABLE else poll_s
