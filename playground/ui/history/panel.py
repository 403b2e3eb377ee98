"""The history dock: recent exchanges to search, read, re-open, re-send, delete or clear."""

from __future__ import annotations

import contextlib
import json
import time
import weakref
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.history.store import Exchange, ExchangeRow, History
from playground.core.jsontext import parse_json
from playground.core.request.spec import MODES
from playground.core.text import human_size, human_time, status_text
from playground.ui import theme
from playground.ui.history.recorder import HistoryRecorder
from playground.ui.logs.controller import LogsSubject
from playground.ui.logs.view import open_logs
from playground.ui.media.pane import with_previews
from playground.ui.widgets.flow_layout import fit_width
from playground.ui.widgets.fonts import monospace_font

if TYPE_CHECKING:
    from playground.ui.host import WindowHost

COLUMNS = ("Time", "Mode", "Target", "Status", "Total", "Request id")
LIST_LIMIT = 500
DOCK_WIDTH = 500
ID_CHARS = 10  # of a request id in the list; the detail and the tooltip have all of it
SHOWN_CHARS = 128 * 1024  # what the detail shows of a kept body (as the response view does)
MODE_LABELS: dict[str, str] = {**dict(MODES), "chat": "Chat"}
OUTCOME_COLOURS = {"failed": "error", "cancelled": "warn"}  # colours of playground/ui/theme.py

_Index = QModelIndex | QPersistentModelIndex
# Found again at shutdown without asking Qt: by then the window's C++ side may be deleted.
_recorders: weakref.WeakKeyDictionary[QObject, HistoryRecorder] = weakref.WeakKeyDictionary()


def when_text(at: float, now: float | None = None) -> str:
    """`14:03:07` today, `Mar 02 14:03` before this day, `2024-03-02 14:03` in another year."""
    then, today = time.localtime(at), time.localtime(time.time() if now is None else now)
    if then[:3] == today[:3]:
        return time.strftime("%H:%M:%S", then)
    return time.strftime("%b %d %H:%M" if then[0] == today[0] else "%Y-%m-%d %H:%M", then)


def outcome_text(row: ExchangeRow | Exchange) -> str:
    if row.outcome == "cancelled":
        return "cancelled"
    if row.status:
        return status_text(row.status) if row.outcome == "finished" else str(row.status)
    return "failed" if row.outcome == "failed" else "—"


