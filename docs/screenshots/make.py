"""Make the README's screenshots: the real window against the local server, offscreen.

python docs/screenshots/make.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The same pictures on every machine: no presets, history or window state of the person running it.
_HOME = tempfile.mkdtemp(prefix="playground-shots-")
for _name, _sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
    os.environ[_name] = os.path.join(_HOME, _sub)

import keyring
import keyring.backend
from PySide6.QtWidgets import QApplication

from playground.core import BasetenClient, Remote
from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.core.secrets import mask
from playground.emulator import EmulatorServer, EmulatorSettings
from playground.emulator.demo import (
    CHAT,
    CLASSIFIER,
    CUSTOM,
    IMAGE_GEN,
    REASONER,
    SLEEPY,
    STREAMER,
)
from playground.ui.collector import MainThreadCollector
from playground.ui.compare.menu import open_compare
from playground.ui import theme
from playground.ui.look import apply_look
from playground.ui.loop import new_loop
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal

HERE = Path(__file__).resolve().parent
SIZE = (1280, 800)


@asynccontextmanager
async def window_on(server: EmulatorServer, model: str) -> AsyncIterator[MainWindow]:
    """The real window on the demo server with `model` chosen; shut down afterwards."""
    client = BasetenClient(Remote.local(server.base_url, "local demo"), server.api_key)
    win = build_window(client, settings=None, key_label=f"{mask(server.api_key)} (this session)")
    win.resize(*SIZE)
    win.show()
    try:
        loaded = asyncio.ensure_future(first_signal(win.catalogue.targets_loaded))
        win.catalogue.load_models()
        await loaded
        if win.target_bar.model_id() != model:
            again = asyncio.ensure_future(first_signal(win.catalogue.targets_loaded))
            win.target_bar.select_model(model)
            await again
        await asyncio.sleep(0.3)  # the example input
        yield win
    finally:
        await shutdown(win)
        win.close()


def save(win: MainWindow, name: str) -> None:
    win.grab().save(str(HERE / f"{name}.png"), "PNG")


async def shoot(
    server: EmulatorServer, name: str, model: str, prepare: Callable[[MainWindow], None]
) -> None:
    async with window_on(server, model) as win:
        prepare(win)
        if name != "wake":
            done = asyncio.ensure_future(
                first_signal(win.requests.request_finished, win.requests.request_failed)
            )
            win.send()
            await done
        await asyncio.sleep(0.3)
        save(win, name)


async def shoot_chat(server: EmulatorServer, name: str = "chat") -> None:
    async with window_on(server, REASONER) as win:
        listed = asyncio.ensure_future(first_signal(win.chat_controller.models_listed))
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
        await listed
        for question in ("Is 1009 a prime number?", "Why does it **matter**?"):
            done = asyncio.ensure_future(first_signal(win.chat_controller.answer_finished))
            win.chat.input.setPlainText(question)
            win.send()
            await done
        win.chat.messages()[1].reasoning_toggle.click()
        await asyncio.sleep(0.3)
        save(win, name)


async def shoot_compare(server: EmulatorServer) -> None:
    """Production, staging and a Model API answering one chat request, three times over."""
    async with window_on(server, CHAT) as win:
        view = open_compare(win)
        view.resize(1500, 900)
        editor = view.request_editor
        editor.mode_combo.setCurrentIndex(editor.mode_combo.findData("chat"))
        editor.editor.set_json(
            {
                "model": "demo-llm",
                "messages": [{"role": "user", "content": "What is a cold start?"}],
                "stream": True,
            }
        )
        view.set_columns(
            [
                Column(Target(CHAT, "production")),
                Column(Target(CHAT, "environment", "staging")),
                Column(None, "playground/demo-chat", {"model": "playground/demo-chat"}),
            ]
        )
        await asyncio.sleep(0.5)  # the targets' statuses
        view.repeat_spin.setValue(3)
        done = asyncio.ensure_future(first_signal(view.controller.run_finished, within=60))
        view.send_all()
        await done
        await asyncio.sleep(0.3)
        view.grab().save(str(HERE / "compare.png"), "PNG")
        dialog = view.show_diff()
        assert dialog is not None
        await asyncio.sleep(0.3)
        dialog.grab().save(str(HERE / "compare-diff.png"), "PNG")
        dialog.close()
        view.close()


async def shoot_image(server: EmulatorServer) -> None:
    """A generated image: its preview, and the JSON with the base64 elided."""
    body = {"prompt": "a lighthouse at dusk, oil painting", "width": 480, "height": 320}

    async with window_on(server, IMAGE_GEN) as win:
        win.request.editor.body.set_json(body)
        ready = asyncio.ensure_future(first_signal(win.response.media.media_ready))
        win.send()
        await ready
        await asyncio.sleep(0.3)
        save(win, "image-answer")


class _ShotKeyring(keyring.backend.KeyringBackend):
    """The shots' own keyring: a webhook secret for the inbox, never the person's keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


