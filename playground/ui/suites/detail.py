"""One row of a run in detail: the request sent (the row's values filled in), each target's
answer side by side with its figures and failing checks, and the diff between two of them
(compare's diff page)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare.results import diff_results
from playground.core.suites.dataset import Row
from playground.core.suites.engine import fill_request
from playground.core.suites.results import RowResult
from playground.core.suites.suite import Suite
from playground.core.suites.variables import MissingVariable
from playground.ui.suites.model import cell_tip
from playground.ui.widgets.diff_html import diff_html


def pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def request_text(suite: Suite, row: RowResult) -> str:
    try:
        spec = fill_request(suite.request, Row(row.number, row.id, row.values), suite.folder)
    except MissingVariable as exc:
        return f"The row cannot fill the request: {exc}"
    return pretty(spec.to_dict())


class CellDialog(QDialog):
    """`target` (from 0) is the cell clicked; the diff is against the first other target."""

    def __init__(
        self,
        suite: Suite,
        labels: list[str],
        row: RowResult,
        target: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Row {row.number} ({row.id}) — Suites")
        self.resize(900, 600)
        self.tabs = QTabWidget()
        self.request_view = QPlainTextEdit(request_text(suite, row))
        self.request_view.setReadOnly(True)
        answers = QWidget()
        side = QHBoxLayout(answers)
        self.answer_views: list[QPlainTextEdit] = []
        for cell in row.cells:
            box = QVBoxLayout()
            head = QLabel(f"<b>{escape(labels[cell.target])}</b>")
            figures = QLabel(escape(cell_tip(cell)).replace("\n", "<br>"))
            figures.setWordWrap(True)
            answer = QPlainTextEdit(
                pretty(cell.result.body if cell.result.body is not None else cell.result.error)
            )
            answer.setReadOnly(True)
            self.answer_views.append(answer)
            box.addWidget(head)
            box.addWidget(figures)
            box.addWidget(answer, 1)
            side.addLayout(box, 1)
        self.diff_view = QTextBrowser()
        self.diff_view.setObjectName("diffView")
        others = [c.target for c in row.cells if c.target != target]
        self.diff = None
        if others:
            by_target = {c.target: c.result for c in row.cells}
            a, b = (target, others[0]) if target == 0 else (others[0], target)
            self.diff = diff_results(by_target[a], by_target[b])
            self.diff_view.setHtml(diff_html(self.diff, labels[a], labels[b]))
        else:
            self.diff_view.setPlainText("One target: nothing to diff.")
        self.tabs.addTab(answers, "Answers side by side")
        self.tabs.addTab(self.diff_view, "Diff")
        self.tabs.addTab(self.request_view, "Request")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
