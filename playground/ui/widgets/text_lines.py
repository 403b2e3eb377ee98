"""Lines of plain text for StreamingText: wrapping a paragraph, one visual line laid out alone to
map between x and a position in it (hit tests, selection; Qt counts UTF-16 units, Python does not),
and scrolling a drag into view."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from PySide6.QtCore import QPoint
from PySide6.QtGui import QFont, QFontMetricsF, QTextLayout, QTextLine, QTextOption
from PySide6.QtWidgets import QScrollArea, QWidget

UNWRAPPED_WIDTH = 1_000_000.0  # wider than any visual line: a probed line is never broken again


def wrap(text: str, layout: QTextLayout, width: float) -> list[str]:
    """`text` (one paragraph) broken into the lines Qt would show at `width`."""
    layout.setText(text)
    layout.beginLayout()
    spans: list[tuple[int, int]] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    if has_astral(text):
        # Qt counts UTF-16 code units; characters outside the BMP take two.
        units = text.encode("utf-16-le")
        return [units[2 * s : 2 * (s + n)].decode("utf-16-le") for s, n in spans] or [""]
    return [text[s : s + n] for s, n in spans] or [""]


# Characters as wide wherever they stand in a font without kerning or ligatures: Latin (Latin-1
# and Latin Extended, but the soft hyphen), punctuation (curly quotes, dashes), currency and
# symbols (arrows, maths, dingbats such as a check mark). Not combining marks, invisible or
# direction marks, scripts shaped in context, emoji: text with one of those is laid out by Qt.
ADDITIVE = re.compile(
    "[\x20-\x7e\xa0-\xac\xae-\u02af\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\u2100-\u27bf]*"
)


class Advances(dict[str, float]):
    """Each character's advance in `metrics`, measured the first time it is asked for."""

    def __init__(self, metrics: QFontMetricsF) -> None:
        super().__init__()
        self._metrics = metrics

    def __missing__(self, char: str) -> float:
        width = self[char] = self._metrics.horizontalAdvance(char)
        return width

    def offsets(self, text: str) -> list[float]:
        """Where each position in ADDITIVE `text` is: 0 before its first character, its width
        after the last."""
        return list(accumulate(map(self.__getitem__, text), initial=0.0))


def without_kerning(font: QFont) -> QFont | None:
    """`font` without kerning or ligatures, where a character is as wide wherever it stands (so
    ADDITIVE text is measured by adding up its characters); None when it is so already."""
    if not font.kerning():
        return None
    even = QFont(font)
    even.setKerning(False)
    for feature in ("liga", "calt"):
        even.setFeature(QFont.Tag(feature), 0)
    return even


def wrap_additive(text: str, advances: Advances, width: float) -> list[str]:
    """`text` (one paragraph of ADDITIVE text) in lines `width` wide, its characters' advances
    added up, not laid out (four times faster): broken after the last space that fits (spaces
    hang past the edge, as in Qt), or inside a word longer than a line."""
    offsets = advances.offsets(text)
    size = len(text)
    lines: list[str] = []
    start = 0  # where the line begins
    while True:
        fit = bisect_right(offsets, offsets[start] + width, start + 1) - 1  # text[start:fit] fits
        if fit >= size:
            lines.append(text[start:])
            return lines
        cut = text.rfind(" ", start, fit + 1) + 1  # after the last space that fits (or hangs)
        if cut <= start or not text[start:cut].strip(" "):  # a word longer than the line
            cut = max(fit, start + 1)
        while cut < size and text[cut] == " ":
            cut += 1
        lines.append(text[start:cut])
        if cut >= size:
            return lines
        start = cut


def has_astral(text: str) -> bool:
    """Whether `text` has characters outside the BMP (emoji), which Qt counts as two units."""
    return not text.isascii() and max(text) > "\uffff"


def to_units(text: str, index: int) -> int:
    """The UTF-16 offset of `text[index]`."""
    if not has_astral(text):
        return index
    return index + sum(1 for char in text[:index] if char > "\uffff")


def from_units(text: str, units: int) -> int:
    """The index in `text` of the UTF-16 offset `units` (inside a pair: the character after)."""
    if not has_astral(text):
        return min(units, len(text))
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if char > "\uffff" else 1
    return len(text)


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def word_span(text: str, index: int) -> tuple[int, int]:
    """The word around `text[index]` (start, end); a character that is no word is one alone."""
    if index >= len(text) or text[index] == "\n":
        if index == 0 or text[index - 1] == "\n":
            return index, index
        index -= 1  # past the end of a line: its last word
    if not is_word_char(text[index]):
        return index, index + 1
    start, end = index, index + 1
    while start > 0 and is_word_char(text[start - 1]):
        start -= 1
    while end < len(text) and is_word_char(text[end]):
        end += 1
    return start, end


class LineProbe:
    """One visual line laid out by itself, as QStaticText paints it; positions are Python indices."""

    def __init__(self) -> None:
        self._layout = QTextLayout()
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        self._layout.setTextOption(option)
        self._text: str | None = None
        self._line: QTextLine | None = None

    def set_font(self, font: QFont) -> None:
        self._layout.setFont(font)
        self._text = None

    def _laid_out(self, text: str) -> QTextLine:
        if self._line is None or text != self._text:
            self._layout.setText(text)
            self._layout.beginLayout()
            line = self._layout.createLine()
            line.setLineWidth(UNWRAPPED_WIDTH)
            self._layout.endLayout()
            self._text, self._line = text, line
        return self._line

    def position_at(self, text: str, x: float, *, on_character: bool = False) -> int:
        """The index in `text` nearest to `x` (or of the character under it)."""
        how = (
            QTextLine.CursorPosition.CursorOnCharacter
            if on_character
            else QTextLine.CursorPosition.CursorBetweenCharacters
        )
        return from_units(text, self._laid_out(text).xToCursor(x, how))

    def x_of(self, text: str, index: int) -> float:
        # PySide6 gives (x, the cursor position) for C++'s in-out `int *cursorPos`
        found = self._laid_out(text).cursorToX(to_units(text, index))
        assert isinstance(found, tuple)
        return float(found[0])


def reveal(widget: QWidget, point: QPoint, margin: int) -> None:
    """Scroll the scroll area around `widget` so that `point` in it (where a drag is) is in view."""
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    content = area.widget() if area is not None else None
    if area is not None and content is not None and content.isAncestorOf(widget):
        at = widget.mapTo(content, point)
        area.ensureVisible(at.x(), at.y(), 0, margin)
