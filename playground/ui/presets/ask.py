"""Questions the presets panel asks before a change a person may not mean."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_over_example(
    parent: QWidget, name: str, on_yes: Callable[[], object], on_no: Callable[[], object]
) -> QMessageBox:
    """Save over the example `name`? The user's copy is then shown instead of it."""
    box = QMessageBox(parent)
    box.setObjectName("saveOverExampleBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Save over an example")
    box.setText(f"{name!r} is an example that ships with Playground.")
    box.setInformativeText(
        "Save your own copy under this name? Yours is shown instead of the example, which stays "
        "as it is; delete yours to see the example again."
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    mine = box.addButton("Save my copy", QMessageBox.ButtonRole.AcceptRole)
    mine.setObjectName("saveOverExampleButton")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    mine.clicked.connect(on_yes)
    cancel.clicked.connect(on_no)
    box.open()  # never exec(): a nested loop would break the qasync tasks
    return box
