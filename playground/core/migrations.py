"""Versioned files and databases move forward one registered step at a time. Each feature that
keeps more registers its step where it lives (`@MIGRATIONS.step(n)`); the version is how many
steps there are, with none missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Step = TypeVar("Step", bound=Callable[..., object])


class Migrations(Generic[Step]):
    """The steps of one format, by the version each starts from."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._steps: dict[int, Step] = {}

    def step(self, from_version: int) -> Callable[[Step], Step]:
        """Register the step that turns a `from_version` form into the next version's."""

        def register(step: Step) -> Step:
            if from_version in self._steps:
                raise RuntimeError(f"two {self.what} migrations from version {from_version}")
            self._steps[from_version] = step
            return step

        return register

    @property
    def latest(self) -> int:
        """The version after every step; RuntimeError when a step is missing."""
        missing = sorted(set(range(len(self._steps))) - set(self._steps))
        if missing:
            raise RuntimeError(f"no {self.what} migration from version {missing[0]}")
        return len(self._steps)

    def after(self, version: int) -> list[tuple[int, Step]]:
        """The steps from `version` up to the latest, each with the version it starts from."""
        return [(n, self._steps[n]) for n in range(version, self.latest)]
