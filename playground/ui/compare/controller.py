"""The compare view's controller: one comparison at a time (wake, rounds, a task per column), as signals."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.core.api.wake import WakeReport
from playground.core.compare.clients import Clients
from playground.core.compare.results import Comparison
from playground.core.compare.run import CompareRound, compare_targets
from playground.core.errors import PlaygroundError
from playground.core.request.spec import Column, RequestSpec
from playground.core.text import Failure
from playground.ui.tasks import TaskOwner

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient


class CompareController(TaskOwner):
    """Runs a comparison with core's `run_comparison`; every column is its own task there, so
    one stops or fails alone.

    A run ends in exactly one of `run_finished`, `run_failed` or `run_cancelled`; within it, every
    column of every round ends in one `column_ended` (its ColumnResult says ok, failed or
    cancelled, and keeps what had arrived).
    """

    run_started = Signal(object)  # the Comparison being filled
    wake_progressed = Signal(object)  # core WakeProgress
    wake_finished = Signal(str)  # "" when every target is serving, else what went wrong
    round_started = Signal(int, list)  # round number (from 0), the column indices sent to
    column_event = Signal(int, object)  # column index, a core event (ResponseStarted, delta …)
    column_ended = Signal(object)  # core ColumnResult
    run_finished = Signal(object)  # Comparison
    run_failed = Signal(str)  # refused or broken before the columns ran, in words
    run_cancelled = Signal(object)  # Comparison, with what arrived
    model_apis_loaded = Signal(list)  # slugs

    def __init__(self, client: BasetenClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._round: CompareRound | None = None

    @property
    def is_comparing(self) -> bool:
        return self.is_running("run")

    def load_model_apis(self) -> None:
        self._start("model-apis", self._load_model_apis())

    async def _load_model_apis(self) -> None:
        try:
            catalog = await self.client.model_apis_catalog()
        except PlaygroundError:
            return  # offering slugs is a convenience; typing one still works
        self.model_apis_loaded.emit([str(item["id"]) for item in catalog if "id" in item])

    def run(
        self,
        spec: RequestSpec,
        columns: Sequence[Column],
        *,
        rounds: int = 1,
        wake: bool = False,
        clients: Clients | None = None,
    ) -> None:
        """Send `spec` to every column at once, `rounds` times; wake every target first if asked.

        Either way, a target that was scaled to zero has its first run marked cold, kept apart
        from the warm ones (without waking, the targets' status is looked up first). A column on
        another remote is sent with that remote's client in `clients` (by name): its own key."""
        self._start("run", self._run(spec, tuple(columns), max(1, rounds), wake, clients or {}))

    def stop(self, index: int) -> None:
        """Stop one column (its connection closes; the others go on). Idempotent."""
        if self._round is not None:
            self._round.cancel(index)

    def stop_all(self) -> bool:
        """Stop the whole run (every column keeps what arrived); True if one was running."""
        return self._cancel("run")

    async def _run(
        self,
        spec: RequestSpec,
        columns: tuple[Column, ...],
        rounds: int,
        wake: bool,
        clients: Clients,
    ) -> None:
        comparison = Comparison(spec, columns, remote=self.client.remote.label)
        self.run_started.emit(comparison)
        try:
            await compare_targets(
                self.client,
                spec,
                columns,
                wake=wake,
                on_wake=self.wake_progressed.emit,
                on_woken=self._on_woken,
                repeat=rounds,
                on_event=self.column_event.emit,
                on_result=self.column_ended.emit,
                on_round=self._on_round,
                into=comparison,
                clients=clients,
            )
        except asyncio.CancelledError:
            self.run_cancelled.emit(comparison)
            raise
        except PlaygroundError as exc:
            self.run_failed.emit(Failure.of(exc).line())
            return
        finally:
            self._round = None
        self.run_finished.emit(comparison)

    def _on_woken(self, report: WakeReport) -> None:
        problems = (f"column {i + 1}: {error}" for i, error in sorted(report.errors.items()))
        self.wake_finished.emit("; ".join(problems))

    def _on_round(self, number: int, round_: CompareRound) -> None:
        self._round = round_
        self.round_started.emit(number, list(round_.indices))
