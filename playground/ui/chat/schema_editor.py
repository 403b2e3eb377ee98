"""Structured output: a JSON Schema to answer by (with a few templates to start from), and an
answer checked against the schema with `jsonschema`. (JSON mode, json_object, is the looser
choice: the parameters row's checkbox; the two exclude each other.)"""

from __future__ import annotations

import copy
import json
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import InvalidRequest
from playground.ui.widgets.json_editor import JsonEditor

_PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            "required": ["city", "country"],
            "additionalProperties": False,
        },
    },
    "required": ["name", "age", "address"],
    "additionalProperties": False,
}
_SENTIMENT = {
    "type": "object",
    "properties": {
        "sentiment": {"enum": ["positive", "neutral", "negative"]},
        "confidence": {"type": "number"},
    },
    "required": ["sentiment", "confidence"],
    "additionalProperties": False,
}
_ITEMS = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
        "total": {"type": "number"},
    },
    "required": ["items", "total"],
    "additionalProperties": False,
    "$defs": {
        "item": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "quantity": {"type": "integer"},
                "price": {"anyOf": [{"type": "number"}, {"type": "null"}]},
            },
            "required": ["name", "quantity", "price"],
            "additionalProperties": False,
        }
    },
}
# name → (the schema's name, the schema): a few shapes people ask for first.
TEMPLATES: dict[str, tuple[str, dict[str, Any]]] = {
    "Person (nested object)": ("person", _PERSON),
    "Sentiment (enum)": ("sentiment", _SENTIMENT),
    "Receipt items (array, $defs, anyOf)": ("receipt", _ITEMS),
}


def _path_words(path: Any) -> str:
    """A failing path in words: `items[0].price`, or "the answer" at the top."""
    words = ""
    for step in path:
        words += f"[{step}]" if isinstance(step, int) else (f".{step}" if words else str(step))
    return words or "the answer"


def check_answer(schema: dict[str, Any], text: str) -> str:
    """ "valid", or the first failing place in words: not JSON, or where and why it fails."""
    import jsonschema  # not at import: only a structured answer needs it

    try:
        value = json.loads(text)
    except ValueError as exc:
        return f"not valid: the answer is not JSON ({exc})"
    validator_class = jsonschema.validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"cannot check: the schema is not valid ({exc.message})"
    errors = sorted(
        validator_class(schema).iter_errors(value),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if not errors:
        return "valid"
    first = errors[0]
    return f"not valid: at {_path_words(first.absolute_path)}: {first.message}"


class SchemaEditor(QWidget):
    """The schema as JSON with its name and strictness, and a menu of templates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_ui()

    def _build_ui(self) -> None:
        self.template_combo = QComboBox()
        self.template_combo.setObjectName("schemaTemplate")
        self.template_combo.addItem("Templates…", None)
        # Its width from a length, not from the longest template's name (the name field keeps room)
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.template_combo.setMinimumContentsLength(10)
        for label in TEMPLATES:
            self.template_combo.addItem(label, label)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("schemaName")
        self.name_edit.setPlaceholderText("name")
        self.name_edit.setMinimumWidth(80)
        self.name_edit.setMaximumWidth(160)
        self.strict_check = QCheckBox("strict")
        self.strict_check.setChecked(True)
        self.editor = JsonEditor()
        self.editor.setObjectName("schemaEditor")
        self.editor.setPlaceholderText('{"type": "object", "properties": {…}}')
        self.editor.setMaximumHeight(110)  # the transcript keeps the room
        self.problem = QLabel("")
        self.problem.setObjectName("schemaProblem")
        self.problem.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("JSON Schema"))
        row.addWidget(self.template_combo)
        row.addWidget(QLabel("Name"))
        row.addWidget(self.name_edit)
        row.addWidget(self.strict_check)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.editor)
        layout.addWidget(self.problem)
        self.template_combo.activated.connect(self._on_template_activated)
        self.problem.setVisible(False)
        self.editor.problem_changed.connect(self._update_problem)

    def _update_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _on_template_activated(self, index: int) -> None:
        label = self.template_combo.itemData(index)
        if label in TEMPLATES:
            self.use_template(label)
        self.template_combo.setCurrentIndex(0)

    def use_template(self, label: str) -> None:
        name, schema = TEMPLATES[label]
        self.set_json_schema({"name": name, "schema": copy.deepcopy(schema), "strict": True})

    # --- reading and showing ---------------------------------------------------------------------

    def json_schema(self) -> dict[str, Any]:
        """OpenAI's `{"name", "schema", "strict"}`; InvalidRequest, in words, when not right."""
        try:
            schema = self.editor.value()
        except ValueError as exc:
            raise InvalidRequest(f"Schema: {exc}") from None
        if not isinstance(schema, dict):
            raise InvalidRequest("The schema must be a JSON object; pick a template to start.")
        return {
            "name": self.name_edit.text().strip() or "answer",
            "schema": schema,
            "strict": self.strict_check.isChecked(),
        }

    def set_json_schema(self, spec: dict[str, Any] | None) -> None:
        spec = spec or {}
        self.name_edit.setText(str(spec.get("name", "")))
        self.strict_check.setChecked(bool(spec.get("strict", False)))
        self.editor.set_json(spec.get("schema"))
