"""A waveform drawn from 16-bit samples, a column of low and high per pixel; a click or a drag on
it asks to seek there."""

from __future__ import annotations

import array

from PySide6.QtCore import QLineF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.core.audio import peaks

FULL_SCALE = 32768


class WaveformWidget(QWidget):
    """The samples' peaks across the width, the played part in the highlight colour, and a
    playhead. The peaks are computed once per width and length (`peaks` bounds their cost)."""

    seek_requested = Signal(int)  # a frame

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioWaveform")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(56)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to play from here")
        self._samples = array.array("h")
        self._channels = 1
        self._position = 0
        self._peaks: list[tuple[int, int]] = []
        self._peaks_key: tuple[int, int] = (-1, -1)

    def sizeHint(self) -> QSize:
        return QSize(480, 72)

    def set_samples(self, samples: array.array[int], channels: int) -> None:
        """Draw `samples` (kept by reference: call `samples_changed` when they grow)."""
        self._samples, self._channels = samples, max(channels, 1)
        self.samples_changed()

    def samples_changed(self) -> None:
        self._peaks_key = (-1, -1)
        self.update()

    @property
    def frames(self) -> int:
        return len(self._samples) // self._channels

    def set_position(self, frame: int) -> None:
        if frame != self._position:
            self._position = frame
            self.update()

    def column_peaks(self) -> list[tuple[int, int]]:
        """The low and high of each pixel column, as drawn."""
        key = (self.width(), len(self._samples))
        if key != self._peaks_key:
            self._peaks = peaks(self._samples, self.width())
            self._peaks_key = key
        return self._peaks

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        middle, half = self.height() / 2, self.height() / 2 - 2
        frames = self.frames
        played_x = self._position * self.width() / frames if frames else 0.0
        played: list[QLineF] = []
        ahead: list[QLineF] = []
        for x, (lo, hi) in enumerate(self.column_peaks()):
            top, bottom = middle - hi * half / FULL_SCALE, middle - lo * half / FULL_SCALE
            line = QLineF(x + 0.5, top, x + 0.5, max(bottom, top + 1))
            (played if x < played_x else ahead).append(line)
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        painter.drawLines(played)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawLines(ahead)
        if frames:
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawLine(QLineF(played_x, 0, played_x, self.height()))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._seek_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._seek_to(event.position().x())

    def _seek_to(self, x: float) -> None:
        if self.frames and self.width():
            fraction = min(max(x / self.width(), 0.0), 1.0)
            self.seek_requested.emit(round(fraction * self.frames))
