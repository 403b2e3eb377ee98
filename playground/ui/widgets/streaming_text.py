"""Plain text that grows at its end, laid out in time linear in its length, for streamed answers;
selectable and copyable like a read-only text view.

A QTextDocument re-lays a whole paragraph whenever text is added to it, so a long answer without
line breaks costs time quadratic in its length (26 ms per 16 ms batch at 110 KB). Greedy line
breaking only ever changes the last line when text is appended, so this view keeps the finished
lines and re-wraps just the last one with what came; it paints only the lines in view.

A selection is two positions in the text (appending never moves them). Only the lines the mouse is
on, or that are selected and in view, are laid out again, each alone (LineProbe), to find where a
position is: selecting costs nothing that grows with the answer either.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QClipboard,
    QContextMenuEvent,
    QFocusEvent,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QStaticText,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from playground.ui.widgets.text_lines import (
    ADDITIVE,
    Advances,
    LineProbe,
    reveal,
    without_kerning,
    word_span,
    wrap,
    wrap_additive,
)

__all__ = ["StreamingText", "wrap"]

MARGIN = 4
FALLBACK_WIDTH = 600  # until the view has a width of its own
MAX_CACHED_LINES = 4000
KEYS = (QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.SelectAll)
PRINTABLE_ASCII = [chr(code) for code in range(32, 127)]


def _shortcut_text(key: QKeySequence.StandardKey) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


class StreamingText(QWidget):
    """Read-only wrapped text with `append`, selected with the mouse (or Ctrl+A) and copied with
    Ctrl+C or its context menu; its height follows its lines, so it sits in a scroll area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        # Growing taller repaints only the new strip (lines never move; a new width repaints all).
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # focus, so that it takes Ctrl+C
        self.setCursor(Qt.CursorShape.IBeamCursor)
        self._paragraphs: list[str] = []  # finished paragraphs (the text before each "\n")
        self._parts: list[str] = []  # the last paragraph, as it came
        self._lines: list[str] = []  # finished visual lines
        self._starts: list[int] = []  # where each finished line begins in text()
        self._tail = ""  # the last line: the only one that text still to come can change
        self._tail_start = 0
        self._anchor = self._cursor = 0  # the selection: where it began, where it ends
        self._word: tuple[int, int] | None = None  # a double-clicked word, while the drag goes on
        self._is_dragging = False
        self._layout = QTextLayout()
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._layout.setTextOption(option)
        self._probe = LineProbe()
        self._wrap_width = 0.0
        self._static: dict[int, QStaticText] = {}
        self._update_font()

    # --- content -----------------------------------------------------------------------------

    def text(self) -> str:
        return "\n".join([*self._paragraphs, "".join(self._parts)])

    def setText(self, text: str) -> None:
        self.clear()
        self.append(text)

    def clear(self) -> None:
        self._paragraphs, self._parts = [], []
        self._lines, self._starts, self._tail, self._tail_start = [], [], "", 0
        self._anchor = self._cursor = 0
        self._word, self._is_dragging = None, False
        self._static.clear()
        self._update_height()
        self.update()

    def append(self, text: str) -> int:
        """Add `text` at the end; how many lines the view grew by."""
        if not text:
            return 0
        first_changed = len(self._lines)
        width = self._width()
        first, *rest = text.split("\n")
        self._extend_tail(first, width)
        if rest:
            self._add_lines([self._tail])
            self._tail, self._tail_start = "", self._tail_start + 1  # past the "\n"
            self._paragraphs.append("".join(self._parts))
            self._parts = []
            self._add_paragraphs(rest[:-1], width)
            self._extend_tail(rest[-1], width)
        self._update_height()
        self._update_rows(first_changed, self.line_count())
        return len(self._lines) - first_changed

    def _extend_tail(self, piece: str, width: float) -> None:
        """The last paragraph goes on with `piece` (no "\n" in it): only its last line re-wraps."""
        if piece:
            self._parts.append(piece)
            lines = self._wrap(self._tail + piece, width)
            self._add_lines(lines[:-1])
            self._tail = lines[-1]

    def _add_paragraphs(self, paragraphs: list[str], width: float) -> None:
        """Whole paragraphs after the finished lines (the tail is empty): a JSON body has
        thousands, so this loop is kept tight."""
        lines, starts, start = self._lines, self._starts, self._tail_start
        widest = self._widest_ascii
        for paragraph in paragraphs:
            if len(paragraph) * widest <= width and paragraph.isascii() and paragraph.isprintable():
                lines.append(paragraph)  # it fits (see _wrap)
                starts.append(start)
                start += len(paragraph) + 1
                continue
            for line in self._wrap(paragraph, width):
                lines.append(line)
                starts.append(start)
                start += len(line)
            start += 1  # the "\n"
        self._paragraphs.extend(paragraphs)
        self._tail_start = start

    def _add_lines(self, lines: list[str]) -> None:
        """Finish `lines`, which begin where the last line did."""
        for line in lines:
            self._lines.append(line)
            self._starts.append(self._tail_start)
            self._tail_start += len(line)

    def line_count(self) -> int:
        return len(self._lines) + 1

    def _line(self, index: int) -> str:
        return self._lines[index] if index < len(self._lines) else self._tail

    def _start(self, index: int) -> int:
        return self._starts[index] if index < len(self._starts) else self._tail_start

    def _line_of(self, position: int) -> int:
        if position >= self._tail_start:
            return len(self._lines)
        return max(0, bisect_right(self._starts, position) - 1)

    def _length(self) -> int:
        return self._tail_start + len(self._tail)

    # --- selection -----------------------------------------------------------------------------

    def has_selection(self) -> bool:
        return self._anchor != self._cursor

    def selected_text(self) -> str:
        """The selected part of the text as it came: a line the view wrapped has no line break."""
        low, high = sorted((self._anchor, self._cursor))
        return self.text()[low:high] if low < high else ""

    def select_all(self) -> None:
        self._word = None
        self._select(0, self._length())

    def copy(self) -> None:
        """Put the selected text on the clipboard (nothing selected: the clipboard is left be)."""
        if self.has_selection():
            QGuiApplication.clipboard().setText(self.selected_text())

    def create_context_menu(self) -> QMenu:
        """Copy and Select All, as a read-only text view offers them."""
        menu = QMenu(self)
        copy = menu.addAction(f"&Copy\t{_shortcut_text(KEYS[0])}")
        copy.setEnabled(self.has_selection())
        copy.triggered.connect(self.copy)
        select_all = menu.addAction(f"Select &All\t{_shortcut_text(KEYS[1])}")
        select_all.setEnabled(self._length() > 0)
        select_all.triggered.connect(self.select_all)
        return menu

    def _select(self, anchor: int, cursor: int) -> None:
        old = (self._anchor, self._cursor)
        self._anchor, self._cursor = anchor, cursor
        if old != (anchor, cursor):
            # the same anchor: only the lines between the old end and the new one change
            changed = (old[1], cursor) if old[0] == anchor else (*old, anchor, cursor)
            self._update_rows(self._line_of(min(changed)), self._line_of(max(changed)) + 1)

    def _position_at(self, point: QPointF, *, on_character: bool = False) -> int:
        """The position in the text nearest to `point` (or of the character under it)."""
        row = int((point.y() - MARGIN) // self._metrics.lineSpacing())
        if row < 0:
            return 0
        if row >= self.line_count():
            return self._length()
        line = self._line(row)
        x = point.x() - MARGIN
        return self._start(row) + self._probe.position_at(line, x, on_character=on_character)

    # --- events --------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        position = self._position_at(event.position())
        extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self._word, self._is_dragging = None, True
        self._select(self._anchor if extend else position, position)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self._is_dragging:
            super().mouseMoveEvent(event)
            return
        position = self._position_at(event.position())
        if self._word is None:
            self._select(self._anchor, position)
        else:  # after a double-click the drag keeps the whole word
            start, end = self._word
            if position < start:
                self._select(end, position)
            else:
                self._select(start, max(position, end))
        reveal(self, event.position().toPoint(), int(self._metrics.lineSpacing()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._is_dragging = False
        clipboard = QGuiApplication.clipboard()
        if self.has_selection() and clipboard.supportsSelection():
            clipboard.setText(self.selected_text(), QClipboard.Mode.Selection)  # X11 middle-click

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        position = self._position_at(event.position(), on_character=True)
        start, end = word_span(self.text(), position)
        self._word, self._is_dragging = (start, end), True
        self._select(start, end)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        else:
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Ctrl+C and Ctrl+A are this view's while it has focus, even if a window action has them.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and any(event.matches(key) for key in KEYS)
        ):
            event.accept()
            return True
        return super().event(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.create_context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())  # never exec(): a nested loop would run asyncio tasks

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.has_selection():
            self.update()  # the selection turns from the inactive colours to the active ones

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.has_selection():
            self.update()

    # --- layout --------------------------------------------------------------------------------

    def _width(self) -> float:
        width = self.width() - 2 * MARGIN
        self._wrap_width = float(width if width > 0 else FALLBACK_WIDTH)
        return self._wrap_width

    def _wrap(self, text: str, width: float) -> list[str]:
        # A short line of printable ASCII fits whatever its letters: no layout needed (most lines
        # of a JSON body: setting 128 K of it took 88 ms with a layout per line, 7 ms without);
        # Latin, punctuation and symbols are broken by adding up their advances (the font has no
        # kerning): a fast stream's answer wraps four times faster so.
        if len(text) * self._widest_ascii <= width and text.isascii() and text.isprintable():
            return [text]
        if ADDITIVE.fullmatch(text):
            return wrap_additive(text, self._advances, width)
        return wrap(text, self._layout, width)

    def _update_font(self) -> None:
        if (font := without_kerning(self.font())) is not None:  # see _wrap
            self.setFont(font)  # its FontChange comes back here
            return
        self._layout.setFont(self.font())
        self._probe.set_font(self.font())
        self._metrics = QFontMetricsF(self.font())
        self._advances = Advances(self._metrics)
        self._widest_ascii = max(self._advances[char] for char in PRINTABLE_ASCII)

    def _rewrap(self) -> None:
        """Lay every line out again (the width or the font changed): once, linear in the text."""
        width = self._width()
        paragraphs, self._paragraphs = self._paragraphs, []
        self._lines, self._starts, self._tail_start = [], [], 0
        self._static.clear()
        self._add_paragraphs(paragraphs, width)
        lines = self._wrap("".join(self._parts), width)
        self._add_lines(lines[:-1])
        self._tail = lines[-1]
        self._update_height()
        self.update()

    def _update_height(self) -> None:
        height = int(self.line_count() * self._metrics.lineSpacing() + 2 * MARGIN + 1)
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def _update_rows(self, first: int, last: int) -> None:
        """Repaint lines first..last-1 (Qt clips it to the part in view)."""
        spacing = self._metrics.lineSpacing()
        top = int(MARGIN + first * spacing)
        self.update(0, top, self.width(), int((last - first) * spacing) + 2)

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

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        spacing = self._metrics.lineSpacing()
        rect = event.rect()
        first = max(0, int((rect.top() - MARGIN) // spacing))
        last = min(self.line_count(), int((rect.bottom() - MARGIN) // spacing) + 1)
        if first >= last:
            return
        painter = QPainter(self)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(self.foregroundRole()))
        if len(self._static) > MAX_CACHED_LINES:
            self._static.clear()
        low, high = sorted((self._anchor, self._cursor))
        for index in range(first, last):
            at = QPointF(MARGIN, MARGIN + index * spacing)
            painter.drawStaticText(at, self._shaped(index))
            if low < high:
                self._paint_selection(painter, index, at, low, high)
        painter.end()

    def _paint_selection(
        self, painter: QPainter, index: int, at: QPointF, low: int, high: int
    ) -> None:
        """The selected part of line `index` in the highlight colours, over what was painted."""
        start = self._start(index)
        line = self._line(index)
        end = start + len(line)
        # a paragraph's "\n" is selected: the highlight runs a space beyond its last line
        newline = high > end and index + 1 < self.line_count() and self._start(index + 1) > end
        begin, stop = max(low, start), min(high, end)
        if begin >= stop and not newline:
            return
        x1 = self._probe.x_of(line, begin - start)
        x2 = self._probe.x_of(line, stop - start) if begin < stop else x1
        if newline:
            x2 += self._metrics.horizontalAdvance(" ")
        area = QRectF(at.x() + x1, at.y(), x2 - x1, self._metrics.lineSpacing())
        group = QPalette.ColorGroup.Active if self.hasFocus() else QPalette.ColorGroup.Inactive
        palette = self.palette()
        painter.fillRect(area, palette.color(group, QPalette.ColorRole.Highlight))
        painter.save()
        painter.setClipRect(area)
        painter.setPen(palette.color(group, QPalette.ColorRole.HighlightedText))
        painter.drawStaticText(at, self._shaped(index))
        painter.restore()

    def _shaped(self, index: int) -> QStaticText:
        """Line `index` shaped once (drawText would shape it again on every paint)."""
        line = self._line(index)
        static = self._static.get(index)
        if static is None or static.text() != line:
            static = QStaticText(line)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=self.font())
            self._static[index] = static
        return static
