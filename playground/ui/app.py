"""The composition root: the window paints first; then the loop runs, and the session follows."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from playground.ui.look import set_icon, set_stylesheet
from playground.ui.main_window import MainWindow

# Core's modules that no window needs until a person opens what they serve: the thread that
# imports core while the first window takes its first keys leaves them to the first use.
LATER = (
    "playground.core.suites",  # jsonschema, yaml's run files: the Suites view
    "playground.core.ws.session",  # websockets: the first Connect
    "playground.core.request.codegen",  # Export as code…
)

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from playground.core.api.client import BasetenClient
    from playground.core.history.store import History
    from playground.core.remote.keys import FoundKey
    from playground.core.remote.remotes import Remote


def settings_path() -> Path:
    from playground.core.paths import config_dir

    return config_dir() / "window.ini"


class InteractiveProbe(QObject):
    """For benchmarks/startup.py: when is the window first painted, and when does it answer keys?

    At the first paint it posts a key press to the window, as a person typing at once would, and
    prints the wall-clock time the window handled it ("interactive"). Then it keeps one key press
    waiting at all times for `watch_s` seconds and prints the longest any of them waited: what
    start-up still does after the first paint must never hold input up. Then it closes the window.
    """

    def __init__(self, window: MainWindow, watch_s: float = 1.0) -> None:
        super().__init__(window)
        self.window = window
        self.watch_s = watch_s
        self.posted_at = 0.0
        self.painted_at = 0.0
        self.longest_wait = 0.0
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.window:
            return False
        if event.type() == QEvent.Type.Paint and not self.painted_at:
            self.painted_at = time.time()
            print(f"first-paint {self.painted_at:.6f}", flush=True)  # the parent compares
            self._press()
        elif event.type() == QEvent.Type.KeyPress and self.posted_at:
            now = time.time()
            if self.longest_wait == 0.0:
                print(f"interactive {now:.6f}", flush=True)
            self.longest_wait = max(self.longest_wait, now - self.posted_at, 1e-9)
            if now - self.painted_at < self.watch_s:
                self._press()
            else:
                print(f"longest-wait {self.longest_wait:.6f}", flush=True)
                self.posted_at = 0.0
                QTimer.singleShot(0, self.window.close)
            return True
        return False

    def _press(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeyEvent

        self.posted_at = time.time()
        press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
        QApplication.postEvent(self.window, press)


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
    probe: bool = False,
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
    # Screenshots must not depend on (or change) the user's saved window state.
    settings = None if screenshot else QSettings(str(settings_path()), QSettings.Format.IniFormat)
    window = MainWindow(
        remote,
        settings=settings,
        key_label=f"{key.masked} ({key.source})" if key else "",
    )
    if probe:
        InteractiveProbe(window)
    window.show()
    app.processEvents()  # the first paint, before the network stack is even imported
    set_icon(app)  # the desktop takes a window's icon whenever it comes
    set_stylesheet(app)  # what it styles is not on screen yet (look.py)
    app.processEvents()  # keys typed at the first paint, before asyncio takes ~20 ms to import
    # Screenshots leave the user's history alone, as they do the window state.
    scratch = Path(tempfile.mkdtemp(prefix="playground-")) if settings is None else None
    try:
        return _run_loop(app, _session(app, window, key, screenshot, demo, scratch))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _run_loop(app: QApplication, main: Coroutine[Any, Any, None]) -> int:
    """Run `main` on the qasync loop: from here on the window answers keys and clicks."""
    import asyncio

    from playground.ui.collector import MainThreadCollector
    from playground.ui.loop import new_loop

    collector = MainThreadCollector(app)
    collector.start()  # before any thread runs Python: the cycle collector stays on this one
    try:
        with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
            runner.run(main)
    finally:
        collector.stop()
    return 0


async def _session(
    app: QApplication,
    window: MainWindow,
    key: FoundKey | None,
    screenshot: str | None,
    demo: bool,
    data_dir: Path | None,
) -> None:
    """Everything after the first paint, on the running loop, so that no step holds input up:
    what needs no Qt is imported and opened in a thread; the key is looked up in one."""
    import asyncio
    import gc

    client, history, version = await asyncio.to_thread(_prepare, window.remote, key, data_dir)
    app.setApplicationVersion(version)
    from playground.ui import session

    await asyncio.sleep(0)  # keys typed meanwhile
    session.attach(window, client, history=history)
    gc.freeze()  # what start-up built lives as long as the app (collector.py)
    await session.run_window(
        window, client, find_key_first=key is None, screenshot=screenshot, demo=demo
    )


def _prepare(
    remote: Remote, key: FoundKey | None, data_dir: Path | None
) -> tuple[BasetenClient, History, str]:
    """Off the GUI thread: every Qt-free module the session imports (httpx, sqlite3, yaml, …),
    the client with its TLS context (~50 ms), the history's database, opened, and the version
    (reading package metadata takes ~25 ms)."""
    import importlib
    import pkgutil

    import playground.core

    for module in pkgutil.walk_packages(playground.core.__path__, "playground.core."):
        if not module.name.startswith(LATER):
            importlib.import_module(module.name)
    from playground.core import paths
    from playground.core.api.client import BasetenClient
    from playground.core.history.store import FILE_NAME, open_history

    client = BasetenClient(remote, key.key if key else "")
    client.transport.prepare()
    history = open_history(paths.data_dir(data_dir) / FILE_NAME)
    return client, history, playground.__version__
