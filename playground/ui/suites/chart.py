"""The latency-under-load chart of a sweep: per target, p50 (solid) and p95 (dashed) of the
total time against concurrency (a log scale: 1, 2, 4 … 32), the error rate under each step.
Painted with QPainter like compare's chart (PySide6-Essentials has no QtCharts)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.core.text import human_time
from playground.ui import theme

COLOURS = tuple(f"series_{i}" for i in range(6))  # the same as compare's columns
FIGURE = "total"
LEFT, TOP, RIGHT, BOTTOM = 64.0, 26.0, 40.0, 46.0


def series(steps: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[tuple[int, float, float]]]]:
    """Per target: its label and (concurrency, p50, p95) of each step that has them."""
    out: list[tuple[str, list[tuple[int, float, float]]]] = []
    for step in steps:
        for i, target in enumerate(step["targets"]):
            if i == len(out):
                out.append((target["label"], []))
            spread = target["figures"][FIGURE]
            if spread.get("p50") is not None and spread.get("p95") is not None:
                out[i][1].append((int(step["concurrency"]), spread["p50"], spread["p95"]))
    return out


class SweepChartView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps: list[Mapping[str, Any]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(160)

    def sizeHint(self) -> QSize:
        return QSize(560, 220)

    def set_steps(self, steps: Sequence[Mapping[str, Any]]) -> None:
        self.steps = list(steps)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.colour("base")))
        lines = series(self.steps)
        if not any(points for _label, points in lines):
            painter.setPen(QColor(theme.colour("muted")))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Sweep to see latency under load"
            )
            painter.end()
            return
        plot = QRectF(LEFT, TOP, self.width() - LEFT - RIGHT, self.height() - TOP - BOTTOM)
        levels = [int(s["concurrency"]) for s in self.steps]
        low, high = math.log2(min(levels)), math.log2(max(levels))
        top = max(p95 for _label, points in lines for _c, _p50, p95 in points) * 1.1

        def x(level: int) -> float:
            span = high - low
            return plot.left() + (
                plot.width() * (math.log2(level) - low) / span if span else plot.width() / 2
            )

        def y(value: float) -> float:
            return plot.bottom() - plot.height() * value / top

        text, muted = QColor(theme.colour("text")), QColor(theme.colour("muted"))
        painter.setPen(text)
        painter.drawText(QPointF(8, 16), "Total time under load: p50 ── p95 ┄┄ (warm requests)")
        painter.setPen(QPen(QColor(theme.colour("border")), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for fraction in (0.5, 1.0):
            value = top / 1.1 * fraction
            painter.setPen(muted)
            painter.drawText(
                QRectF(0, y(value) - 8, LEFT - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                human_time(value),
            )
        for step in self.steps:
            level = int(step["concurrency"])
            errors = max((t["error_rate"] for t in step["targets"]), default=0.0)
            painter.setPen(text)
            painter.drawText(
                QRectF(x(level) - 30, plot.bottom() + 2, 60, 16),
                Qt.AlignmentFlag.AlignCenter,
                str(level),
            )
            painter.setPen(QColor(theme.colour("error")) if errors else muted)
            painter.drawText(
                QRectF(x(level) - 30, plot.bottom() + 16, 60, 14),
                Qt.AlignmentFlag.AlignCenter,
                f"{errors:.0%} err",
            )
        painter.setPen(muted)
        painter.drawText(QPointF(plot.right() - 120, self.height() - 2), "concurrency →")
        legend_x = LEFT + 8
        for i, (label, points) in enumerate(lines):
            colour = QColor(theme.colour(COLOURS[i % len(COLOURS)]))
            for which, style in ((1, Qt.PenStyle.SolidLine), (2, Qt.PenStyle.DashLine)):
                painter.setPen(QPen(colour, 2, style))
                dots = [QPointF(x(p[0]), y(p[which])) for p in points]
                for a, b in itertools.pairwise(dots):
                    painter.drawLine(a, b)
                for dot in dots:
                    painter.drawEllipse(dot, 2.5, 2.5)
            painter.fillRect(QRectF(legend_x, TOP + 2, 10, 10), colour)
            painter.setPen(text)
            painter.drawText(QPointF(legend_x + 14, TOP + 12), label)
            legend_x += 28 + painter.fontMetrics().horizontalAdvance(label)
        painter.end()
