"""The streaming text view: text appended in pieces wraps exactly as the whole text would, and a
person selects and copies it as in any text view."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import (
    QClipboard,
    QContextMenuEvent,
    QFontMetricsF,
    QGuiApplication,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from playground.ui.widgets.fonts import monospace_font
from playground.ui.widgets.streaming_text import MARGIN, StreamingText, wrap
from playground.ui.widgets.text_lines import LineProbe, wrap_additive

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


LATIN = (
    " ".join(
        [
            "Short",
            "answer",
            "about",
            "“Count",
            "for",
            "me,",
            "please.”:",
            "it",
            "comes",
            "down",
            "to",
            "one",
            "idea,",
            "stated",
            "plainly.",
            "✓",
            "AVAV",
            "To",
            "café",
            "—",
            "well-known",
            "→",
            "r,",
            "y.",
            "12,5",
            "€",
        ]
        * 40
    )
    + "  two spaces  and "
    + "averyveryverylongwordwithoutanyspacethatmustbebrokenanywhere" * 3
)


@pytest.mark.parametrize("width", [137, 420, 900])
def test_latin_text_is_wrapped_by_adding_up_its_characters(qtbot: QtBot, width: int) -> None:
    # Latin, punctuation and symbols are not laid out to be wrapped (the font has no kerning, so
    # each character is as wide anywhere): the lines fit as Qt lays them out, and each is as long
    # as it can be, broken after a space, or inside a word longer than a line.
    view = make(qtbot, width)
    assert not view.font().kerning()
    for at in range(0, len(LATIN), 97):
        view.append(LATIN[at : at + 97])
    lines = [*view._lines, view._tail]
    room = view.width() - 2 * MARGIN
    assert "".join(lines) == LATIN
    assert lines == wrap_additive(LATIN, view._advances, room)  # in pieces as at once
    probe = LineProbe()
    probe.set_font(view.font())
    broken_inside = 0
    for line, after in pairwise(lines):
        shown = line.rstrip(" ")  # spaces at the end hang past the edge
        assert probe.x_of(shown, len(shown)) <= room
        if line.endswith(" "):
            longer = line + after.split(" ")[0]
            assert probe.x_of(longer, len(longer)) > room  # the next word did not fit
        else:
            assert " " not in line
            broken_inside += 1
    assert len(lines) > 5
    assert broken_inside >= (2 if width < 800 else 0)


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


# --- selecting and copying, as a person does it --------------------------------------------------

WORDS = [f"{letter * 8}{i % 10}" for i, letter in enumerate("abcdefghijklmnopqrstuvwxyz")]
# nine letters and a space each: in a view 30.5 cells wide every line holds three words
PARAGRAPH = " ".join(WORDS[:12])


class Grid:
    """Where a person points in a monospace view: the place before column `col` of line `row`."""

    def __init__(self, view: StreamingText) -> None:
        metrics = QFontMetricsF(view.font())
        self.cell = metrics.horizontalAdvance("x")
        self.spacing = metrics.lineSpacing()

    def at(self, row: int, col: float) -> QPoint:
        return QPoint(
            round(MARGIN + (col + 0.3) * self.cell), round(MARGIN + (row + 0.5) * self.spacing)
        )

    def x(self, row: int, x: float) -> QPoint:
        return QPoint(round(MARGIN + x), round(MARGIN + (row + 0.5) * self.spacing))


@pytest.fixture
def clipboard(qapp: QApplication) -> Iterator[QClipboard]:
    board = QGuiApplication.clipboard()
    board.setText("(nothing copied)")
    yield board
    board.clear()


def mono_view(qtbot: QtBot, text: str) -> tuple[StreamingText, Grid]:
    view = StreamingText()
    qtbot.addWidget(view)
    view.setFont(monospace_font())
    metrics = QFontMetricsF(view.font())
    widths = {char: metrics.horizontalAdvance(char) for char in "il.MW@"}
    assert len(set(widths.values())) == 1, widths  # a Grid counts in cells of one width
    grid = Grid(view)
    view.resize(round(2 * MARGIN + 30.5 * grid.cell), 100)
    view.show()
    view.setText(text)
    return view, grid


def drag(qtbot: QtBot, view: QWidget, start: QPoint, end: QPoint) -> None:
    left = Qt.MouseButton.LeftButton
    qtbot.mousePress(view, left, pos=start)
    qtbot.mouseMove(view, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, left, pos=end)


def ctrl(qtbot: QtBot, view: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(view, key, Qt.KeyboardModifier.ControlModifier)


def test_a_drag_across_wrapped_lines_copies_the_text_without_their_breaks(
    qtbot: QtBot, clipboard: QClipboard
) -> None:
    view, grid = mono_view(qtbot, PARAGRAPH)
    assert view.line_count() == 4  # what the person sees: twelve words on four lines
    drag(qtbot, view, grid.at(0, 4), grid.at(2, 7))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == PARAGRAPH[4:67]
    assert "\n" not in clipboard.text()
    # backwards, from the end of a line to the start of the first: the same rule
    drag(qtbot, view, grid.at(1, 40), grid.at(0, 0))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == PARAGRAPH[:60]


def test_a_drag_across_paragraphs_copies_their_line_break(
    qtbot: QtBot, clipboard: QClipboard
) -> None:
    text = f"{PARAGRAPH}\n\nsecond paragraph"
    view, grid = mono_view(qtbot, text)
    assert view.line_count() == 6
    drag(qtbot, view, grid.at(3, 10), grid.at(5, 6))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == f"{PARAGRAPH[100:]}\n\nsecond"


def test_emoji_count_once_when_selected_and_copied(qtbot: QtBot, clipboard: QClipboard) -> None:
    view, grid = mono_view(qtbot, "smile 😀 please\nrocket 🚀🚀 launch")
    rockets = QFontMetricsF(view.font()).horizontalAdvance("rocket 🚀🚀")
    drag(qtbot, view, grid.at(0, 6), grid.x(1, rockets + 0.3 * grid.cell))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == "😀 please\nrocket 🚀🚀"
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=grid.at(1, 2))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == "rocket"


def test_double_click_selects_a_word_and_ctrl_a_everything(
    qtbot: QtBot, clipboard: QClipboard
) -> None:
    view, grid = mono_view(qtbot, f"{PARAGRAPH}\nlast_one, done.")
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=grid.at(1, 14))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == WORDS[4]
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=grid.at(4, 3))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == "last_one"
    ctrl(qtbot, view, Qt.Key.Key_A)
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == f"{PARAGRAPH}\nlast_one, done."


def test_a_click_clears_the_selection_and_copy_leaves_the_clipboard_be(
    qtbot: QtBot, clipboard: QClipboard
) -> None:
    view, grid = mono_view(qtbot, PARAGRAPH)
    ctrl(qtbot, view, Qt.Key.Key_A)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=grid.at(1, 3))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == "(nothing copied)"


def test_the_selection_stays_while_text_streams_in(qtbot: QtBot, clipboard: QClipboard) -> None:
    view, grid = mono_view(qtbot, "")
    for word in WORDS[:7]:
        view.append(word + " ")
    drag(qtbot, view, grid.at(0, 10), grid.at(1, 9))
    for word in WORDS[7:]:  # the answer goes on growing, a line break among it
        view.append(word + ("\n" if word == WORDS[12] else " "))
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == " ".join(WORDS[1:4])
    assert view.text().startswith(PARAGRAPH)
    ctrl(qtbot, view, Qt.Key.Key_A)
    view.append("the end")
    ctrl(qtbot, view, Qt.Key.Key_C)
    assert clipboard.text() == view.text().removesuffix("the end")


# a popup menu, offscreen: the plugin cannot raise it or grab the keyboard for it
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_the_context_menu_copies_the_selection(qtbot: QtBot, clipboard: QClipboard) -> None:
    view, grid = mono_view(qtbot, PARAGRAPH)
    drag(qtbot, view, grid.at(0, 0), grid.at(0, 9))
    point = grid.at(0, 3)
    QApplication.sendEvent(
        view, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, view.mapToGlobal(point))
    )
    menu = view.findChild(QMenu)
    assert menu is not None
    assert menu.isVisible()
    actions = {action.text().split("\t")[0].replace("&", ""): action for action in menu.actions()}
    assert actions["Copy"].isEnabled()
    actions["Copy"].trigger()
    menu.close()
    assert clipboard.text() == WORDS[0]


def highlighted_rows(view: StreamingText, grid: Grid) -> list[int]:
    """The rows in which the grabbed picture shows the palette's highlight colour."""
    image = view.grab().toImage()
    colours = {
        view.palette().color(group, QPalette.ColorRole.Highlight).rgb()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    }
    rows = []
    for row in range(view.line_count()):
        y = grid.at(row, 0).y()
        if any(image.pixel(x, y) in colours for x in range(image.width())):
            rows.append(row)
    return rows


def test_the_selection_is_painted_in_the_highlight_colours(qtbot: QtBot) -> None:
    view, grid = mono_view(qtbot, f"{PARAGRAPH}\nlast")
    assert highlighted_rows(view, grid) == []
    drag(qtbot, view, grid.at(1, 5), grid.at(2, 5))
    assert highlighted_rows(view, grid) == [1, 2]
    ctrl(qtbot, view, Qt.Key.Key_A)
    assert highlighted_rows(view, grid) == [0, 1, 2, 3, 4]
