"""The next frame to send: text as typed, JSON (the JSON editor, checked as it is typed) or the
bytes of a file; `frame()` is it, or why there is none."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.ws.frames import MAX_MESSAGE
from playground.core.ws.plan import OutFrame
from playground.ui.websocket.frame_log import size_text
from playground.ui.widgets.json_editor import JsonEditor
from playground.ui.widgets.send_edit import SendingTextEdit

KINDS = ("text", "json", "binary")


class FrameComposer(QWidget):
    """Three tabs, one per kind of frame; `changed` when what Send would send changes."""

    send_requested = Signal()
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = SendingTextEdit()
        self.text_edit.setObjectName("wsTextEdit")
        self.text_edit.setPlaceholderText("A text frame (Ctrl+Enter sends it)")
        self.json_edit = JsonEditor()
        self.json_edit.setObjectName("wsJsonEdit")
        self.json_edit.set_json({"type": "hello"})
        self.json_problem = QLabel("")
        self.json_problem.setObjectName("wsJsonProblem")
        self.json_problem.setWordWrap(True)
        self.file_label = QLabel("No file chosen.")
        self.file_label.setObjectName("wsFileLabel")
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setObjectName("wsChooseFileButton")
        self.data: bytes | None = None
        self.file_name = ""
        self.tabs = QTabWidget()
        self.tabs.setObjectName("wsComposerTabs")
        self.tabs.addTab(self.text_edit, "Text")
        self.tabs.addTab(_column(self.json_edit, self.json_problem), "JSON")
        binary = QWidget()
        column = QVBoxLayout(binary)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.file_label)
        column.addStretch(1)
        self.tabs.addTab(binary, "Binary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._connect()

    def _connect(self) -> None:
        self.text_edit.send_requested.connect(self.send_requested)
        self.json_edit.send_requested.connect(self.send_requested)
        self.json_edit.problem_changed.connect(self.json_problem.setText)
        self.choose_button.clicked.connect(self.choose_file)
        self.tabs.currentChanged.connect(lambda _index: self.changed.emit())
        self.text_edit.textChanged.connect(self.changed)
        self.json_edit.validity_changed.connect(lambda _valid: self.changed.emit())

    def kind(self) -> str:
        return KINDS[self.tabs.currentIndex()]

    def set_kind(self, kind: str) -> None:
        self.tabs.setCurrentIndex(KINDS.index(kind))

    def frame(self) -> OutFrame | str:
        """The frame Send would send, or a sentence saying why there is none."""
        kind = self.kind()
        if kind == "text":
            return OutFrame.of_text(self.text_edit.toPlainText())
        if kind == "json":
            value, problem = self.json_edit.body_and_problem()
            if problem:
                return f"The JSON frame is not valid: {problem}"
            if self.json_edit.is_empty():
                return "Type the JSON frame to send."
            return OutFrame.of_json(value)
        if self.data is None:
            return "Choose a file to send as a binary frame."
        return OutFrame.of_bytes(self.data)

    def choose_file(self) -> None:
        # open() + a signal, never exec(): a nested loop would run asyncio tasks inside this slot.
        dialog = QFileDialog(self, "Send a file as a binary frame")
        dialog.setObjectName("wsFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.load_file)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def load_file(self, name: str | Path) -> bool:
        """Read `name` as the binary frame to send; False (said in the tab) if it cannot be."""
        path = Path(name)
        try:
            if path.stat().st_size > MAX_MESSAGE:
                self.file_label.setText(f"{path.name} is over the 100 MiB a frame may hold.")
                return False
            data = path.read_bytes()
        except OSError as exc:
            self.file_label.setText(f"{path.name} cannot be read ({exc.strerror or exc}).")
            return False
        self.data, self.file_name = data, path.name
        self.file_label.setText(f"{path.name} · {size_text(len(data))} ({len(data):,} bytes)")
        self.set_kind("binary")
        self.changed.emit()
        return True


def _column(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder
