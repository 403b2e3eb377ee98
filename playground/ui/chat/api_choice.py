"""The chat pane's options beside its sampling parameters: which API (Chat Completions,
Responses, Messages), reasoning effort, logprobs, and the buttons that open the headers and the
structured-output editors."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox, QToolButton, QWidget

from playground.core.request.api_bodies import API_LABELS, Api, served_apis
from playground.ui.widgets.flow_layout import group

EFFORTS = ("low", "medium", "high")
DEFAULT_TOP_LOGPROBS = 3


class ChatOptions:
    """Reads and shows the API, reasoning effort and logprobs; `set_model_api(False)` keeps a
    dedicated deployment on Chat Completions, the only API it serves. `groups` are laid out in
    the parameters' wrapping row (ChatParamsBar.add_to_row)."""

    def __init__(self) -> None:
        self._build_ui()

    def _build_ui(self) -> None:
        self.api_combo = QComboBox()
        self.api_combo.setObjectName("chatApi")
        for api, label in API_LABELS.items():
            self.api_combo.addItem(label, api)
        self.effort_combo = QComboBox()
        self.effort_combo.setObjectName("chatReasoningEffort")
        self.effort_combo.addItem("default", None)
        for effort in EFFORTS:
            self.effort_combo.addItem(effort, effort)
        self.effort_combo.setToolTip("reasoning_effort: how long a reasoning model thinks")
        self.logprobs_check = QCheckBox("Logprobs")
        self.logprobs_check.setObjectName("chatLogprobs")
        self.logprobs_check.setToolTip(
            "Ask for each token's probability: the answer is tinted by it, alternatives on hover"
        )
        self.top_logprobs = QSpinBox()
        self.top_logprobs.setObjectName("chatTopLogprobs")
        self.top_logprobs.setRange(0, 20)
        self.top_logprobs.setValue(DEFAULT_TOP_LOGPROBS)
        self.top_logprobs.setPrefix("top ")
        self.top_logprobs.setToolTip("top_logprobs: the alternatives shown per token")
        self.top_logprobs.setEnabled(False)
        self.headers_button = QToolButton()
        self.headers_button.setObjectName("chatHeadersButton")
        self.headers_button.setText("Headers")
        self.headers_button.setCheckable(True)
        self.headers_button.setToolTip("Extra headers sent with the chat request")
        self.schema_button = QToolButton()
        self.schema_button.setObjectName("chatSchemaButton")
        self.schema_button.setText("Structured output")
        self.schema_button.setCheckable(True)
        self.schema_button.setToolTip("Answer as JSON valid against a schema (json_schema)")
        self.groups: list[QWidget] = [
            group(QLabel("API"), self.api_combo),
            group(QLabel("Reasoning"), self.effort_combo),
            group(self.logprobs_check, self.top_logprobs),
            self.headers_button,
            self.schema_button,
        ]
        self.logprobs_check.toggled.connect(self.top_logprobs.setEnabled)
        self.set_model_api(False)

    # --- reading and showing ---------------------------------------------------------------------

    def api(self) -> Api:
        api: Api = self.api_combo.currentData() if self.api_combo.isEnabled() else "chat"
        return api

    def set_api(self, api: Api) -> None:
        self.api_combo.setCurrentIndex(max(0, self.api_combo.findData(api)))

    def set_model_api(self, is_model_api: bool) -> None:
        """Offer the APIs the target serves (core's `served_apis`): the choice is open only
        when there is one to make."""
        served = served_apis(model_api=is_model_api)
        self.api_combo.setEnabled(len(served) > 1)
        self.api_combo.setToolTip(
            "The API the chat is sent with"
            if len(served) > 1
            else f"A dedicated deployment serves {API_LABELS[served[0]]} only (…/sync/v1)"
        )
        if self.api_combo.currentData() not in served:
            self.set_api(served[0])

    def reasoning_effort(self) -> str | None:
        effort: str | None = self.effort_combo.currentData()
        return effort

    def set_reasoning_effort(self, effort: str | None) -> None:
        index = self.effort_combo.findData(effort) if effort is not None else 0
        self.effort_combo.setCurrentIndex(max(0, index))

    def logprobs(self) -> int | None:
        """None when off; else how many alternatives per token."""
        return self.top_logprobs.value() if self.logprobs_check.isChecked() else None

    def set_logprobs(self, top: int | None) -> None:
        self.logprobs_check.setChecked(top is not None)
        if top is not None:
            self.top_logprobs.setValue(top)
