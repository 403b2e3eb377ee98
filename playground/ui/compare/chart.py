"""A small painted chart of repeat runs: p50 bars with p95 whiskers per column, one panel per timing."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.core.compare.results import ColumnSummary, Figure
from playground.core.text import human_time
from playground.ui import theme

# One colour per column (A … F): distinct, readable on white, and the same in headers and chart.
COLUMN_COLOURS = tuple(f"series_{i}" for i in range(6))  # colours of playground/ui/theme.py
TIMINGS: tuple[tuple[Figure, str], ...] = (("ttfb", "TTFB"), ("ttft", "TTFT"), ("total", "Total"))
_AXIS = "border"
_TEXT = "text"
_MUTED = "muted"


@dataclass(frozen=True)
class Bar:
    """One column's bar for one timing, in seconds: warm p50 and p95, and its cold run if any."""

    p50: float
    p95: float
    runs: int
    cold: float | None = None


@dataclass
class ChartData:
    """Column letters and, per timing (`ttfb`, `ttft`, `total`), one Bar (or None) per column."""

    columns: list[str] = field(default_factory=list)
    spreads: dict[str, list[Bar | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, letters: list[str], summaries: list[ColumnSummary]) -> ChartData:
        """The chart of core's per-column summaries (warm percentiles, cold runs apart)."""
        data = cls(list(letters))
        for key, _name in TIMINGS:
            bars: list[Bar | None] = []
            for summary in summaries:
                warm, cold = summary.warm[key], summary.cold[key]
                if warm.p50 is not None and warm.p95 is not None:
                    bars.append(Bar(warm.p50, warm.p95, warm.n, cold.p50))
                else:
                    bars.append(None)
            data.spreads[key] = bars
        return data

    @property
    def is_empty(self) -> bool:
        return not any(s for spreads in self.spreads.values() for s in spreads)


class PercentileChartView(QWidget):
    """Bars at p50, a whisker to p95, a hollow dot for a cold run kept apart; painted, not charted
    (PySide6-Essentials has no QtCharts)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = ChartData()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(170)

    def sizeHint(self) -> QSize:
        return QSize(720, 190)

    def set_data(self, data: ChartData) -> None:
        self._data = data
        self.update()

    def data(self) -> ChartData:
        return self._data

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.colour("base")))
        data = self._data
        if data.is_empty:
            painter.setPen(QColor(theme.colour(_MUTED)))
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                "Repeat the comparison to see p50 and p95",
            )
            painter.end()
            return
        shown = [(key, name) for key, name in TIMINGS if any(data.spreads.get(key) or [])]
        width = self.width() - 16
        panel_width = width / max(1, len(shown))
        for i, (key, name) in enumerate(shown):
            rect = QRectF(8 + i * panel_width, 6, panel_width - 12, self.height() - 28)
            self._paint_panel(painter, rect, name, data.spreads.get(key) or [])
        self._paint_legend(painter)
        painter.end()

    def _paint_panel(
        self, painter: QPainter, rect: QRectF, name: str, spreads: list[Bar | None]
    ) -> None:
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.85))
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(theme.colour(_TEXT)))
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), 18), name)
        top = max(
            (max(s.p95, s.cold or 0.0) for s in spreads if s is not None),
            default=0.0,
        )
        if top <= 0:
            return
        plot = QRectF(rect.left(), rect.top() + 34, rect.width(), rect.height() - 40)
        painter.setPen(QPen(QColor(theme.colour(_AXIS)), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        slot = plot.width() / max(1, len(spreads))
        bar = min(34.0, slot * 0.55)
        painter.setFont(small)
        for index, spread in enumerate(spreads):
            if spread is None:
                continue
            colour = QColor(theme.colour(COLUMN_COLOURS[index % len(COLUMN_COLOURS)]))
            centre = plot.left() + slot * (index + 0.5)

            def y(value: float) -> float:
                return plot.bottom() - plot.height() * value / top

            body = QRectF(centre - bar / 2, y(spread.p50), bar, plot.bottom() - y(spread.p50))
            fill = QColor(colour)
            fill.setAlpha(200)
            painter.fillRect(body, fill)
            painter.setPen(QPen(colour.darker(130), 1.5))
            painter.drawLine(QPointF(centre, y(spread.p50)), QPointF(centre, y(spread.p95)))
            painter.drawLine(
                QPointF(centre - bar / 4, y(spread.p95)), QPointF(centre + bar / 4, y(spread.p95))
            )
            if spread.cold is not None:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QPointF(centre, y(spread.cold)), 4, 4)
            painter.setPen(QColor(theme.colour(_TEXT)))
            label = QRectF(centre - slot / 2, y(spread.p95) - 16, slot, 14)
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, human_time(spread.p50))

    def _paint_legend(self, painter: QPainter) -> None:
        x, y = 8.0, self.height() - 19.0
        metrics = painter.fontMetrics()
        for index, letter in enumerate(self._data.columns):
            painter.fillRect(
                QRectF(x, y + 4, 10, 10), QColor(theme.colour(COLUMN_COLOURS[index % 6]))
            )
            painter.setPen(QColor(theme.colour(_TEXT)))
            painter.drawText(QPointF(x + 14, y + 13), letter)
            x += 22 + metrics.horizontalAdvance(letter)
        painter.setPen(QColor(theme.colour(_MUTED)))
        painter.drawText(
            QPointF(x + 12, y + 13),
            "bar: p50 of the warm runs · whisker: p95 · ○ the cold run, kept apart",
        )
