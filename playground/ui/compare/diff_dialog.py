"""The diff between two columns' answers: JSON paths added, removed and changed, or a word diff, coloured."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from playground.core.compare.results import BodyDiff, Comparison
from playground.ui.widgets.diff_html import diff_html


class DiffDialog(QDialog):
    """Pick two columns; shows how the second's answer differs from the first's (last round)."""

    def __init__(
        self, comparison: Comparison, letters: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Diff two columns")
        self.resize(760, 560)
        self.comparison = comparison
        self.letters = letters
        answered = {r.column for r in comparison.rounds[-1]} if comparison.rounds else set()
        self.left_combo = QComboBox()
        self.right_combo = QComboBox()
        for combo in (self.left_combo, self.right_combo):
            for index, letter in enumerate(letters):
                if index in answered:
                    label = comparison.columns[index].label
                    combo.addItem(f"{letter} · {label}", index)
        self.right_combo.setCurrentIndex(min(1, self.right_combo.count() - 1))
        self.verdict = QLabel("")
        self.verdict.setObjectName("diffVerdict")
        self.view = QTextBrowser()
        self.view.setObjectName("diffView")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("From"))
        pick.addWidget(self.left_combo, 1)
        pick.addWidget(QLabel("to"))
        pick.addWidget(self.right_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addWidget(self.verdict)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.left_combo.currentIndexChanged.connect(self._update)
        self.right_combo.currentIndexChanged.connect(self._update)
        self._update()

    def select(self, left: int, right: int) -> None:
        """Compare column `left` with column `right` (indices from 0)."""
        self.left_combo.setCurrentIndex(self.left_combo.findData(left))
        self.right_combo.setCurrentIndex(self.right_combo.findData(right))
        self._update()

    def diff(self) -> BodyDiff | None:
        left, right = self.left_combo.currentData(), self.right_combo.currentData()
        if left is None or right is None:
            return None
        return self.comparison.diff(left, right)

    def _update(self, *_: object) -> None:
        diff = self.diff()
        if diff is None:
            self.verdict.setText("No two columns have answered yet.")
            self.view.clear()
            return
        left, right = self.letters[diff.a], self.letters[diff.b]
        self.verdict.setText("Identical" if diff.is_identical else diff.summary)
        self.view.setHtml(diff_html(diff, f"Column {left}", f"Column {right}"))
