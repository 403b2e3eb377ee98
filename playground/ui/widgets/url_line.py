"""The URL the next Send calls, on one read-only line that can be selected and copied."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget


class UrlLine(QWidget):
    """`set_url(url)` shows where the next request goes; with no URL, `why` says what is missing.
    The line is read-only: select in it, use its context menu's Copy, or press Copy URL."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setObjectName("callUrl")
        self.edit.setReadOnly(True)
        self.copy_button = QPushButton("Copy URL")
        self.copy_button.setObjectName("copyUrlButton")
        self.copy_button.setToolTip("Copy the URL the next Send calls")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.copy_button)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.set_url("")

    def url(self) -> str:
        return self.edit.text()

    def set_url(self, url: str, why: str = "") -> None:
        if url == self.edit.text() and why == self.edit.placeholderText():
            return
        self.edit.setText(url)
        self.edit.setCursorPosition(0)  # a long URL shows its host, not its tail
        self.edit.setPlaceholderText(why)
        self.edit.setToolTip(url)
        self.copy_button.setEnabled(bool(url))

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.url())
