"""A StreamingText that scrolls and follows its end (a compare column's answer)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QScrollArea, QWidget

from playground.ui.widgets.streaming_text import StreamingText

__all__ = ["StreamingTextArea"]


class StreamingTextArea(QScrollArea):
    """A StreamingText that scrolls, in a text field's colours; it stays at the end as text comes,
    unless the reader has scrolled up (back at the end, it follows again)."""

    def __init__(self, text: StreamingText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(text)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        # Opaque, so that following the end scrolls by a blit and paints only the new lines.
        text.setBackgroundRole(QPalette.ColorRole.Base)
        text.setAutoFillBackground(True)
        self._is_following = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_bar_range_changed)
        bar.valueChanged.connect(self._on_bar_value_changed)

    def _on_bar_range_changed(self, _low: int, high: int) -> None:
        if self._is_following or high == 0:
            self._is_following = True
            self.verticalScrollBar().setValue(high)

    def _on_bar_value_changed(self, value: int) -> None:
        self._is_following = value >= self.verticalScrollBar().maximum() - 4
