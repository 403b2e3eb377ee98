"""Make the README's screenshots: the real window against the local server, offscreen.

python docs/screenshots/make.py [NAME …]   (only the shots named, e.g. compare-remotes)
python docs/screenshots/make.py chat-vision --size 1024x700   (how a smaller screen shows it)

`compare-remotes` also starts the real Truss server (tests/integration/truss_serve.py, from
`.venv-truss`, which `packaging/bootstrap --test` builds) and a second local server.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
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
from playground.core.remote.config import RemoteStore
from playground.core.remote.keys import store_key
from playground.core.remote.remotes import Target
from playground.core.request.spec import Column
from playground.core.secrets import mask
from playground.emulator import EmulatorServer, EmulatorSettings
from playground.emulator.demo.websockets import WS_TTS
from playground.emulator.demo import (
    CHAT,
    CLASSIFIER,
    CUSTOM,
    IMAGE_GEN,
    REASONER,
    REVIEWS,
    SLEEPY,
    SPEECH,
    STREAMER,
)
from playground.emulator.demo.llm import VISION
from playground.ui.collector import MainThreadCollector
from playground.ui.compare.menu import open_compare
from playground.ui import theme
from playground.ui.look import apply_look
from playground.ui.loop import new_loop
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal
from playground.ui.websocket.page import WsPage

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SIZE = [1280, 800]
_ARGS = sys.argv[1:]
if "--size" in _ARGS:  # e.g. --size 1024x700
    _AT = _ARGS.index("--size")
    SIZE[:] = map(int, _ARGS[_AT + 1].split("x"))
    del _ARGS[_AT : _AT + 2]
WANTED = set(_ARGS)  # no names: every shot


def wanted(name: str) -> bool:
    return not WANTED or name in WANTED


class ShotKeyring(keyring.backend.KeyringBackend):
    """The shots keep keys here, never in the keyring of the person running them."""

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


keyring.set_keyring(ShotKeyring())


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


async def until(
    condition: Callable[[], object],
    what: str,
    within: float = 30.0,
    seen: Callable[[], object] = lambda: "",
) -> None:
    """Wait for `condition`; a shot that never comes is said (with what was `seen` then),
    instead of waiting forever."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"make.py: {what} did not happen within {within:.0f} s {seen()}")
        await asyncio.sleep(0.05)


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


async def shoot_chat_feature(
    server: EmulatorServer, name: str, model: str, prepare: Callable[[MainWindow], str]
) -> None:
    """A chat with one of its features set by `prepare` (which returns the question), answered."""
    async with window_on(server, model) as win:
        listed = asyncio.ensure_future(first_signal(win.chat_controller.models_listed))
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("chat"))
        await listed
        question = prepare(win)
        done = asyncio.ensure_future(first_signal(win.chat_controller.answer_finished))
        win.chat.input.setPlainText(question)
        win.send()
        await done
        await asyncio.sleep(0.3)
        save(win, name)


def structured(w: MainWindow) -> str:
    w.chat.extras.options.schema_button.click()
    w.chat.extras.schema_editor.use_template("Person (nested object)")
    return "Who wrote this library, and where do they live?"


def vision(w: MainWindow) -> str:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#2f81f7"))  # a sky, a sun and a hill
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#ffd33d"))
    painter.drawEllipse(QPointF(240, 60), 30, 30)
    painter.setBrush(QColor("#2da44e"))
    painter.drawEllipse(QPointF(100, 260), 200, 110)
    painter.end()
    path = Path(_HOME) / "sky.png"
    image.save(str(path))
    w.chat.extras.tray.add_path(str(path))
    return "What is in this image?"


def logprobs(w: MainWindow) -> str:
    w.chat.extras.options.logprobs_check.setChecked(True)
    return "What is a cold start, in two sentences?"


