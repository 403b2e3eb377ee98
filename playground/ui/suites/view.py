"""The Suites view, a window of its own like compare's: open a suite or make one from the
window's request, pick targets, checks and concurrency, run it (progress, ETA, a live table of
rows × targets), look at a row, keep only the failures, stop and resume, save the report, see
what got worse since the last run, and sweep concurrencies into a latency-under-load chart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.core.request.spec import Column, RequestSpec
from playground.core.suites.report import build_report, save_report
from playground.core.suites.suite import Suite, SuiteError, load_suite, suite_from_dict, suite_text
from playground.core.suites.sweep import parse_levels
from playground.core.text import human_time
from playground.ui.suites.chart import SweepChartView
from playground.ui.suites.controller import SuiteController
from playground.ui.suites.create import suite_data
from playground.ui.suites.detail import CellDialog
from playground.ui.suites.model import RowsModel
from playground.ui.suites.setup import SuiteSetup

if TYPE_CHECKING:
    from playground.core.api.client import BasetenClient
    from playground.core.history.store import History
    from playground.core.suites.results import SuiteSummary

SIZE = QSize(1240, 780)
PROGRESS_MS = 200


class SuitesView(QWidget):
    def __init__(
        self,
        client: BasetenClient,
        folder: Path,
        history: History | None = None,
        parent: QWidget | None = None,
        window_request: Callable[[], RequestSpec | str] | None = None,
    ) -> None:
        """`folder`: where run files go; `window_request`: the main window's request."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Suites — Playground")
        self.resize(SIZE)
        self.folder = folder
        self._window_request = window_request
        self.controller = SuiteController(client, history, folder / "suite-runs", self)
        self.model = RowsModel(self)
        self.suite: Suite | None = None  # as loaded (or made); setup.chosen() is what runs
        self.running: Suite | None = None
        self.summary: SuiteSummary | None = None
        self.suite_data: dict[str, object] | None = None  # a suite made here, to save
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(PROGRESS_MS)
        self._progress_timer.timeout.connect(self._show_progress)
        self._build_ui()
        self._connect()
        self._set_running(False)

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        return button

    def _build_ui(self) -> None:
        self.open_button = self._button("Open suite…", "openSuite")
        self.create_button = self._button("From the window's request", "suiteFromRequest")
        self.dataset_button = self._button("Dataset…", "suiteDataset")
        self.save_suite_button = self._button("Save suite…", "saveSuite")
        self.add_target_button = self._button("Add the window's target", "addTarget")
        self.title = QLabel("Open a suite file, or make one from the window's request.")
        self.title.setObjectName("suiteTitle")
        self.setup = SuiteSetup()
        self.run_button = self._button("Run", "runSuite")
        self.stop_button = self._button("Stop", "stopSuite")
        self.resume_button = self._button("Resume", "resumeSuite")
        self.sweep_button = self._button("Sweep", "sweepSuite")
        self.levels_edit = QLineEdit("1,2,4,8,16,32")
        self.levels_edit.setMaximumWidth(120)
        self.levels_edit.setToolTip("The concurrencies a sweep runs the suite at, in turn")
        self.report_button = self._button("Save report…", "saveReport")
        self.failures_box = QCheckBox("Failures only")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("suiteProgress")
        self.eta_label = QLabel("")
        self.eta_label.setObjectName("suiteEta")
        self.table = QTableView()
        self.table.setObjectName("suiteTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the targets share the width
        header.setMinimumSectionSize(40)
        self.worse_view = QPlainTextEdit()
        self.worse_view.setObjectName("suiteWorse")
        self.worse_view.setReadOnly(True)
        self.worse_view.setPlaceholderText("What got worse since the suite's last run shows here.")
        self.chart = SweepChartView()
        self.chart.setObjectName("sweepChart")

        files = QHBoxLayout()
        for button in (self.open_button, self.create_button, self.dataset_button):
            files.addWidget(button)
        files.addWidget(self.add_target_button)
        files.addWidget(self.save_suite_button)
        files.addStretch(1)
        actions = QHBoxLayout()
        for widget in (self.run_button, self.stop_button, self.resume_button):
            actions.addWidget(widget)
        actions.addWidget(QLabel("Concurrency"))
        actions.addWidget(self.setup.concurrency)
        actions.addWidget(self.sweep_button)
        actions.addWidget(self.levels_edit)
        actions.addWidget(self.report_button)
        actions.addWidget(self.failures_box)
        actions.addStretch(1)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.eta_label, 2)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.worse_view)
        bottom.addWidget(self.chart)
        bottom.setSizes([400, 700])
        self.bottom = bottom
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(self.table)
        middle.addWidget(bottom)
        middle.setSizes([520, 180])
        self.middle = middle
        layout = QVBoxLayout(self)
        layout.addLayout(files)
        layout.addWidget(self.title)
        layout.addWidget(self.setup)
        layout.addLayout(actions)
        layout.addLayout(progress)
        layout.addWidget(middle, 1)

    def _connect(self) -> None:
        ctl = self.controller
        self.open_button.clicked.connect(self.choose_file)
        self.create_button.clicked.connect(self.take_window_request)
        self.dataset_button.clicked.connect(self.choose_dataset)
        self.save_suite_button.clicked.connect(self.choose_suite_file)
        self.add_target_button.clicked.connect(self.add_window_target)
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(ctl.stop)
        self.resume_button.clicked.connect(self.resume)
        self.sweep_button.clicked.connect(self.sweep)
        self.report_button.clicked.connect(self.choose_report_file)
        self.failures_box.toggled.connect(self.model.set_failures_only)
        self.table.clicked.connect(self.show_cell)
        self.model.modelReset.connect(self._size_columns)
        ctl.run_finished.connect(self._on_controller_run_finished)
        ctl.run_stopped.connect(self._on_controller_run_stopped)
        ctl.run_failed.connect(self._on_controller_run_failed)
        ctl.worse_found.connect(self._on_controller_worse_found)
        ctl.step_done.connect(lambda _step: self.chart.set_steps(ctl.steps))

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        for section, width in ((0, 56), (1, 90)):
            if section < self.model.columnCount():
                header.setSectionResizeMode(section, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(section, width)

    # -- the suite ---------------------------------------------------------------------------

    def show_suite(self, suite: Suite, where: str) -> None:
        self.suite = suite
        self.setup.show_suite(suite)
        self.model.reset(suite.labels())
        self.title.setText(f"<b>{suite.name}</b> · {where}")
        self._set_running(False)

    def open_file(self, path: Path) -> bool:
        try:
            suite = load_suite(path)
        except SuiteError as exc:
            self.title.setText(f"Cannot open {path.name}: {exc}")
            return False
        self.suite_data = None
        self.show_suite(suite, str(path))
        return True

    def take_window_request(self) -> bool:
        """A suite of the window's request: its body's strings become `{{variables}}`."""
        spec = self._window_request() if self._window_request else "No window to take it from."
        if isinstance(spec, str):
            self.title.setText(f"No request to make a suite of: {spec}")
            return False
        data = suite_data(spec)
        try:
            suite = suite_from_dict(data, self.folder)
        except SuiteError as exc:
            self.title.setText(f"Cannot make a suite of the window's request: {exc}")
            return False
        self.suite_data = data
        self.show_suite(suite, "made from the window's request (its values are the first row)")
        return True

    def add_window_target(self) -> None:
        target = self._window_request() if self._window_request else None
        if isinstance(target, RequestSpec):
            problem = self.setup.add_target(Column(target.target, target.model_api))
            if not problem and self.setup.suite is not None:
                self.show_suite(self.setup.suite, "a target added")
            self.title.setText(problem or self.title.text())

    def use_dataset(self, path: Path) -> None:
        if self.suite is None:
            return
        from dataclasses import replace

        self.show_suite(replace(self.suite, dataset=str(path.resolve()), cases=()), str(path))
        if self.suite_data is not None:
            self.suite_data = {**self.suite_data, "dataset": str(path.resolve())}
            self.suite_data.pop("cases", None)

    def save_suite(self, path: Path) -> None:
        data = self.suite_data or (dict(self.suite.source) if self.suite else None)
        if data is not None:
            path.write_text(suite_text(data), encoding="utf-8")

    # -- running -----------------------------------------------------------------------------

    def _start(self) -> Suite | None:
        try:
            suite = self.setup.chosen()
        except SuiteError as exc:
            self.eta_label.setText(str(exc))
            return None
        self.running = suite
        self._set_running(True)
        return suite

    def run(self) -> None:
        if (suite := self._start()) is not None:
            self.model.reset(suite.labels())
            self.worse_view.clear()
            self.controller.run(suite, self.model.add)

    def resume(self) -> None:
        """Go on with the stopped run: the rows it finished are not sent again."""
        if self.running is not None and self.controller.run_file is not None:
            self._set_running(True)
            self.controller.run(self.running, self.model.add, resume=True)

    def sweep(self) -> None:
        try:
            levels = parse_levels(self.levels_edit.text())
        except SuiteError as exc:
            self.eta_label.setText(str(exc))
            return
        if (suite := self._start()) is not None:
            self.model.reset(suite.labels())
            self.chart.set_steps([])
            self.controller.sweep(suite, levels, self.model.add)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running and self.suite is not None)
        self.sweep_button.setEnabled(not running and self.suite is not None)
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(False)
        if running:
            self._progress_timer.start()
            self.model.start_ticking()
        else:
            self._progress_timer.stop()
            self.model.stop_ticking()

    def _show_progress(self) -> None:
        progress = self.controller.progress
        if progress is None:
            return
        self.progress_bar.setRange(0, max(1, progress.total))
        self.progress_bar.setValue(progress.done)
        eta = progress.eta_s
        words = f"{progress.done}/{progress.total} rows · {progress.failed} failed"
        if eta is not None and progress.done < progress.total:
            words += f" · about {human_time(eta)} left"
        self.eta_label.setText(words)

    def _ended(self, summary: SuiteSummary) -> None:
        self.model.flush()
        self.summary = summary
        self._show_progress()
        self._set_running(False)

    def _on_controller_run_finished(self, summary: SuiteSummary) -> None:
        self._ended(summary)
        self.eta_label.setText(
            f"{summary.rows} rows: {summary.rows_passed} passed, {summary.rows_failed} failed"
            f" · {human_time(summary.elapsed_s)}"
        )

    def _on_controller_run_stopped(self, summary: SuiteSummary) -> None:
        self._ended(summary)
        self.resume_button.setEnabled(True)
        self.eta_label.setText(f"Stopped after {summary.rows} rows: Resume goes on from there.")

    def _on_controller_run_failed(self, words: str) -> None:
        self.model.flush()
        self._set_running(False)  # it ended (this is said from inside its task, still running)
        self.eta_label.setText(words)

    def _on_controller_worse_found(self, since: str, items: list[str]) -> None:
        head = f"Since the last run ({since}): "
        if not items:
            self.worse_view.setPlainText(head + "nothing got worse.")
        else:
            self.worse_view.setPlainText(head + f"{len(items)} got worse\n" + "\n".join(items))

    # -- looking at it -----------------------------------------------------------------------

    def show_cell(self, index: QModelIndex) -> CellDialog | None:
        row, cell = self.model.row_at(index), self.model.cell_at(index)
        suite = self.running or self.suite
        if row is None or suite is None:
            return None
        dialog = CellDialog(suite, self.model.labels, row, cell.target if cell else 0, self)
        dialog.show()
        return dialog

    def save_report_to(self, path: Path) -> str:
        """Write the report in the format the suffix names; "" or why not."""
        run, summary = self.controller.rows_file, self.summary  # a sweep: its last step's rows
        if run is None or summary is None:
            return "Run the suite first."
        try:
            save_report(build_report(run, summary, self.controller.steps), path)
        except (OSError, ValueError) as exc:
            return f"The report was not saved: {exc}"
        return ""

    # -- dialogs -----------------------------------------------------------------------------

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open suite", "", "Suites (*.yaml *.yml *.json)"
        )
        if name:
            self.open_file(Path(name))

    def choose_dataset(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Dataset", "", "Datasets (*.jsonl *.csv)")
        if name:
            self.use_dataset(Path(name))

    def choose_suite_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save suite", "suite.yaml", "YAML (*.yaml)")
        if name:
            self.save_suite(Path(name))

    def choose_report_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save report", "report.html", "Reports (*.html *.md *.json *.xml)"
        )
        if name:
            self.eta_label.setText(self.save_report_to(Path(name)) or f"Saved {name}")

    async def aclose(self) -> None:
        await self.controller.aclose()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.stop()
        super().closeEvent(event)
