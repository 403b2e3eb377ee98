"""The widget for one piece of audio in an answer, made by one factory: `media_card(item, parent)`.

A card may follow a binary body as it streams: the pane calls `add_data(piece)` for each piece
that arrives after the card was made and `finish(item)` once the body has ended (the item then
holds every byte). Audio is played by `AudioView` (waveform, play/pause/seek, Save… with its
format's extension).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from playground.core.media_scan import MediaItem
from playground.core.text import human_size
from playground.ui.media.audio_view import AudioView


class MediaCard(Protocol):
    """What the pane asks of a card (besides being a QWidget)."""

    def add_data(self, data: bytes) -> None: ...

    def finish(self, item: MediaItem) -> None: ...


class AudioCard(QFrame):
    """Audio heard: the player (waveform, play/pause/seek, Save…) following the body as it
    arrives, and where in the answer the audio sits when that is not the whole body."""

    def __init__(self, item: MediaItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.item = item
        self._received = 0
        self.view = AudioView.streaming(item.media, self)
        self.where_label = QLabel()
        self.where_label.setObjectName("audioWhere")
        self.where_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where_label)
        layout.addWidget(self.view)
        self._update_where()

    @property
    def received(self) -> int:
        """The bytes it has followed (the whole item's once finished)."""
        return self._received

    def add_data(self, data: bytes) -> None:
        self._received += len(data)
        self.view.feed(data)

    def finish(self, item: MediaItem) -> None:
        self.item = item
        if not self._received and item.data:  # audio found in JSON: all of it at once
            self.view.feed(item.data)
        self._received = len(item.data)
        self.view.finish()
        self._update_where()

    def _update_where(self) -> None:
        parts = [] if self.item.label == "body" else [f"At {self.item.label}"]
        if self.item.is_cut:
            parts.append(f"cut at {human_size(self.item.cut_at)}")
        self.where_label.setText(" · ".join(parts))
        self.where_label.setVisible(bool(parts))


def media_card(item: MediaItem, parent: QWidget | None = None) -> QWidget:
    """The widget for one piece of audio (images go to the pane's ImageViewer)."""
    return AudioCard(item, parent)
