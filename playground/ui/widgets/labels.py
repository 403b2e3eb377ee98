"""Labels that show text from servers and people: plain, never HTML, selectable when asked."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


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
