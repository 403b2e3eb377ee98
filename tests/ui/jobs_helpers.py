"""Driving the window's jobs as a person would: async mode, Send, the Jobs dock. Each test runs
as one coroutine on the loop: the jobs' watcher polls in the background, and a poll must never
start in the moment between two `run_until_complete` calls, when qasync runs Qt's events with no
loop running."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget

from playground.emulator import EmulatorServer, demo
from playground.ui.jobs import install
from playground.ui.jobs.panel import JobsPanel
from playground.ui.main_window import MainWindow
from playground.ui.signals import first_signal


def jobs_panel(win: MainWindow) -> JobsPanel:
    panel = win.findChild(QDockWidget, "jobsDock")
    assert isinstance(panel, JobsPanel)
    return panel


async def eventually(condition: Callable[[], object], within: float = 5.0) -> None:
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.02)


def start_jobs(win: MainWindow) -> None:
    """What the app does once its loop runs (session._start): watch the jobs."""
    install.start(win)


async def async_mode(win: MainWindow, body: str = '{"text": "hi"}') -> None:
    """The jobs watched, the classifier picked, Async predict, and `body`."""
    start_jobs(win)
    catalogue = win.catalogue
    targets = asyncio.ensure_future(first_signal(catalogue.targets_loaded))
    catalogue.load_models()
    await targets
    if win.target_bar.model_id() != demo.CLASSIFIER:
        again = asyncio.ensure_future(first_signal(catalogue.targets_loaded))
        win.target_bar.select_model(demo.CLASSIFIER)
        await again
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("async"))
    win.request.editor.body.setPlainText(body)


async def send_async(win: MainWindow) -> str:
    """Click Send; the new job's request id once it is queued (the send ends there). Clicked by
    its signal: with the Jobs dock open, the button's centre can sit on the dock's resize
    handle, which takes a synthetic mouse click."""
    req = win.requests
    ended = asyncio.ensure_future(first_signal(req.request_finished, req.request_failed))
    assert win.request.send_button.isEnabled()
    win.request.send_button.click()
    assert await ended == ()  # finished (failed carries its error)
    return win.request.async_panel.async_id_label.text()


def statuses(panel: JobsPanel) -> list[str]:
    return [row[1] for row in panel.rows()]


def hold(server: EmulatorServer, seconds: float) -> None:
    """The next async job on the classifier runs `seconds` longer, so that later ones queue."""
    server.emulator.state.set_model_faults(demo.CLASSIFIER, f"latency={seconds},count=1")
