"""Columns on different remotes: each column's client (its own remote, its own key or none, its
own connections and timings), and waking or looking up every remote's targets at once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from playground.core.api.client import BasetenClient
from playground.core.api.wake import (
    ProgressCallback,
    WakeProgress,
    WakeReport,
    cold_targets,
    wake_all,
)
from playground.core.errors import InvalidRequest
from playground.core.request.spec import Column

Clients = Mapping[str, BasetenClient]  # by remote name; a column with no remote uses the default


def column_client(client: BasetenClient, clients: Clients, column: Column) -> BasetenClient:
    """The client `column` is sent with: its remote's, or `client` (the comparison's own)."""
    if not column.remote or column.remote == client.remote.name:
        return client
    try:
        return clients[column.remote]
    except KeyError:
        raise InvalidRequest(f"No client for the remote {column.remote!r}") from None


def check_clients(client: BasetenClient, clients: Clients, columns: Sequence[Column]) -> None:
    """Raise InvalidRequest, in words, when a column's remote has no client."""
    for i, column in enumerate(columns, start=1):
        try:
            column_client(client, clients, column)
        except InvalidRequest as exc:
            raise InvalidRequest(f"Column {i}: {exc}") from None


async def cold_or_woken(
    client: BasetenClient,
    clients: Clients,
    columns: Sequence[Column],
    *,
    wake: bool,
    on_wake: ProgressCallback | None = None,
) -> WakeReport:
    """`wake_all` (or `cold_targets`) on each remote for its own columns, at once, as one report
    in column order. A Truss server is never asked: it has no management API and never sleeps."""
    owners = [column_client(client, clients, c) for c in columns]
    distinct = [c for i, c in enumerate(owners) if c not in owners[:i] and c.remote.needs_key]

    async def one(owner: BasetenClient) -> WakeReport:
        targets = [
            col.target if who is owner else None for col, who in zip(columns, owners, strict=True)
        ]
        if wake:

            def mine(progress: WakeProgress) -> None:  # the other remotes say their own
                if on_wake is not None and owners[progress.index] is owner:
                    on_wake(progress)

            return await wake_all(owner, targets, mine)
        return await cold_targets(owner, targets)

    reports = await asyncio.gather(*(one(owner) for owner in distinct))
    statuses = [""] * len(columns)
    errors: dict[int, str] = {}
    cold: set[int] = set()
    for owner, report in zip(distinct, reports, strict=True):
        for i, who in enumerate(owners):
            if who is owner:
                statuses[i] = report.statuses[i]
        cold |= report.cold
        errors.update(report.errors)
    return WakeReport(tuple(statuses), frozenset(cold), errors)