async def shoot_jobs(size: tuple[int, int] = SIZE, path: Path = HERE / "jobs.png") -> None:
    """The Jobs dock: a result the inbox received (shown), one sent without a webhook, one that
    failed, and the queue chart."""
    from playground.core.jobs.webhook_secrets import store_secret
    from playground.ui.jobs import install as jobs_feature
    from playground.ui.jobs.panel import JobsPanel

    keyring.set_keyring(_ShotKeyring())
    secret = "whsec_screenshot_only"
    store_secret("current", secret)
    settings = EmulatorSettings(webhook_secrets=[secret], async_run_seconds=0.4)
    with EmulatorServer(settings) as server:
        async with window_on(server, CLASSIFIER) as win:
            win.resize(*size)
            jobs_feature.start(win)
            panel = win.findChild(JobsPanel)
            assert panel is not None
            win.mode_combo.setCurrentIndex(win.mode_combo.findData("async"))
            requests = win.requests

            async def send(body: dict[str, str]) -> None:
                win.request.editor.body.set_json(body)
                done = asyncio.ensure_future(first_signal(requests.request_finished))
                win.send()
                await done

            server.emulator.state.set_model_faults(
                CLASSIFIER, "job_fail=MODEL_PREDICT_ERROR,count=1"
            )
            await send({"text": "this one fails"})
            await send({"text": "no webhook given"})
            started = asyncio.ensure_future(first_signal(panel.controller.inbox_started))
            panel.controller.start_inbox(0)
            await started
            panel.fill_webhook()
            await send({"text": "I love how fast this is, great work!"})
            delivered = panel.controller.all_jobs()[0]
            while not panel.rows()[0][1].endswith("result"):
                await asyncio.sleep(0.1)
            while any(s in ("QUEUED", "IN_PROGRESS") for s in (r[1] for r in panel.rows())):
                await asyncio.sleep(0.1)
            panel.select(delivered.id)
            await asyncio.sleep(0.5)
            win.grab().save(str(path), "PNG")


def classify(w: MainWindow) -> None:
    w.request.editor.body.set_json({"text": "I love how fast this is, great work!"})


async def main() -> None:
    settings = EmulatorSettings(wake_seconds=30, load_seconds=30)
    with EmulatorServer(settings) as server:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # The main shots in the dark theme too (View > Theme > Dark); the rest in the light one.
        theme.apply_theme(app, "dark")
        await shoot(server, "main-window-dark", CLASSIFIER, classify)
        await shoot_chat(server, "chat-dark")
        theme.apply_theme(app, "light")
        await shoot(server, "main-window", CLASSIFIER, classify)

        def stream(w: MainWindow) -> None:
            w.request.editor.body.set_json({"prompt": "a lighthouse keeper", "stream": True})

        await shoot(server, "streaming", STREAMER, stream)

        def failing(w: MainWindow) -> None:
            server.emulator.state.set_model_faults(CLASSIFIER, "status=503,shape=spec,count=3")

        await shoot(server, "error", CLASSIFIER, failing)

        def route(w: MainWindow) -> None:
            w.mode_combo.setCurrentIndex(w.mode_combo.findData("route"))
            w.request.editor.method_combo.setCurrentText("GET")
            w.request.editor.route_edit.setText("/items/1")

        await shoot(server, "custom-route", CUSTOM, route)
        await shoot(server, "wake", SLEEPY, lambda w: w.target_bar.wake_button.click())
        await shoot_chat(server)
        await shoot_compare(server)
        await shoot_image(server)
    await shoot_jobs()


if __name__ == "__main__":
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    apply_look(app)  # the icon and stylesheet the app itself sets
    collector = MainThreadCollector()  # Qt objects must die on this thread, not the server's
    collector.start()
    with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
        # `make.py jobs`: only the Jobs dock, and at 1024×700 in the temporary folder to look at.
        if sys.argv[1:] == ["jobs"]:
            runner.run(shoot_jobs())
            runner.run(shoot_jobs((1024, 700), Path(_HOME) / "jobs-1024.png"))
            print(Path(_HOME) / "jobs-1024.png")
        else:
            runner.run(main())
    collector.stop()
    print("\n".join(sorted(str(p.relative_to(HERE.parent.parent)) for p in HERE.glob("*.png"))))
