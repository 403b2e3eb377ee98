"""The composition root: builds core objects, the window and (for --demo) the local server, then runs the loop."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication

from playground import __version__
from playground.core import BasetenClient, Remote
from playground.ui.controller import WindowController
from playground.ui.loop import new_loop
from playground.ui.main_window import MainWindow


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


async def _run_window(client: BasetenClient, screenshot: str | None, demo: bool) -> None:
    controller = WindowController(client)
    window = MainWindow(controller)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.show()
    loaded = asyncio.get_running_loop().create_task(
        _first_of((controller.models_loaded, controller.models_failed), 15)
    )
    controller.load_models()
    try:
        if screenshot:
            await loaded
            if demo:
                sending = asyncio.get_running_loop().create_task(
                    _first_of((controller.response_received, controller.request_failed), 15)
                )
                window.send()
                await sending
            await asyncio.sleep(0.2)  # let the last batch of paints land
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(screenshot, "PNG"):
                raise OSError(f"could not write {screenshot}")
            window.close()
        await closed.wait()
    finally:
        loaded.cancel()
        await controller.aclose()
        await client.aclose()


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(*, demo: bool = False, screenshot: str | None = None) -> int:
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
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Playground")
    app.setQuitOnLastWindowClosed(False)

    server = None
    if demo:
        from playground.emulator import EmulatorServer

        server = EmulatorServer().start()
        remote = Remote.local(server.base_url, name="local demo")
        key = server.api_key  # lives in this process only; never stored
    else:
        remote = Remote.baseten()
        key = os.environ.get("BASETEN_API_KEY", "")
        if not key:
            print(
                "playground: no API key. Set BASETEN_API_KEY, or try `playground --demo` "
                "to use the local demo server.",
                file=sys.stderr,
            )
    client = BasetenClient(remote, key)
    try:
        with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
            runner.run(_run_window(client, screenshot, demo))
    finally:
        if server is not None:
            server.stop()
    return 0
