"""The session behind the window: its controllers and features, the key flow, its life and end."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from PySide6.QtCore import QSettings

from playground.core import paths
from playground.core.api.client import BasetenClient
from playground.core.history.store import FILE_NAME as HISTORY_FILE
from playground.core.history.store import History, open_history
from playground.core.jobs.store import JobStore
from playground.core.remote.keys import (
    FoundKey,
    KeyringUnavailable,
    find_key,
    keyring_usable,
    store_key,
    trussrc_keys,
)
from playground.core.secrets import mask
from playground.ui.chat.controller import ChatController
from playground.ui.compare import menu as compare_menu
from playground.ui.history import panel as history_panel
from playground.ui.jobs import install as jobs_feature
from playground.ui.logs import install as logs
from playground.ui.logs.view import shutdown as close_logs
from playground.ui.main_window import MainWindow
from playground.ui.presets.install import install as install_presets
from playground.ui.remotes import menu as remotes_menu
from playground.ui.remotes.key_dialog import KeyDialog
from playground.ui.request import call_settings, code_export
from playground.ui.request.controller import RequestController
from playground.ui.signals import first_signal
from playground.ui.suites import menu as suites_menu
from playground.ui.target.controller import CatalogueController
from playground.ui.websocket import install as websocket


def attach(
    window: MainWindow,
    client: BasetenClient,
    *,
    data_dir: Path | None = None,
    history: History | None = None,
) -> MainWindow:
    """Controllers, and the features that hang off them; `data_dir` overrides the platform's,
    `history` is one opened already (start-up opens it off the GUI thread)."""
    window.attach(CatalogueController(client), RequestController(client), ChatController(client))
    comparisons = compare_menu.install(window)
    code_export.install(window)
    call_settings.install(window)
    install_presets(window)
    window.add_action("&File", "API &key…", "", lambda: ask_for_key(window, client))
    remotes_menu.install(window)
    panel = history_panel.install(window, history or open_default_history(data_dir))
    panel.recorder.watch_comparisons(comparisons)  # each column of a comparison is kept too
    panel.recorder.watch_websockets(websocket.install(window))  # and each WebSocket session
    logs.install(window, window.response.logs_requested)
    suites_menu.install(window, panel.history.path.parent, panel.history)  # runs kept beside it
    jobs_feature.install(window, JobStore(panel.history.path))  # jobs share its database
    return window


def open_default_history(data_dir: Path | None = None) -> History:
    return open_history(paths.data_dir(data_dir) / HISTORY_FILE)


def build_window(
    client: BasetenClient,
    *,
    settings: QSettings | None,
    key_label: str,
    data_dir: Path | None = None,
) -> MainWindow:
    window = MainWindow(client.remote, settings=settings, key_label=key_label)
    return attach(window, client, data_dir=data_dir)


NO_KEY = "none needed (a Truss server takes no key)"


def ask_for_key(window: MainWindow, client: BasetenClient) -> KeyDialog | None:
    """The first-run flow: offer what was found, or take a key; models load once there is one.
    A remote that takes no key (a Truss server) is never asked one: None, and it says so."""
    remote = client.remote
    if not remote.needs_key:
        window.show_status(f"{remote.name} is a Truss server: it takes no key, and is sent none.")
        return None
    found = [r.key for r in trussrc_keys()]
    dialog = KeyDialog(remote.name, found, keyring_usable=keyring_usable(), parent=window)

    def chosen(key: FoundKey, remember: bool) -> None:
        client.set_api_key(key.key)
        window.remote_row.set_key_label(f"{mask(key.key)} ({key.source})")
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


async def run_window(
    window: MainWindow,
    client: BasetenClient,
    *,
    find_key_first: bool,
    screenshot: str | None,
    demo: bool,
) -> None:
    """The window's life once attached: the key (looked up in a thread when `find_key_first`:
    the keyring may take a while, or ask to be unlocked, and the window answers keys meanwhile),
    the models, then until the window closes."""
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    try:
        if not client.remote.needs_key:
            window.remote_row.set_key_label(NO_KEY)
        elif find_key_first:
            window.show_status("Looking for the API key…")
            found = await asyncio.to_thread(find_key, window.remote.name)
            if found is not None:
                client.set_api_key(found.key)
                window.remote_row.set_key_label(f"{mask(found.key)} ({found.source})")
        if window.isVisible():  # not closed already (as a start-up probe may close it)
            _start(window, client)
            if screenshot:
                await _screenshot(window, screenshot, demo)
                window.close()
            await closed.wait()
    finally:
        await shutdown(window)


async def shutdown(window: MainWindow) -> None:
    """Cancel the window's tasks and close its connections (before the loop closes)."""
    await compare_menu.shutdown(window)
    await websocket.shutdown(window)
    await close_logs(window)
    await suites_menu.shutdown(window)
    await jobs_feature.shutdown(window)
    await window.catalogue.aclose()
    await window.requests.aclose()
    await window.chat_controller.aclose()
    await history_panel.close_history(window)
    await window.catalogue.client.aclose()


def _start(window: MainWindow, client: BasetenClient) -> None:
    jobs_feature.start(window)
    if client.has_key:
        window.catalogue.load_models()
    else:
        window.statusBar().showMessage("No API key yet.")
        ask_for_key(window, client)


async def _screenshot(window: MainWindow, path: str, demo: bool) -> None:
    """Wait for the models, the target's choices and its example (and, in the demo, an answer)."""
    catalogue = window.catalogue
    await first_signal(catalogue.models_loaded, catalogue.models_failed)
    await first_signal(catalogue.targets_loaded, catalogue.targets_failed)
    with contextlib.suppress(TimeoutError):
        await first_signal(catalogue.example_loaded, within=2)
    if demo:
        requests = window.requests
        sending = asyncio.get_running_loop().create_task(
            first_signal(requests.request_finished, requests.request_failed)
        )
        window.send()
        await sending
    await asyncio.sleep(0.3)  # let the last batch of paints land
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(path, "PNG"):
        raise OSError(f"could not write {path}")
