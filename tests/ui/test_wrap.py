"""Streamed text wraps between words, as a person reads it: no line ends inside a word where a
space on that line would have let the word move to the next ("light|house")."""

from __future__ import annotations

import asyncio
from itertools import pairwise

from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from playground.core.events import TextChunk
from playground.emulator import EmulatorServer
from playground.emulator.demo import STREAMER
from playground.ui.response.parts import LONGEST_WRAPPED_WORD
from playground.ui.response.view import ResponseView
from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.streaming_text import StreamingText
from tests.ui.helpers import Maker, load, send


def visual_lines(view: QPlainTextEdit) -> list[list[str]]:
    """Each paragraph of `view` as the lines it is shown in."""
    paragraphs = []
    block = view.document().begin()
    while block.isValid():
        layout, units = block.layout(), block.text().encode("utf-16-le")  # Qt counts UTF-16
        spans = [
            (line.textStart(), line.textLength())
            for line in map(layout.lineAt, range(layout.lineCount()))
        ]
        paragraphs.append([units[2 * s : 2 * (s + n)].decode("utf-16-le") for s, n in spans])
        block = block.next()
    return paragraphs


def broken_words(paragraphs: list[list[str]]) -> list[str]:
    """Line ends inside a word on a line that had a space to break at instead."""
    found = []
    for lines in paragraphs:
        for line, after in pairwise(lines):
            inside_word = line and after and not line[-1].isspace() and not after[0].isspace()
            if inside_word and any(char.isspace() for char in line):
                found.append(f"{line}|{after}")
    return found


def test_a_streamed_answer_wraps_between_words(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    win = make_window(emulator)
    win.resize(780, 560)
    load(win, loop, STREAMER)
    win.request.editor.body.setPlainText('{"prompt": "a lighthouse keeper", "stream": true}')
    emulator.emulator.state.set_model_faults(STREAMER, "delay=0.002,count=1")
    try:
        assert send(win, loop, qtbot) == "finished"
    finally:
        emulator.emulator.state.set_model_faults(STREAMER, None)
    body = win.response.body_text
    paragraphs = visual_lines(body)
    assert sum(len(lines) - 1 for lines in paragraphs) >= 3  # narrow enough to wrap
    assert broken_words(paragraphs) == []


def test_a_word_too_long_to_wrap_cheaply_wraps_anywhere_until_cleared(qtbot: QtBot) -> None:
    view = ResponseView()
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    view.feed(TextChunk("short words first, then "))
    for _ in range(4):  # one word arriving in pieces
        view.feed(TextChunk("0f" * (LONGEST_WRAPPED_WORD // 6)))
    view.feed(TextChunk(" end"))
    view.cancelled()
    assert view.body_text.wordWrapMode() == QTextOption.WrapMode.WrapAnywhere
    view.clear()
    assert view.body_text.wordWrapMode() == QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
    view.feed(TextChunk("a lighthouse keeper " * 50))
    view.cancelled()
    assert view.body_text.wordWrapMode() == QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
    assert broken_words(visual_lines(view.body_text)) == []


def test_monospace_streaming_text_wraps_between_words(qtbot: QtBot) -> None:
    view = StreamingText()
    view.setFont(monospace_font())
    qtbot.addWidget(view)
    view.resize(230, 100)
    view.show()
    text = "the old lighthouse keeper watched the ships pass through storms and calm " * 8
    for start in range(0, len(text), 3):
        view.append(text[start : start + 3])
    lines = [view._line(i) for i in range(view.line_count())]
    assert len(lines) > 10
    assert broken_words([lines]) == []
