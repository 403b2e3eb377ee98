"""Images of an answer: one shown fit to the view or at 100 %, a strip of thumbnails to pick
from, their format, size and dimensions, Copy image and Save as…

Images are decoded and scaled on a worker thread (`load_image`, QImage only: a QPixmap belongs
to the GUI thread); the view paints QImages, so nothing big is converted on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QRect, QSize, Qt
from PySide6.QtGui import (
    QGuiApplication,
    QIcon,
    QImage,
    QImageReader,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from playground.core.media_scan import MediaItem
from playground.ui.media.saving import save_media

PREVIEW_SIDE = 1024  # the fit view paints this copy, scaled: never the full image each paint
THUMB_SIDE = 72


@dataclass(frozen=True)
class LoadedImage:
    full: QImage
    preview: QImage
    thumb: QImage


def load_image(data: bytes) -> LoadedImage | None:
    """Decode and scale on a worker thread (QImageReader lets the GIL go while it decodes)."""
    buffer = QBuffer()
    buffer.setData(data)
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAllocationLimit(1024)  # MB: a decompression bomb is refused, not allocated
    full = reader.read()
    buffer.close()
    if full.isNull():
        return None
    smooth, keep = Qt.TransformationMode.SmoothTransformation, Qt.AspectRatioMode.KeepAspectRatio
    preview = full
    if max(full.width(), full.height()) > PREVIEW_SIDE:
        preview = full.scaled(PREVIEW_SIDE, PREVIEW_SIDE, keep, smooth)
    thumb = preview.scaled(THUMB_SIDE, THUMB_SIDE, keep, smooth)
    return LoadedImage(full, preview, thumb)


class ImageCanvas(QWidget):
    """Paints one image: scaled to fit (from its preview copy) or at 100 % (in a scroll area)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("imageCanvas")
        self.image: LoadedImage | None = None
        self.is_fit = True

    def set_image(self, image: LoadedImage | None) -> None:
        self.image = image
        self._update_size()

    def set_fit(self, is_fit: bool) -> None:
        self.is_fit = is_fit
        self._update_size()

    def _update_size(self) -> None:
        if self.image is not None and not self.is_fit:
            self.setFixedSize(self.image.full.size())
        else:
            self.setMinimumSize(QSize(1, 1))
            self.setMaximumSize(QSize(16_777_215, 16_777_215))
        self.update()

    def target_rect(self) -> QRect:
        """Where the image is painted: centred, fit within the widget (never enlarged)."""
        if self.image is None:
            return QRect()
        size = self.image.full.size()
        if self.is_fit:
            size = size.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio).boundedTo(size)
        rect = QRect(0, 0, size.width(), size.height())
        rect.moveCenter(self.rect().center())
        return rect

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.image is None:
            return
        painter = QPainter(self)
        if self.is_fit:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.target_rect(), self.image.preview)
        else:
            exposed = event.rect()
            painter.drawImage(exposed, self.image.full, exposed)
        painter.end()


class ImageViewer(QWidget):
    """The images of one answer; `set_images()` with what the worker decoded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[MediaItem] = []
        self.images: list[LoadedImage | None] = []
        self.current = -1
        self._build_ui()
        self._connect()

    def _build_ui(self) -> None:
        self.info_label = QLabel()
        self.info_label.setObjectName("imageInfo")
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.setMinimumWidth(1)
        self.fit_button = self._button("imageFitButton", "Fit", "Zoom to fit the view")
        self.actual_button = self._button("imageActualButton", "100 %", "Show at its own size")
        for button in (self.fit_button, self.actual_button):
            button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.copy_button = self._button("copyImageButton", "Copy image", "Copy to the clipboard")
        self.save_button = self._button("saveImageButton", "Save as…", "Save the image's bytes")
        self.action_label = QLabel()
        self.action_label.setObjectName("imageAction")
        self.canvas = ImageCanvas()
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("imageScroll")
        self.scroll_area.setWidget(self.canvas)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.strip = QListWidget()
        self.strip.setObjectName("imageStrip")
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.strip.setFixedHeight(THUMB_SIDE + 34)
        self.strip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout()
        row.addWidget(self.info_label, 1)
        for widget in (self.fit_button, self.actual_button, self.copy_button, self.save_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.action_label)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.strip)
        self.action_label.hide()

    @staticmethod
    def _button(name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def _connect(self) -> None:
        self.fit_button.clicked.connect(lambda: self.set_fit(True))
        self.actual_button.clicked.connect(lambda: self.set_fit(False))
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.strip.currentRowChanged.connect(self.select)

    # --- public surface --------------------------------------------------------------------------

    def set_images(self, items: list[MediaItem], images: list[LoadedImage | None]) -> None:
        self.items, self.images = items, images
        self.strip.clear()
        for item, image in zip(items, images, strict=True):
            entry = QListWidgetItem(item.label)
            entry.setToolTip(item.describe())
            if image is not None:  # a thumbnail is small: its pixmap is cheap on this thread
                entry.setIcon(QIcon(QPixmap.fromImage(image.thumb)))
            self.strip.addItem(entry)
        self.strip.setVisible(len(items) > 1)
        self.current = -1
        self.select(0)

    def select(self, index: int) -> None:
        if not 0 <= index < len(self.items) or index == self.current:
            return
        self.current = index
        self.strip.setCurrentRow(index)
        item, image = self.items[index], self.images[index]
        where = "" if item.label == "body" else f" · {item.label}"
        info = item.describe() + where
        if image is None:
            info += " · cannot be shown" if not item.is_cut else " · cut: not shown"
        self.info_label.setText(info)
        self.info_label.setToolTip(info)
        self.canvas.set_image(image)
        self.copy_button.setEnabled(image is not None)
        self.save_button.setEnabled(bool(item.data))

    def set_fit(self, is_fit: bool) -> None:
        self.fit_button.setChecked(is_fit)
        self.actual_button.setChecked(not is_fit)
        self.scroll_area.setWidgetResizable(is_fit)
        self.canvas.set_fit(is_fit)
        if is_fit:
            self.canvas.resize(self.scroll_area.viewport().size())

    def say(self, text: str) -> None:
        self.action_label.setText(text)
        self.action_label.show()

    # --- slots -----------------------------------------------------------------------------------

    def _on_copy_clicked(self) -> None:
        image = self.images[self.current]
        if image is not None:
            QGuiApplication.clipboard().setImage(image.full)
            self.say(f"Copied a {image.full.width()}×{image.full.height()} image")

    def _on_save_clicked(self) -> None:
        save_media(self, self.items[self.current], self.say)
