"""The response view's pieces: named labels, buttons and text views, rows, appending text."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextCursor, QTextOption
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget


def make_label(
    name: str, *, selectable: bool = False, shrinks: bool = True, wraps: bool = False
) -> QLabel:
    """A named label. One that `shrinks` gives way rather than pushing: its text (a request id, a
    deployment) would otherwise raise the view's minimum width with each response and move the
    splitter beside it. One that `wraps` takes more lines instead when it is narrow."""
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("selectable", selectable)
    if wraps:
        label.setWordWrap(True)
    elif shrinks:
        label.setMinimumWidth(1)
    return label


def make_button(name: str, text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def make_text_view(name: str, font: QFont) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setUndoRedoEnabled(False)  # an undo stack would keep a second copy of the body
    # Wrapping at word boundaries is quadratic in the longest word: 256 K of base64 took 1.5 s
    # to lay out (65 K: 93 ms). Anywhere, like a terminal, it takes ~40 ms whatever the text.
    view.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
    view.setFont(font)
    return view


def hrow(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row


def insert_at_end(view: QPlainTextEdit, text: str) -> None:
    """One insert at the end; the view keeps following the end only if the reader was there."""
    if not text:
        return
    bar = view.verticalScrollBar()
    follow = bar.value() >= bar.maximum()
    cursor = QTextCursor(view.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(text)
    if follow:
        bar.setValue(bar.maximum())
