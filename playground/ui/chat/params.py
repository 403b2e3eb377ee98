"""The chat pane's parameter rows: where to talk (a deployment or Model APIs), the served model,
sampling parameters, stop strings, JSON mode, and extra JSON merged into the body."""

from __future__ import annotations

import json
from typing import Literal

from PySide6.QtCore import Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from playground.core.chat.conversation import ChatParams
from playground.core.errors import InvalidRequest
from playground.core.jsontext import InvalidJson, parse_json
from playground.ui.widgets.flow_layout import FlowLayout, group

Source = Literal["deployment", "model_apis"]
UNSET = -0.01  # a spin box's "default" (its special value text)


def _json_error(what: str, exc: InvalidJson) -> InvalidRequest:
    return InvalidRequest(f"{what}: {exc}")


def parse_stop(text: str) -> list[str]:
    """Stop strings as typed: a JSON array (`["\\n\\n", "END"]`), or one plain string."""
    text = text.strip()
    if not text:
        return []
    if not text.startswith("["):
        return [text]
    try:
        value = parse_json(text)
    except InvalidJson as exc:
        raise _json_error("Stop", exc) from exc
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRequest('Stop must be one string, or a JSON array of strings like ["END"]')
    return value


def stop_text(stops: list[str]) -> str:
    """The inverse of `parse_stop`: one plain string as it is, anything else as a JSON array."""
    if len(stops) == 1 and stops[0] == stops[0].strip() and not stops[0].startswith("["):
        return stops[0]
    return json.dumps(stops, ensure_ascii=False) if stops else ""


class ChatParamsBar(QWidget):
    """Reads and shows a `ChatParams`; says when the source (deployment or Model APIs) changes."""

    source_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_ui()

    def _build_ui(self) -> None:
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("chatSource")
        self.source_combo.addItem("This deployment (…/sync/v1)", "deployment")
        self.source_combo.addItem("Model APIs", "model_apis")
        self.source_combo.setToolTip(
            "Talk to the selected target's OpenAI-compatible server, or to a Model API by slug"
        )
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("chatModel")
        self.model_combo.setEditable(True)
        # Its width from a length, not from the longest served name (which would widen the window).
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model_combo.setMinimumContentsLength(18)
        self.model_combo.setToolTip("The served model name (or the Model API slug)")
        self.temperature = self._spin(0, 4, 0.1, "Temperature")
        self.top_p = self._spin(0, 1, 0.05, "Top p")
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(0, 262_144)
        self.max_tokens.setSpecialValueText("default")
        self.seed = QLineEdit()
        self.seed.setObjectName("chatSeed")
        self.seed.setPlaceholderText("default")
        self.seed.setValidator(QIntValidator())
        self.seed.setMinimumWidth(64)
        self.seed.setMaximumWidth(90)
        self.json_mode = QCheckBox("JSON mode")
        self.json_mode.setToolTip('response_format {"type": "json_object"}')
        self.stop_edit = QLineEdit()
        self.stop_edit.setObjectName("chatStop")
        self.stop_edit.setPlaceholderText('stop: END, or ["\\n\\n", "END"]')
        self.extra = QLineEdit()
        self.extra.setObjectName("chatExtra")
        self.extra.setPlaceholderText('extra JSON merged into the body, e.g. {"logprobs": true}')

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        first = FlowLayout()  # wraps in a narrow window rather than widening it
        for label, widget in (
            ("Talk to", self.source_combo),
            ("Model", self.model_combo),
            ("Temperature", self.temperature),
            ("Top p", self.top_p),
            ("Max tokens", self.max_tokens),
            ("Seed", self.seed),
        ):
            first.addWidget(group(QLabel(label), widget))
        first.addWidget(self.json_mode)
        self._row = first
        second = QHBoxLayout()
        second.addWidget(self.stop_edit, 1)
        second.addWidget(self.extra, 2)
        grid.addLayout(first, 0, 0)
        grid.addLayout(second, 1, 0)
        self.source_combo.currentIndexChanged.connect(self.source_changed)

    def add_to_row(self, widgets: list[QWidget]) -> None:
        """More options after JSON mode, in the same row (which wraps in a narrow window)."""
        for widget in widgets:
            self._row.addWidget(widget)

    @staticmethod
    def _spin(low: float, high: float, step: float, name: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setObjectName("chat" + name.replace(" ", ""))
        spin.setRange(low + UNSET, high)
        spin.setSingleStep(step)
        spin.setDecimals(2)
        spin.setSpecialValueText("default")
        spin.setValue(low + UNSET)
        return spin

    # --- reading and showing ---------------------------------------------------------------------

    def source(self) -> Source:
        source: Source = self.source_combo.currentData()
        return source

    def set_source(self, source: Source) -> None:
        self.source_combo.setCurrentIndex(self.source_combo.findData(source))

    def params(self) -> ChatParams:
        """The parameters as set; raises InvalidRequest, in words, for one that is not right."""
        extra_text = self.extra.text().strip()
        try:
            extra = parse_json(extra_text) if extra_text else {}
        except InvalidJson as exc:
            raise _json_error("Extra JSON", exc) from exc
        if not isinstance(extra, dict):
            raise InvalidRequest("Extra JSON must be an object")
        seed = self.seed.text().strip()
        params = ChatParams(
            model=self.model_combo.currentText().strip(),
            temperature=self._value(self.temperature),
            top_p=self._value(self.top_p),
            max_tokens=self.max_tokens.value() or None,
            stop=parse_stop(self.stop_edit.text()),
            seed=int(seed) if seed else None,
            response_format="json_object" if self.json_mode.isChecked() else None,
            extra=extra,
        )
        params.validate()
        return params

    def set_params(self, params: ChatParams) -> None:
        self.model_combo.setEditText(params.model)
        self.temperature.setValue(UNSET if params.temperature is None else params.temperature)
        self.top_p.setValue(UNSET if params.top_p is None else params.top_p)
        self.max_tokens.setValue(params.max_tokens or 0)
        self.seed.setText("" if params.seed is None else str(params.seed))
        self.stop_edit.setText(stop_text(params.stop))
        self.json_mode.setChecked(params.response_format == "json_object")
        self.extra.setText(json.dumps(params.extra, ensure_ascii=False) if params.extra else "")

    @staticmethod
    def _value(spin: QDoubleSpinBox) -> float | None:
        return None if spin.value() < spin.minimum() + 0.005 else round(spin.value(), 2)

    def set_models(self, names: list[str]) -> None:
        current = self.model_combo.currentText()
        self.model_combo.clear()
        self.model_combo.addItems(names)
        if current:
            self.model_combo.setCurrentText(current)
