"""What the chat pane sends besides its sampling parameters: the API, reasoning effort,
logprobs, a structured-output schema, extra headers and attached images."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QWidget

from playground.core.chat.conversation import ChatParams
from playground.core.errors import InvalidRequest
from playground.core.request.spec import RequestSpec
from playground.ui.chat.api_choice import ChatOptions
from playground.ui.chat.attachments import AttachmentTray, ComposerEdit
from playground.ui.chat.params import ChatParamsBar
from playground.ui.chat.schema_editor import TEMPLATES, SchemaEditor
from playground.ui.widgets.headers_edit import HeadersEdit


class ChatExtras:
    """The widgets for them (laid out by the pane), read into params and a spec, and shown back."""

    def __init__(self, params_bar: ChatParamsBar, composer: ComposerEdit) -> None:
        self.params_bar = params_bar
        self.options = ChatOptions()
        params_bar.add_to_row(self.options.groups)
        self.headers_edit = HeadersEdit(
            "Extra headers, one per line, e.g. x-session-affinity: chat-1 (the key is added "
            "for you)"
        )
        self.headers_edit.setObjectName("chatHeaders")
        self.headers_edit.setVisible(False)
        self.schema_editor = SchemaEditor()
        self.schema_editor.setVisible(False)
        self.tray = AttachmentTray()
        self.options.headers_button.toggled.connect(self.headers_edit.setVisible)
        self.options.schema_button.toggled.connect(self._on_schema_toggled)
        params_bar.json_mode.toggled.connect(self._on_json_mode_toggled)
        params_bar.source_changed.connect(self._update_api)
        composer.files_dropped.connect(self._on_composer_files_dropped)
        composer.image_pasted.connect(self.tray.add_bytes)
        self._update_api()

    def widgets(self) -> list[QWidget]:
        """Below the parameters, in order (each shown when its button is on)."""
        return [self.headers_edit, self.schema_editor]

    # --- reading ---------------------------------------------------------------------------------

    def uses_schema(self) -> bool:
        return self.options.schema_button.isChecked()

    def params(self, params: ChatParams) -> ChatParams:
        """`params` with the extras' values; InvalidRequest, in words, for one that is not right."""
        params.reasoning_effort = self.options.reasoning_effort()
        params.logprobs = self.options.logprobs()
        if self.uses_schema():
            params.response_format = "json_schema"
            params.json_schema = self.schema_editor.json_schema()
        params.validate()
        return params

    def spec(self, spec: RequestSpec) -> RequestSpec:
        """`spec` sent with the API chosen (Model APIs only serve the others)."""
        if spec.model_api and self.options.api() != "chat":
            return dataclasses.replace(spec, api=self.options.api())
        return spec

    def headers_text(self) -> str:
        return self.headers_edit.text()

    def schema(self) -> dict[str, Any] | None:
        """The schema an answer is to be checked against, when one is asked for."""
        if not self.uses_schema():
            return None
        try:
            schema: dict[str, Any] = self.schema_editor.json_schema()["schema"]
        except InvalidRequest:
            return None
        return schema

    # --- showing ---------------------------------------------------------------------------------

    def show_params(self, params: ChatParams) -> None:
        self.options.set_reasoning_effort(params.reasoning_effort)
        self.options.set_logprobs(params.logprobs)
        is_schema = params.response_format == "json_schema"
        if is_schema:
            self.schema_editor.set_json_schema(params.json_schema)
        self.options.schema_button.setChecked(is_schema)

    def show_spec(self, spec: RequestSpec) -> None:
        self.headers_edit.set_headers(spec.headers)
        self.options.headers_button.setChecked(bool(spec.headers))
        self._update_api()
        self.options.set_api(spec.api)

    def _update_api(self) -> None:
        self.options.set_model_api(self.params_bar.source() == "model_apis")

    def _on_schema_toggled(self, checked: bool) -> None:
        self.schema_editor.setVisible(checked)
        if checked:
            self.params_bar.json_mode.setChecked(False)  # one response format at a time
            if self.schema_editor.editor.is_empty():
                self.schema_editor.use_template(next(iter(TEMPLATES)))

    def _on_json_mode_toggled(self, checked: bool) -> None:
        if checked:
            self.options.schema_button.setChecked(False)

    def _on_composer_files_dropped(self, paths: list[str]) -> None:
        for path in paths:
            self.tray.add_path(path)
