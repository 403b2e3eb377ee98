"""The window on the real Truss server (tests/integration/truss_helpers.py): added in File ▸
Remotes, its readiness shown as a status (loading, then ready), predict, streaming predict and
chat sent with no key; and one comparison whose columns are on three remotes (the Truss server,
a local server's development, another local server's production), each with its own key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from playground.core.api.client import BasetenClient
from playground.core.remote.config import RemoteStore
from playground.core.remote.keys import store_key
from playground.core.remote.remotes import Remote, Target
from playground.core.request.spec import Column
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui import session
from playground.ui.compare.view import CompareView
from playground.ui.main_window import MainWindow
from playground.ui.presets.panel import PresetPanel
from playground.ui.remotes.menu import RemotesMenu
from tests.conftest import fast_settings
from tests.integration.truss_helpers import TrussServer, loading_truss, truss_server
from tests.ui.test_compare_view import compare, send_all

__all__ = ["loading_truss", "truss_server"]

pytestmark = pytest.mark.slow

OTHER_KEY = "other-remote-key-5678abcd"  # the second local server's only key
WINDOW_KEY = "window-key-never-for-truss-99"


@pytest.fixture
def other_server() -> Iterator[EmulatorServer]:
    """A second local Baseten-compatible server, taking only its own key."""
    with EmulatorServer(fast_settings(api_keys=[OTHER_KEY])) as server:
        yield server


# Tasks that last as long as the window: its life, and the jobs dock's watcher and queue chart.
STANDING = {"run_window", "run", "_measure_queues", "_watch_queues"}


def step(
    loop: asyncio.AbstractEventLoop,
    act: Callable[[], object],
    condition: Callable[[], object] = lambda: True,
    within: float = 20,
) -> None:
    """Do `act` with the loop running, then wait for `condition` and for every task it led to
    (the window's life aside): a task whose steps straddle two runs of the loop stalls (anyio
    finds no loop between them)."""

    async def go() -> None:
        act()
        deadline = loop.time() + within
        me = asyncio.current_task()
        while not condition() or any(
            t is not me and not t.done() and t.get_coro().__name__ not in STANDING  # type: ignore[union-attr]
            for t in asyncio.all_tasks()
        ):
            assert loop.time() < deadline, (
                "the condition did not come true in time: "
                + str([t.get_coro().__name__ for t in asyncio.all_tasks() if not t.done()])  # type: ignore[union-attr]
            )
            await asyncio.sleep(0.01)

    loop.run_until_complete(go())


def wait(loop: asyncio.AbstractEventLoop, condition: Callable[[], object], within: float = 20):
    step(loop, lambda: None, condition, within)


def running(
    client: BasetenClient,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    watch: Callable[[MainWindow], object] = lambda _win: None,
) -> tuple[MainWindow, asyncio.Task[None]]:
    """A window as the app makes one (build, attach, then its session's life), on `client`;
    `watch` sees it before its life begins. Returns once what its start led to is done."""
    win = session.build_window(client, settings=None, key_label="")
    qtbot.addWidget(win)
    win.show()
    watch(win)
    lives: list[asyncio.Task[None]] = []
    life = session.run_window(win, client, find_key_first=True, screenshot=None, demo=False)
    step(loop, lambda: lives.append(loop.create_task(life)), win.target_bar.model_combo.count)
    return win, lives[0]


def close(win: MainWindow, life: asyncio.Task[None], loop: asyncio.AbstractEventLoop) -> None:
    win.close()
    loop.run_until_complete(asyncio.wait_for(life, 10))


def test_a_truss_server_added_in_the_window_loads_then_answers_with_no_key(
    loading_truss: TrussServer,
    tmp_path: Path,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A key in the environment and one in the keyring under its name: neither goes to it.
    monkeypatch.setenv("BASETEN_API_KEY", WINDOW_KEY)
    store_key("truss-local", "pg-keyring-never-sent-to-truss")
    # File ▸ Remotes ▸ Add a remote…, kind Truss server (the URL offered is truss run's)
    home = session.build_window(
        BasetenClient(Remote.baseten(), WINDOW_KEY), settings=None, key_label=""
    )
    qtbot.addWidget(home)
    menus = home.findChild(RemotesMenu)
    assert menus is not None
    dialog = menus.ask_to_add()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("truss"))
    assert dialog.url_edit.text() == "http://localhost:8080"
    dialog.name_edit.setText("truss-local")
    dialog.url_edit.setText(loading_truss.url)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible(), dialog.problem.text()
    menus.refresh()
    texts = [a.text() for a in menus.menu.actions()]
    assert f"truss-local  ({loading_truss.url} · Truss server)" in texts
    loop.run_until_complete(session.shutdown(home))

    # Opening it: a window on the remote File ▸ Remotes names, as the app starts one.
    remote = RemoteStore.default().get("truss-local")
    assert remote.kind == "truss"
    shown: list[tuple[str, str, str]] = []  # the badge, its tooltip, the status line

    def watch(win: MainWindow) -> None:
        def seen(*_: object) -> None:
            bar = win.target_bar
            said = (bar.status_label.text(), bar.status_label.toolTip())
            shown.append((*said, win.statusBar().currentMessage()))

        win.catalogue.readiness_said.connect(seen)  # after the bar and the status line heard

    win, life = running(BasetenClient(remote, WINDOW_KEY), loop, qtbot, watch)
    bar = win.target_bar
    assert bar.model_id() == "model"
    loading = "truss-local: loading: Model with name model is not ready."
    assert shown[0] == (
        "loading model",
        "Deployment model (Model with name model is not ready.): LOADING_MODEL",
        loading,
    )
    assert shown[-1][0::2] == ("active", "truss-local: ready")
    assert bar.status_label.text() == "active"
    assert win.remote_row.key_label.text() == "· key none needed (a Truss server takes no key)"
    assert not [d for d in win.findChildren(session.KeyDialog) if d.isVisible()]
    assert session.ask_for_key(win, win.client) is None  # File ▸ API key… only says why

    requests = win.requests

    def predict(body: dict[str, object]) -> bytes:
        win.body_editor.setPlainText(json.dumps(body))
        ended: list[object] = []
        for signal in (requests.request_finished, requests.request_failed):
            signal.connect(lambda *args: ended.append(args))
        step(loop, win.send, lambda: ended and not win.response.is_streaming)
        return win.response.body_bytes()

    answer = json.loads(predict({"text": "hello world"}))
    assert answer == {"upper": "HELLO WORLD", "length": 11, "authorization": None}
    assert predict({"text": "one two", "stream": True}) == b"ONE\nTWO\n"

    chat = win.chat_controller
    win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
    win.chat.input.setPlainText("hi there")
    answered: list[object] = []
    for signal in (chat.answer_finished, chat.answer_failed):
        signal.connect(lambda *args: answered.append(args))
    step(loop, win.send, lambda: answered)
    assert win.chat.conversation.turns[-1].content.strip() == "echo: hi there"

    # A Truss folder's examples, imported in this window, are sent to this Truss server.
    folder = tmp_path / "my-truss"
    folder.mkdir()
    (folder / "config.yaml").write_text("model_name: my-truss\n")
    (folder / "examples.yaml").write_text("- name: shout\n  input: {text: quiet please}\n")
    panel = win.findChild(PresetPanel)
    assert panel is not None
    panel.import_truss_from(folder)
    [stored] = [p for p in panel.store.presets() if p.preset.name.startswith("my-truss")]
    assert stored.preset.remote == "truss-local"
    assert stored.preset.request.target == Target("model")
    assert stored.preset.request.body == {"text": "quiet please"}
    close(win, life, loop)


def test_three_columns_on_three_remotes_each_with_its_own_key(
    truss_server: TrussServer,
    fresh_emulator: EmulatorServer,
    other_server: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = RemoteStore.default()
    store.add(truss_server.remote("truss-local"))
    store.add(Remote.local(other_server.base_url, "other"))
    # The window's key is the environment's; the other remote's is in the keyring under its
    # name. A column sent with the wrong key is refused by that server (401): none is.
    monkeypatch.setenv("BASETEN_API_KEY", fresh_emulator.api_key)
    store_key("other", OTHER_KEY)
    store_key("truss-local", "pg-keyring-never-sent-to-truss")
    client = BasetenClient(Remote.local(fresh_emulator.base_url, "local"), "")
    win, life = running(client, loop, qtbot)
    columns = [
        Column(Target("model"), remote="truss-local"),
        Column(Target(CLASSIFIER, "development")),
        Column(Target(CLASSIFIER, "production"), remote="other"),
    ]
    # column C's production, once its remote's targets are in, is the environment's choice
    picked = [*columns[:2], Column(Target(CLASSIFIER, "environment", "production"), remote="other")]
    views: list[CompareView] = []

    def open_on_three_remotes() -> None:  # before the view's own models are in, as a preset does
        views.append(compare(win))
        views[0].set_columns(columns)

    step(
        loop,
        open_on_three_remotes,
        lambda: (
            views[0].models
            and [col.column() for col in views[0].columns] == picked
            and [col.target_bar.status_label.text() for col in views[0].columns] == ["active"] * 3
        ),
    )
    view = views[0]
    a, b, c = view.columns
    assert [p.picker.remote_combo.currentText() for p in (a, b, c)] == [
        "truss-local (Truss server)",
        "local",
        "other",
    ]
    assert b.picker.remote_combo.itemText(0) == "local"  # the window's remote first
    # each column lists its own remote's models: the Truss server's one, named so
    assert a.target_bar.model_combo.currentText() == "Truss server  (model)"
    assert a.target_bar.target_combo.currentText() == "this Truss server"
    assert not a.target_bar.production_label.isVisible()
    titles = [col.title.text().split("</b>")[1] for col in view.columns]
    assert titles == [" · truss-local", " · local", " · other"]
    view.request_editor.editor.set_json({"text": "great work"})
    assert send_all(view, loop, qtbot) == "finished"
    comparison = view.comparison
    assert comparison is not None
    [results] = comparison.rounds
    assert [r.outcome for r in results] == ["ok", "ok", "ok"], [r.error for r in results]
    assert results[0].body == {"upper": "GREAT WORK", "length": 10, "authorization": None}
    # Each Baseten server answered (its own request id): each was sent its own key, for the
    # other's is refused, as this shows on the wire.
    assert results[1].request_id
    assert results[2].request_id
    wrong = httpx.get(
        f"{other_server.base_url}/api/v1/models",
        headers={"Authorization": f"Api-Key {fresh_emulator.api_key}"},
    )
    assert wrong.status_code == 401
    assert all(r.figure("total") is not None for r in results)  # each its own timings
    assert [col.state_label.text() for col in view.columns] == [
        view.columns[0].state_label.text()
    ] * 3
    assert view.diff_button.isEnabled()
    dialog = view.show_diff()
    assert dialog is not None
    # Column C's logs are read from its own remote, with its own client and key (the window's
    # would ask the wrong server, or send the window's key where it is refused).
    from playground.ui.logs.view import LogsDialog

    step(loop, c.logs_button.click, lambda: view.findChildren(LogsDialog))
    [logs] = view.findChildren(LogsDialog)
    step(loop, lambda: None, lambda: logs._is_loaded or "401" in logs.message_label.text())
    assert logs._is_loaded, logs.message_label.text()
    assert logs.controller.client.remote.name == "other"
    assert results[2].request_id in logs.where_label.text()
    close(win, life, loop)
