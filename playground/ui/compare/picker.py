"""A compare column's target: a model with its environment (or a Model API), body overrides, headers."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.core.jsontext import InvalidJson, parse_json
from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.ui.look import set_state
from playground.ui.target.bar import TargetBar
from playground.ui.widgets.headers_edit import HeadersEdit


def compact(bar: TargetBar) -> TargetBar:
    """Lay a TargetBar out in two short rows (model and Wake; target and its badges) to fit a
    column a sixth of a screen wide."""
    bar.make_compact()
    return bar


def _json_object(text: str, what: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = parse_json(text)
    except InvalidJson as exc:
        raise ValueError(f"{what}: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object")
    return value


class ColumnPicker(QWidget):
    """What one column calls: `column()` reads it (or says why it cannot), `set_column()` shows one.
    `remote_chosen(name)` when the remote it is on changes (the window's to begin with)."""

    remote_chosen = Signal(str)

    def __init__(self, letter: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.letter = letter
        self._own_remote = ""  # the window's: a column on it names no remote of its own
        self.remote_combo = QComboBox()
        self.remote_combo.setObjectName("columnRemote")
        self.remote_combo.setToolTip("The remote this column is sent to, with its own key")
        self.note_label = QLabel("")
        self.note_label.setObjectName("columnRemoteNote")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("columnSource")
        self.source_combo.addItem("Model", "model")
        self.source_combo.addItem("Model API", "model_api")
        self.target_bar = compact(TargetBar())
        self.api_combo = QComboBox()
        self.api_combo.setObjectName("modelApiCombo")
        self.api_combo.setEditable(True)
        line = self.api_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText("Model API slug, e.g. playground/demo-chat")
        api_page = QWidget()
        api_layout = QVBoxLayout(api_page)
        api_layout.setContentsMargins(0, 0, 0, 0)
        api_layout.addWidget(self.api_combo)
        api_layout.addStretch(1)
        self.picker = QStackedWidget()
        self.picker.addWidget(self.target_bar)
        self.picker.addWidget(api_page)
        self.overrides_edit = QLineEdit()
        self.overrides_edit.setObjectName("columnOverrides")
        self.overrides_edit.setPlaceholderText('overrides, e.g. {"model": "served-name"}')
        self.overrides_edit.setToolTip("JSON merged into the request body for this column only")
        self.headers_toggle = QToolButton()
        self.headers_toggle.setText("Headers")
        self.headers_toggle.setCheckable(True)
        self.headers_toggle.setToolTip("Extra request headers for this column only")
        self.headers_edit = HeadersEdit("headers for this column, one per line: X-Tag: canary")
        self.headers_edit.setObjectName("columnHeaders")
        self.headers_edit.hide()
        self.problem_label = QLabel("")
        self.problem_label.setProperty("tone", "error")  # style.qss colours it
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.remote_combo)
        layout.addWidget(self.note_label)
        layout.addWidget(self.source_combo)
        layout.addWidget(self.picker)
        overrides_row = QHBoxLayout()
        overrides_row.addWidget(self.overrides_edit, 1)
        overrides_row.addWidget(self.headers_toggle)
        layout.addLayout(overrides_row)
        layout.addWidget(self.headers_edit)
        layout.addWidget(self.problem_label)
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self.overrides_edit.textChanged.connect(self._on_overrides_changed)
        self.headers_edit.problem_changed.connect(self._on_overrides_changed)
        self.headers_toggle.toggled.connect(self.headers_edit.setVisible)
        self.remote_combo.currentIndexChanged.connect(self._on_remote_changed)

    def set_remotes(self, names: list[str], own: str, kinds: dict[str, str]) -> None:
        """Offer `names` (the window's remote `own` first), a Truss server's said so."""
        self._own_remote = own
        self.remote_combo.blockSignals(True)
        self.remote_combo.clear()
        for name in names:
            kind = " (Truss server)" if kinds.get(name) == "truss" else ""
            self.remote_combo.addItem(name + kind, name)
        self.remote_combo.setCurrentIndex(0)
        self.remote_combo.blockSignals(False)

    def remote_name(self) -> str:
        return str(self.remote_combo.currentData() or self._own_remote)

    def set_remote(self, name: str) -> None:
        """Put the column on `name` ("" the window's remote); `remote_chosen` if it changed."""
        index = self.remote_combo.findData(name or self._own_remote)
        if index < 0:  # a saved comparison's remote not known here: said, never dropped
            self.remote_combo.addItem(f"{name} (unknown)", name)
            index = self.remote_combo.count() - 1
        self.remote_combo.setCurrentIndex(index)

    def say(self, text: str) -> None:
        """A problem with the column's remote (no key, no models), until it changes."""
        set_state(self.note_label, "tone", "error")
        self.note_label.setText(text)
        self.note_label.show()

    def say_status(self, text: str) -> None:
        """How the column's remote is (a Truss server loading, say); "" says nothing."""
        set_state(self.note_label, "tone", "muted")
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def _on_remote_changed(self, _index: int) -> None:
        self.note_label.hide()
        self.remote_chosen.emit(self.remote_name())

    def uses_model_api(self) -> bool:
        return bool(self.source_combo.currentData() == "model_api")

    def overrides(self) -> dict[str, Any]:
        """The column's body overrides; raises ValueError in words when they are not an object."""
        return _json_object(self.overrides_edit.text(), f"Column {self.letter}'s overrides")

    def headers(self) -> dict[str, str]:
        """The column's extra headers; raises ValueError in words for a line that is not one."""
        try:
            return self.headers_edit.headers()
        except ValueError as exc:
            raise ValueError(f"Column {self.letter}: {exc}") from None

    def column(self) -> Column | str:
        """What this column calls, or a sentence why it cannot."""
        try:
            overrides, headers = self.overrides(), self.headers()
        except ValueError as exc:
            return str(exc)
        name = self.remote_name()
        remote = "" if name == self._own_remote else name
        if self.uses_model_api():
            slug = self.api_combo.currentText().strip()
            if not slug:
                return f"Column {self.letter}: pick a Model API."
            return Column(None, slug, overrides, headers, remote)
        target = self.target_bar.target()
        if target is None:
            return f"Column {self.letter}: pick a model, or type its id."
        return Column(target, overrides=overrides, headers=headers, remote=remote)

    def set_column(self, column: Column) -> None:
        """Show `column` (a saved comparison's, or the window's target)."""
        self.set_remote(column.remote)
        if column.target is None:
            self.source_combo.setCurrentIndex(1)
            self.api_combo.setEditText(column.model_api)
        else:
            self.source_combo.setCurrentIndex(0)
            self.target_bar.set_target(column.target)
        overrides, headers = dict(column.overrides), dict(column.headers)
        self.overrides_edit.setText(json.dumps(overrides, ensure_ascii=False) if overrides else "")
        self.headers_edit.set_headers(headers)
        self.headers_toggle.setChecked(bool(headers))

    def set_target(self, target: Target) -> None:
        """Call `target` (a model's target), keeping the column's overrides and headers."""
        self.source_combo.setCurrentIndex(0)
        self.target_bar.set_target(target)

    def set_model_apis(self, slugs: list[str]) -> None:
        current = self.api_combo.currentText()
        self.api_combo.clear()
        self.api_combo.addItems(slugs)
        self.api_combo.setEditText(current or (slugs[0] if slugs else ""))

    def _on_source_changed(self, index: int) -> None:
        self.picker.setCurrentIndex(index)

    def _on_overrides_changed(self, _text: str) -> None:
        try:
            self.overrides()
            self.headers()
        except ValueError as exc:
            self.problem_label.setText(str(exc))
            self.problem_label.show()
        else:
            self.problem_label.hide()
