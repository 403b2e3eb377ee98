"""The composition root: builds core objects, the window and (for --demo) the local server, then runs the loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

import platformdirs
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

import playground
from playground.core import BasetenClient, Remote
from playground.core.keys import (
    FoundKey,
    KeyringUnavailable,
    find_key,
    keyring_usable,
    mask,
    store_key,
    trussrc_keys,
)
from playground.ui.controller import CatalogueController, RequestController
from playground.ui.key_dialog import KeyDialog
from playground.ui.loop import new_loop
from playground.ui.main_window import MainWindow

APP_NAME = "playground"


def settings_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "window.ini"


async def _first_of(signals: tuple[SignalInstance, ...], within: float) -> None:
    """Wait, without a nested event loop, until any of `signals` fires."""
    done = asyncio.get_running_loop().create_future()

    def finish(*_: object) -> None:
        if not done.done():
            done.set_result(None)

    for signal in signals:
        signal.connect(finish)
    try:
        await asyncio.wait_for(done, within)
    finally:
        for signal in signals:
            signal.disconnect(finish)


def build_window(
    client: BasetenClient, *, settings: QSettings | None, key_label: str
) -> MainWindow:
    catalogue = CatalogueController(client)
    requests = RequestController(client)
    window = MainWindow(catalogue, requests, settings=settings, key_label=key_label)
    catalogue.setParent(window)
    requests.setParent(window)
    return window


def ask_for_key(window: MainWindow, client: BasetenClient) -> KeyDialog:
    """The first-run flow: offer what was found, or take a key; models load once there is one."""
    remote = client.remote
    found = [r.key for r in trussrc_keys()]
    dialog = KeyDialog(remote.name, found, keyring_usable=keyring_usable(), parent=window)

    def chosen(key: FoundKey, remember: bool) -> None:
        client.set_api_key(key.key)
        message = f"Using the key from {key.source} ({mask(key.key)})."
        if remember:
            try:
                store_key(remote.name, key.key)
                message += " Saved in the system keyring."
            except KeyringUnavailable as exc:
                message += " " + str(exc)
        window.statusBar().showMessage(message)
        window.catalogue.load_models()

    dialog.key_chosen.connect(chosen)
    dialog.open()
    return dialog


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


async def _run_window(
    window: MainWindow,
    client: BasetenClient,
    screenshot: str | None,
    demo: bool,
    exit_on_paint: bool = False,
) -> None:
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    if exit_on_paint:
        FirstPaint(window)
    window.show()
    catalogue = window.catalogue
    if client.has_key:
        catalogue.load_models()
    else:
        window.statusBar().showMessage("No API key yet.")
        ask_for_key(window, client)
    try:
        if screenshot:
            await _first_of((catalogue.models_loaded, catalogue.models_failed), 15)
            await _first_of((catalogue.targets_loaded, catalogue.targets_failed), 15)
            with contextlib.suppress(TimeoutError):
                await _first_of((catalogue.example_loaded,), 2)
            if demo:
                requests = window.requests
                sending = asyncio.get_running_loop().create_task(
                    _first_of((requests.request_finished, requests.request_failed), 15)
                )
                window.send()
                await sending
            await asyncio.sleep(0.3)  # let the last batch of paints land
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(screenshot, "PNG"):
                raise OSError(f"could not write {screenshot}")
            window.close()
        await closed.wait()
    finally:
        await window.catalogue.aclose()
        await window.requests.aclose()
        await client.aclose()


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(
    *, demo: bool = False, screenshot: str | None = None, exit_on_paint: bool = False
) -> int:
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
    app.setApplicationVersion(playground.__version__)
    app.setOrganizationName("Playground")
    app.setQuitOnLastWindowClosed(False)

    server = None
    if demo:
        from playground.emulator import EmulatorServer

        server = EmulatorServer().start()
        remote = Remote.local(server.base_url, name="local demo")
        key = FoundKey(server.api_key, "this session")  # never stored
    else:
        remote = Remote.baseten()
        key = find_key(remote.name) or FoundKey("", "")
    client = BasetenClient(remote, key.key)
    # Screenshots must not depend on (or change) the user's saved window state.
    settings = (
        None
        if screenshot or exit_on_paint
        else QSettings(str(settings_path()), QSettings.Format.IniFormat)
    )
    try:
        with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
            window = build_window(
                client,
                settings=settings,
                key_label=f"{mask(key.key)} ({key.source})" if key.key else "",
            )
            runner.run(_run_window(window, client, screenshot, demo, exit_on_paint))
    finally:
        if server is not None:
            server.stop()
    return 0
