"""The streaming text view: text appended in pieces wraps exactly as the whole text would."""

from __future__ import annotations

from PySide6.QtGui import QTextLayout, QTextOption
from pytestqt.qtbot import QtBot

from playground.ui.widgets.streaming_text import StreamingText, wrap

TEXT = (
    "Short answer about “cold starts”: it comes down to one idea, stated plainly. ✓ "
    "日本語のテキストも折り返されます。 Emoji 🚀🎉 outside the BMP, and averyveryverylongword"
    "withoutanyspaceatallthatmustbebrokenanywhere. "
) * 6


def layout() -> QTextLayout:
    text_layout = QTextLayout()
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    text_layout.setTextOption(option)
    return text_layout


def make(qtbot: QtBot, width: int = 420) -> StreamingText:
    view = StreamingText()
    qtbot.addWidget(view)
    view.resize(width, 100)
    view.show()
    return view


def test_appending_in_pieces_gives_the_lines_of_one_layout(qtbot: QtBot) -> None:
    view = make(qtbot)
    pieces = [TEXT[i : i + 7] for i in range(0, len(TEXT), 7)]
    for piece in pieces:
        view.append(piece)
    text_layout = layout()
    text_layout.setFont(view.font())
    whole = wrap(TEXT, text_layout, view.width() - 8)
    assert view.text() == TEXT
    assert [*view._lines, view._tail] == whole
    assert "".join(whole) == TEXT  # no character lost or doubled, emoji included
    assert view.line_count() > 10
    assert view.height() > view.line_count() * 10


def test_newlines_make_paragraphs_and_a_resize_rewraps(qtbot: QtBot) -> None:
    view = make(qtbot, 300)
    view.append("first paragraph\n\nthird ")
    view.append("paragraph grows\nfourth")
    assert view.text() == "first paragraph\n\nthird paragraph grows\nfourth"
    narrow = view.line_count()
    view.resize(900, 100)
    qtbot.waitUntil(lambda: view.line_count() == 4)
    assert narrow >= 4
    assert view.text() == "first paragraph\n\nthird paragraph grows\nfourth"
    view.clear()
    assert view.text() == ""
    assert view.line_count() == 1
