"""Plain text that grows at its end, laid out in time linear in its length, for streamed answers.

A QTextDocument re-lays a whole paragraph whenever text is added to it, so a long answer without
line breaks costs time quadratic in its length (26 ms per 16 ms batch at 110 KB). Greedy line
breaking only ever changes the last line when text is appended, so this view keeps the finished
lines and re-wraps just the last one with what came; it paints only the lines in view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import (
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QStaticText,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 4
FALLBACK_WIDTH = 600  # until the view has a width of its own
MAX_CACHED_LINES = 4000


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
    if not text.isascii() and max(text) > "\uffff":
        # Qt counts UTF-16 code units; characters outside the BMP take two.
        units = text.encode("utf-16-le")
        return [units[2 * s : 2 * (s + n)].decode("utf-16-le") for s, n in spans] or [""]
    return [text[s : s + n] for s, n in spans] or [""]


class StreamingText(QWidget):
    """Read-only wrapped text with `append`; its height follows its lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self._paragraphs: list[str] = []  # finished paragraphs (the text before each "\n")
        self._parts: list[str] = []  # the last paragraph, as it came
        self._lines: list[str] = []  # finished visual lines
        self._tail = ""  # the last line: the only one that text still to come can change
        self._layout = QTextLayout()
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._layout.setTextOption(option)
        self._wrap_width = 0.0
        self._static: dict[int, QStaticText] = {}
        self._update_font()

    # --- content -----------------------------------------------------------------------------

    def text(self) -> str:
        return "\n".join([*self._paragraphs, "".join(self._parts)])

    def clear(self) -> None:
        self._paragraphs, self._parts = [], []
        self._lines, self._tail = [], ""
        self._static.clear()
        self._update_height()
        self.update()

    def append(self, text: str) -> None:
        if not text:
            return
        first_changed = len(self._lines)
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                self._end_paragraph()
            if piece:
                self._parts.append(piece)
                self._tail += piece
                lines = wrap(self._tail, self._layout, self._width())
                self._lines.extend(lines[:-1])
                self._tail = lines[-1]
        self._update_height()
        spacing = self._metrics.lineSpacing()
        self.update(0, int(MARGIN + first_changed * spacing), self.width(), self.height())

    def _end_paragraph(self) -> None:
        self._lines.append(self._tail)
        self._paragraphs.append("".join(self._parts))
        self._parts, self._tail = [], ""

    def line_count(self) -> int:
        return len(self._lines) + 1

    # --- layout --------------------------------------------------------------------------------

    def _width(self) -> float:
        width = self.width() - 2 * MARGIN
        self._wrap_width = float(width if width > 0 else FALLBACK_WIDTH)
        return self._wrap_width

    def _update_font(self) -> None:
        self._layout.setFont(self.font())
        self._metrics = QFontMetricsF(self.font())

    def _rewrap(self) -> None:
        """Lay every line out again (the width or the font changed): once, linear in the text."""
        paragraphs, last = self._paragraphs, "".join(self._parts)
        width = self._width()
        self._lines = []
        self._static.clear()
        for paragraph in paragraphs:
            self._lines.extend(wrap(paragraph, self._layout, width))
        lines = wrap(last, self._layout, width)
        self._lines.extend(lines[:-1])
        self._tail = lines[-1]
        self._update_height()
        self.update()

    def _update_height(self) -> None:
        height = int(self.line_count() * self._metrics.lineSpacing() + 2 * MARGIN + 1)
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        return QSize(FALLBACK_WIDTH, self.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.width() - 2 * MARGIN != self._wrap_width and self.width() > 2 * MARGIN:
            self._rewrap()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_font()
            self._rewrap()

    def paintEvent(self, event: QPaintEvent) -> None:
        spacing = self._metrics.lineSpacing()
        rect = event.rect()
        total = self.line_count()
        first = max(0, int((rect.top() - MARGIN) // spacing))
        last = min(total, int((rect.bottom() - MARGIN) // spacing) + 1)
        if first >= last:
            return
        painter = QPainter(self)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(self.foregroundRole()))
        if len(self._static) > MAX_CACHED_LINES:
            self._static.clear()
        for index in range(first, last):
            painter.drawStaticText(QPointF(MARGIN, MARGIN + index * spacing), self._shaped(index))
        painter.end()

    def _shaped(self, index: int) -> QStaticText:
        """Line `index` shaped once (drawText would shape it again on every paint)."""
        line = self._lines[index] if index < len(self._lines) else self._tail
        static = self._static.get(index)
        if static is None or static.text() != line:
            static = QStaticText(line)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=self.font())
            self._static[index] = static
        return static
