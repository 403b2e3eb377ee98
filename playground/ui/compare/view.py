"""Compare environments side by side: one request to 2–6 targets at once, live columns, metrics, diff."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare.report import save_report
from playground.core.compare.results import MAX_COLUMNS, MIN_COLUMNS, ColumnResult, Comparison
from playground.core.compare.run import check_comparable
from playground.core.errors import InvalidRequest
from playground.core.remote.catalogue import parse_target
from playground.core.request.spec import Column, RequestSpec
from playground.ui.compare.chart import ChartData, PercentileChartView
from playground.ui.compare.column import LETTERS, CompareColumnView
from playground.ui.compare.column_remotes import RemoteColumns
from playground.ui.compare.controller import CompareController
from playground.ui.compare.diff_dialog import DiffDialog
from playground.ui.compare.offers import TargetOffers
from playground.ui.compare.request import CompareRequestEditor
from playground.ui.compare.toolbar import CompareToolbar
from playground.ui.target.controller import CatalogueController
from playground.ui.widgets.batching import FLUSH_MS, FrameBatcher

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.api.wake import WakeProgress

SIZE = QSize(1400, 860)  # six columns side by side, on a screen that has room for them
# Room left around the window for its frame and title bar, which Qt knows only once it is shown.
FRAME_MARGIN = QSize(16, 48)


class CompareView(QWidget):
    """Its own window: the request on top, the actions, the columns, then the repeat chart."""

    def __init__(
        self,
        client: BasetenClient,
        parent: QWidget | None = None,
        window_request: Callable[[], RequestSpec | str] | None = None,
        controller: CompareController | None = None,
    ) -> None:
        """`window_request` is the main window's request (or why there is none), for "Use the
        main window's request"; `controller` runs the comparisons (the window's, which the
        history watches), a new one by default."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Compare — Playground")
        self.resize(SIZE)
        self.client = client
        self._window_request = window_request
        self.controller = controller or CompareController(client, self)
        self.catalogue = CatalogueController(client, self)
        self.columns: list[CompareColumnView] = []
        self.catalogues: list[CatalogueController] = []  # one per column: loads never collide
        self.models: list[dict[str, Any]] = []
        self._model_apis: list[str] = []
        self.comparison: Comparison | None = None
        self._woken: set[int] = set()  # columns whose target is serving (or cannot be woken)
        self.offers = TargetOffers(self.catalogue, lambda: self.columns, self)
        self.remote_columns = RemoteColumns(self)  # each column on a remote of its own choice
        self._batcher = FrameBatcher(self._flush, self)  # every column's new text, per frame
        self._build_ui()
        self._connect()
        for _ in range(MIN_COLUMNS):
            self.add_column()

    def _build_ui(self) -> None:
        self.request_editor = CompareRequestEditor()
        self.toolbar = CompareToolbar()
        bar = self.toolbar
        self.send_button, self.stop_button, self.add_button = (
            bar.send_button,
            bar.stop_button,
            bar.add_button,
        )
        self.wake_check, self.wake_progress, self.repeat_spin = (
            bar.wake_check,
            bar.wake_progress,
            bar.repeat_spin,
        )
        self.diff_button, self.save_button = bar.diff_button, bar.save_button

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        # Six columns fit a wide screen; on a narrower one the columns scroll sideways.
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setWidget(self.splitter)
        self.chart = PercentileChartView()
        self.chart.setObjectName("percentileChart")
        self.chart.hide()
        self.status = QLabel("Pick a target in each column, then Send to all.")
        self.status.setObjectName("compareStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.request_editor)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.chart)
        layout.addWidget(self.status)
        for keys, slot in (("Ctrl+Return | Ctrl+Enter", self.send_all), ("Esc", self.stop_all)):
            action = QAction(self)
            action.setShortcuts([QKeySequence(k) for k in keys.split(" | ")])
            action.triggered.connect(slot)
            self.addAction(action)

    def _connect(self) -> None:
        ctl = self.controller
        self.request_editor.from_window_button.clicked.connect(self.take_window_request)
        self.request_editor.editor.send_requested.connect(self.send_all)
        self.send_button.clicked.connect(self.send_all)
        self.stop_button.clicked.connect(self.stop_all)
        self.add_button.clicked.connect(self.add_column)
        self.diff_button.clicked.connect(self.show_diff)
        self.save_button.clicked.connect(self.ask_save)
        self.catalogue.models_loaded.connect(self._on_catalogue_models_loaded)
        self.toolbar.model_combo.activated.connect(self._on_toolbar_model_activated)
        ctl.model_apis_loaded.connect(self._on_controller_model_apis_loaded)
        ctl.run_started.connect(self._on_controller_run_started)
        ctl.wake_progressed.connect(self._on_controller_wake_progressed)
        ctl.wake_finished.connect(self._on_controller_wake_finished)
        ctl.round_started.connect(self._on_controller_round_started)
        ctl.column_event.connect(self._on_controller_column_event)
        ctl.column_ended.connect(self._on_controller_column_ended)
        ctl.run_finished.connect(self._on_controller_run_finished)
        ctl.run_cancelled.connect(self._on_controller_run_cancelled)
        ctl.run_failed.connect(self._on_controller_run_failed)

    def load(self) -> None:
        """Fetch the model list and Model API slugs for the pickers."""
        self.catalogue.load_models()
        self.controller.load_model_apis()

    def fit_to(self, available: QRect) -> None:
        """Open inside `available` (its screen's free area, without the task bar): as large as
        the screen allows up to SIZE, centred, its frame within the screen too."""
        room = available.size() - FRAME_MARGIN
        size = SIZE.boundedTo(room)
        self.resize(size)
        left = available.x() + max(0, (room.width() - size.width()) // 2)
        top = available.y() + max(0, (room.height() - size.height()) // 2)
        self.move(left, top)

    # --- columns -------------------------------------------------------------------------------

    def add_column(self) -> CompareColumnView | None:
        if len(self.columns) >= MAX_COLUMNS or self.controller.is_comparing:
            return None
        view = CompareColumnView(len(self.columns))
        catalogue = CatalogueController(self.client, self)
        bar = view.target_bar
        catalogue.link(bar)
        view.remove_requested.connect(lambda: self.remove_column(view))
        view.stop_requested.connect(lambda: self.controller.stop(view.index))
        view.logs_requested.connect(lambda subject: self.remote_columns.open_logs(view, subject))
        if self.models:
            bar.set_models(self.models)
        model_id = self.columns[-1].target_bar.model_id() if self.columns else ""
        if model_id:
            bar.select_model(model_id)
            self.offers.offer(model_id, [view])  # its next environment, not production again
        view.set_model_apis(self._model_apis)
        self.columns.append(view)
        self.catalogues.append(catalogue)
        self.remote_columns.attach(view)
        self.splitter.addWidget(view)
        self._update_columns()
        return view

    def remove_column(self, view: CompareColumnView) -> None:
        if len(self.columns) <= MIN_COLUMNS or self.controller.is_comparing:
            return
        index = self.columns.index(view)
        self.columns.pop(index)
        catalogue = self.catalogues.pop(index)
        self.offers.forget(view)
        catalogue.retire()
        view.setParent(None)
        view.deleteLater()
        for i, column in enumerate(self.columns):
            column.set_index(i)
        self.remote_columns.retitle()
        self._update_columns()

    def set_columns(self, columns: list[Column]) -> None:
        """Show `columns` (adding columns as needed): a saved comparison's, or a test's."""
        while len(self.columns) < min(MAX_COLUMNS, len(columns)):
            self.add_column()
        for view, column in zip(self.columns, columns, strict=False):
            self.offers.forget(view)
            view.set_column(column)

    def set_model_for_all(self, model_id: str) -> None:
        """Point every column at `model_id`: production, then each of its other environments and
        deployments (the columns keep their overrides and headers)."""
        if self.controller.is_comparing:
            return
        for view in self.columns:
            self.offers.forget(view)
            view.set_target(parse_target(model_id, "production"))
        self.offers.offer(model_id, list(self.columns))

    # --- actions -------------------------------------------------------------------------------

    def set_request(self, spec: RequestSpec) -> None:
        self.request_editor.set_request(spec)

    def request(self) -> tuple[RequestSpec, list[Column]] | str:
        """What Send to all would send: the request and every column, or a sentence why not."""
        columns = []
        for view in self.columns:
            column = view.column()
            if isinstance(column, str):
                return column
            columns.append(column)
        first = columns[0]
        spec = self.request_editor.request(first.target, first.model_api)
        if isinstance(spec, str):
            return spec
        try:
            check_comparable(spec, columns)
        except InvalidRequest as exc:
            return str(exc)
        return spec, columns

    def take_window_request(self) -> None:
        """The main window's request (its body or chat) and, for column A, its target."""
        if self._window_request is None:
            return
        spec = self._window_request()
        if isinstance(spec, str):
            self.status.setText(f"Nothing to take from the main window: {spec}")
            return
        self.set_request(spec)
        target = spec.target
        if target is not None and isinstance(self.columns[1].column(), str):
            # A first comparison: the window's target against its model's other environment.
            other = (
                "staging"
                if target.kind == "production" or target.name == "production"
                else "production"
            )
            self.columns[0].set_column(Column(target))
            self.columns[1].set_column(Column(parse_target(target.model_id, other)))
        self.status.setText(f"Took the main window's request: {spec.description}.")

    def send_all(self) -> None:
        if self.controller.is_comparing:
            self.status.setText("A comparison is running; stop it first (Esc).")
            return
        request = self.request()
        if isinstance(request, str):
            self.status.setText(request)
            return
        spec, columns = request
        rounds, wake = self.repeat_spin.value(), self.wake_check.isChecked()
        clients = self.remote_columns.clients.clients()
        self.controller.run(spec, columns, rounds=rounds, wake=wake, clients=clients)

    def stop_all(self) -> None:
        if not self.controller.stop_all():
            self.status.setText("Nothing to stop.")

    def show_diff(self) -> DiffDialog | None:
        if self.comparison is None or not self.comparison.rounds:
            return None
        letters = [LETTERS[i] for i in range(len(self.comparison.columns))]
        dialog = DiffDialog(self.comparison, letters, self)
        dialog.open()  # never exec(): a nested loop would run the tasks inside this slot
        return dialog

    def save_report(self, path: Path) -> None:
        """The comparison as Markdown (.md) or JSON, written atomically by core."""
        if self.comparison is None:
            return
        try:
            save_report(self.comparison, path)
        except OSError as exc:
            self.status.setText(f"Could not save the report: {exc.strerror or exc}")
        else:
            self.status.setText(f"Saved the report to {path}")

    def ask_save(self) -> None:
        dialog = QFileDialog(self, "Save the comparison")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["JSON report (*.json)", "Markdown report (*.md)"])
        dialog.setDefaultSuffix("json")
        dialog.selectFile("comparison.json")
        dialog.fileSelected.connect(lambda name: self.save_report(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def cancel(self) -> None:
        """Stop everything the view runs (it, or the main window, is closing)."""
        for owner in (self.controller, self.catalogue, *self.catalogues, self.remote_columns):
            owner.cancel_all()

    async def aclose(self) -> None:
        for owner in (self.controller, self.catalogue, *self.catalogues, self.remote_columns):
            await owner.aclose()

    # --- view refreshers -----------------------------------------------------------------------

    def _update_columns(self, *, busy: bool = False) -> None:
        self.add_button.setEnabled(not busy and len(self.columns) < MAX_COLUMNS)
        for view in self.columns:
            view.remove_button.setEnabled(not busy and len(self.columns) > MIN_COLUMNS)
        self.splitter.setSizes([1000] * len(self.columns))

    def _update_results(self, comparison: Comparison) -> None:
        """Best figures highlighted; after repeats, warm p50s in the strips and the chart."""
        best = comparison.best()
        summaries = comparison.summaries()
        repeated = any(s.runs > 1 for s in summaries)
        for view, summary in zip(self.columns, summaries, strict=False):
            if repeated:
                view.show_summary(summary)
            view.set_best({figure for figure, slots in best.items() if view.index in slots})
        has_results = bool(comparison.rounds and comparison.rounds[-1])
        self.diff_button.setEnabled(has_results and len(comparison.rounds[-1]) >= 2)
        self.save_button.setEnabled(has_results)
        data = ChartData.of([LETTERS[i] for i in range(len(summaries))], summaries)
        self.chart.set_data(data)
        self.chart.setVisible(repeated and not data.is_empty)

    def _flush(self) -> None:
        """The frame: every column shows what it received since the last one. Their appends are
        spread over the frame (column i a sixth of it after column i - 1, and so on), so that six
        columns are never laid out and painted in one go (benchmarks/compare_load.py)."""
        step = FLUSH_MS // max(1, len(self.columns))
        for i, view in enumerate(self.columns):
            QTimer.singleShot(i * step, view, view.flush)  # dropped if the column is gone

    def _set_running(self, running: bool) -> None:
        self.send_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.wake_check.setEnabled(not running)
        self.repeat_spin.setEnabled(not running)
        if not running:
            self._batcher.flush_now()
            self.wake_progress.hide()
        self._update_columns(busy=running)

    # --- controller events ---------------------------------------------------------------------

    def _on_catalogue_models_loaded(self, models: list[dict[str, Any]]) -> None:
        self.models = models
        self.toolbar.set_models(models)
        for view in self.remote_columns.on_own_remote():  # the others list their remote's
            view.target_bar.set_models(models)

    def _on_toolbar_model_activated(self, index: int) -> None:
        model_id = self.toolbar.model_combo.itemData(index)
        if model_id:
            self.set_model_for_all(str(model_id))

    def _on_controller_model_apis_loaded(self, slugs: list[str]) -> None:
        self._model_apis = slugs
        for view in self.columns:
            view.set_model_apis(slugs)

    def _on_controller_run_started(self, comparison: Comparison) -> None:
        self.comparison = None
        self._set_running(True)
        self.diff_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.chart.hide()
        for view in self.columns:
            view.set_best(set())
        if self.wake_check.isChecked():
            self.wake_progress.setRange(0, len(comparison.columns))
            self.wake_progress.setValue(0)
            self.wake_progress.show()
            self._woken = set()
            self.status.setText("Waking every target…")
        else:
            self.status.setText("Looking up which targets are scaled to zero…")

    def _on_controller_wake_progressed(self, progress: WakeProgress) -> None:
        if progress.is_done:
            self._woken.add(progress.index)
        self.wake_progress.setValue(len(self._woken))
        self.status.setText(
            f"Waking · column {self.columns[progress.index].letter}: {progress.message}"
        )

    def _on_controller_wake_finished(self, problems: str) -> None:
        self.wake_progress.hide()
        self.status.setText(
            f"Not every target woke: {problems}" if problems else "Every target is serving."
        )

    def _on_controller_round_started(self, number: int, indices: list[int]) -> None:
        rounds = self.repeat_spin.value()
        self.status.setText(f"Round {number + 1} of {rounds}…" if rounds > 1 else "Streaming…")
        is_chat = self.request_editor.mode() == "chat"
        for index in indices:
            self.columns[index].begin(is_chat=is_chat)

    def _on_controller_column_event(self, index: int, event: object) -> None:
        self.columns[index].feed(event)
        self._batcher.schedule()

    def _on_controller_column_ended(self, result: ColumnResult) -> None:
        self.columns[result.column].end(result)

    def _on_controller_run_finished(self, comparison: Comparison) -> None:
        self._end_run(comparison)
        ok = sum(r.is_ok for r in comparison.rounds[-1]) if comparison.rounds else 0
        rounds = len(comparison.rounds)
        said = f"{ok} of {len(comparison.columns)} columns answered"
        self.status.setText(said + (f" · {rounds} rounds" if rounds > 1 else "") + ".")

    def _on_controller_run_cancelled(self, comparison: Comparison) -> None:
        self._end_run(comparison)
        self.status.setText("Stopped; every column keeps what arrived.")

    def _on_controller_run_failed(self, message: str) -> None:
        self._set_running(False)
        self.status.setText(message)

    def _end_run(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._set_running(False)  # which shows what is left
        if comparison.rounds:
            self._update_results(comparison)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)
