"""An answer's tokens tinted by how likely the model found each, with the likeliest alternatives
on hover. Tokens are appended once per frame batch; tints are painted only for the lines in view."""

from __future__ import annotations

import html
import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from playground.core.logprobs import TokenLogprob
from playground.ui.widgets.streaming_text import MARGIN, StreamingText
from playground.ui.widgets.text_lines import ADDITIVE

# Probability floors and their tints, likeliest first: a sure token is left plain, a doubtful one
# shows warmer. Translucent, so they read on the light and the dark theme alike.
TINTS: tuple[tuple[float, QColor | None], ...] = (
    (0.9, None),
    (0.6, QColor(240, 200, 40, 70)),
    (0.3, QColor(245, 150, 30, 100)),
    (0.1, QColor(235, 80, 40, 120)),
    (0.0, QColor(220, 30, 30, 150)),
)


def probability(logprob: float) -> float:
    return math.exp(logprob) if logprob > -700 else 0.0


# The floors' logs, lowest first: compared without exp(), found by bisection (once per token).
_LOG_FLOORS = sorted(math.log(floor) for floor, _ in TINTS[:-1])


def tint_index(logprob: float) -> int:
    """Which of TINTS a token's log probability falls in."""
    return len(_LOG_FLOORS) - bisect_right(_LOG_FLOORS, logprob)


def alternatives_html(token: TokenLogprob) -> str:
    """The hover text: the token and its probability, then its alternatives."""
    rows = [f"<b>{html.escape(repr(token.token))}</b> {probability(token.logprob):.1%}"]
    for alt in token.top:
        if alt.token != token.token:
            rows.append(f"{html.escape(repr(alt.token))} {probability(alt.logprob):.1%}")
    return "<br>".join(rows)


class LogprobsText(StreamingText):
    """The streamed-text view (linear in the answer's length, whatever its paragraphs) with a
    tint behind each doubtful token, painted only for the lines in view; `append_tokens` adds a
    batch, hovering a token names its alternatives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logprobsText")
        self._tokens: list[TokenLogprob] = []
        self._token_starts: list[int] = []  # each token's first character in the text
        self._run_starts: list[int] = []  # runs of one tint: where each begins, and its tint
        self._run_tints: list[int] = []
        self._token_chars = 0
        self._tint_rows: dict[int, list[tuple[int, list[QRectF]]]] = {}  # finished lines'
        self._tint_width = 0.0  # the wrap width they were measured at

    def clear_tokens(self) -> None:
        self.clear()
        self._tokens, self._token_starts, self._token_chars = [], [], 0
        self._run_starts, self._run_tints = [], []
        self._tint_rows.clear()

    def token_count(self) -> int:
        return len(self._tokens)

    def toPlainText(self) -> str:
        return self.text()

    def append_tokens(self, tokens: Sequence[TokenLogprob]) -> int:
        """Add tokens at the end (one append of their text; a tint run only where one changes);
        how many lines the view grew by."""
        pieces = []
        starts, run_starts, run_tints = self._token_starts, self._run_starts, self._run_tints
        at = self._token_chars
        last = run_tints[-1] if run_tints else -1
        for token in tokens:
            tint = tint_index(token.logprob)
            if tint != last:
                run_starts.append(at)
                run_tints.append(tint)
                last = tint
            starts.append(at)
            at += len(token.token)
            pieces.append(token.token)
        self._tokens.extend(tokens)
        self._token_chars = at
        return self.append("".join(pieces))

    def set_tokens(self, tokens: list[TokenLogprob]) -> None:
        self.clear_tokens()
        self.append_tokens(tokens)

    def token_at(self, position: int) -> TokenLogprob | None:
        """The token holding character `position` of the text."""
        index = bisect_right(self._token_starts, position) - 1
        if 0 <= index < len(self._tokens) and position < self._token_chars:
            return self._tokens[index]
        return None

    def tint_at(self, position: int) -> QColor | None:
        """The tint behind character `position` (None: untinted)."""
        run = bisect_right(self._run_starts, position) - 1
        return TINTS[self._run_tints[run]][1] if run >= 0 and position < self._token_chars else None

    def point_of(self, position: int) -> QPointF:
        """The middle of character `position` on the widget (where a person would point)."""
        row = self._line_of(position)
        line, start = self._line(row), self._start(row)
        x = (
            self._probe.x_of(line, position - start) + self._probe.x_of(line, position - start + 1)
        ) / 2
        return QPointF(MARGIN + x, MARGIN + (row + 0.5) * self._metrics.lineSpacing())

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._run_starts:
            self._paint_tints(event.rect().top(), event.rect().bottom())
        super().paintEvent(event)  # the text, over the tints

    def _paint_tints(self, top: int, bottom: int) -> None:
        spacing = self._metrics.lineSpacing()
        first = max(0, int((top - MARGIN) // spacing))
        last = min(self.line_count(), int((bottom - MARGIN) // spacing) + 1)
        if self._tint_width != self._wrap_width:  # lines wrapped anew: their spans moved
            self._tint_rows.clear()
            self._tint_width = self._wrap_width
        finished = self.line_count() - 1  # the last line still grows; the others are done
        by_tint: list[list[QRectF]] = [[] for _ in TINTS]
        for row in range(first, last):
            spans = self._tint_rows.get(row) if row < finished else None
            if spans is None:
                spans = self._row_tints(row, MARGIN + row * spacing, spacing)
                if row < finished:
                    self._tint_rows[row] = spans
            for tint, rects in spans:
                by_tint[tint].extend(rects)
        # One call per tint for all the spans in view (hundreds of them on a doubtful answer).
        painter = QPainter(self)
        painter.setPen(Qt.PenStyle.NoPen)
        for (_, colour), rects in zip(TINTS, by_tint, strict=True):
            if rects and colour is not None:
                painter.setBrush(colour)
                painter.drawRects(rects)
        painter.end()

    def _row_tints(self, row: int, y: float, height: float) -> list[tuple[int, list[QRectF]]]:
        """The tinted spans of line `row` where it is painted, grouped by tint: (tint, areas)."""
        line, start = self._line(row), self._start(row)
        end = start + len(line)
        groups: dict[int, list[QRectF]] = {}
        x_of: Callable[[int], float]
        if ADDITIVE.fullmatch(line):  # where each character begins: advances added up
            x_of = self._advances.offsets(line).__getitem__
        else:
            x_of = partial(self._probe.x_of, line)  # the line laid out once for all its spans
        run_starts, run_tints = self._run_starts, self._run_tints
        run = max(0, bisect_right(run_starts, start) - 1)
        low, x1 = start, None  # where this run begins on the line, and its x when known
        while run < len(run_starts) and run_starts[run] < end:
            high = min(end, run_starts[run + 1]) if run + 1 < len(run_starts) else end
            tint = run_tints[run]
            if TINTS[tint][1] is None:
                x1 = None
            else:
                if x1 is None:
                    x1 = x_of(low - start)
                x2 = x_of(high - start)  # where the next run begins, too
                groups.setdefault(tint, []).append(QRectF(MARGIN + x1, y, x2 - x1, height))
                x1 = x2
            low = high
            run += 1
        return list(groups.items())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            position = self._position_at(QPointF(event.pos()), on_character=True)
            token = self.token_at(position)
            if token is not None:
                QToolTip.showText(event.globalPos(), alternatives_html(token), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
