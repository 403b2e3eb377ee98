"""Labels that show text from servers and people: plain, never HTML, selectable when asked."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


def make_plain(labels: list[QLabel]) -> None:
    """Server text is never read as HTML; selectable labels can be copied from.

    Done before the first server text rather than at construction: the first use of the `Qt`
    namespace creates its ~90 Python enums, ~30 ms that the first paint need not wait for.
    """
    from PySide6.QtCore import Qt

    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)
        if label.property("selectable"):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


class ElidedLabel(QLabel):
    """Plain text that shows what fits, cut in the middle ("https://ab…xyz"), the whole in its
    tooltip: it asks for its whole width but gives it up when the row is tight."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("https://…"), super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        from PySide6.QtCore import Qt

        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideMiddle, self.width()
        )
        if shown != self.text():
            self.setText(shown)