class HistoryTableModel(QAbstractTableModel):
    """Rows of the history, newest first; the view and the panel never touch the database."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ExchangeRow] = []

    def set_rows(self, rows: list[ExchangeRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, row: int) -> ExchangeRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5:
                return row.request_id
            return row.error or f"{row.target} · {human_size(row.response_size)}"
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = OUTCOME_COLOURS.get(row.outcome)
            if colour is None and row.status >= 400:
                colour = OUTCOME_COLOURS["failed"]
            return QBrush(QColor(theme.colour(colour))) if colour else None
        return None

    @staticmethod
    def _text(row: ExchangeRow, column: int) -> str:
        if column == 0:
            return when_text(row.at)
        if column == 1:
            return MODE_LABELS.get(row.mode, row.mode)
        if column == 2:
            return row.target.removeprefix("model ")  # the mode column says what it is
        if column == 3:
            return outcome_text(row)
        if column == 4:
            return human_time(row.total_s) if row.total_s is not None else ""
        return row.request_id[:ID_CHARS] + ("…" if len(row.request_id) > ID_CHARS else "")


def detail_text(exchange: Exchange) -> str:
    """The kept response as a person reads it: JSON pretty-printed, text as is, binary summed up."""
    if exchange.mode == "chat" and exchange.answer and not exchange.response:
        return exchange.answer
    data = exchange.response
    if not data:
        return ""
    if b"\x00" in data[:1024]:
        return f"(binary body, {human_size(exchange.size)}; {exchange.content_type or 'no type'})"
    text = exchange.response_text()
    if "json" in exchange.content_type and not exchange.is_truncated and len(text) <= SHOWN_CHARS:
        with contextlib.suppress(ValueError):
            text = json.dumps(parse_json(text), indent=2, ensure_ascii=False)
    return text[:SHOWN_CHARS]


class HistoryPanel(QDockWidget):
    """Search on top, the list, and the selected exchange's response and request below."""

    def __init__(self, history: History, recorder: HistoryRecorder, host: WindowHost) -> None:
        super().__init__("History", host.widget())
        self.setObjectName("historyDock")
        self.history = history
        self.recorder = recorder
        self.host = host
        self.model = HistoryTableModel(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._was_shown = False
        self._build_ui()
        self._connect()
        self.refresh()
        if history.problem:
            self.problem_label.setText(history.problem)
            self.problem_label.show()

    def _build_ui(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("historySearch")
        self.search_edit.setPlaceholderText("Search target, route, body, response, request id…")
        self.search_edit.setClearButtonEnabled(True)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("historyProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setProperty("tone", "error")  # style.qss colours it
        self.problem_label.hide()
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # The status is what a person looks for: beside the time, never past a long target
        # (which is elided in the middle to fit).
        header.moveSection(COLUMNS.index("Status"), 1)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.reopen_button = QPushButton("Re-open")
        self.reopen_button.setToolTip("Put this request back in the window (Enter)")
        self.resend_button = QPushButton("Re-send")
        self.resend_button.setToolTip("Put it back in the window and send it again")
        self.logs_button = QPushButton("Logs")
        self.logs_button.setToolTip("This request's lines in its deployment's logs")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Forget this entry (Del)")
        self.clear_button = QPushButton("Clear…")
        self.clear_button.setToolTip("Forget every request and response in the history")
        buttons = QHBoxLayout()
        self._row = (self.reopen_button, self.resend_button, self.delete_button, self.logs_button)
        for button in self._row[:3]:  # Logs is by the summary: the dock stays as narrow
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)

        mono = monospace_font()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("historySummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.response_text = QPlainTextEdit()
        self.response_text.setObjectName("historyResponse")
        self.request_text = QPlainTextEdit()
        self.request_text.setObjectName("historyRequest")
        for view in (self.response_text, self.request_text):
            view.setReadOnly(True)
            view.setFont(mono)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tabs = QTabWidget()
        response_page, self.media = with_previews(self.response_text)  # images and audio kept
        self.tabs.addTab(response_page, "Response")
        self.tabs.addTab(self.request_text, "Request")
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        summary = QHBoxLayout()
        summary.addWidget(self.summary_label, 1)
        summary.addWidget(self.logs_button, 0, Qt.AlignmentFlag.AlignTop)
        detail_layout.addLayout(summary)
        detail_layout.addWidget(self.tabs, 1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.search_edit)
        top_layout.addWidget(self.problem_label)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self.setWidget(body)
        for button in self._row:
            fit_width(button)  # the dock's narrowest is its buttons' row: no wider than they need
        fit_width(self.clear_button)
        self._update_buttons()

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.table.doubleClicked.connect(self.reopen)
        self.table.activated.connect(self.reopen)
        self.reopen_button.clicked.connect(self.reopen)
        self.resend_button.clicked.connect(self.resend)
        self.delete_button.clicked.connect(self.delete)
        self.logs_button.clicked.connect(self.show_logs)
        self.clear_button.clicked.connect(self.ask_clear)
        # A key filter, not a QShortcut: the presets panel has Del for itself, and two shortcuts
        # on one key in one window are ambiguous (neither fires).
        self.table.installEventFilter(self)
        self.recorder.recorded.connect(self._on_recorder_recorded)
        self.recorder.changed.connect(self.refresh)
        self.recorder.failed.connect(self._on_recorder_failed)

    # --- actions -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """The list again, from the database: the newest, or what the search finds."""
        selected = self.selected_id()
        text = self.search_edit.text()
        rows = (
            self.history.search(text, LIST_LIMIT) if text.strip() else self.history.list(LIST_LIMIT)
        )
        self.model.set_rows(rows)
        ids = [row.id for row in rows]
        if selected in ids:
            self.table.selectRow(ids.index(selected))
        else:
            self._show(None)
        self._update_buttons()

    def selected_id(self) -> int | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return row.id if row is not None and self.table.currentIndex().isValid() else None

    def selected(self) -> Exchange | None:
        exchange_id = self.selected_id()
        return self.history.get(exchange_id) if exchange_id is not None else None

    def reopen(self) -> bool:
        """Put the selected request back in the window, ready to send; False if it cannot be."""
        exchange = self.selected()
        if exchange is None:
            return False
        try:
            spec = exchange.spec()
        except ValueError as exc:
            self.host.show_status(f"Cannot re-open this entry: {exc}")
            return False
        self.host.load_request(spec)
        self.host.show_status(f"Re-opened: {spec.description}", 5000)
        return True

    def resend(self) -> None:
        if not self.reopen():
            return
        self.host.resend()

    def show_logs(self) -> None:
        if (exchange := self.selected()) is None:
            return
        if exchange.remote and exchange.remote != self.host.remote.name:  # its logs are there
            self.host.show_status(f"Sent to {exchange.remote}: open its logs in a window on it")
            return
        open_logs(self, self.host.client, LogsSubject.of_exchange(exchange))

    def delete(self) -> None:
        exchange_id = self.selected_id()
        if exchange_id is not None:
            self.recorder.delete(exchange_id)

    def ask_clear(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setObjectName("clearHistoryBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Clear the history")
        box.setText(f"Forget all {self.history.count()} requests and responses in the history?")
        box.setInformativeText("This cannot be undone.")
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        clear = box.addButton("Clear history", QMessageBox.ButtonRole.DestructiveRole)
        clear.setObjectName("confirmClearButton")
        clear.clicked.connect(self.recorder.clear)
        box.open()  # never exec(): a nested loop would break the qasync tasks
        return box

    def toggle(self) -> None:
        self.setVisible(not self.isVisible())
        if self.isVisible():
            if not self._was_shown:  # wide enough for the target the first time
                self._was_shown = True
                self.host.widget().resizeDocks([self], [DOCK_WIDTH], Qt.Orientation.Horizontal)
            self.raise_()
            self.search_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.matches(QKeySequence.StandardKey.Delete)
        ):
            self.delete()
            return True
        return super().eventFilter(watched, event)

    # --- views ---------------------------------------------------------------------------------

    def _show(self, exchange: Exchange | None) -> None:
        self.media.clear()
        if exchange is None:
            self.summary_label.setText("Pick an entry to see its response.")
            self.response_text.clear()
            self.request_text.clear()
            return
        parts = [outcome_text(exchange), exchange.where]
        if exchange.total_s is not None:
            parts.append(human_time(exchange.total_s))
        if exchange.size:
            cut = f" (kept {human_size(len(exchange.response))})" if exchange.is_truncated else ""
            parts.append(human_size(exchange.size) + cut)
        if exchange.request_id:
            parts.append(f"request id {exchange.request_id}")
        summary = " · ".join(parts)
        if exchange.error:
            summary += f"\n⚠ {exchange.error}"
        if exchange.note:  # what of a damaged entry could not be read
            summary += f"\n⚠ {exchange.note}"
        self.summary_label.setText(summary)
        self.response_text.setPlainText(detail_text(exchange))
        if exchange.response:  # media up to the history's cap; a cut one says where it was cut
            self.media.show_body(exchange.response, exchange.content_type, size=exchange.size)
        request = {"url": exchange.url, **exchange.request} if exchange.url else exchange.request
        self.request_text.setPlainText(json.dumps(request, indent=2, ensure_ascii=False))

    def _update_buttons(self) -> None:
        has_selection = self.selected_id() is not None
        for button in self._row:
            button.setEnabled(has_selection)
        self.clear_button.setEnabled(self.model.rowCount() > 0)

    # --- slots ---------------------------------------------------------------------------------

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show(self.selected() if current.isValid() else None)
        self._update_buttons()

    def _on_recorder_recorded(self, _exchange_id: int) -> None:
        self.refresh()

    def _on_recorder_failed(self, message: str) -> None:
        self.host.show_status(f"History: {message}")


def install(host: WindowHost, history: History) -> HistoryPanel:
    """The history dock (hidden until asked for), its recorder, and its menu entries."""
    recorder = HistoryRecorder(history, host)
    panel = HistoryPanel(history, recorder, host)
    host.widget().addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
    panel.hide()
    host.add_action("&History", "Show &history", "Ctrl+H", panel.toggle)
    host.add_action("&History", "&Re-send selected", "Ctrl+Shift+R", panel.resend)
    host.add_action("&History", "&Clear history…", "", panel.ask_clear)
    if history.problem:
        host.show_status(history.problem)
    _recorders[host.widget()] = recorder
    return panel


async def close_history(host: WindowHost) -> None:
    """Let the history's writes land and close its database (at shutdown, when the window's
    Qt side may be gone already)."""
    recorder = _recorders.pop(host.widget(), None)
    if recorder is not None:
        await recorder.aclose()
