"""The compare view's actions: send to all, stop, add a column, one model for all columns, wake
first, repeat, diff and save."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from playground.ui.widgets.flow_layout import FlowLayout, group


class CompareToolbar(QWidget):
    """Buttons and options only; the compare view connects them and keeps their state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.send_button = QPushButton("Send to all")
        self.send_button.setObjectName("sendAllButton")
        self.send_button.setToolTip("Send the request to every column at once (Ctrl+Enter)")
        self.send_button.setStyleSheet("font-weight: bold; padding: 3px 14px;")
        self.stop_button = QPushButton("Stop all")
        self.stop_button.setToolTip("Stop every column; what arrived is kept (Esc)")
        self.stop_button.setEnabled(False)
        self.add_button = QPushButton("+ Column")
        self.add_button.setToolTip("Add a column (up to six)")
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelForAll")
        self.model_combo.setPlaceholderText("Model for all columns…")
        self.model_combo.setToolTip(
            "Point every column at one model: production, then its other environments and"
            " deployments, one per column"
        )
        self.model_combo.setMinimumContentsLength(16)
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.wake_check = QCheckBox("Wake all first")
        self.wake_check.setToolTip(
            "Wait until every target is ACTIVE before sending, so that no run pays a cold start"
        )
        self.wake_progress = QProgressBar()
        self.wake_progress.setObjectName("wakeProgress")
        self.wake_progress.setMaximumWidth(170)
        self.wake_progress.setFormat("%v of %m serving")
        self.wake_progress.hide()
        self.repeat_spin = QSpinBox()
        self.repeat_spin.setObjectName("repeatSpin")
        self.repeat_spin.setRange(1, 100)
        self.repeat_spin.setSuffix(" ×")
        self.repeat_spin.setToolTip("Send N times in a row; the chart shows p50 and p95 per column")
        self.diff_button = QPushButton("Diff…")
        self.diff_button.setToolTip("How two columns' answers differ: JSON paths, or words")
        self.save_button = QPushButton("Save report…")
        self.save_button.setToolTip("The comparison as JSON or Markdown: bodies, metrics, ids")
        for button in (self.diff_button, self.save_button):
            button.setEnabled(False)

        # One row on a wide screen; on a narrow one the groups wrap rather than widen the window.
        actions = FlowLayout(self, spacing=12)
        for widget in (
            group(self.send_button, self.stop_button, self.add_button),
            self.model_combo,
            group(self.wake_check, self.wake_progress),
            group(QLabel("Repeat"), self.repeat_spin),
            group(self.diff_button, self.save_button),
        ):
            actions.addWidget(widget)

    def set_models(self, models: list[dict[str, Any]]) -> None:
        """Offer `models` for all columns; nothing is chosen until a person picks one."""
        self.model_combo.clear()
        for model in models:
            self.model_combo.addItem(f"{model['name']}  ({model['id']})", model["id"])
        self.model_combo.setCurrentIndex(-1)
