"""Images attached to a chat message: picked, dropped on the composer or pasted into it, held as
`FileRef`s (core/request/attachments.py, the one file-insertion mechanism) that the client turns
into data URLs when it sends; their thumbnails in the composer and in the transcript."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.request.attachments import FileRef, image_ref
from playground.core.text import human_size
from playground.ui.media.image_view import load_image
from playground.ui.widgets.json_editor import _local_files, _png_of
from playground.ui.widgets.send_edit import SendingTextEdit

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp)"


def part_bytes(part: dict[str, Any]) -> bytes | None:
    """An image part's bytes: its file's, or a data URL's; None for an http URL or a missing file."""
    url = (part.get("image_url") or {}).get("url") if part.get("type") == "image_url" else None
    if isinstance(url, FileRef):
        try:
            return url.read()
        except PlaygroundError:
            return None
    if isinstance(url, str) and url.startswith("data:") and "," in url:
        try:
            return base64.b64decode(url.partition(",")[2], validate=False)
        except (binascii.Error, ValueError):
            return None
    return None


def thumbnail(data: bytes | None, caption: str) -> QLabel:
    """A small picture of an image with its size as the tooltip (a grey note if unreadable)."""
    label = QLabel()
    label.setObjectName("imageThumbnail")
    image = load_image(data) if data else None
    if image is None:
        label.setText(f"[{caption}]")
        return label
    label.setPixmap(QPixmap.fromImage(image.thumb))
    label.setToolTip(f"{caption} · {image.full.width()}×{image.full.height()}")
    return label


def part_caption(part: dict[str, Any]) -> str:
    url = (part.get("image_url") or {}).get("url", "")
    if isinstance(url, FileRef):
        return f"{url.name} · {human_size(url.size)}"
    if isinstance(url, str) and url.startswith("data:"):
        return url[5:].split(";", 1)[0] or "image"
    return str(url)[:60] or str(part.get("type", "part"))


def thumbnails_row(parts: list[dict[str, Any]]) -> QWidget:
    """The images of a user message, side by side."""
    row = QWidget()
    row.setObjectName("messageImages")
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        layout.addWidget(thumbnail(part_bytes(part), part_caption(part)))
    layout.addStretch(1)
    return row


class ComposerEdit(SendingTextEdit):
    """The message box: an image file dropped or pasted on it is attached, not typed in."""

    files_dropped = Signal(list)  # paths
    image_pasted = Signal(bytes)  # PNG bytes

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return (
            bool(_local_files(source)) or source.hasImage() or super().canInsertFromMimeData(source)
        )

    def insertFromMimeData(self, source: QMimeData) -> None:
        if files := _local_files(source):
            self.files_dropped.emit([str(path) for path in files])
            return
        if source.hasImage() and not source.hasText() and (png := _png_of(source.imageData())):
            self.image_pasted.emit(png)
            return
        super().insertFromMimeData(source)


class AttachmentTray(QWidget):
    """The images waiting to go with the next message; `take()` hands them over and empties it."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._refs: list[FileRef] = []
        self.attach_button = QToolButton()
        self.attach_button.setObjectName("attachImageButton")
        self.attach_button.setText("Attach image…")
        self.attach_button.setToolTip("Or drop an image on the message box, or paste one")
        self.strip = QHBoxLayout()
        self.strip.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.strip)
        self.attach_button.clicked.connect(self.ask_file)
        self._update_strip()

    def refs(self) -> list[FileRef]:
        return list(self._refs)

    def add_path(self, path: str) -> FileRef | None:
        try:
            ref = image_ref(path, taken=self._refs)  # what `playground chat --image` sends too
        except PlaygroundError as exc:
            self.failed.emit(str(exc))
            return None
        return self._add(ref)

    def add_bytes(self, data: bytes, name: str = "pasted-image.png") -> FileRef:
        return self._add(FileRef.from_bytes(data, name, "data-url", taken=self._refs))

    def _add(self, ref: FileRef) -> FileRef:
        self._refs.append(ref)
        self._update_strip()
        return ref

    def remove(self, index: int) -> None:
        del self._refs[index]
        self._update_strip()

    def take(self) -> list[FileRef]:
        refs, self._refs = self._refs, []
        self._update_strip()
        return refs

    def ask_file(self) -> QFileDialog:
        dialog = QFileDialog(self, "Attach an image")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([IMAGE_FILTER, "All files (*)"])
        dialog.filesSelected.connect(lambda names: [self.add_path(name) for name in names])
        dialog.open()
        return dialog

    def _update_strip(self) -> None:
        while self.strip.count():
            item = self.strip.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.setParent(None)
                widget.deleteLater()
        for index, ref in enumerate(self._refs):
            self.strip.addWidget(thumbnail(ref.read(), f"{ref.name} · {human_size(ref.size)}"))
            remove = QToolButton()
            remove.setText("×")
            remove.setToolTip(f"Remove {ref.name}")
            remove.clicked.connect(lambda _=False, i=index: self.remove(i))
            self.strip.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        self.strip.addStretch(1)
        self.setVisible(bool(self._refs))
        self.changed.emit()
