"""Compare environments side by side: one request to 2–6 targets at once, live columns, metrics, diff."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground.core.catalog import TargetChoice
from playground.core.request import Column, Mode, RequestSpec
from playground.ui.compare_chart import ChartData, PercentileChartView, Spread
from playground.ui.compare_column import LETTERS, CompareColumnView
from playground.ui.compare_controller import CompareController
from playground.ui.controller import CatalogueController
from playground.ui.json_editor import JsonEditor
from playground.ui.response_text import error_text

if TYPE_CHECKING:
    from playground.core.client import BasetenClient
    from playground.core.compare import ColumnResult, Comparison, WakeProgress
    from playground.core.errors import PlaygroundError
    from playground.ui.main_window import MainWindow

FLUSH_MS = 16  # one tick paints the columns' new text (never one re-layout per delta)
FLUSH_BUDGET_MS = 6
MIN_COLUMNS, MAX_COLUMNS = 2, 6
COMPARE_MODES: tuple[tuple[Mode, str], ...] = (
    ("predict", "Predict"),
    ("route", "Custom route"),
    ("chat", "OpenAI chat"),
)
CHAT_EXAMPLE: dict[str, Any] = {
    "messages": [{"role": "user", "content": "What is a cold start?"}],
    "stream": True,
}


def _is_chat_body(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("messages"), list)


class CompareView(QWidget):
    """Its own window: the request on top, then the columns, then the repeat chart."""

    def __init__(self, client: BasetenClient, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Compare — Playground")
        self.resize(1400, 860)
        self.client = client
        self.controller = CompareController(client, self)
        self.catalogue = CatalogueController(client, self)
        self.columns: list[CompareColumnView] = []
        self._column_catalogues: list[CatalogueController] = []
        self._models: list[dict[str, Any]] = []
        self._model_apis: list[str] = []
        self.comparison: Comparison | None = None
        self._headers: dict[str, str] = {}  # the window's request headers (never a secret)
        self._next_flush = 0
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._build_ui()
        self._connect()
        for _ in range(MIN_COLUMNS):
            self.add_column()

    # --- layout --------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("compareMode")
        for mode, label in COMPARE_MODES:
            self.mode_combo.addItem(label, mode)
        self.method_combo = QComboBox()
        self.method_combo.addItems(("GET", "POST", "PUT", "PATCH", "DELETE"))
        self.method_combo.setCurrentText("POST")
        self.route_edit = QLineEdit()
        self.route_edit.setPlaceholderText("/route (sent to sync/…)")
        self.from_window_button = QPushButton("Use the main window's request")
        self.from_window_button.setToolTip("Take the body (or chat), mode and target from the window")
        self.editor = JsonEditor()
        self.editor.setObjectName("compareBody")
        self.editor.setMaximumHeight(150)
        self.body_problem = QLabel("")
        self.body_problem.setStyleSheet("color: #a11d1d;")

        self.send_button = QPushButton("Send to all")
        self.send_button.setObjectName("sendAllButton")
        self.send_button.setDefault(True)
        self.send_button.setStyleSheet("font-weight: bold;")
        self.stop_button = QPushButton("Stop all")
        self.stop_button.setEnabled(False)
        self.add_button = QPushButton("+ Column")
        self.add_button.setToolTip("Add a column (up to six)")
        self.wake_check = QCheckBox("Wake all first")
        self.wake_check.setToolTip(
            "Wait until every target is ACTIVE before sending, so no run pays for a cold start"
        )
        self.wake_progress = QProgressBar()
        self.wake_progress.setMaximumWidth(160)
        self.wake_progress.setFormat("%v of %m awake")
        self.wake_progress.hide()
        self.repeat_spin = QSpinBox()
        self.repeat_spin.setObjectName("repeatSpin")
        self.repeat_spin.setRange(1, 50)
        self.repeat_spin.setPrefix("× ")
        self.repeat_spin.setToolTip("Send N times; the chart shows p50 and p95 per column")
        self.diff_button = QPushButton("Diff…")
        self.diff_button.setToolTip("Compare two columns' answers: JSON paths, or words")
        self.save_button = QPushButton("Save report…")
        self.save_button.setToolTip("The comparison as JSON and Markdown: bodies, metrics, ids")
        for button in (self.diff_button, self.save_button):
            button.setEnabled(False)

        request_row = QHBoxLayout()
        request_row.addWidget(QLabel("Request"))
        request_row.addWidget(self.mode_combo)
        request_row.addWidget(self.method_combo)
        request_row.addWidget(self.route_edit, 1)
        request_row.addStretch(0)
        request_row.addWidget(self.from_window_button)
        actions = QHBoxLayout()
        for widget in (self.send_button, self.stop_button, self.add_button):
            actions.addWidget(widget)
        actions.addSpacing(16)
        actions.addWidget(self.wake_check)
        actions.addWidget(self.wake_progress)
        actions.addSpacing(16)
        actions.addWidget(QLabel("Repeat"))
        actions.addWidget(self.repeat_spin)
        actions.addStretch(1)
        actions.addWidget(self.diff_button)
        actions.addWidget(self.save_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.chart = PercentileChartView()
        self.chart.setObjectName("percentileChart")
        self.chart.hide()
        self.status = QLabel("Pick the targets, then Send to all.")
        self.status.setObjectName("compareStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(request_row)
        layout.addWidget(self.editor)
        layout.addWidget(self.body_problem)
        layout.addLayout(actions)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.chart)
        layout.addWidget(self.status)
        send = QAction("Send to all", self)
        send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        send.triggered.connect(self.send_all)
        stop = QAction("Stop all", self)
        stop.setShortcut(QKeySequence("Esc"))
        stop.triggered.connect(self.stop_all)
        self.addActions([send, stop])
        self._update_mode()

    def _connect(self) -> None:
        ctl = self.controller
        self._timer.timeout.connect(self._flush)
        self.mode_combo.currentIndexChanged.connect(self._update_mode)
        self.method_combo.currentIndexChanged.connect(self._update_mode)
        self.from_window_button.clicked.connect(self.take_window_request)
        self.editor.problem_changed.connect(self.body_problem.setText)
        self.editor.send_requested.connect(self.send_all)
        self.send_button.clicked.connect(self.send_all)
        self.stop_button.clicked.connect(self.stop_all)
        self.add_button.clicked.connect(self.add_column)
        self.diff_button.clicked.connect(self.show_diff)
        self.save_button.clicked.connect(self.ask_save)
        self.catalogue.models_loaded.connect(self._on_catalogue_models_loaded)
        ctl.model_apis_loaded.connect(self._on_controller_model_apis_loaded)
        ctl.run_started.connect(self._on_controller_run_started)
        ctl.wake_progressed.connect(self._on_controller_wake_progressed)
        ctl.wake_failed.connect(self._on_controller_wake_failed)
        ctl.round_started.connect(self._on_controller_round_started)
        ctl.column_started.connect(self._on_controller_column_started)
        ctl.column_event.connect(self._on_controller_column_event)
        ctl.column_finished.connect(self._on_controller_column_ended)
        ctl.column_failed.connect(self._on_controller_column_ended)
        ctl.column_cancelled.connect(self._on_controller_column_cancelled)
        ctl.run_finished.connect(self._on_controller_run_finished)

    def load(self) -> None:
        """Fetch the model list and Model API slugs for the pickers."""
        self.catalogue.load_models()
        self.controller.load_model_apis()

    # --- columns -------------------------------------------------------------------------------

    def add_column(self) -> CompareColumnView | None:
        if len(self.columns) >= MAX_COLUMNS:
            return None
        view = CompareColumnView(len(self.columns))
        catalogue = CatalogueController(self.client, self)
        bar = view.target_bar
        bar.model_chosen.connect(catalogue.load_targets)
        bar.wake_requested.connect(catalogue.wake)
        catalogue.targets_loaded.connect(bar.set_choices)
        catalogue.status_changed.connect(lambda _m, dep, status: bar.set_status(dep, status))
        view.remove_requested.connect(lambda: self.remove_column(view))
        view.stop_requested.connect(lambda: self.controller.stop(view.index))
        if self._models:
            bar.set_models(self._models)
        view.set_model_apis(self._model_apis)
        self.columns.append(view)
        self._column_catalogues.append(catalogue)
        self.splitter.addWidget(view)
        self._update_columns()
        return view

    def remove_column(self, view: CompareColumnView) -> None:
        if len(self.columns) <= MIN_COLUMNS or self.controller.is_running:
            return
        index = self.columns.index(view)
        self.columns.pop(index)
        catalogue = self._column_catalogues.pop(index)
        catalogue.setParent(None)
        catalogue.deleteLater()
        view.setParent(None)
        view.deleteLater()
        for i, column in enumerate(self.columns):
            column.set_index(i)
        self._update_columns()

    def set_columns(self, columns: list[Column]) -> None:
        while len(self.columns) < min(MAX_COLUMNS, len(columns)):
            self.add_column()
        for view, column in zip(self.columns, columns, strict=False):
            view.set_column(column)

    # --- the request ---------------------------------------------------------------------------

    def mode(self) -> Mode:
        mode: Mode = self.mode_combo.currentData()
        return mode

    def set_request(self, spec: RequestSpec) -> None:
        """Put `spec` in the view: mode, route, body (async is compared as a sync predict)."""
        mode: Mode = "predict" if spec.mode == "async" else spec.mode
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
        if mode == "route":
            self.method_combo.setCurrentText(spec.method)
            self.route_edit.setText(spec.route)
        self.editor.set_json(spec.body)
        self._headers = dict(spec.headers)

    def request(self) -> RequestSpec | str:
        """The request every column is sent (before its overrides), or why there is none."""
        if not self.editor.is_valid():
            problem = self.editor.problem()
            return problem.sentence if problem else "The body is not valid JSON."
        body = self.editor.value()
        mode = self.mode()
        if mode == "chat" and not isinstance(body, dict):
            return 'A chat request is a JSON object with "messages".'
        if mode == "route" and not self.route_edit.text().strip("/ "):
            return "Type the route to call, e.g. /health."
        first = self.columns[0].column()
        target = first.target if isinstance(first, Column) else None
        try:
            return RequestSpec(
                mode,
                target,
                body,
                self.method_combo.currentText() if mode == "route" else "POST",
                self.route_edit.text().strip(),
                headers=self._headers,
                model_api="" if target else "placeholder",
            )
        except ValueError as exc:
            return str(exc)

    def take_window_request(self) -> None:
        window = self.parent()
        if window is None or not hasattr(window, "request_spec"):
            return
        spec = window.request_spec()
        if isinstance(spec, str):
            self.status.setText(f"The main window has no request to take: {spec}")
            return
        self.set_request(spec)
        if spec.target is not None and not self.columns[0].column().__class__ is Column:
            self.columns[0].set_column(Column(spec.target))
        self.status.setText(f"Took the window's request: {spec.description}")

    # --- actions -------------------------------------------------------------------------------

    def send_all(self) -> None:
        spec = self.request()
        if isinstance(spec, str):
            self.status.setText(spec)
            return
        columns: dict[int, Column] = {}
        for view in self.columns:
            column = view.column()
            if isinstance(column, str):
                self.status.setText(column)
                return
            if column.target is None and spec.mode != "chat":
                self.status.setText(f"Column {view.letter}: a Model API only takes chat requests.")
                return
            columns[view.index] = column
        self.chart.hide()
        self.controller.run(
            spec, columns, rounds=self.repeat_spin.value(), wake=self.wake_check.isChecked()
        )

    def stop_all(self) -> None:
        if not self.controller.stop_all():
            self.status.setText("Nothing to stop.")

    def show_diff(self) -> None:
        pass

    def ask_save(self) -> None:
        pass

    def cancel(self) -> None:
        """Stop everything the view runs (the window is closing)."""
        self.controller.stop_all()
        for owner in (self.controller, self.catalogue, *self._column_catalogues):
            for job in list(owner._tasks):
                owner._cancel(job)

    def _body_or_none(self) -> Any:
        try:
            return self.editor.value()
        except ValueError:
            return None

    # --- view refreshers -----------------------------------------------------------------------

    def _update_mode(self, *_: object) -> None:
        mode = self.mode()
        self.method_combo.setVisible(mode == "route")
        self.route_edit.setVisible(mode == "route")
        if mode == "chat" and not _is_chat_body(self._body_or_none()):
            self.editor.set_json(CHAT_EXAMPLE)

    def _update_columns(self) -> None:
        self.add_button.setEnabled(len(self.columns) < MAX_COLUMNS)
        for view in self.columns:
            view.remove_button.setEnabled(len(self.columns) > MIN_COLUMNS)
        self.splitter.setSizes([1000] * len(self.columns))

    def _update_best(self) -> None:
        best = self.comparison.best() if self.comparison is not None else {}
        for view in self.columns:
            view.set_best({key for key, slot in best.items() if slot == view.index})

    def _flush(self) -> None:
        """Columns take turns: each tick flushes them in order, from where the last one stopped,
        until FLUSH_BUDGET_MS is spent. A long unbroken answer is one paragraph that is laid out
        again on every insert, so six of them in one tick would stall the window."""
        started = time.perf_counter()
        count = len(self.columns)
        for step in range(count):
            view = self.columns[(self._next_flush + step) % count]
            view.flush()
            if (time.perf_counter() - started) * 1000 > FLUSH_BUDGET_MS:
                self._next_flush = (self._next_flush + step + 1) % count
                return

    def _flush_all(self) -> None:
        for view in self.columns:
            view.flush()

    def _set_running(self, running: bool) -> None:
        self.send_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.add_button.setEnabled(not running and len(self.columns) < MAX_COLUMNS)
        for view in self.columns:
            view.remove_button.setEnabled(not running and len(self.columns) > MIN_COLUMNS)
        if running:
            self._timer.start()
        else:
            self._timer.stop()
            self._flush_all()

    # --- controller events ---------------------------------------------------------------------

    def _on_catalogue_models_loaded(self, models: list[dict[str, Any]]) -> None:
        self._models = models
        for view in self.columns:
            view.target_bar.set_models(models)

    def _on_controller_model_apis_loaded(self, slugs: list[str]) -> None:
        self._model_apis = slugs
        for view in self.columns:
            view.set_model_apis(slugs)

    def _on_controller_run_started(self, rounds: int) -> None:
        self._set_running(True)
        self.diff_button.setEnabled(False)
        self.save_button.setEnabled(False)
        if self.wake_check.isChecked():
            self.wake_progress.setRange(0, len(self.columns))
            self.wake_progress.setValue(0)
            self.wake_progress.show()
            self.status.setText("Waking every target…")

    def _on_controller_wake_progressed(self, progress: WakeProgress) -> None:
        self.wake_progress.setRange(0, progress.total)
        self.wake_progress.setValue(progress.ready)
        self.status.setText(progress.describe())

    def _on_controller_wake_failed(self, message: str) -> None:
        self.wake_progress.hide()
        self.status.setText(f"Could not wake every target: {message}")

    def _on_controller_round_started(self, number: int) -> None:
        self.wake_progress.hide()
        rounds = self.repeat_spin.value()
        self.status.setText(f"Round {number + 1} of {rounds}…" if rounds > 1 else "Sending…")

    def _on_controller_column_started(self, index: int) -> None:
        self.columns[index].begin(is_chat=self.mode() == "chat")

    def _on_controller_column_event(self, index: int, event: object) -> None:
        self.columns[index].feed(event)

    def _on_controller_column_ended(self, index: int, result: ColumnResult) -> None:
        view = self.columns[index]
        error = result.error
        view.finish(result.metrics, error_text(error) if error is not None else "")
        view.set_tag(result.cold)

    def _on_controller_column_cancelled(self, index: int) -> None:
        self.columns[index].stopped()

    def _on_controller_run_finished(self, comparison: Any) -> None:
        self.comparison = comparison
        self._set_running(False)
        self.status.setText("Done.")

    def _update_chart(self, comparison: Comparison) -> None:
        stats = comparison.percentiles()
        if not any(s.runs > 1 for s in stats):
            self.chart.hide()
            return
        data = ChartData([LETTERS[i] for i in range(len(stats))])
        for key in ("ttfb", "ttft", "total"):
            data.spreads[key] = [
                Spread(s.p50[key], s.p95[key], s.runs, s.cold.get(key))
                if s.p50.get(key) is not None
                else None
                for s in stats
            ]
        self.chart.set_data(data)
        self.chart.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)


def open_compare(window: MainWindow) -> CompareView:
    """The window's compare view (made on first use), shown and raised."""
    view = window.findChild(CompareView)
    if view is None:
        view = CompareView(window.catalogue.client, window)
        window.closed.connect(view.close)
        view.take_window_request()
        view.load()
    view.show()
    if QGuiApplication.platformName() != "offscreen":  # which says it cannot raise, as a warning
        view.raise_()
        view.activateWindow()
    return view


def install(window: MainWindow) -> QAction:
    """Add "Compare…" to the window's Request menu."""
    return window.add_action("&Request", "Co&mpare environments…", "Ctrl+Shift+K", lambda: open_compare(window))


__all__ = ["CompareView", "install", "open_compare"]