async def shoot_audio(server: EmulatorServer, name: str, environment: str) -> None:
    """Speech from the TTS demo: streamed WAV with time to first audio and × real time
    (production), or base64 WAV inside JSON (development), each with its waveform."""
    async with window_on(server, SPEECH) as win:
        win.target_bar.set_target(Target(SPEECH, "environment", environment))
        text = "Hello from Playground. This answer is speech, drawn as it arrives."
        win.request.editor.body.set_json({"text": text, "voice": "tara"})
        done = asyncio.ensure_future(
            first_signal(win.requests.request_finished, win.requests.request_failed)
        )
        win.send()
        await done
        await asyncio.sleep(0.6)
        save(win, name)


def truss_server(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The real Truss server serving the test's Truss (tests/integration/truss_model), as the
    integration test starts it: its image's build context, served on 127.0.0.1."""
    venv, tests = ROOT / ".venv-truss", ROOT / "tests" / "integration"
    context = [
        venv / "bin" / "truss",
        "image",
        "build-context",
        work / "app",
        tests / "truss_model",
    ]
    subprocess.run(context, check=True, capture_output=True, timeout=60)
    log = work / "server.log"
    with log.open("wb") as out:
        serve = [venv / "bin" / "python", tests / "truss_serve.py", work / "app"]
        process = subprocess.Popen(serve, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(600):
        said = [line for line in log.read_text().splitlines() if line.startswith("PORT ")]
        if said:
            return process, f"http://127.0.0.1:{said[0].split()[1]}"
        time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"the Truss server did not start: {log.read_text()}")


async def shoot_compare_remotes(server: EmulatorServer) -> None:
    """Local against deployed: the Truss server on this machine, the model's development on the
    window's remote, and its production on another remote (a second local server standing in
    for Baseten, with a key of its own), one request to all three."""
    cloud = EmulatorServer(EmulatorSettings(api_keys=["pg_cloud_key_0123456789"]))
    process, url = truss_server(Path(tempfile.mkdtemp(prefix="playground-truss-")))
    try:
        with cloud:
            store = RemoteStore.default()
            for remote in (Remote.truss(url, "my-truss"), Remote.local(cloud.base_url, "cloud")):
                if not store.is_added(remote.name):
                    store.add(remote)
            store_key("cloud", cloud.api_key)
            async with window_on(server, CLASSIFIER) as win:
                view = open_compare(win)
                view.resize(*SIZE)
                view.request_editor.editor.set_json({"text": "great work"})
                view.set_columns(
                    [
                        Column(Target("model"), remote="my-truss"),
                        Column(Target(CLASSIFIER, "development")),
                        Column(Target(CLASSIFIER, "production"), remote="cloud"),
                    ]
                )
                await asyncio.sleep(2.5)  # each remote's models, targets and readiness
                done = asyncio.ensure_future(first_signal(view.controller.run_finished, within=60))
                view.send_all()
                await done
                await asyncio.sleep(0.3)
                view.grab().save(str(HERE / "compare-remotes.png"), "PNG")
                if small := os.environ.get("SHOTS_SMALL"):  # to look at it on a small screen too
                    view.resize(1024, 700)
                    await asyncio.sleep(0.3)
                    view.grab().save(small, "PNG")
                view.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


async def shoot_websocket(
    server: EmulatorServer, name: str = "websocket", size: tuple[int, int] = SIZE
) -> None:
    """A live session with the text-to-speech model: a text frame out, PCM frames and the end
    marker back, the marker's JSON in the details pane."""
    async with window_on(server, WS_TTS) as win:
        win.resize(*size)
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("websocket"))
        page = win.findChild(WsPage)
        assert page is not None
        page.connect_session()
        await until(lambda: page.controller.state == "open", "the WebSocket opening")
        page.composer.text_edit.setPlainText("Hello from the playground!")
        page.send_frame()
        log = page.controller.log
        await until(
            lambda: any(isinstance(f.data, str) and '"end"' in f.data for f in log.frames),
            "the text-to-speech model's end marker",
        )
        log.flush_now()
        marker = next(
            row for row in range(log.rowCount()) if '"type":"end"' in str(log.index(row, 3).data())
        )
        page.table.selectRow(marker)
        await asyncio.sleep(0.3)
        save(win, name)


