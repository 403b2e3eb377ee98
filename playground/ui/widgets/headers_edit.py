"""Extra request headers, typed one `Name: value` per line; a key is refused (it comes from the
keyring), and a line that is not a header says which line it is."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from playground.core.request.spec import headers_text, parse_headers


class HeadersEdit(QPlainTextEdit):
    """`headers()` reads them (ValueError in words), `set_headers()` shows some."""

    problem_changed = Signal(str)  # "" when every line is a header

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(
            placeholder or "Extra headers, one per line: X-Trace: 1 (the API key is added for you)"
        )
        self.setTabChangesFocus(True)
        self.setMaximumHeight(64)
        self.textChanged.connect(self._on_text_changed)

    def text(self) -> str:
        return self.toPlainText()

    def headers(self) -> dict[str, str]:
        return parse_headers(self.toPlainText())

    def set_headers(self, headers: Mapping[str, str]) -> None:
        self.setPlainText(headers_text(headers))

    def problem(self) -> str:
        try:
            self.headers()
        except ValueError as exc:
            return str(exc)
        return ""

    def _on_text_changed(self) -> None:
        self.problem_changed.emit(self.problem())
