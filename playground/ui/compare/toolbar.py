"""The compare view's actions: send to all, stop, add a column, wake first, repeat, diff and save."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)


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

        actions = QHBoxLayout(self)
        actions.setContentsMargins(0, 0, 0, 0)
        for widget in (self.send_button, self.stop_button, self.add_button):
            actions.addWidget(widget)
        actions.addSpacing(18)
        actions.addWidget(self.wake_check)
        actions.addWidget(self.wake_progress)
        actions.addSpacing(18)
        actions.addWidget(QLabel("Repeat"))
        actions.addWidget(self.repeat_spin)
        actions.addStretch(1)
        actions.addWidget(self.diff_button)
        actions.addWidget(self.save_button)
