"""The jobs feature in a window: its controller (every async send becomes a job of it), the
Jobs dock, the Jobs menu, the inbox and verify dialogs; and its end at shutdown."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget

from playground.ui.jobs.controller import JobsController
from playground.ui.jobs.panel import JobsPanel

if TYPE_CHECKING:
    from playground.core.jobs.store import JobStore
    from playground.ui.host import WindowHost

# Found again at shutdown without asking Qt: by then the window's C++ side may be deleted.
_features: weakref.WeakKeyDictionary[QObject, tuple[JobsController, JobStore]] = (
    weakref.WeakKeyDictionary()
)


def install(host: WindowHost, store: JobStore) -> JobsPanel:
    """Jobs of `store` (the history's database), watched on the window's loop from now on,
    the pending ones of the last run included."""
    controller = JobsController(host.client, store, host.widget())
    host.requests.use_jobs(controller.jobs)
    panel = JobsPanel(controller, host)
    window = host.widget()
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
    history = window.findChild(QDockWidget, "historyDock")
    if history is not None:  # a tab beside the history's: the window must fit 1024 px
        window.tabifyDockWidget(history, panel)
    panel.hide()
    host.add_action("&Jobs", "Show &jobs", "Ctrl+J", panel.toggle)
    host.add_action("&Jobs", "Webhook &inbox…", "", panel.open_inbox)
    host.add_action("&Jobs", "&Use the inbox for async sends", "", panel.fill_webhook)
    host.add_action("&Jobs", "&Verify a webhook…", "", panel.open_verify)
    _features[host.widget()] = (controller, store)
    return panel


def start(host: WindowHost) -> None:
    """Watch the jobs, those left pending by the last run first (with the loop running)."""
    found = _features.get(host.widget())
    if found is not None and found[0].start():
        panel = host.widget().findChild(JobsPanel)
        if panel is not None:
            panel.reveal()  # jobs of the last run are still going: show them


async def shutdown(host: WindowHost) -> None:
    """Stop watching and the inbox, and close the jobs' database."""
    found = _features.pop(host.widget(), None)
    if found is not None:
        controller, store = found
        await controller.aclose()
        store.close()
