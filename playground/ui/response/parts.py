"""The response view's pieces: named labels, buttons and text views, rows, appending text."""

from __future__ import annotations

import asyncio

from PySide6.QtGui import QFont, QTextCursor, QTextOption
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget

from playground.core.media import extension_for


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


# Wrapping at word boundaries is quadratic in the longest word (256 K of hex in one word took 4 s
# to lay out; anywhere, like a terminal, ~0.1 s). Words up to this long cost next to nothing.
LONGEST_WRAPPED_WORD = 4096


class ResponseText(QPlainTextEdit):
    """A read-only text view that wraps between words ("light|house" is never split where a space
    was), until its text has a word too long for that to be cheap: then it wraps anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self._run = 0  # the length of the word the text ends in, so far
        self._wraps_anywhere = False
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def clear(self) -> None:
        super().clear()
        self._run = 0
        if self._wraps_anywhere:
            self._wraps_anywhere = False
            self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def setPlainText(self, text: str) -> None:
        self._run = 0
        self.see(text)
        super().setPlainText(text)

    def see(self, text: str) -> None:
        """Text about to be added: a word in it (or one it goes on) too long switches the wrap,
        before the text is laid out."""
        if self._wraps_anywhere or not text:
            return
        runs = [len(word) for word in text.split()]
        if runs and not text[0].isspace():
            runs[0] += self._run  # it goes on the word the text ended in
        self._run = runs[-1] if runs and not text[-1].isspace() else 0
        if runs and max(runs) > LONGEST_WRAPPED_WORD:
            self._wraps_anywhere = True
            self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)


def make_text_view(name: str, font: QFont) -> ResponseText:
    view = ResponseText()
    view.setObjectName(name)
    view.setReadOnly(True)
    view.setUndoRedoEnabled(False)  # an undo stack would keep a second copy of the body
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
    if isinstance(view, ResponseText):
        view.see(text)
    bar = view.verticalScrollBar()
    follow = bar.value() >= bar.maximum()
    cursor = QTextCursor(view.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(text)
    if follow:
        bar.setValue(bar.maximum())


def running_loop() -> asyncio.AbstractEventLoop:
    """The loop to run a callback on: between its runs (as tests drive it) it runs it next."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


def suggested_name(content_type: str, is_binary: bool) -> str:
    """What Save… offers: `response` with the extension of the body's type."""
    extension = extension_for(content_type)
    if extension == ".bin" and not is_binary:
        extension = ".txt"  # text of no stated type
    return "response" + extension
