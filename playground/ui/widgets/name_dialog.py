"""A small dialog that asks a name (and where to keep it), and stays open to say why a name
cannot be used."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)


class NameDialog(QDialog):
    """Asks a preset's name (and, with a project folder, where to keep it); stays open with the
    reason shown when the name cannot be used."""

    name_chosen = Signal(str, str)  # name, where ("user" or "project")

    def __init__(self, title: str, name: str, *, project: Path | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("presetNameEdit")
        self.name_edit.selectAll()
        self.where_combo = QComboBox()
        self.where_combo.addItem("My presets", "user")
        if project is not None:
            self.where_combo.addItem(f"Project folder ({project.name})", "project")
        self.problem = QLabel("")
        self.problem.setObjectName("presetNameProblem")
        self.problem.setProperty("tone", "error")  # style.qss colours it
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        if project is not None:
            form.addRow("Save in", self.where_combo)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.resize(420, self.sizeHint().height())

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.name_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.show_problem("Type a name.")
            return
        self.name_chosen.emit(name, self.where_combo.currentData())
