"""Which target each new compare column gets: once its model's targets are listed, one not shown
in another column yet (core's `next_targets`), rather than production again and again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from playground.core.compare.targets import next_targets
from playground.core.remote.catalogue import TargetChoice
from playground.ui.compare.column import CompareColumnView
from playground.ui.target.controller import CatalogueController


class TargetOffers(QObject):
    """Columns waiting for their model's targets, by model id; `catalogue` lists them."""

    def __init__(
        self,
        catalogue: CatalogueController,
        columns: Callable[[], list[CompareColumnView]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._columns = columns  # every column of the view, in order
        self._waiting: dict[str, list[CompareColumnView]] = {}
        catalogue.targets_loaded.connect(self._on_catalogue_targets_loaded)

    def offer(self, model_id: str, views: list[CompareColumnView]) -> None:
        """Once `model_id`'s targets are in, give each of `views` one not shown yet."""
        self._waiting.setdefault(model_id, []).extend(views)
        self._catalogue.load_targets(model_id)

    def forget(self, view: CompareColumnView) -> None:
        """`view` was given a target (or removed): nothing is offered to it any more."""
        for waiting in self._waiting.values():
            if view in waiting:
                waiting.remove(view)

    def _on_catalogue_targets_loaded(self, model_id: str, choices: list[TargetChoice]) -> None:
        columns = self._columns()
        # a column whose model was changed by hand meanwhile is left as it is
        waiting = [
            view
            for view in self._waiting.pop(model_id, [])
            if view in columns and view.target_bar.model_id() == model_id
        ]
        shown = [
            target
            for view in columns
            if view not in waiting
            and not view.picker.uses_model_api()
            and (target := view.target_bar.target()) is not None
            and target.model_id == model_id
        ]
        for view, target in zip(waiting, next_targets(choices, shown, len(waiting)), strict=False):
            view.set_target(target)
