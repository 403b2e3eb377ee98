"""The app's own marks never show as boxes: each is a drawn icon or a character the UI font has."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest
from PySide6.QtGui import QFontMetrics, QImage, QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from playground import resources
from playground.core.chat.conversation import Turn
from playground.core.events import ToolCall
from playground.ui import theme
from playground.ui.chat.message_view import MessageView
from tests.ui.test_theme import contrast

ROOT = Path(__file__).resolve().parents[2]
DRAWN = [*sorted((ROOT / "playground" / "ui").rglob("*.py")), ROOT / "playground/core/text.py"]


def literal_characters(path: Path) -> dict[str, str]:
    """Every non-ASCII character in the file's string literals, with where it first is."""
    found: dict[str, str] = {}
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
            for char in token.string:
                if ord(char) > 127:
                    found.setdefault(char, f"{path.relative_to(ROOT)}:{token.start[0]}")
    return found


def test_every_character_the_ui_writes_is_in_the_ui_font(qapp: QApplication) -> None:
    metrics = QFontMetrics(qapp.font())
    missing = [
        f"{char!r} (U+{ord(char):04X}) at {where}"
        for path in DRAWN
        for char, where in literal_characters(path).items()
        if not metrics.inFontUcs4(ord(char))
    ]
    assert not missing, "not in " + qapp.font().family() + ":\n" + "\n".join(missing)


def test_a_tool_call_is_marked_with_a_drawn_icon(qtbot: QtBot) -> None:
    turn = Turn(
        "assistant", "", tool_calls=[ToolCall(0, "c1", "get_weather", '{"city": "<Zürich>"}')]
    )
    view = MessageView(turn)
    qtbot.addWidget(view)
    view.show_turn()
    view.show()
    qtbot.waitExposed(view)

    shown = QTextDocument()
    shown.setHtml(view.tools.text())
    assert shown.toPlainText().endswith(' get_weather({"city": "<Zürich>"})')  # as it came
    image = view.tools.grab().toImage()
    icon = QImage(str(resources.path("markers/tool.png"))).pixelColor(8, 8).name()
    drawn = sum(
        image.pixelColor(x, y).name() == icon
        for x in range(min(24, image.width()))
        for y in range(image.height())
    )
    assert drawn > 10, "the tool icon is not drawn at the start of the line"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_tool_icon_reads_on_either_theme(scheme: str) -> None:
    image = QImage(str(resources.path("markers/tool.png")))
    colours = {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }
    assert colours
    table = theme.PALETTES[scheme]
    for colour in colours:
        for background in ("window", "base"):
            assert contrast(colour, table[background]) >= theme.MARK, (colour, background)