async def shoot_logs(server: EmulatorServer, size: tuple[int, int] | None = None) -> None:
    """An async request the model refused, and its lines in the deployment's logs (Request ▸
    Request logs…): queued, started, its input (DEBUG), the error with its traceback."""
    from playground.ui.logs.view import LogsDialog

    async with window_on(server, CLASSIFIER) as win:
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("async"))
        win.request.editor.body.set_json({"review": "I love how fast this is"})
        done = asyncio.ensure_future(
            first_signal(win.requests.request_finished, win.requests.request_failed, within=30)
        )
        win.send()
        await done
        next(a for a in win.actions() if a.text() == "Request &logs…").trigger()
        dialog = win.findChild(LogsDialog)
        assert dialog is not None
        if size is not None:
            dialog.resize(*size)
        await first_signal(dialog.controller.loaded, dialog.controller.failed, within=10)
        levels = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
        for _ in range(150):  # the send ends once queued: the failure is logged later
            if "ERROR" in levels:
                break
            await asyncio.sleep(0.2)
            refreshed = asyncio.ensure_future(first_signal(dialog.controller.loaded, within=10))
            dialog.refresh()
            await refreshed
            levels = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
        else:
            raise SystemExit("make.py: the model's failure was not logged within 30 s")
        dialog.table.selectRow(levels.index("ERROR"))  # the traceback, whole, below
        await asyncio.sleep(0.3)
        name = "logs" if size is None else f"logs-{size[0]}x{size[1]}"
        dialog.grab().save(str(HERE / f"{name}.png"), "PNG")
        dialog.close()


def review_suite(folder: Path, copies: int) -> Path:
    """The shipped promotion suite over its reviews `copies` times (ids r01-1 …), in `folder`."""
    shipped = ROOT / "resources" / "suites"
    reviews = [json.loads(line) for line in (shipped / "reviews.jsonl").read_text().splitlines()]
    with (folder / "reviews.jsonl").open("w", encoding="utf-8") as out:
        for n in range(1, copies + 1):
            for review in reviews:
                out.write(json.dumps({**review, "id": f"{review['id']}-{n}"}) + "\n")
    path = folder / "promote-review-sentiment.yaml"
    path.write_text((shipped / "promote-review-sentiment.yaml").read_text(), encoding="utf-8")
    return path


async def shoot_suites(server: EmulatorServer) -> None:
    """The promotion suite running (staging failing on negations, in words), then a sweep's
    latency-under-load chart (staging slowing as requests pile up on it)."""
    from playground.ui.suites.view import SuitesView

    small = os.environ.get("SHOTS_SMALL")  # a folder: the same shots at 1024×700, to look at
    async with window_on(server, REVIEWS) as win:
        next(a for a in win.actions() if a.text() == "S&uites…").trigger()
        view = win.findChild(SuitesView)
        assert view is not None
        view.resize(*SIZE)
        with tempfile.TemporaryDirectory() as tmp:
            if wanted("suite-run"):
                view.open_file(review_suite(Path(tmp), 40))
                view.setup.concurrency.setValue(2)
                view.run()
                await until(lambda: len(view.model.rows) >= 140, "140 rows of the suite run")
                view.table.scrollToTop()
                await asyncio.sleep(0.3)
                view.grab().save(str(HERE / "suite-run.png"), "PNG")
                if small:
                    view.resize(1024, 700)
                    await asyncio.sleep(0.3)
                    view.grab().save(str(Path(small) / "suite-run-small.png"), "PNG")
                    view.resize(*SIZE)
                done = asyncio.ensure_future(first_signal(view.controller.run_stopped, within=30))
                view.controller.stop()
                await done
            if wanted("suite-sweep"):
                view.open_file(review_suite(Path(tmp), 4))
                view.levels_edit.setText("1,2,4,8,16,32")
                done = asyncio.ensure_future(
                    first_signal(view.controller.sweep_finished, within=120)
                )
                view.sweep()
                await done
                view.middle.setSizes([220, 460])
                view.bottom.setSizes([260, 1000])
                await asyncio.sleep(0.3)
                view.grab().save(str(HERE / "suite-sweep.png"), "PNG")
                if small:
                    view.resize(1024, 700)
                    await asyncio.sleep(0.3)
                    view.grab().save(str(Path(small) / "suite-sweep-small.png"), "PNG")
        view.close()


