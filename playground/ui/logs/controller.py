"""What to read logs for (`LogsSubject`), and the controller that reads them on the loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal

from playground.core.errors import PlaygroundError
from playground.core.text import Failure
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.history.store import Exchange
    from playground.core.jobs.logs import LogLine
    from playground.core.remote.remotes import Target


@dataclass(frozen=True)
class LogsSubject:
    """One request: its target (None for a Model API), its request id and, when the answer
    said, the deployment that served it (`X-Baseten-Model-Version-Id`)."""

    target: Target | None
    request_id: str
    deployment_id: str = ""

    @classmethod
    def of_exchange(cls, exchange: Exchange) -> LogsSubject:
        """A history entry's request (an entry whose request cannot be read has no target)."""
        try:
            target = exchange.spec().target
        except ValueError:
            target = None
        return cls(target, exchange.request_id, exchange.deployment_id)

    @property
    def problem(self) -> str:
        """Why there are no logs to read for it, in words ("" when there may be)."""
        if self.target is None:
            return (
                "Model APIs are Baseten's shared deployments: they have no logs a key can read. "
                "Logs exist for your own models and chains."
            )
        if not self.request_id:
            return (
                "This answer carries no request id (no X-Baseten-Request-Id header, or the "
                "request never reached Baseten), so there are no log lines to look up."
            )
        return ""

    @property
    def where(self) -> str:
        """`chain abc · production · deployment d1`, as the logs view heads them."""
        if self.target is None:
            return "a Model API"
        owner = "chain" if self.target.is_chain else "model"
        parts = [f"{owner} {self.target.model_id}", self.target.label]
        if self.deployment_id:
            parts.append(f"deployment {self.deployment_id}")
        return " · ".join(parts)


class LogsController(TaskOwner):
    """Reads one request's log lines; each fetch ends in `loaded(list[LogLine])` or
    `failed(message)` (or `cancelled`), and a new fetch cancels the one under way."""

    loaded = Signal(list)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client

    def fetch(self, subject: LogsSubject) -> None:
        self._start("logs", self._fetch(subject))

    def cancel(self) -> None:
        self._cancel("logs")

    async def _fetch(self, subject: LogsSubject) -> None:
        try:
            lines = await self._read(subject)
        except asyncio.CancelledError:
            if shiboken6.isValid(self):
                self.cancelled.emit()
            raise
        except PlaygroundError as exc:
            if shiboken6.isValid(self):
                self.failed.emit(_message(exc))
            return
        if shiboken6.isValid(self):  # the view may have closed meanwhile
            self.loaded.emit(lines)

    async def _read(self, subject: LogsSubject) -> list[LogLine]:
        from playground.core.jobs.chain_logs import chain_request_logs  # after the first paint
        from playground.core.jobs.logs import request_logs

        target = subject.target
        assert target is not None  # the view asks only for a subject without a problem
        deployment = subject.deployment_id or (target.name if target.kind == "deployment" else "")
        if target.kind == "development" and not deployment:
            deployment = "development"  # the management API takes it as a deployment ref
        environment = target.name if target.kind in ("environment", "regional") else "production"
        read = chain_request_logs if target.is_chain else request_logs
        return await read(
            self.client,
            target.model_id,
            subject.request_id,
            deployment_id=deployment or None,
            environment=environment,
        )


def _message(error: PlaygroundError) -> str:
    from playground.core.jobs.logs import LogsUnavailable

    return str(error) if isinstance(error, LogsUnavailable) else Failure.of(error).line()
