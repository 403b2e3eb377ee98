"""Pick what to call: a model (searchable, or an id typed by hand) and an environment, with its status."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from playground.core.remote.catalogue import (
    DEPLOYMENT_STATUSES,
    TargetChoice,
    parse_target,
    same_target_key,
    target_text,
)
from playground.core.remote.remotes import Target
from playground.ui.look import set_state
from playground.ui.widgets.flow_layout import fit_width

STATUS_COLOURS = {
    "ACTIVE": "ok",  # tones: colours of playground/ui/theme.py, set by style.qss
    "SCALED_TO_ZERO": "muted",
    "WAKING_UP": "warn",
    "LOADING_MODEL": "warn",
    "UPDATING": "warn",
    "DEPLOYING": "warn",
    "BUILDING": "warn",
}
SPACING = 6
TOOLTIP_ROLE = 3  # Qt.ItemDataRole.ToolTipRole, without building Qt's enums before the first paint


def status_word(status: str) -> str:
    return status.replace("_", " ").lower()


class TargetBar(QWidget):
    """Emits `model_chosen` when the model changes and `wake_requested` for the Wake button."""

    model_chosen = Signal(str)
    wake_requested = Signal(object)  # TargetChoice
    target_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: list[TargetChoice] = []
        self._chosen = ""  # the model id last announced with model_chosen
        self._chain_ids: set[str] = set()  # ids listed (or set) as chains: called with run_remote
        self._build_ui()
        self._connect()

    def _build_ui(self) -> None:
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._size_by_length(self.model_combo, 16)
        self._line(self.model_combo).setPlaceholderText("Model or chain: name or id")
        self.completer = QCompleter(self.model_combo.model(), self.model_combo)
        self.model_combo.setCompleter(self.completer)

        self.target_combo = QComboBox()
        self.target_combo.setObjectName("targetCombo")
        self.target_combo.setEditable(True)
        self.target_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._size_by_length(self.target_combo, 10)
        self._line(self.target_combo).setPlaceholderText("production, staging, deployment ID …")
        self.target_combo.addItem("production")

        self.status_label = QLabel("")
        self.status_label.setObjectName("statusBadge")
        bold = self.status_label.font()
        bold.setBold(True)
        self.status_label.setFont(bold)
        metrics = self.status_label.fontMetrics()  # as wide as the longest: the row never shifts
        self.status_label.setFixedWidth(
            max(metrics.horizontalAdvance(status_word(s)) for s in DEPLOYMENT_STATUSES) + 4
        )
        self.production_label = QLabel("")
        self.production_label.setObjectName("productionBadge")
        self.production_label.hide()  # until a production target is chosen
        self.wake_button = QPushButton("Wake")
        self.wake_button.setObjectName("wakeButton")
        self.wake_button.setToolTip("Start a scaled-to-zero deployment before the first request")
        self.wake_button.setEnabled(False)
        fit_width(self.wake_button)

        self.model_api_label = QLabel(
            "Talking to a Model API: pick its slug in the chat's Model box"
        )
        self.model_api_label.setObjectName("modelApiNote")
        self.model_api_label.hide()
        self._labels = (QLabel("Model"), QLabel("Target"))
        self.model_part = _row(self._labels[0], (self.model_combo, 1))
        self.target_part = _row(
            self._labels[1],
            (self.target_combo, 1),
            self.production_label,
            self.status_label,
            self.wake_button,
        )
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(SPACING)
        self._grid.addWidget(self.model_part, 0, 0)
        self._grid.addWidget(self.target_part, 0, 1)
        self._grid.addWidget(self.model_api_label, 0, 2)
        self._grid.setColumnStretch(0, 3)
        self._grid.setColumnStretch(1, 2)
        self._is_one_row = True
        self._is_compact = False

    def make_compact(self) -> None:
        """Two short rows for ever (model and Wake; target and its badges), without the labels
        (the combos' placeholders say it): for a column a sixth of a screen wide."""
        self._is_compact = True
        for label in self._labels:
            label.hide()
        for combo in (self.model_combo, self.target_combo):
            self._size_by_length(combo, 8)
        layout = self.model_part.layout()
        assert layout is not None
        layout.addWidget(self.wake_button)
        self._place(one_row=False)

    @staticmethod
    def _size_by_length(combo: QComboBox, length: int) -> None:
        """Sized by a number of characters, not by its longest item: a long name must not make
        the window wider than the screen."""
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(length)

    # --- layout: one row when there is room, the target under the model when not ---------------

    def minimumSizeHint(self) -> QSize:
        """As narrow as the wider of the two parts: they go on two rows when there is no room."""
        parts = (self.model_part, self.target_part)
        width = max(part.minimumSizeHint().width() for part in parts)
        return QSize(width, super().minimumSizeHint().height())

    def _one_row_width(self) -> int:
        return self.model_part.sizeHint().width() + SPACING + self.target_part.sizeHint().width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        one_row = event.size().width() >= self._one_row_width() and not self._is_compact
        if one_row != self._is_one_row:
            self._place(one_row)

    def _place(self, one_row: bool) -> None:
        self._is_one_row = one_row
        self._grid.removeWidget(self.target_part)
        self._grid.addWidget(self.target_part, 0 if one_row else 1, 1 if one_row else 0)
        self._grid.setColumnStretch(1, 2 if one_row else 0)

    def set_model_api(self, is_model_api: bool) -> None:
        """A chat with a Model API calls no model or deployment of this bar: hide them (with
        their status and PRODUCTION badge) rather than show one that is not called."""
        self.model_part.setVisible(not is_model_api)
        self.target_part.setVisible(not is_model_api)
        self.model_api_label.setVisible(is_model_api)

    def finish_setup(self) -> None:
        """Match models anywhere in their names, in any case. After the first paint: the first
        use of the `Qt` namespace costs ~30 ms (it makes ~90 Python enums)."""
        from PySide6.QtCore import Qt

        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Labels start with the id ("deployment abc123 (name, environment)"): cut the name at
        # the end, never the middle of the id; the item's tooltip has all of it.
        self.target_combo.view().setTextElideMode(Qt.TextElideMode.ElideRight)

    def _connect(self) -> None:
        self.model_combo.activated.connect(self._on_model_activated)
        self._line(self.model_combo).editingFinished.connect(self._on_model_edited)
        self.target_combo.currentIndexChanged.connect(self._update_status)
        self.target_combo.editTextChanged.connect(self._update_status)
        self.target_combo.editTextChanged.connect(self.target_changed)  # picked or typed
        self.wake_button.clicked.connect(self._on_wake_clicked)

    @staticmethod
    def _line(combo: QComboBox) -> QLineEdit:
        line = combo.lineEdit()
        assert line is not None  # the combos are editable
        return line

    # --- what the window reads --------------------------------------------------------------

    def model_id(self) -> str:
        index = self.model_combo.currentIndex()
        text = self.model_combo.currentText().strip()
        if index >= 0 and self.model_combo.itemText(index) == text:
            return str(self.model_combo.itemData(index) or text)
        return text.split()[-1].strip("()") if text else ""

    def current_choice(self) -> TargetChoice | None:
        index = self.target_combo.currentIndex()
        text = self.target_combo.currentText()
        if 0 <= index < len(self._choices) and self.target_combo.itemText(index) == text:
            return self._choices[index]
        return None

    def target(self) -> Target | None:
        """The target to call, or None when no model is given."""
        model_id = self.model_id()
        if not model_id:
            return None
        choice = self.current_choice()
        if choice is not None and choice.target.model_id == model_id:
            return choice.target
        return self._typed_target(model_id)

    def is_chain(self, model_id: str) -> bool:
        return model_id in self._chain_ids

    def _typed_target(self, model_id: str) -> Target:
        """The target combo's text read as a target of `model_id` (a chain's when it is one)."""
        target = parse_target(model_id, self.target_combo.currentText())
        return replace(target, is_chain=True) if self.is_chain(model_id) else target

    # --- what controllers feed ---------------------------------------------------------------

    def set_models(self, models: list[dict[str, Any]]) -> None:
        current = self.model_id()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self._chain_ids |= {str(m["id"]) for m in models if m.get("is_chain")}
        for model in models:
            kind = "chain · " if model.get("is_chain") else ""
            self.model_combo.addItem(f"{kind}{model['name']}  ({model['id']})", model["id"])
        self.model_combo.blockSignals(False)
        index = self.model_combo.findData(current) if current else (0 if models else -1)
        if index >= 0:
            self.model_combo.setCurrentIndex(index)
            self._chosen = ""  # the list is new: announce even the same model again
            self._choose(str(self.model_combo.itemData(index)))

    def select_model(self, model_id: str) -> None:
        index = self.model_combo.findData(model_id)
        if index >= 0:
            self.model_combo.setCurrentIndex(index)
        else:
            self.model_combo.setEditText(model_id)
        self._choose(model_id)

    def set_target(self, target: Target) -> None:
        """Select `target` (a preset's, say): its model now, the choice once the list is in."""
        if target.is_chain:
            self._chain_ids.add(target.model_id)
        self.select_model(target.model_id)
        targets = [same_target_key(c.target) for c in self._choices]
        if same_target_key(target) in targets:
            self.target_combo.setCurrentIndex(targets.index(same_target_key(target)))
        else:
            self.target_combo.setEditText(target_text(target))
        self._update_status()
        self.target_changed.emit()

    def set_choices(self, model_id: str, choices: list[TargetChoice]) -> None:
        if model_id != self.model_id():
            return  # an answer for a model no longer selected
        previous = same_target_key(self._typed_target(model_id))
        self._choices = list(choices)
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        for index, choice in enumerate(choices):
            self.target_combo.addItem(choice.label)
            self.target_combo.setItemData(index, choice.label, TOOLTIP_ROLE)
        targets = [same_target_key(c.target) for c in choices]
        self.target_combo.setCurrentIndex(targets.index(previous) if previous in targets else 0)
        self.target_combo.blockSignals(False)
        self._update_status()
        self.target_changed.emit()

    def set_status(self, deployment_id: str, status: str) -> None:
        self._choices = [
            replace(c, status=status) if c.deployment_id == deployment_id else c
            for c in self._choices
        ]
        self._update_status()

    def clear_choices(self) -> None:
        self._choices = []
        self._update_status()

    # --- view ---------------------------------------------------------------------------------

    def _update_status(self, *_: object) -> None:
        choice = self.current_choice()
        status = choice.status if choice else ""
        tone = STATUS_COLOURS.get(status, "error" if status else "muted")
        word = status_word(status)
        if self.status_label.fontMetrics().horizontalAdvance(word) > self.status_label.width():
            from PySide6.QtCore import Qt  # a status newer than we know: cut, whole in the tip

            word = self.status_label.fontMetrics().elidedText(
                word, Qt.TextElideMode.ElideRight, self.status_label.width()
            )
        self.status_label.setText(word)
        set_state(self.status_label, "tone", tone)  # style.qss colours it, in either theme
        self.status_label.setToolTip(
            f"Deployment {choice.deployment_id} ({choice.deployment_name}): {status}"
            if choice and choice.deployment_id
            else ""
        )
        is_production = bool(choice and choice.is_production) or (
            choice is None and self.target_combo.currentText().strip() == "production"
        )
        self.production_label.setText("PRODUCTION" if is_production else "")
        self.production_label.setVisible(is_production)  # style.qss paints it
        self.wake_button.setEnabled(bool(choice and choice.can_wake))
        line = self._line(self.target_combo)
        self.target_combo.setToolTip(line.text())
        if not line.hasFocus():
            line.home(False)  # the start (the id) in view, not the end of a long label

    def _choose(self, model_id: str) -> None:
        """Announce a model once; focus leaving the field must not reload the same one."""
        if model_id and model_id != self._chosen:
            self._chosen = model_id
            self.model_chosen.emit(model_id)

    def _on_model_activated(self, index: int) -> None:
        self._choose(str(self.model_combo.itemData(index) or self.model_id()))

    def _on_model_edited(self) -> None:
        model_id = self.model_id()
        if model_id and model_id != self._chosen:
            self.clear_choices()
            self._choose(model_id)

    def _on_wake_clicked(self) -> None:
        choice = self.current_choice()
        if choice is not None:
            self.wake_button.setEnabled(False)
            self.wake_requested.emit(choice)


def _row(*items: QWidget | tuple[QWidget, int]) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(SPACING)
    for item in items:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        layout.addWidget(widget, stretch)
    return row