async def shoot_jobs(size: tuple[int, int] = SIZE, path: Path = HERE / "jobs.png") -> None:
    """The Jobs dock: a result the inbox received (shown), one sent without a webhook, one that
    failed, and the queue chart."""
    from playground.core.jobs.webhook_secrets import store_secret
    from playground.ui.jobs import install as jobs_feature
    from playground.ui.jobs.panel import JobsPanel

    keyring.set_keyring(ShotKeyring())  # a fresh one: only this shot's webhook secret
    # A data folder of its own: the jobs kept by earlier shots (the logs shot's, on a server
    # since stopped, may still be queued) are not this shot's, nor in its picture.
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="jobs-data-", dir=_HOME)
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
            await until(lambda: panel.rows()[0][1].endswith("result"), "the webhook's result")
            await until(
                lambda: not any(s in ("QUEUED", "IN_PROGRESS") for _, s, *_ in panel.rows()),
                "every job ending",
                seen=panel.rows,
            )
            panel.select(delivered.id)
            await asyncio.sleep(0.5)
            win.grab().save(str(path), "PNG")


def classify(w: MainWindow) -> None:
    w.request.editor.body.set_json({"text": "I love how fast this is, great work!"})


CHAT_FEATURES = {
    "chat-structured": (CHAT, structured),
    "chat-vision": (VISION, vision),
    "chat-logprobs": (CHAT, logprobs),
}


async def main() -> None:
    """Every shot, or (`make.py websocket logs`) only the ones named."""
    settings = EmulatorSettings(wake_seconds=30, load_seconds=30)
    with EmulatorServer(settings) as server:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        if "websocket-small" in WANTED:  # to look at, not for the README
            await shoot_websocket(server, "websocket-small", (1024, 700))
        theme.apply_theme(app, "light")
        for name, (model, prepare) in CHAT_FEATURES.items():
            if wanted(name):
                await shoot_chat_feature(server, name, model, prepare)
        # The main shots in the dark theme too (View > Theme > Dark); the rest in the light one.
        theme.apply_theme(app, "dark")
        if wanted("main-window-dark"):
            await shoot(server, "main-window-dark", CLASSIFIER, classify)
        if wanted("chat-dark"):
            await shoot_chat(server, "chat-dark")
        theme.apply_theme(app, "light")
        if wanted("main-window"):
            await shoot(server, "main-window", CLASSIFIER, classify)

        def stream(w: MainWindow) -> None:
            w.request.editor.body.set_json({"prompt": "a lighthouse keeper", "stream": True})

        if wanted("streaming"):
            await shoot(server, "streaming", STREAMER, stream)

        def failing(w: MainWindow) -> None:
            server.emulator.state.set_model_faults(CLASSIFIER, "status=503,shape=spec,count=3")

        if wanted("error"):
            await shoot(server, "error", CLASSIFIER, failing)

        def route(w: MainWindow) -> None:
            w.mode_combo.setCurrentIndex(w.mode_combo.findData("route"))
            w.request.editor.method_combo.setCurrentText("GET")
            w.request.editor.route_edit.setText("/items/1")

        if wanted("custom-route"):
            await shoot(server, "custom-route", CUSTOM, route)
        if wanted("wake"):
            await shoot(server, "wake", SLEEPY, lambda w: w.target_bar.wake_button.click())
        if wanted("chat"):
            await shoot_chat(server)
        if wanted("compare"):
            await shoot_compare(server)
        if wanted("compare-remotes"):
            await shoot_compare_remotes(server)
        if wanted("image-answer"):
            await shoot_image(server)
        if wanted("tts-stream"):
            await shoot_audio(server, "tts-stream", "production")
        if wanted("audio-answer"):
            await shoot_audio(server, "audio-answer", "development")
        if wanted("websocket"):
            await shoot_websocket(server)
        if wanted("logs"):
            await shoot_logs(server)
        if wanted("suite-run") or wanted("suite-sweep"):
            await shoot_suites(server)
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
