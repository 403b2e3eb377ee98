"""The widget for one piece of audio in an answer, made by one factory: `media_card(item, parent)`.

A card may follow a binary body as it streams: the pane calls `add_data(piece)` for each piece
that arrives after the card was made and `finish(item)` once the body has ended (the item then
holds every byte). The audio player (`AudioView`) plugs in here, in `media_card`; until then a
card says what the audio is and offers Save as… with its format's extension.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from playground.core.media_scan import MediaItem
from playground.core.text import human_size
from playground.ui.media.saving import save_media


class MediaCard(Protocol):
    """What the pane asks of a card (besides being a QWidget)."""

    def add_data(self, data: bytes) -> None: ...

    def finish(self, item: MediaItem) -> None: ...


class AudioCard(QFrame):
    """Audio, described in a line (format, rate, channels, duration, size), with Save as…"""

    def __init__(self, item: MediaItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.item = item
        self._received = len(item.data)
        self.info_label = QLabel()
        self.info_label.setObjectName("audioInfo")
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.setWordWrap(True)
        self.action_label = QLabel()
        self.action_label.setObjectName("audioAction")
        self.save_button = QPushButton("Save as…")
        self.save_button.setObjectName("saveAudioButton")
        self.save_button.setToolTip(f"Save the audio as {item.media.extension}")
        row = QHBoxLayout(self)
        row.addWidget(self.info_label, 1)
        row.addWidget(self.action_label)
        row.addWidget(self.save_button)
        self.save_button.clicked.connect(self._on_save_clicked)
        self._update(done=bool(item.data) and not item.is_cut)

    @property
    def received(self) -> int:
        """The bytes it has followed (the whole item's once finished)."""
        return self._received

    def add_data(self, data: bytes) -> None:
        self._received += len(data)
        self._update(done=False)

    def finish(self, item: MediaItem) -> None:
        self.item = item
        self._received = len(item.data)
        self._update(done=True)

    def _update(self, *, done: bool) -> None:
        where = "" if self.item.label == "body" else f" · {self.item.label}"
        so_far = "" if done else " so far"
        cut = f" · cut at {human_size(self.item.cut_at)}" if self.item.is_cut else ""
        self.info_label.setText(
            f"{self.item.media.describe()} · {human_size(self._received)}{so_far}{cut}{where}"
        )
        self.save_button.setEnabled(done and bool(self.item.data))

    def _on_save_clicked(self) -> None:
        save_media(self, self.item, self.action_label.setText)


def media_card(item: MediaItem, parent: QWidget | None = None) -> QWidget:
    """The widget for one piece of audio (images go to the pane's ImageViewer)."""
    return AudioCard(item, parent)
