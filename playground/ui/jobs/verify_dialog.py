"""Verify a webhook: paste a delivery's headers and body (or load a file), pick a kept secret,
and see whether it verifies and, if not, why, in words (core's `verify`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.jobs.verify import Verification, verify
from playground.core.jobs.webhook_secrets import load_secrets
from playground.ui.look import set_state
from playground.ui.widgets.fonts import monospace_font

EVERY = "Every kept secret"


def parse_headers(text: str) -> dict[str, str]:
    """`Name: value` lines (others, such as an HTTP request line, are skipped)."""
    headers: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip() and " " not in name.strip():
            headers[name.strip()] = value.strip()
    return headers


def split_delivery(data: bytes) -> tuple[str, bytes]:
    """A saved delivery: headers, a blank line, then the raw body; or a body alone."""
    for gap in (b"\r\n\r\n", b"\n\n"):
        head, found, body = data.partition(gap)
        if found and parse_headers(head.decode("utf-8", "replace")) and not head.startswith(b"{"):
            return head.decode("utf-8", "replace"), body
    return "", data


class VerifyDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.setWindowTitle("Verify a webhook")
        self._loaded_body: bytes | None = None  # a file's body, byte for byte, until edited
        self.headers_edit = QPlainTextEdit()
        self.headers_edit.setObjectName("verifyHeaders")
        self.headers_edit.setPlaceholderText(
            "X-BASETEN-SIGNATURE: v1=…\nX-BASETEN-REQUEST-ID: …  (one header a line)"
        )
        self.headers_edit.setMaximumHeight(90)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setObjectName("verifyBody")
        self.body_edit.setPlaceholderText("The raw body, exactly as it was sent")
        for edit in (self.headers_edit, self.body_edit):
            edit.setFont(monospace_font())
        self.secret_combo = QComboBox()
        self.secret_combo.setObjectName("verifySecret")
        self.load_button = QPushButton("Load file…")
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setDefault(True)
        self.result_label = QLabel("")
        self.result_label.setObjectName("verifyResult")
        self.result_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.secret_combo, 1)
        row.addWidget(self.load_button)
        row.addWidget(self.verify_button)
        form = QFormLayout()
        form.addRow("Headers", self.headers_edit)
        form.addRow("Body", self.body_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout.addWidget(close)
        self.load_button.clicked.connect(self.choose_file)
        self.verify_button.clicked.connect(self.check)
        self.body_edit.textChanged.connect(self._on_body_edited)
        self.refresh_secrets()
        self.resize(640, 520)

    def refresh_secrets(self) -> None:
        self.secret_combo.clear()
        names = sorted(load_secrets())
        if names:
            self.secret_combo.addItem(EVERY)
        self.secret_combo.addItems(names)

    def load(self, data: bytes) -> None:
        """A saved delivery (headers, blank line, body) or a body alone."""
        headers, body = split_delivery(data)
        if headers:
            self.headers_edit.setPlainText(headers)
        self.body_edit.setPlainText(body.decode("utf-8", "replace"))
        self._loaded_body = body  # set after the edit above, which forgets it

    def choose_file(self) -> None:
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = QFileDialog(self, "Load a webhook delivery")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self._on_file_chosen)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def check(self) -> Verification:
        body = self._loaded_body
        if body is None:
            body = self.body_edit.toPlainText().encode()
        kept = load_secrets()
        picked = self.secret_combo.currentText()
        secrets = kept if picked == EVERY else {k: v for k, v in kept.items() if k == picked}
        result = verify(parse_headers(self.headers_edit.toPlainText()), body, secrets)
        mark = "Verified" if result.ok else "Not verified"
        self.result_label.setText(f"{mark}: {result.reason}")
        set_state(self.result_label, "tone", "ok" if result.ok else "error")
        return result

    def _on_body_edited(self) -> None:
        self._loaded_body = None

    def _on_file_chosen(self, name: str) -> None:
        try:
            self.load(Path(name).read_bytes())
        except OSError as exc:
            self.result_label.setText(f"Could not read {name}: {exc}")
            set_state(self.result_label, "tone", "error")
