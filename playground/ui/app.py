"""The composition root: the window paints first; the network stack, the key and the loop follow."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

import playground
from playground.ui.look import set_icon, set_stylesheet
from playground.ui.main_window import MainWindow

if TYPE_CHECKING:
    from playground.core.remote.keys import FoundKey
    from playground.core.remote.remotes import Remote


def settings_path() -> Path:
    from playground.core.paths import config_dir

    return config_dir() / "window.ini"


class FirstPaint(QObject):
    """Closes the window as soon as it has painted once (for benchmarks/startup.py)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            print(f"first-paint {time.time():.6f}", flush=True)  # wall clock: the parent compares
            QTimer.singleShot(0, self.window.close)
        return False


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(
    remote: Remote,
    *,
    key: FoundKey | None = None,
    demo: bool = False,
    screenshot: str | None = None,
    exit_on_paint: bool = False,
) -> int:
    """The window on `remote`; `key` when the caller has one (the demo's), else it is looked up
    after the first paint. `demo` sends the example once, for the screenshot."""
    if not _has_display():
        if not screenshot:
            print(
                "playground: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run it on a "
                "desktop session, or set QT_QPA_PLATFORM=offscreen to run without one.",
                file=sys.stderr,
            )
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Playground")
    app.setOrganizationName("Playground")
    app.setQuitOnLastWindowClosed(False)
    # Screenshots and probes must not depend on (or change) the user's saved window state.
    settings = (
        None
        if screenshot or exit_on_paint
        else QSettings(str(settings_path()), QSettings.Format.IniFormat)
    )
    window = MainWindow(
        remote,
        settings=settings,
        key_label=f"{key.masked} ({key.source})" if key else "",
    )
    if exit_on_paint:
        FirstPaint(window)
    window.show()
    app.processEvents()  # the first paint, before the network stack is even imported
    set_icon(app)  # the desktop takes a window's icon whenever it comes
    set_stylesheet(app)  # what it styles is not on screen yet (look.py)
    app.setApplicationVersion(playground.__version__)  # reading the metadata takes 20-30 ms
    # Screenshots and probes leave the user's history alone, as they do the window state.
    scratch = Path(tempfile.mkdtemp(prefix="playground-")) if settings is None else None
    try:
        from playground.ui.session import run_session

        return run_session(app, window, key=key, screenshot=screenshot, demo=demo, data_dir=scratch)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
