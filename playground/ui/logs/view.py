"""The logs view: one request's log lines with their times and levels (coloured, filtered by a
minimum level), copied as text; it says plainly when there is nothing to read, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui import theme
from playground.ui.logs.controller import LogsController, LogsSubject
from playground.ui.widgets.fonts import monospace_font

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.jobs.logs import LogLine

COLUMNS = ("Time (UTC)", "Level", "Where", "Message")
RANKS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50}
LEVEL_COLOURS = {"DEBUG": "muted", "WARNING": "warn", "WARN": "warn", "ERROR": "error"}
LEVEL_CHOICES = (  # (label, the least rank shown)
    ("All levels", 0),
    ("Info and above", 20),
    ("Warnings and errors", 30),
    ("Errors only", 40),
)


def rank(level: str) -> int:
    return RANKS.get(level.upper(), 40 if level.upper() == "FATAL" else 20)


class LogsDialog(QDialog):
    """Fed by a LogsController: Refresh reads again, the level box filters what is shown, Copy
    takes the shown lines as text (`time LEVEL message`, one a line)."""

    def __init__(
        self, subject: LogsSubject, controller: LogsController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("logsDialog")
        self.setWindowTitle(f"Logs · request {subject.request_id or '(none)'}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.subject = subject
        self.controller = controller
        controller.setParent(self)
        self._lines: list[LogLine] = []
        self._is_loaded = False  # lines read (perhaps none): the message counts them
        self._build_ui()
        self._connect()
        self.resize(960, 480)
        self.refresh()

    def _build_ui(self) -> None:
        self.where_label = QLabel(
            f"Request {self.subject.request_id or '(no request id)'} · {self.subject.where}"
        )
        self.where_label.setObjectName("logsWhere")
        self.where_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where_label.setWordWrap(True)
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("logsLevel")
        for label, least in LEVEL_CHOICES:
            self.level_combo.addItem(label, least)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("logsRefresh")
        self.refresh_button.setToolTip("Read the logs again: lines can arrive a little late")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("logsCopy")
        self.copy_button.setToolTip("Copy the lines shown, one a line: time, level, message")
        self.message_label = QLabel("")
        self.message_label.setObjectName("logsMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("logsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setFont(monospace_font())
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Message"), QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setStyleSheet("QTableView::item { padding: 0 6px; }")  # columns apart
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.detail = QPlainTextEdit()  # the selected line whole: a traceback, a long input
        self.detail.setObjectName("logsDetail")
        self.detail.setReadOnly(True)
        self.detail.setFont(monospace_font())
        self.detail.setPlaceholderText("Pick a line to read it whole")
        self.detail.setMaximumHeight(self.detail.fontMetrics().height() * 6)

        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        row.addWidget(self.level_combo)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where_label)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)

    def _connect(self) -> None:
        self.controller.loaded.connect(self._on_controller_loaded)
        self.controller.failed.connect(self._on_controller_failed)
        self.level_combo.currentIndexChanged.connect(self._update_rows)
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button.clicked.connect(self.copy_lines)
        self.table.currentCellChanged.connect(self._on_table_current_changed)

    # --- actions -------------------------------------------------------------------------------

    def refresh(self) -> None:
        if problem := self.subject.problem:
            self._say(problem, "error")
            self.refresh_button.setEnabled(False)
            self._update_rows()
            return
        self._is_loaded = False
        self._say("Reading the logs…", "muted")
        self.refresh_button.setEnabled(False)
        self.controller.fetch(self.subject)

    def shown_lines(self) -> list[LogLine]:
        least = int(self.level_combo.currentData() or 0)
        return [line for line in self._lines if rank(line.level) >= least]

    def copy_lines(self) -> None:
        lines = self.shown_lines()
        QGuiApplication.clipboard().setText("\n".join(line.text() for line in lines))
        self._say(f"Copied {len(lines)} line{'s' if len(lines) != 1 else ''}", "muted")

    # --- view ----------------------------------------------------------------------------------

    def _say(self, text: str, tone: str) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(theme.styled(f"color: {{{tone}}};"))
        self.message_label.setVisible(bool(text))

    def _update_rows(self, *_: object) -> None:
        lines = self.shown_lines()
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            tone = LEVEL_COLOURS.get(line.level.upper())
            brush = QBrush(QColor(theme.colour(tone))) if tone else None
            # A message of several lines (a traceback) on one row; its tooltip and Copy keep them.
            # The time of day (the date and zone are in the tooltip and in what Copy takes).
            clock = line.time_text[11:-1]
            cells = (clock, line.level, line.replica, line.message.replace("\n", " ⏎ "))
            tips = (line.time_text, "", "", line.message)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tips[column])
                if brush is not None and column in (1, 3):
                    item.setForeground(brush)
                if column == 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self.copy_button.setEnabled(bool(lines))
        if self._is_loaded:
            self._say(self._count_text(len(lines)), "muted")

    def _count_text(self, shown: int) -> str:
        if not self._lines:
            return (
                "No log lines for this request id yet: lines can take a few seconds to arrive "
                "(Refresh), and logs are kept for a limited time."
            )
        hidden = len(self._lines) - shown
        if hidden:
            return f"{hidden} of {len(self._lines)} lines are below the level shown"
        return f"{shown} line{'s' if shown != 1 else ''}, oldest first"

    # --- slots ---------------------------------------------------------------------------------

    def _on_controller_loaded(self, lines: list[LogLine]) -> None:
        self._lines = list(lines)
        self._is_loaded = True
        self.refresh_button.setEnabled(True)
        self._update_rows()

    def _on_controller_failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self._say(message, "error")
        self._lines = []
        self._is_loaded = False
        self._update_rows()

    def _on_table_current_changed(self, row: int, *_: int) -> None:
        lines = self.shown_lines()
        self.detail.setPlainText(lines[row].text() if 0 <= row < len(lines) else "")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.cancel()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.controller.cancel()  # Esc, too, ends the read
        super().done(result)


def open_logs(parent: QWidget, client: BasetenClient, subject: LogsSubject) -> LogsDialog:
    """The logs of `subject`'s request in a window of their own (not modal: a person reads
    them beside the answer); the read starts at once, on the loop."""
    dialog = LogsDialog(subject, LogsController(client), parent)
    dialog.show()
    return dialog


async def shutdown(window: QWidget) -> None:
    """Cancel the open logs views' reads and wait for them (before the client closes)."""
    if not shiboken6.isValid(window):
        return  # deleted with its children, whose tasks were cancelled when they closed
    for controller in window.findChildren(LogsController):
        await controller.aclose()
