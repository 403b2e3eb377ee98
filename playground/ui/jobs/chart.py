"""A small live chart of async queue depth per target: one strip per target, a bar per sample
(running at the bottom, queued on top), painted with QPainter as compare's chart is."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.core.jobs.jobs import QueueDepth
from playground.ui import theme

SAMPLES = 60  # per target: a minute at one a second
STRIPS = 4  # targets shown at most (the latest measured)
STRIP_H = 34
LABEL_H = 15


@dataclass(frozen=True)
class Sample:
    at: float
    queued: int
    in_progress: int


def target_label(depth: QueueDepth) -> str:
    return f"{depth.target.model_id} · {depth.target.label}"


class QueueChartView(QWidget):
    """`add(QueueDepth)` for each measurement; `series()` is what is drawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueChart")
        self._series: dict[str, deque[Sample]] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(LABEL_H + STRIP_H + 8)
        theme.notifier().changed.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(240, self.minimumHeight())

    def add(self, depth: QueueDepth) -> None:
        label = target_label(depth)
        series = self._series.pop(label, None) or deque(maxlen=SAMPLES)
        series.append(Sample(depth.at, depth.queued, depth.in_progress))
        self._series[label] = series  # the latest measured last
        while len(self._series) > STRIPS:
            self._series.pop(next(iter(self._series)))
        strips = max(1, len(self._series))
        self.setMinimumHeight(strips * (LABEL_H + STRIP_H) + 8)
        self.updateGeometry()
        self.update()

    def series(self) -> dict[str, list[Sample]]:
        return {label: list(samples) for label, samples in self._series.items()}

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.colour("base")))
        if not self._series:
            painter.setPen(QColor(theme.colour("muted")))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Queue depth shows while jobs run"
            )
            painter.end()
            return
        running, queued = QColor(theme.colour("series_0")), QColor(theme.colour("series_1"))
        text, axis = QColor(theme.colour("text")), QColor(theme.colour("border"))
        width = self.width() - 12
        bar_w = width / SAMPLES
        for i, (label, samples) in enumerate(self._series.items()):
            top = 4 + i * (LABEL_H + STRIP_H)
            last = samples[-1]
            painter.setPen(text)
            painter.drawText(
                QRectF(6, top, width, LABEL_H),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{label}: {last.queued} queued · {last.in_progress} running",
            )
            base = top + LABEL_H + STRIP_H - 2
            painter.setPen(axis)
            painter.drawLine(6, int(base), 6 + int(width), int(base))
            peak = max(1, max(s.queued + s.in_progress for s in samples))
            scale = (STRIP_H - 4) / peak
            painter.setPen(Qt.PenStyle.NoPen)
            offset = SAMPLES - len(samples)  # the newest at the right
            for n, sample in enumerate(samples):
                x = 6 + (offset + n) * bar_w
                run_h, queue_h = sample.in_progress * scale, sample.queued * scale
                painter.setBrush(running)
                painter.drawRect(QRectF(x, base - run_h, max(1.0, bar_w - 1), run_h))
                painter.setBrush(queued)
                painter.drawRect(QRectF(x, base - run_h - queue_h, max(1.0, bar_w - 1), queue_h))
        painter.end()
