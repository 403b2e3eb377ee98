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
from playground.core.suites.dataset import Row
from playground.core.suites.engine import fill_request
from playground.emulator import EmulatorServer
from playground.emulator.demo import REVIEWS
from playground.ui.main_window import MainWindow
from playground.ui.suites.create import suite_data
from playground.ui.suites.view import SuitesView
from tests.ui.helpers import Maker, signalled

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
    assert view is not None
    assert view.isVisible()
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
def view(make_window: Maker, emulator: EmulatorServer, tmp_path: Path, qtbot: QtBot) -> SuitesView:
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
    assert model.rowCount() == 50
    assert model.columnCount() == 4
    assert failing_ids(view) == FAILING
    failed = [r for r in model.rows if not r.passed]
    assert len(failed) == 10
    for row in failed:
        production, staging = row.cells
        assert production.passed
        assert not staging.passed
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
    assert len(runs) == 1
    assert not runs[0].passed
    worse = asyncio.ensure_future(signalled(view.controller.worse_found, 60), loop=loop)
    assert wait_end(view, loop, view.run) == "finished"
    loop.run_until_complete(worse)
    assert view.worse_view.toPlainText().startswith("Since the last run")


def test_what_got_worse_names_a_row_that_passed_before(
    view: SuitesView, loop: asyncio.AbstractEventLoop
) -> None:
    """A first run without the label and agreement checks passes everywhere; with them back,
    staging's ten misread rows are named as worse (figures that rose may be listed too)."""
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
    rows = [line for line in text.splitlines() if line.startswith("row ")]
    assert len(rows) == 10
    assert "row r03-1 · 2. r4vw8nq2" in text


def test_stop_then_resume_sends_only_the_rows_left(
    view: SuitesView, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    view.setup.concurrency.setValue(1)

    async def run_then_stop() -> None:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
        while len(view.model.rows) < 5:  # rows reach the table a tick at a time
            await signalled(view.model.rowsInserted)
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)

    assert wait_end(view, loop, lambda: asyncio.ensure_future(run_then_stop())) == "stopped"
    first = len(view.model.rows)
    assert 5 <= first < 50
    assert view.resume_button.isEnabled()
    assert view.run_button.isEnabled()
    assert "Resume" in view.eta_label.text()
    click = lambda: qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)  # noqa: E731
    assert wait_end(view, loop, click) == "finished"
    keys = [row.key for row in view.model.rows]
    assert len(keys) == 50
    assert len(set(keys)) == 50
    run_file = view.controller.run_file
    assert run_file is not None
    assert len(run_file.read_text(encoding="utf-8").splitlines()) == 51  # the header, 50 rows
    assert failing_ids(view) == FAILING


def test_a_cell_clicked_shows_request_answers_and_diff(
    view: SuitesView, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    assert wait_end(view, loop, view.run) == "finished"
    view.failures_box.setChecked(True)
    model = view.model
    row = next(i for i in range(model.rowCount()) if model.row_at(model.index(i, 0)).id == "r06-2")
    index = model.index(row, 3)  # staging's cell
    view.table.scrollTo(index)
    qtbot.mouseClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(index).center()
    )
    from playground.ui.suites.detail import CellDialog

    dialog = view.findChild(CellDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert '"text": "It is not good, never fast"' in dialog.request_view.toPlainText()
    production, staging = (json.loads(v.toPlainText()) for v in dialog.answer_views)
    assert production["label"] == "negative"
    assert staging["label"] == "positive"
    assert dialog.diff is not None
    assert not dialog.diff.is_identical
    assert "label" in dialog.diff_view.toPlainText()
    dialog.close()


@pytest.mark.parametrize("suffix", [".json", ".md", ".html", ".xml"])
def test_the_report_is_saved_in_each_format(
    view: SuitesView, loop: asyncio.AbstractEventLoop, tmp_path: Path, suffix: str
) -> None:
    assert view.save_report_to(tmp_path / f"none{suffix}") == "Run the suite first."
    assert wait_end(view, loop, view.run) == "finished"
    path = tmp_path / f"report{suffix}"
    assert view.save_report_to(path) == ""
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        report = json.loads(text)
        assert len(report["rows"]) == 50
        assert report["summary"]["rows_failed"] == 10
    elif suffix == ".xml":
        production, staging = ET.fromstring(text)  # a <testsuite> per target
        assert (production.get("failures"), staging.get("failures")) == ("0", "10")
        assert staging.get("tests") == "50"
    else:
        assert "r03-1" in text
        assert "Promote review-sentiment staging" in text


def test_a_suite_made_from_the_request_keeps_its_values_json_safe(
    make_window: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    from tests.ui.helpers import load

    win = make_window(emulator)
    load(win, loop, REVIEWS)
    body = {"text": 'He said "hi"\nthen left — ünïcode {{not a var}}', "n": 3, "tags": ["a b"]}
    win.body_editor.set_json(body)
    view = open_view(win)
    assert view.take_window_request()
    suite = view.suite
    assert suite is not None
    assert suite.request.body == {"text": "{{text}}", "n": 3, "tags": ["{{tags}}"]}
    (case,) = suite.cases
    assert case["text"] == body["text"]
    assert case["tags"] == "a b"
    filled = fill_request(suite.request, Row(1, "1", case), suite.folder)
    assert filled.body == body  # the values go back exactly, quotes, newline and braces too
    assert view.setup.preview.item(0, 1).text() == body["text"]
    assert wait_end(view, loop, view.run) == "finished"
    (row,) = view.model.rows
    assert row.passed
    assert row.cells[0].result.body["label"] in ("positive", "negative", "neutral")
    saved = view.folder / "made.yaml"
    view.save_suite(saved)
    from playground.core.suites.suite import load_suite

    assert load_suite(saved).cases == suite.cases


def test_create_from_request_names_each_value_once() -> None:
    spec = RequestSpec(
        "chat",
        Target(REVIEWS, "production"),
        {
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}, {"role": "user", "content": "again"}],
        },
    )
    data = suite_data(spec)
    assert data["request"]["body"]["messages"] == [
        {"role": "user", "content": "{{content}}"},
        {"role": "user", "content": "{{content_2}}"},
    ]
    assert data["request"]["body"]["model"] == "m"
    assert data["cases"] == [{"id": "1", "content": "hi", "content_2": "again"}]


def test_a_sweep_feeds_the_latency_chart(view: SuitesView, loop: asyncio.AbstractEventLoop) -> None:
    from playground.ui.suites.chart import series

    view.levels_edit.setText("1,4,16")
    done = asyncio.ensure_future(signalled(view.controller.sweep_finished, 90), loop=loop)
    assert wait_end(view, loop, view.sweep) == "finished"
    loop.run_until_complete(done)
    steps = view.chart.steps
    assert [s["concurrency"] for s in steps] == [1, 4, 16]
    lines = series(steps)
    assert [label for label, _ in lines] == view.model.labels
    for _label, points in lines:
        assert [p[0] for p in points] == [1, 4, 16]
        assert all(p50 <= p95 for _c, p50, p95 in points)
    # staging slows as requests pile up on it: its p50 at 16 is above its p50 at 1
    staging = lines[1][1]
    assert staging[-1][1] > staging[0][1]
    assert not view.chart.grab().isNull()
