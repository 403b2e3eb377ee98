"""Fair runs: which targets are scaled to zero, and waking them all until each is ACTIVE."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from playground.core.api.client import BasetenClient
from playground.core.errors import PlaygroundError
from playground.core.remote.catalogue import COLD, HEALTHY
from playground.core.remote.remotes import Target

# A deployment in any of these is not serving yet: the first request to it pays a cold start.


@dataclass(frozen=True)
class WakeProgress:
    """Where one target stands while the others wake: `status` as the management API says it
    ("" when it cannot say); `error` when it cannot be woken or followed."""

    index: int
    label: str
    status: str
    is_done: bool
    elapsed_s: float = 0.0
    error: str = ""
    note: str = ""

    @property
    def message(self) -> str:
        said = self.status or "status unknown"
        if self.error:
            return f"{self.label}: {self.error}"
        if self.note:
            return f"{self.label}: {said} ({self.note})"
        return f"{self.label}: {said}"


@dataclass(frozen=True)
class WakeReport:
    """Each target's last status; `cold` holds the positions of those that were not serving
    when asked, whose first run pays (or paid) a cold start."""

    statuses: tuple[str, ...]
    cold: frozenset[int]
    errors: Mapping[int, str] = field(default_factory=dict)

    @property
    def is_ready(self) -> bool:
        """True when no target failed to wake (targets of unknown status count as ready)."""
        return not self.errors

    def problems(self) -> str:
        """What went wrong, in the targets' order ("" when every target is serving)."""
        return "; ".join(error for _, error in sorted(self.errors.items()))


ProgressCallback = Callable[[WakeProgress], None]


def _label(target: Target | None) -> str:
    if target is None:
        return "Model API"
    return f"{'chain' if target.is_chain else 'model'} {target.model_id} · {target.label}"


class _NoDeployment(PlaygroundError):
    pass


async def deployment_status(client: BasetenClient, target: Target) -> str:
    """The status of the deployment behind `target` (ACTIVE, SCALED_TO_ZERO, …)."""
    mgmt = client.management
    if target.kind in ("environment", "regional"):
        env = await mgmt.environment(target.model_id, target.name)
        current = env.get("current_deployment")
        if not isinstance(current, dict):
            raise _NoDeployment(f"the environment {target.name} has no deployment")
        return str(current.get("status", ""))
    ref = target.name if target.kind == "deployment" else target.kind
    return str((await mgmt.deployment(target.model_id, ref)).get("status", ""))


def _unchecked(target: Target | None) -> str:
    """Why a target's status is not looked up, or "" when it is."""
    if target is None:
        return "Model APIs are served without waking"
    if target.is_chain:
        return "a chain's status is not checked"
    return ""


async def cold_targets(client: BasetenClient, targets: Sequence[Target | None]) -> WakeReport:
    """Which targets are not serving right now, without waking any (a failed look-up counts
    as warm: nothing is known)."""

    async def one(target: Target | None) -> str:
        if _unchecked(target):
            return ""
        assert target is not None
        try:
            return await deployment_status(client, target)
        except PlaygroundError:
            return ""

    statuses = await asyncio.gather(*(one(t) for t in targets))
    cold = frozenset(i for i, status in enumerate(statuses) if status in COLD)
    return WakeReport(tuple(statuses), cold)


async def wake_all(
    client: BasetenClient,
    targets: Sequence[Target | None],
    on_progress: ProgressCallback | None = None,
    *,
    poll_seconds: float = 0.5,
    timeout_s: float = 1800.0,
) -> WakeReport:
    """Wake every scaled-to-zero target and wait until each is ACTIVE, reporting each change.

    `targets` may hold None for a Model API column (nothing to wake). One target that cannot be
    woken (no management access, INACTIVE, a timeout) is reported in `errors`; the others go on.
    """
    start = time.monotonic()
    statuses: list[str] = [""] * len(targets)
    errors: dict[int, str] = {}
    cold: set[int] = set()
    woken: set[Target] = set()

    def report(index: int, status: str, done: bool, error: str = "", note: str = "") -> None:
        statuses[index] = status
        if error:
            errors[index] = error
        if on_progress is not None:
            elapsed = time.monotonic() - start
            label = _label(targets[index])
            on_progress(WakeProgress(index, label, status, done, elapsed, error, note))

    async def follow(index: int, target: Target) -> None:
        status: str | None = None
        while True:
            current = await deployment_status(client, target)
            if current != status:
                status = current
                if status in COLD:
                    cold.add(index)
                report(index, status, status == "ACTIVE")
            if status == "ACTIVE":
                return
            if status not in HEALTHY:
                report(index, status, True, f"the deployment is {status}; it cannot be woken")
                return
            if status == "SCALED_TO_ZERO" and target not in woken:
                woken.add(target)  # two columns on one target wake it once
                await client.wake(target)
            if time.monotonic() - start > timeout_s:
                report(index, status, True, f"still {status} after {timeout_s:g} s")
                return
            await asyncio.sleep(poll_seconds)

    async def one(index: int, target: Target | None) -> None:
        note = _unchecked(target)
        if note:
            report(index, "", True, note=note)
            return
        assert target is not None
        try:
            await follow(index, target)
        except PlaygroundError as exc:
            report(index, statuses[index], True, f"could not wake it: {exc}")

    async with asyncio.TaskGroup() as group:
        for i, target in enumerate(targets):
            group.create_task(one(i, target))
    return WakeReport(tuple(statuses), frozenset(cold), errors)
