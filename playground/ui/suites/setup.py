"""The top of the Suites view: what will run. The suite's targets and checks (each can be left
out of a run), the concurrency, and the first rows of its dataset."""

from __future__ import annotations

import itertools
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from playground.core.request.spec import Column
from playground.core.suites.dataset import rows
from playground.core.suites.suite import MAX_TARGETS, Suite, SuiteError

PREVIEW_ROWS = 5


def checked(items: QListWidget) -> list[int]:
    return [i for i in range(items.count()) if items.item(i).checkState() == Qt.CheckState.Checked]


def fill_list(items: QListWidget, texts: list[str]) -> None:
    items.clear()
    for text in texts:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        items.addItem(item)


class SuiteSetup(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suite: Suite | None = None
        self.targets = QListWidget()
        self.targets.setObjectName("suiteTargets")
        self.checks = QListWidget()
        self.checks.setObjectName("suiteChecks")
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 256)
        self.concurrency.setObjectName("suiteConcurrency")
        self.preview = QTableWidget()
        self.preview.setObjectName("datasetPreview")
        self.preview.verticalHeader().setVisible(False)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview_note = QLabel("")
        for box in (self.targets, self.checks, self.preview):
            box.setMaximumHeight(118)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("<b>Targets</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Checks</b>"), 0, 1)
        grid.addWidget(self.preview_note, 0, 2)
        grid.addWidget(self.targets, 1, 0)
        grid.addWidget(self.checks, 1, 1)
        grid.addWidget(self.preview, 1, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 3)

    def show_suite(self, suite: Suite) -> None:
        self.suite = suite
        fill_list(self.targets, suite.labels())
        fill_list(self.checks, [c.name for c in suite.checks])
        self.concurrency.setValue(suite.concurrency)
        self.show_preview(suite)

    def add_target(self, column: Column) -> str:
        """Add a target to the suite ("" or why not)."""
        if self.suite is None:
            return "Open or create a suite first."
        if len(self.suite.targets) >= MAX_TARGETS:
            return f"A suite has at most {MAX_TARGETS} targets."
        picked = checked(self.targets)
        self.show_suite(replace(self.suite, targets=(*self.suite.targets, column)))
        for i in range(self.targets.count() - 1):
            if i not in picked:
                self.targets.item(i).setCheckState(Qt.CheckState.Unchecked)
        return ""

    def show_preview(self, suite: Suite) -> None:
        """The first rows of the dataset, one column per value."""
        self.preview.clear()
        try:
            first = list(itertools.islice(rows(suite), PREVIEW_ROWS))
        except SuiteError as exc:
            self.preview_note.setText(f"<b>Dataset</b>: {exc}")
            self.preview.setRowCount(0)
            return
        keys = list(dict.fromkeys(k for row in first for k in row.values))
        self.preview.setColumnCount(len(keys))
        self.preview.setRowCount(len(first))
        self.preview.setHorizontalHeaderLabels(keys)
        for r, row in enumerate(first):
            for c, key in enumerate(keys):
                value = row.values.get(key, "")
                self.preview.setItem(r, c, QTableWidgetItem(str(value)))
        where = suite.dataset or "inline cases"
        self.preview_note.setText(f"<b>Dataset</b> {where}: the first {len(first)} rows")

    def chosen(self) -> Suite:
        """The suite as it will run: the targets and checks ticked, the concurrency set."""
        if self.suite is None:
            raise SuiteError("Open a suite file or create one from the window's request first.")
        targets = checked(self.targets)
        if not targets:
            raise SuiteError("Tick at least one target.")
        checks = tuple(self.suite.checks[i] for i in checked(self.checks))
        suite = self.suite.with_targets(targets)
        return replace(suite, checks=checks, concurrency=self.concurrency.value())
