"""The Suites view driven as a person would (Request ▸ Suites…), against the local server over
loopback: the demo's staging sentiment model fails honestly on the reviews with a negation."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from playground.core.history.store import open_history
from playground.core.history.suite_runs import suite_runs
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec
from playground.core.suites.engine import fill_request
from playground.core.suites.dataset import Row
from playground.emulator import EmulatorServer
from playground.emulator.demo import REVIEWS
from playground.ui.main_window import MainWindow
from playground.ui.suites.create import suite_data
from playground.ui.suites.view import SuitesView
from tests.ui.helpers import Maker, signalled, until

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "suites"
FAILING = {"r03", "r06"}  # a negation staging misreads: "Not bad", "not good, never fast"


def suite_file(folder: Path, copies: int = 5) -> Path:
    """The shipped suite over 10 × `copies` reviews (ids r01-1 …), in `folder`."""
    reviews = [json.loads(line) for line in (RESOURCES / "reviews.jsonl").read_text().splitlines()]
    lines = [
        json.dumps({**review, "id": f"{review['id']}-{n}"}, ensure_ascii=False)
        for n in range(1, copies + 1)
        for review in reviews
    ]
    (folder / "reviews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "promote.yaml"
    path.write_text((RESOURCES / "promote-review-sentiment.yaml").read_text(), encoding="utf-8")
    return path


def open_view(win: MainWindow) -> SuitesView:
    action = next(a for a in win.actions() if a.text() == "S&uites…")
    action.trigger()
    view = win.findChild(SuitesView)
    assert view is not None and view.isVisible()
    return view


def wait_end(view: SuitesView, loop: asyncio.AbstractEventLoop, start: object) -> str:
    """Start the run and wait for how it ended: finished, stopped or failed."""
    ctl = view.controller

    async def go() -> str:
        outcomes = {
            "finished": asyncio.ensure_future(signalled(ctl.run_finished, 60)),
            "stopped": asyncio.ensure_future(signalled(ctl.run_stopped, 60)),
            "failed": asyncio.ensure_future(signalled(ctl.run_failed, 60)),
        }
        start()  # type: ignore[operator]
        done, pending = await asyncio.wait(outcomes.values(), return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return next(name for name, task in outcomes.items() if task in done)

    return loop.run_until_complete(go())


@pytest.fixture
def view(
    make_window: Maker, emulator: EmulatorServer, tmp_path: Path, qtbot: QtBot
) -> SuitesView:
    win = make_window(emulator)
    view = open_view(win)
    assert view.open_file(suite_file(tmp_path))
    return view


def failing_ids(view: SuitesView) -> set[str]:
    return {row.id.split("-")[0] for row in view.model.rows if not row.passed}


def test_a_run_of_50_rows_shows_staging_failing_honestly(
    view: SuitesView, loop: asyncio.AbstractEventLoop, qtbot: QtBot, isolated_home: Path
) -> None:
    assert view.setup.preview.rowCount() == 5  # the dataset's first rows
    assert view.setup.preview.item(0, 1).text() == "I love how fast this is, great work!"
    click = lambda: qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)  # noqa: E731
    assert wait_end(view, loop, click) == "finished"
    model = view.model
    assert model.rowCount() == 50 and model.columnCount() == 4
    assert failing_ids(view) == FAILING
    failed = [r for r in model.rows if not r.passed]
    assert len(failed) == 10
    for row in failed:
        production, staging = row.cells
        assert production.passed and not staging.passed
    r03 = next(r for r in failed if r.id.startswith("r03"))
    staging_text = model.data(model.index(model.rows.index(r03), 3))
    assert staging_text == '✗ label is "negative", not "positive" (+1)'  # r03: "Not bad"
    assert "✓" in model.data(model.index(0, 2))
    assert view.progress_bar.value() == 50
    assert "40 passed, 10 failed" in view.eta_label.text()
    # Failures only: the ten rows; off again: all fifty.
    view.failures_box.setChecked(True)
    assert model.rowCount() == 10
    assert all(not model.row_at(model.index(i, 0)).passed for i in range(10))
    view.failures_box.setChecked(False)
    assert model.rowCount() == 50
    # Kept in the history, and a second run compared with it: nothing got worse.
    history = open_history(isolated_home / ".local" / "share" / "playground" / "history.sqlite3")
    try:
        runs = suite_runs(history, "Promote review-sentiment staging")
    finally:
        history.close()
    assert len(runs) == 1 and not runs[0].passed
    worse = asyncio.ensure_future(signalled(view.controller.worse_found, 60), loop=loop)
    assert wait_end(view, loop, view.run) == "finished"
    loop.run_until_complete(worse)
    assert view.worse_view.toPlainText().startswith("Since the last run")


def test_what_got_worse_names_a_row_that_passed_before(
    view: SuitesView, loop: asyncio.AbstractEventLoop
) -> None:
    """The first run checks the label only with production; the second adds staging: its
    failing rows got worse (they were not run before) — only cells both runs have count, so
    the first run ticks both targets and drops the label check instead."""
    labels = [view.setup.checks.item(i).text() for i in range(view.setup.checks.count())]
    label_check = labels.index("the expected label")
    agree = labels.index("staging agrees with production")
    for i in (label_check, agree):
        view.setup.checks.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert wait_end(view, loop, view.run) == "finished"
    assert not failing_ids(view)
    for i in (label_check, agree):
        view.setup.checks.item(i).setCheckState(Qt.CheckState.Checked)
    worse = asyncio.ensure_future(signalled(view.controller.worse_found, 60), loop=loop)
    assert wait_end(view, loop, view.run) == "finished"
    loop.run_until_complete(worse)
    text = view.worse_view.toPlainText()
    assert "10 got worse" in text
    assert "row r03-1 · 2. r4vw8nq2" in text
