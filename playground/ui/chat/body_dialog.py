"""The chat's next request body in a dialog, to read and copy."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from playground.ui.widgets.fonts import monospace_font


def body_dialog(parent: QWidget, body: dict[str, Any]) -> QDialog:
    """`body` as pretty JSON (a FileRef is its token: the text stays small), opened, not exec'd."""
    text = json.dumps(body, indent=2, ensure_ascii=False)
    dialog = QDialog(parent)
    dialog.setWindowTitle("Request body")
    view = QPlainTextEdit(text)
    view.setObjectName("requestBodyText")
    view.setReadOnly(True)
    view.setFont(monospace_font())
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(view)
    layout.addWidget(buttons)
    dialog.resize(640, 480)
    dialog.open()
    return dialog
