"""One registry of migration steps, for presets and the history alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from playground.core.history.schema import MIGRATIONS as HISTORY
from playground.core.migrations import Migrations
from playground.core.presets.preset import MIGRATIONS as PRESETS

Step = Callable[[list[str]], list[str]]


def test_steps_run_in_order_from_any_version() -> None:
    steps: Migrations[Step] = Migrations("test")

    @steps.step(1)
    def second(log: list[str]) -> list[str]:
        return [*log, "second"]

    @steps.step(0)
    def first(log: list[str]) -> list[str]:
        return [*log, "first"]

    assert steps.latest == 2
    assert [n for n, _ in steps.after(0)] == [0, 1]
    log: list[str] = []
    for _, step in steps.after(0):
        log = step(log)
    assert log == ["first", "second"]
    assert steps.after(2) == []


def test_a_step_registered_twice_or_missing_is_refused() -> None:
    steps: Migrations[Step] = Migrations("test")
    steps.step(0)(lambda log: log)
    with pytest.raises(RuntimeError, match="two test migrations from version 0"):
        steps.step(0)(lambda log: log)
    steps.step(2)(lambda log: log)
    with pytest.raises(RuntimeError, match="no test migration from version 1"):
        _ = steps.latest


def test_presets_and_history_register_their_steps() -> None:
    assert PRESETS.latest == 2
    assert HISTORY.latest == 6
