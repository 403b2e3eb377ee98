"""Whose answer is on screen: after the target changes, the answer still shown is the previous
target's, and a line over it says so (it is kept: a person may want to read it beside the new)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from playground.core.remote.remotes import Target
    from playground.core.request.spec import RequestSpec


def target_words(target: Target | None) -> str:
    """`model abcd1234 · staging`: a target as the note names it (an environment by its name)."""
    from playground.core.remote.catalogue import same_target_key  # after the first paint

    if target is None:
        return "a Model API"
    target = same_target_key(target)
    where = target.name if target.kind == "environment" else target.label
    return f"{'chain' if target.is_chain else 'model'} {target.model_id} · {where}"


class TargetNote(QLabel):
    """`Answer from model X · production — Send to ask model Y · staging`, while they differ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answerTargetNote")
        self.setWordWrap(True)
        self._asked = ""  # the target the answer on screen was asked of; "" when none
        self._target: Callable[[], Target | None] = lambda: None
        self.hide()

    def follow(
        self,
        target_changed: SignalInstance,
        target: Callable[[], Target | None],
        request_sent: SignalInstance,
    ) -> None:
        """Learn each request's target from `request_sent(RequestSpec)`, and compare the
        window's `target()` with it whenever `target_changed` fires."""
        self._target = target
        request_sent.connect(self._on_request_sent)
        target_changed.connect(self._on_target_changed)

    def _on_request_sent(self, spec: RequestSpec) -> None:
        self._asked = target_words(spec.target)
        self.hide()

    def _on_target_changed(self) -> None:
        now = target_words(self._target())
        if not self._asked or now == self._asked:
            self.hide()
            return
        self.setText(f"Answer from {self._asked} — Send to ask {now}")
        self.show()
