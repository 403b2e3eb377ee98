"""A whole scripted session with a known key, against a server that quotes it back in every
spelling (tests/integration/echo_server.py); then every file we wrote, every log line, what the
command printed and every text the window showed is searched for it (raw, any case, JSON-escaped,
percent-encoded, base64, hex, UTF-16), and it is found zero times."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote, Target, paths
from playground.core.history.store import History
from playground.core.remote.keys import KEYRING_SERVICE
from playground.core.request.spec import RequestSpec
from playground.core.secrets import mask
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, CLASSIFIER, IMAGE_GEN
from playground.ui.chat.logprobs_view import alternatives_html
from playground.ui.history.panel import HistoryPanel
from playground.ui.main_window import MainWindow
from playground.ui.remotes.key_dialog import KeyDialog
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal
from tests.conftest import MemoryKeyring, fast_settings
from tests.integration.echo_server import EchoServer, spelt
from tests.ui.helpers import choose, load, loop_released, until

KEY = "pgLEAK-5nX8qZ2vR7wK4mT9bY3cH6jD"  # the right key: the server accepts only this one
WRONG_KEY = "pgWRONG-3fG7hJ2kL9qW4eR8tY6uI1oP"  # what the session starts with
WEBHOOK_SECRET = "whsec_LEAK-8uY2nM5bV1cX7zQ4wE6r"  # kept in the keyring only, never printed


def forms(secret: str) -> dict[str, bytes]:
    """Every spelling of `secret` a file could hold: raw, upper and lower case, JSON-escaped,
    percent-encoded, base64 at each of the three byte alignments (inside a longer encoded text,
    e.g. `Bearer <key>` or `Basic user:<key>`), URL-safe base64, hex, UTF-16."""
    raw = secret.encode()
    found = {"raw": raw, "hex": raw.hex().encode(), "utf-16": secret.encode("utf-16-le")}
    found |= {"upper case": secret.upper().encode(), "lower case": secret.lower().encode()}
    for case in (str.lower, str.upper):
        found[f"JSON-escaped ({case.__name__})"] = "".join(
            "\\u" + case(f"{ord(c):04x}") for c in secret
        ).encode()
        found[f"percent-encoded ({case.__name__})"] = "".join(
            "%" + case(f"{b:02x}") for b in raw
        ).encode()
    for pad in range(3):
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            encoded = encode(b"\0" * pad + raw)
            skip = -(-pad * 8 // 6)  # characters that also carry the padding's bits
            found[f"{name}+{pad}"] = encoded[skip:-4]
    return found


def unescaped(blob: bytes) -> bytes:
    """JSON's `\\uXXXX` escapes read as what they stand for: a key escaped in part is found too."""
    return re.sub(
        rb"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)).encode("utf-8", "surrogatepass"), blob
    )


def leaks(blob: bytes) -> list[str]:
    blob += b"\n" + unescaped(blob)
    return [
        f"{label} ({form})"
        for label, secret in (
            ("key", KEY),
            ("wrong key", WRONG_KEY),
            ("webhook secret", WEBHOOK_SECRET),
        )
        for form, pattern in forms(secret).items()
        if pattern in blob
    ]


def widget_texts(root: QWidget) -> list[str]:
    """What a screenshot could show: every text, title, tooltip and item (password fields aside)."""
    texts: list[str] = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.toolTip(), widget.statusTip(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit) and widget.echoMode() == QLineEdit.EchoMode.Normal:
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    return texts


@dataclass
class Session:
    """The window and what the session left behind: its folders and every text it showed."""

    win: MainWindow
    client: BasetenClient
    loop: asyncio.AbstractEventLoop
    qtbot: QtBot
    config: Path
    data: Path
    exports: Path
    server: EmulatorServer
    echo: EchoServer
    monkeypatch: pytest.MonkeyPatch
    seen: list[str] = field(default_factory=list)

    def wait(self, *signals: object, then: Callable[[], None]) -> tuple[object, ...]:
        """Do `then` with the loop running, and wait for the first of `signals`."""
        return self.loop.run_until_complete(self.wait_for(*signals, then=then))

    @staticmethod
    async def wait_for(*signals: object, then: Callable[[], None]) -> tuple[object, ...]:
        waiting = asyncio.ensure_future(first_signal(*signals, within=20))
        then()
        return await waiting

    def send(self) -> tuple[object, ...]:
        requests = self.win.requests
        return self.wait(requests.request_finished, requests.request_failed, then=self.win.send)

    @property
    def history(self) -> HistoryPanel:
        panel = self.win.findChild(HistoryPanel)
        assert panel is not None
        return panel


# --- the things the session does ---------------------------------------------------------------
# One function per thing a person does, `step(s: Session)`, listed in STEPS in order. Files go
# under s.config / s.data (the platform folders point there) or s.exports; every text the window
# shows is collected after each step; the test then finds them all and searches them. A step that
# writes files names them with @writes: each must be new or changed after the step, and not empty
# (a step that silently wrote nothing would leave nothing to search, and the scan would pass).

CONFIG, DATA, EXPORTS = "config/playground", "data/playground", "exports"  # under tmp_path
HISTORY, HISTORY_WAL = f"{DATA}/history.sqlite3", f"{DATA}/history.sqlite3-wal"
WRITES: dict[Callable[..., None], tuple[str, ...]] = {}
Step = TypeVar("Step", bound=Callable[..., None])


def writes(*files: str) -> Callable[[Step], Step]:
    def mark(step: Step) -> Step:
        WRITES[step] = files
        return step

    return mark


def starts_with_a_wrong_key(s: Session) -> None:
    """401s: listing models and a predict, with the wrong key from the environment."""
    s.wait(s.win.catalogue.models_failed, then=s.win.catalogue.load_models)
    assert "401" in s.win.statusBar().currentMessage()
    s.wait(s.win.catalogue.targets_failed, then=lambda: s.win.target_bar.select_model(CLASSIFIER))
    s.send()
    assert "401" in s.win.response.banner.text()


def takes_the_right_key_in_the_dialog(s: Session, test_keyring: MemoryKeyring) -> None:
    """The first-run dialog (~/.trussrc offered, masked); the pasted key goes to the keyring."""
    [action] = [a for a in s.win.actions() if a.text() == "API &key…"]  # File → API key…
    action.trigger()
    dialog = s.win.findChild(KeyDialog)
    assert dialog is not None
    s.seen += widget_texts(dialog)
    assert any(mask(KEY) in text for text in widget_texts(dialog))  # the .trussrc key, masked
    dialog.key_edit.setText(KEY)
    dialog.paste_radio.setChecked(True)
    catalogue = s.win.catalogue

    async def accept() -> None:  # the models, then the first model's targets
        targets = asyncio.ensure_future(first_signal(catalogue.targets_loaded))
        await s.wait_for(catalogue.models_loaded, then=dialog.buttons.accepted.emit)
        await targets

    s.loop.run_until_complete(accept())
    assert test_keyring.items[(KEYRING_SERVICE, "local")] == KEY  # the keyring is its place
    assert any(f"pasted ({mask(KEY)}). Saved in the system keyring" in t for t in s.seen)
    # no longer the wrong one
    assert f"key {mask(KEY)} (pasted)" in s.win.remote_row.key_label.text()


def predicts(s: Session) -> None:
    load(s.win, s.loop, CLASSIFIER)
    choose(s.win, "staging")
    s.win.request.editor.body.setPlainText('{"text": "great, I love it"}')
    # typed: a late example input leaves it alone
    s.win.request.editor.body.document().setModified(True)
    s.send()
    assert s.win.response.status_label.text() == "200 OK"


@writes(f"{EXPORTS}/response.json")
def saves_the_response(s: Session) -> None:
    s.win.response.save_body(s.exports / "response.json")


@writes(f"{EXPORTS}/logs.txt")
def reads_logs_that_quote_the_key(s: Session) -> None:
    """A model that logs its request's headers: the logs view and its Copy show the key masked."""
    from playground.ui.logs.view import LogsDialog

    request_id = s.win.request.last_request_id
    served = s.win.response.deployment_label.text().removeprefix("Deployment: ")
    model = s.server.emulator.state.catalogue.model(CLASSIFIER)
    assert model is not None
    deployment = next(d for d in model.deployments if d.id == served)
    deployment.log(f"headers: {{'authorization': 'Api-Key {KEY}'}}", request_id=request_id)
    s.win.response.logs_button.click()
    dialog = s.win.findChild(LogsDialog)
    assert dialog is not None
    until(s.loop, dialog.refresh_button.isEnabled, within=10)
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert f"'Api-Key {mask(KEY)}'" in copied  # the line is there, its key masked
    (s.exports / "logs.txt").write_text(copied)
    s.seen += widget_texts(dialog)
    dialog.close()


def fails_with_a_500_that_quotes_the_key(s: Session) -> None:
    """A server that echoes the key in its error, and a key pasted into the request's headers."""
    fault = f"status=500,message=the key {KEY} broke me"
    spec = RequestSpec(
        "predict",
        Target(CLASSIFIER),
        {"text": "boom"},
        headers={"X-Emulator-Fault": fault, "Authorization": f"Bearer {KEY}"},
    )
    assert "authorization" not in {name.lower() for name in spec.headers}
    assert spec.headers == {}  # nor any header whose value holds the key: the fault goes aside
    s.server.emulator.state.set_model_faults(CLASSIFIER, fault + ",count=1")
    requests = s.win.requests
    s.wait(requests.request_failed, then=lambda: requests.send(spec))
    banner = s.win.response.banner.text()
    assert "500" in banner
    assert f"the key {mask(KEY)} broke me" in banner  # the server's words, the key masked


def chats(s: Session) -> None:
    load(s.win, s.loop, CHAT)
    chat = s.win.chat_controller
    s.wait(
        chat.models_listed,
        then=lambda: s.win.mode_combo.setCurrentIndex(s.win.mode_combo.findData("chat")),
    )
    assert s.win.mode() == "chat"
    s.win.chat.input.setPlainText("What is a cold start?")
    s.wait(chat.answer_finished, then=s.win.send)
    assert "cold start" in s.win.chat.conversation.turns[-1].content


@writes(f"{EXPORTS}/chat.json", f"{EXPORTS}/chat.md")
def exports_the_chat(s: Session) -> None:
    s.win.chat.export(s.exports / "chat.json")
    s.win.chat.export(s.exports / "chat.md")


def keeps_history(s: Session) -> None:
    panel = s.history
    until(s.loop, lambda: panel.model.rowCount() == 4)
    assert [row.outcome for row in panel.history.list()] == [
        "finished",  # the chat
        "failed",  # the 500
        "finished",  # the predict
        "failed",  # the 401
    ]
    assert panel.history.search(KEY) == []
    assert panel.history.search(KEY[-12:]) == []
    panel.show()
    for row in range(panel.model.rowCount()):
        panel.table.selectRow(row)
        s.seen += widget_texts(panel)


@writes(f"{EXPORTS}/chat-with-headers.json")
def chats_with_headers_logprobs_and_a_schema(s: Session) -> None:
    """Chat's extra headers (a key typed as a value is refused), logprobs (their hover texts are
    shown too) and a schema; the request, headers and all, kept as a preset keeps it."""
    pane = s.win.chat
    pane.extras.headers_edit.setPlainText(f"X-Trace: {KEY}")
    refused = pane.request_spec()
    assert isinstance(refused, str)
    assert "never typed here" in refused
    pane.extras.headers_edit.setPlainText("x-session-affinity: leak-check")
    pane.extras.options.logprobs_check.setChecked(True)
    pane.extras.options.schema_button.click()
    pane.input.setPlainText("Who are you?")
    s.wait(s.win.chat_controller.answer_finished, then=s.win.send)
    answer = pane.messages()[-1]
    assert answer.turn.logprobs
    assert answer.check.text() == "Schema: valid"
    s.seen += [alternatives_html(token) for token in answer.turn.logprobs]
    spec = pane.request_spec()
    assert isinstance(spec, RequestSpec)
    assert dict(spec.headers) == {"x-session-affinity": "leak-check"}
    (s.exports / "chat-with-headers.json").write_text(json.dumps(spec.to_dict()))
    pane.extras.options.schema_button.click()
    pane.extras.options.logprobs_check.setChecked(False)
    pane.extras.headers_edit.clear()


@writes(f"{CONFIG}/window.ini")
def saves_the_window_state(s: Session) -> None:
    s.win.save_state()


@writes(f"{EXPORTS}/image.png")
def saves_an_image_from_an_answer(s: Session) -> None:
    """A base64 PNG in JSON whose bytes quote the key: the key's base64 is masked in it, so it is
    text, never an image to save; a generated image's preview is saved (Save as…, decoded)."""
    load(s.win, s.loop, CLASSIFIER)
    assert echoes(s, "image-json")
    until(s.loop, lambda: mask(KEY) in s.win.response.body_text.toPlainText())
    load(s.win, s.loop, IMAGE_GEN)
    s.win.request.editor.body.setPlainText('{"prompt": "a key-free lighthouse"}')
    s.win.request.editor.body.document().setModified(True)
    s.send()
    viewer = s.win.response.media.viewer
    until(s.loop, lambda: viewer.info_label.text().startswith("PNG image, 256×256"))
    viewer.save_button.click()
    dialog = viewer.findChild(QFileDialog, "saveMediaDialog")
    assert dialog is not None
    dialog.selectFile(str(s.exports / "image.png"))
    dialog.accept()
    until(s.loop, lambda: viewer.action_label.text().startswith("Saved"))


@writes(f"{EXPORTS}/window.png")
def takes_a_screenshot(s: Session) -> None:
    assert s.win.grab().save(str(s.exports / "window.png"), "PNG")


@writes(f"{CONFIG}/presets/leak-check.json", f"{EXPORTS}/presets/leak-check.json")
def saves_and_exports_a_preset(s: Session) -> None:
    from playground.ui.presets.panel import PresetPanel
    from playground.ui.widgets.name_dialog import NameDialog

    panel = s.win.findChild(PresetPanel)
    assert panel is not None
    s.win.mode_combo.setCurrentIndex(s.win.mode_combo.findData("predict"))
    load(s.win, s.loop, CLASSIFIER)
    panel.save_current()
    dialog = s.win.findChild(NameDialog)
    assert dialog is not None
    dialog.name_edit.setText("leak check")
    dialog.buttons.accepted.emit()
    saved = panel.store.get("leak check")
    target = saved.preset.request.target
    assert saved.source == "user"
    assert target is not None
    assert target.model_id == CLASSIFIER
    (s.exports / "presets").mkdir()
    panel.export_to(panel.store.presets(), s.exports / "presets")
    s.seen += widget_texts(panel)


@writes(*(f"{EXPORTS}/code_{key}.txt" for key in ("curl", "httpx", "openai", "requests", "truss")))
def exports_code(s: Session) -> None:
    from playground.ui.request.code_export import show_code_export

    dialog = show_code_export(s.win)
    assert dialog is not None
    s.seen += widget_texts(dialog)
    for key, view in dialog.views.items():
        (s.exports / f"code_{key}.txt").write_text(view.toPlainText())
    dialog.close()


@writes(f"{EXPORTS}/with-a-file.json", f"{EXPORTS}/code_with_a_file.txt", f"{EXPORTS}/body.json")
def inserts_a_file_and_keeps_it_in_a_preset_and_an_export(s: Session) -> None:
    from playground.ui.presets.panel import PresetPanel
    from playground.ui.request.code_export import show_code_export
    from playground.ui.widgets.name_dialog import NameDialog

    sample = s.exports / "sample.txt"
    sample.write_text("a file sent as base64")
    body = s.win.request.editor.body
    body.setPlainText('{"text": ')
    body.moveCursor(body.textCursor().MoveOperation.End)
    assert body.insert_file(sample) is not None
    body.insertPlainText("}")
    s.send()
    assert s.win.response.status_label.text() == "200 OK"
    s.win.request.editor.copy_body()  # Copy body: the payload as sent
    (s.exports / "body.json").write_text(QGuiApplication.clipboard().text())
    panel = s.win.findChild(PresetPanel)
    assert panel is not None
    panel.save_current()
    dialog = s.win.findChild(NameDialog)
    assert dialog is not None
    dialog.name_edit.setText("with a file")
    dialog.buttons.accepted.emit()
    panel.export_to([panel.store.get("with a file")], s.exports / "with-a-file.json")
    code = show_code_export(s.win)
    assert code is not None
    s.seen += widget_texts(code) + widget_texts(s.win.request.editor)
    (s.exports / "code_with_a_file.txt").write_text(code.views["requests"].toPlainText())
    code.close()


def imports_a_curl_that_carries_the_key(s: Session) -> None:
    """A command pasted with the key in it: the key is dropped, and never shown."""
    from playground.ui.request.code_export import show_import_curl

    command = (
        f"curl {s.client.remote.host_url('model-' + CLASSIFIER)}/environments/staging/predict "
        f'-H "Authorization: Api-Key {KEY}" -H "X-Trace: 7" -d \'{{"text": "imported"}}\''
    )
    dialog = show_import_curl(s.win, command)
    # All the dialog shows but the person's own paste (which goes with the dialog).
    s.seen += [text for text in widget_texts(dialog) if text != dialog.paste.toPlainText()]
    assert dialog.import_button.isEnabled()

    async def click() -> None:  # the model may be the one already chosen: no list to wait for
        dialog.import_button.click()
        await asyncio.sleep(0.3)

    s.loop.run_until_complete(click())
    spec = s.win.request_spec()
    assert isinstance(spec, RequestSpec)
    assert dict(spec.headers) == {"X-Trace": "7"}
    s.send()


@writes(f"{EXPORTS}/compare.json", f"{EXPORTS}/compare.md")
def compares_and_saves_a_report(s: Session) -> None:
    """Production against staging in the compare view; the report saved as JSON and Markdown."""
    from playground.core.request.spec import Column
    from playground.ui.compare.view import CompareView

    next(a for a in s.win.actions() if a.text() == "Co&mpare environments…").trigger()
    view = s.win.findChild(CompareView)
    assert view is not None
    editor = view.request_editor
    editor.mode_combo.setCurrentIndex(editor.mode_combo.findData("predict"))
    editor.editor.set_json({"text": "compare me"})
    view.set_columns(
        [Column(Target(CLASSIFIER)), Column(Target(CLASSIFIER, "environment", "staging"))]
    )
    ctl = view.controller
    s.wait(ctl.run_finished, ctl.run_failed, ctl.run_cancelled, then=view.send_all)
    s.seen += widget_texts(view)
    view.save_report(s.exports / "compare.json")
    view.save_report(s.exports / "compare.md")
    assert "compare me" in (s.exports / "compare.md").read_text(encoding="utf-8")
    view.close()


@writes(f"{CONFIG}/remotes.json")
def adds_a_remote(s: Session) -> None:
    """`playground remotes add`: the remotes file holds URLs and a name, never a key."""

    assert cli(["remotes", "add", "laptop", s.client.remote.label]) == 0


# --- a server that quotes the key back (echo_server.py answers a body saying `echo:KIND`) --------


def echoes(s: Session, kind: str, mode: str = "predict") -> bool:
    """Send `echo:KIND` in the window's `mode`; whether it finished (rather than failed)."""
    s.win.mode_combo.setCurrentIndex(s.win.mode_combo.findData(mode))
    s.win.request.editor.body.setPlainText(json.dumps({"text": f"echo:{kind}"}))
    s.win.request.editor.body.document().setModified(True)
    failed = s.send()  # request_failed carries the error, request_finished nothing
    until(s.loop, lambda: not s.win.response.is_streaming)
    assert s.echo.answered[-1] == kind  # the echo server answered, not the local server
    return not failed


@writes(f"{EXPORTS}/echoed.json")
def reads_a_body_that_quotes_the_key(s: Session) -> None:
    """200 JSON with the key in every spelling, in its reason phrase and its request id."""
    load(s.win, s.loop, CLASSIFIER)
    assert echoes(s, "json")
    assert s.win.response.status_label.text().startswith("200")
    shown = s.win.response.body_text.toPlainText()
    assert shown.count(mask(KEY)) == len(spelt(KEY)), shown  # each spelling masked
    assert mask(KEY) in s.win.response.request_id_label.full_text()
    s.win.response.save_body(s.exports / "echoed.json")


def streams_the_key_cut_in_two(s: Session) -> None:
    """Text, SSE events and NDJSON lines quoting it; the key cut across two reads."""
    # SSE and NDJSON end in an in-band error quoting the key: broken streams, as `call` says too
    for kind, masked, finishes in (
        ("text-stream", 2, True),
        ("sse", 3, False),
        ("ndjson", 2, False),
    ):
        assert echoes(s, kind) is finishes
        shown = s.win.response.body_text.toPlainText()
        assert shown.count(mask(KEY)) == masked, (kind, shown)
        s.seen.append(shown)


def fails_with_an_error_that_quotes_the_key_encoded(s: Session) -> None:
    assert not echoes(s, "error")
    banner = s.win.response.banner.text()
    assert "500" in banner
    assert mask(KEY) in banner


def submits_an_async_job_whose_id_is_the_key(s: Session) -> None:
    """The job's id is the key: shown masked, and kept as a job (in the history's file) masked."""
    assert echoes(s, "async", "async")  # queued: the send ends there, the job goes on
    assert mask(KEY) in s.win.request.async_panel.async_id_label.text()
    s.win.mode_combo.setCurrentIndex(s.win.mode_combo.findData("predict"))


@writes(f"{EXPORTS}/echoed_chat.md")
def chats_with_a_server_that_quotes_the_key(s: Session) -> None:
    """An answer with the key cut across two deltas; an in-band error quoting it, from the echo
    server (JSON-escaped) and from the local server's `error_at` fault."""
    chat = s.win.chat_controller
    load(s.win, s.loop, CHAT)
    s.wait(
        chat.models_listed,
        then=lambda: s.win.mode_combo.setCurrentIndex(s.win.mode_combo.findData("chat")),
    )
    s.server.emulator.state.set_model_faults(CHAT, f"error_at=2,message=refused {KEY},count=1")
    s.win.chat.input.setPlainText("Tell me about cold starts")
    s.wait(chat.answer_finished, chat.answer_failed, then=s.win.send)
    assert any(f"refused {mask(KEY)}" in text for text in widget_texts(s.win))
    streamed: list[str] = []  # what the pane showed as the answer came, delta by delta
    chat.delta_received.connect(lambda delta: streamed.append(delta.content))
    s.win.chat.input.setPlainText("echo:chat-split")
    s.wait(chat.answer_finished, chat.answer_failed, then=s.win.send)
    answer = s.win.chat.conversation.turns[-1].content
    assert answer.count(mask(KEY)) == 2, answer  # as is, and in base64
    assert "".join(streamed) == answer
    s.seen.append("".join(streamed))
    s.seen += widget_texts(s.win)
    s.win.chat.input.setPlainText("echo:chat-error")
    s.wait(chat.answer_finished, chat.answer_failed, then=s.win.send)
    assert s.echo.answered[-2:] == ["chat-split", "chat-error"]
    assert any(f"refused {mask(KEY)}" in text for text in widget_texts(s.win))
    s.win.chat.export(s.exports / "echoed_chat.md")
    s.win.mode_combo.setCurrentIndex(s.win.mode_combo.findData("predict"))


def calls_from_a_terminal(s: Session) -> None:
    """`playground call` and `playground chat` against the same server: JSON lines and errors."""

    s.monkeypatch.setenv("BASETEN_API_KEY", KEY)
    where = ["--base-url", s.echo.base_url, "--model"]
    assert cli(["call", *where, CLASSIFIER, "-d", '{"text": "echo:json"}']) == 0
    # its SSE ends in an in-band error that quotes the key: a broken stream, as chat says too
    assert cli(["call", *where, CLASSIFIER, "-d", '{"text": "echo:sse"}']) == 4
    assert cli(["call", *where, CLASSIFIER, "-d", '{"text": "echo:error"}']) == 1
    assert cli(["chat", *where, CHAT, "--stream", "-m", "echo:chat-split"]) == 0
    assert cli(["chat", *where, CHAT, "--stream", "-m", "echo:chat-error"]) == 4
    # logprobs (--logprobs) that spell the key token by token, and hold it whole as an alternative
    assert (
        cli(["chat", *where, CHAT, "--stream", "--logprobs", "1", "-m", "echo:chat-logprobs"]) == 0
    )
    answered = ["json", "sse", "error", "chat-split", "chat-error", "chat-logprobs"]
    assert s.echo.answered[-6:] == answered


def calls_a_truss_server_from_a_terminal(s: Session) -> None:
    """A Truss server is sent no key at all (it takes none), alone or as a compare column beside
    a remote that takes one; what it quotes back is masked all the same."""

    s.monkeypatch.setenv("BASETEN_API_KEY", KEY)
    assert cli(["remotes", "add", "truss-echo", "--truss", s.echo.base_url]) == 0
    sent = len(s.echo.heads)
    assert cli(["call", "--remote", "truss-echo", "-d", '{"text": "echo:json"}']) == 0
    where = ["--base-url", s.echo.base_url, "--model", CLASSIFIER]
    argv = ["compare", "--truss", "truss-echo", *where, "-d", '{"text": "echo:json"}']
    assert cli(argv) == 0
    heads = s.echo.heads[sent:]
    to_truss = [h for h in heads if b" /v1/models/model:predict " in h.split(b"\r\n")[0]]
    assert len(to_truss) == 2
    assert all(b"authorization" not in h.lower() for h in to_truss)
    assert any(b"authorization" in h.lower() for h in heads if h not in to_truss)


@writes(f"{EXPORTS}/compare-remotes.json")
def compares_across_remotes_in_the_window(s: Session) -> None:
    """A compare column on that Truss server beside one on the window's remote: the Truss column
    is sent no key (its client is its remote's own); the report names the remotes, no key."""
    from playground.core.request.spec import Column
    from playground.ui.compare.menu import open_compare
    from playground.ui.compare.view import CompareView

    columns = [Column(Target("model"), remote="truss-echo"), Column(Target(CLASSIFIER))]
    sent = len(s.echo.heads)

    async def compare() -> CompareView:  # all with the loop running, until every task is done
        view = open_compare(s.win)  # reopened: the Truss server added since is offered
        view.request_editor.editor.set_json({"text": "echo:json"})
        view.set_columns(columns)
        await settled(lambda: view.remote_columns.clients.get("truss-echo"))
        ctl = view.controller
        await s.wait_for(ctl.run_finished, ctl.run_failed, ctl.run_cancelled, then=view.send_all)
        await settled(lambda: True)
        return view

    view = s.loop.run_until_complete(compare())
    assert view.comparison is not None
    assert [r.outcome for r in view.comparison.rounds[0]] == ["ok", "ok"]
    heads = s.echo.heads[sent:]
    to_truss = [h for h in heads if b" /v1/models/model:predict " in h.split(b"\r\n")[0]]
    assert len(to_truss) == 1
    assert b"authorization" not in to_truss[0].lower()
    s.seen += widget_texts(view)
    view.save_report(s.exports / "compare-remotes.json")
    view.close()


async def settled(condition: Callable[[], object]) -> None:
    """Until `condition` holds and every other task is done (none left between two loop runs)."""
    me = asyncio.current_task()
    for _ in range(2000):
        if condition() and all(t is me or t.done() for t in asyncio.all_tasks()):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never settled")


@writes(f"{EXPORTS}/code_responses.txt", f"{EXPORTS}/code_anthropic.txt")
def uses_the_responses_and_messages_apis(s: Session) -> None:
    """`chat --api` with the key in the question (the answer quotes it), and both exports."""
    from playground.core.request.codegen import export

    s.monkeypatch.setenv("BASETEN_API_KEY", KEY)
    where = ["--base-url", s.server.base_url, "--model-api", "playground/demo-reasoner"]
    for api in ("responses", "messages"):
        for stream in (["--stream"], []):
            assert cli(["chat", *where, "--api", api, *stream, "-m", f"is {KEY} a key?"]) == 0
    body = {"messages": [{"role": "user", "content": f"is {KEY} a key?"}], "stream": True}
    spec = RequestSpec("chat", None, body, model_api="playground/demo-chat")
    for key in ("responses", "anthropic"):
        code = export(key, spec, Remote.local(s.server.base_url))
        (s.exports / f"code_{key}.txt").write_text(code, encoding="utf-8")


@writes(
    f"{EXPORTS}/ws_binary.bin",
    f"{DATA}/ws-history.sqlite3",
    f"{EXPORTS}/ws_code_python.txt",
    f"{EXPORTS}/ws_code_websocat.txt",
)
def talks_over_a_websocket(s: Session) -> None:
    """`playground ws` and core's session with the echo model, frames quoting the key in every
    spelling (text, stdin and binary); the session kept in a history and exported as code."""
    from playground.core.ws.codegen import python_websockets, websocat
    from playground.core.ws.plan import OutFrame, WsPlan
    from playground.core.ws.record import session_exchange
    from playground.core.ws.session import WsSession
    from playground.emulator.demo.websockets import WS_ECHO

    s.monkeypatch.setenv("BASETEN_API_KEY", KEY)
    spellings = list(spelt(KEY).values())
    frame_file = s.exports.parent / "ws-frame.bin"  # the person's own file, outside our folders
    frame_file.write_bytes(("binary " + KEY).encode())
    s.monkeypatch.setattr("sys.stdin", io.StringIO(f"typed {KEY}\n"))
    sends = [f"--send={text}" for text in spellings]  # one starts with "-"
    where = ["--base-url", s.server.base_url, "--model", WS_ECHO, "--idle", "0.3"]
    assert cli(["ws", *where, *sends, "--stdin", "--send-file", str(frame_file), "--binary",
                 "--save-binary", str(s.exports / "ws_binary.bin")]) == 0  # fmt: skip
    assert cli(["ws", *where, "--send-file", str(frame_file), "--binary"]) == 0

    client = BasetenClient(Remote.local(s.server.base_url, "local"), KEY)
    plan = WsPlan(Target(WS_ECHO), tuple(OutFrame.of_text(t) for t in spellings))

    async def talk() -> WsSession:
        async with WsSession(client, plan.target) as session:
            for frame in plan.frames:
                await session.send_text(str(frame.payload()))
            async for _ in session:
                if session.metrics.frames_received == len(plan.frames):
                    break
        await client.aclose()
        return session

    session = s.loop.run_until_complete(talk())
    assert all(KEY not in str(frame.data) for frame in session.frames)
    history = History(s.data / "ws-history.sqlite3")
    try:
        history.record(
            session_exchange(
                plan,
                session.frames,
                session.metrics,
                session.closed,
                remote="local",
                url=session.url,
            )
        )
    finally:
        history.close()
    (s.exports / "ws_code_python.txt").write_text(python_websockets(plan, client.remote))
    (s.exports / "ws_code_websocat.txt").write_text(websocat(plan, client.remote))


@writes(f"{CONFIG}/inbox.json")  # and jobs and the payload into the history (its WAL)
def keeps_jobs_and_webhooks(s: Session) -> None:
    """A webhook secret given on stdin; an async job whose body quotes the key, its signed
    webhook received by the inbox and kept; `playground jobs` lists it."""
    from playground.core.jobs.inbox import InboxServer, InboxSettings, create_app
    from playground.core.jobs.jobs import Jobs
    from playground.core.jobs.store import JobStore
    from playground.core.request.asyncopts import AsyncOptions

    s.monkeypatch.setattr("sys.stdin", io.StringIO(WEBHOOK_SECRET + "\n"))
    assert cli(["inbox", "--add-secret", "leaky"]) == 0
    InboxSettings(public_url="https://tunnel.example.dev").save()
    s.server.settings.webhook_secrets.append(WEBHOOK_SECRET)  # the server signs with it too
    store = JobStore()

    async def job() -> None:
        client = BasetenClient(Remote.local(s.server.base_url), KEY)
        inbox = await InboxServer(create_app(store)).start()
        try:
            jobs = Jobs(client, store)
            hook = AsyncOptions(webhook_endpoint=inbox.url)
            await jobs.submit(Target(CLASSIFIER), {"text": f"my key is {KEY}"}, hook)
            await jobs.watcher.run(until_idle=True)
        finally:
            await inbox.stop()
            await client.aclose()

    try:
        s.loop.run_until_complete(job())
        (delivery,) = store.deliveries()
        assert delivery.verified_by == "leaky"
    finally:
        store.close()
    assert cli(["jobs", "list"]) == 0


@writes(
    *(f"{EXPORTS}/suite{end}" for end in (".jsonl", ".json", ".md", ".html", ".xml", ".py")),
    f"{EXPORTS}/terminal/playground/history.sqlite3",
)
def runs_a_suite_from_a_terminal(s: Session) -> None:
    """`playground suite` on answers that quote the key: its lines, run file, the run kept in the
    history and every report (JSON, Markdown, HTML, JUnit XML) masked; its Locust export reads
    the key from the environment when it runs, never holds it. In a process of its own, as a
    terminal runs it, with a data folder of its own (scanned too): the window's loop and its
    open history stay as they are."""
    import os
    import subprocess
    import sys

    s.monkeypatch.setenv("BASETEN_API_KEY", KEY)
    suite = s.exports / "suite.yaml"
    suite.write_text(
        "schema_version: 1\nname: leaks\nrequest: {mode: predict, body: {text: '{{text}}'}}\n"
        f"targets: [{{model: {CLASSIFIER}}}]\ncases: [{{text: 'echo:json'}}]\n"
        "checks: [{status: 200}, {path: echo, equals: nothing}]\n",
        encoding="utf-8",
    )
    command = [
        sys.executable,
        "-m",
        "playground",
        "suite",
        str(suite),
        "--base-url",
        s.echo.base_url,
    ]
    command += ["--out", str(s.exports / "suite.jsonl")]
    reports = [
        a
        for end in ("json", "md", "html", "xml")
        for a in ("--report", str(s.exports / f"suite.{end}"))
    ]
    env = {**os.environ, "XDG_DATA_HOME": str(s.exports / "terminal")}
    done = subprocess.run([*command, "--body", *reports], env=env, timeout=60, check=False)
    assert done.returncode == 5  # its check failed
    locust = [*command, "--locust", str(s.exports / "suite.py")]
    done = subprocess.run(locust, env=env, timeout=60, check=False)
    assert done.returncode == 0
    assert s.echo.answered[-1] == "json"


@writes(
    f"{EXPORTS}/ws_window_audio.pcm",
    f"{DATA}/ws-window/history.sqlite3",
    f"{CONFIG}/presets/ws-leak-check.json",
    f"{EXPORTS}/ws_window_code.txt",
)
def talks_over_a_websocket_in_the_window(s: Session) -> None:
    """The window's WebSocket mode with the echo model: frames quoting the key in every
    spelling, text and binary, in the log and its details pane; the binary echoes saved as
    audio; the session (and an upgrade refused first) in the history, saved as a preset and
    exported as code."""
    from playground.emulator.demo.websockets import WS_ECHO
    from playground.ui.presets.panel import PresetPanel
    from playground.ui.request.code_export import show_code_export
    from playground.ui.websocket.page import WsPage
    from playground.ui.widgets.name_dialog import NameDialog

    asyncio.set_event_loop(s.loop)  # `playground ws` (asyncio.run) in the step before unset it
    client = BasetenClient(Remote.local(s.server.base_url, "local"), KEY)
    win = build_window(client, settings=None, key_label="", data_dir=s.data / "ws-window")
    s.qtbot.addWidget(win)
    win.show()
    try:
        load(win, s.loop, WS_ECHO)
        win.mode_combo.setCurrentIndex(win.mode_combo.findData("websocket"))
        page = win.findChild(WsPage)
        assert page is not None
        client.set_api_key(WRONG_KEY)  # a refused upgrade, kept in the history as failed
        page.connect_session()
        until(s.loop, lambda: page.controller.state == "failed", within=10)
        client.set_api_key(KEY)
        page.connect_session()
        until(s.loop, lambda: page.controller.state == "open", within=10)
        spellings = list(spelt(KEY).values())
        for text in spellings:
            page.composer.text_edit.setPlainText(text)
            page.send_frame()
        page.composer.text_edit.clear()  # the person's own typing, not something we show
        page.composer.data = ("binary " + KEY).encode()
        page.composer.set_kind("binary")
        page.send_frame()
        rows = 2 * (len(spellings) + 1)
        until(s.loop, lambda: page.controller.log.rowCount() == rows, within=10)
        for row in range(rows):
            page.table.selectRow(row)
            s.seen += widget_texts(page)
        assert page.save_audio_to(s.exports / "ws_window_audio.pcm")
        page.disconnect_session()
        until(s.loop, lambda: not page.controller.is_busy)
        panel = win.findChild(PresetPanel)
        assert panel is not None
        panel.save_current()
        dialog = win.findChild(NameDialog)
        assert dialog is not None
        dialog.name_edit.setText("ws leak check")
        dialog.buttons.accepted.emit()
        code = show_code_export(win)
        assert code is not None
        s.seen += widget_texts(code)
        texts = [view.toPlainText() for view in code.views.values()]
        (s.exports / "ws_window_code.txt").write_text("\n".join(texts))
        code.close()
        s.seen += widget_texts(win)
    finally:
        s.loop.run_until_complete(shutdown(win))
        win.close()
    history = History(s.data / "ws-window" / "history.sqlite3")
    try:
        kept = [(row.mode, row.outcome, row.status) for row in history.list()]
    finally:
        history.close()
    assert kept == [("websocket", "finished", 101), ("websocket", "failed", 401)]


@writes(
    *(f"{EXPORTS}/window-suite{end}" for end in (".json", ".md", ".html", ".xml")),
    f"{EXPORTS}/window-suite-worker.out",
    f"{EXPORTS}/window-suite-worker.jsonl",
)
def runs_a_suite_in_the_window(s: Session) -> None:
    """The Suites view on answers that quote the key: its table, run file (in the data folder),
    the run kept in the history and every report it saves, masked; its engine's own clients
    (in a worker process, the key sent down its stdin) send the window's key only to the
    window's remote. The worker's stdout and stderr, for the job line the window sends it, too."""
    import subprocess

    from playground.core.suites.worker import worker_command, worker_job
    from playground.ui.suites.menu import open_suites

    suite = s.exports / "window-suite.yaml"
    suite.write_text(
        "schema_version: 1\nname: window leaks\nrequest: {mode: predict, body: {text: '{{text}}'}}\n"
        f"targets: [{{model: {CLASSIFIER}}}]\ncases: [{{text: 'echo:json'}}, {{text: fine}}]\n"
        "checks: [{status: 200}, {path: echo, equals: nothing}]\n",
        encoding="utf-8",
    )
    view = open_suites(s.win, s.data, s.history.history)
    assert view.open_file(suite)
    s.wait(view.controller.run_finished, then=view.run)
    assert view.model.rowCount() == 2
    s.seen += [str(view.model.data(view.model.index(r, 2))) for r in range(2)]
    s.seen += [str(view.model.data(view.model.index(r, 2), 3)) for r in range(2)]  # tooltips
    for end in ("json", "md", "html", "xml"):
        assert view.save_report_to(s.exports / f"window-suite.{end}") == ""
    dialog = view.show_cell(view.model.index(0, 2))  # the request, answers and their diff
    assert dialog is not None
    s.seen += widget_texts(view) + widget_texts(dialog)
    dialog.close()
    assert view.running is not None
    job = worker_job(view.running, view.controller.client, s.exports / "window-suite-worker.jsonl")
    pipe = subprocess.PIPE
    with subprocess.Popen(worker_command(), stdin=pipe, stdout=pipe, stderr=pipe) as worker:
        assert worker.stdin is not None
        assert worker.stdout is not None
        worker.stdin.write(job)
        worker.stdin.flush()  # and left open until it ends: EOF on its stdin would stop the run
        said = worker.stdout.read()
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0
    lines = [json.loads(line) for line in said.splitlines()]
    assert [("row" in line, "summary" in line) for line in lines] == [(1, 0), (1, 0), (0, 1)]
    (s.exports / "window-suite-worker.out").write_bytes(said + err)
    view.close()


@writes(f"{CONFIG}/inbox.json")  # and the payload into the history (scanned open and closed)
def uses_the_inbox_and_verify_in_the_window(s: Session) -> None:
    """A webhook secret typed into the window's inbox dialog; the inbox started from the window
    keeps a signed payload that quotes the key; "Verify a webhook" checks a pasted delivery."""
    from datetime import UTC, datetime

    import httpx

    from playground.core.jobs.verify import sign
    from playground.ui.jobs.panel import JobsPanel

    panel = s.win.findChild(JobsPanel)
    assert panel is not None
    dialog = panel.open_inbox()
    dialog.secret_name_edit.setText("window")
    dialog.secret_edit.setText(WEBHOOK_SECRET)
    dialog.add_secret_button.click()
    assert dialog.secret_edit.text() == ""
    dialog.public_edit.setText("https://window-tunnel.example.dev")
    dialog.public_edit.editingFinished.emit()
    dialog.port_spin.setValue(0)
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    quoting = {"request_id": "leak-1", "time": stamp, "data": {"echo": f"key {KEY}"}}
    plain = {"request_id": "leak-2", "time": stamp, "data": {"label": "positive"}}
    body, clean = (json.dumps(p).encode() for p in (quoting, plain))

    async def deliver() -> None:
        started = asyncio.ensure_future(first_signal(panel.controller.inbox_started))
        dialog.start_button.click()
        await started
        assert panel.controller.inbox is not None
        url = panel.controller.inbox.url  # the loopback one (the tunnel's is for Baseten)
        signed = {"X-BASETEN-SIGNATURE": sign(WEBHOOK_SECRET, body)}
        # From a thread, as a sender elsewhere: its socket is not the window loop's to watch.
        answer = await asyncio.to_thread(httpx.post, url, content=body, headers=signed)
        assert answer.status_code == 200, answer.text
        stopped = asyncio.ensure_future(first_signal(panel.controller.inbox_stopped))
        dialog.stop_button.click()
        await stopped

    s.loop.run_until_complete(deliver())
    assert panel.controller.store.deliveries("leak-1")  # kept (masked) in the history's file
    verify = panel.open_verify()
    verify.headers_edit.setPlainText(f"X-BASETEN-SIGNATURE: {sign(WEBHOOK_SECRET, clean)}")
    verify.body_edit.setPlainText(clean.decode())
    verify.secret_combo.setCurrentText("window")
    assert verify.check().ok


# What the history holds of the echo steps, newest first.
ECHOED = [
    ("predict", "finished"),  # the comparison across remotes: the window's remote's column
    ("predict", "finished"),  # and the Truss server's
    ("chat", "failed"),  # the echo server's in-band error
    ("chat", "finished"),
    ("chat", "failed"),  # the local server's
    ("async", "finished"),  # queued as a job (its id, the key, kept masked)
    ("predict", "failed"),  # the 500
    ("predict", "failed"),  # NDJSON, its in-band error
    ("predict", "failed"),  # SSE, its in-band error
    ("predict", "finished"),  # the text stream
    ("predict", "finished"),  # the generated image, saved
    ("predict", "finished"),  # the image whose PNG quotes the key
    ("predict", "finished"),  # the JSON body
]


STEPS: list[Callable[..., None]] = [
    starts_with_a_wrong_key,
    takes_the_right_key_in_the_dialog,
    predicts,
    saves_the_response,
    reads_logs_that_quote_the_key,
    fails_with_a_500_that_quotes_the_key,
    chats,
    exports_the_chat,
    keeps_history,
    chats_with_headers_logprobs_and_a_schema,
    saves_and_exports_a_preset,
    exports_code,
    inserts_a_file_and_keeps_it_in_a_preset_and_an_export,
    imports_a_curl_that_carries_the_key,
    compares_and_saves_a_report,
    adds_a_remote,
    # before steps that keep more history: its run, kept there through a connection of its own,
    # checkpoints the write-ahead log that the end of the session scans
    runs_a_suite_from_a_terminal,
    runs_a_suite_in_the_window,
    reads_a_body_that_quotes_the_key,
    saves_an_image_from_an_answer,
    streams_the_key_cut_in_two,
    fails_with_an_error_that_quotes_the_key_encoded,
    submits_an_async_job_whose_id_is_the_key,
    chats_with_a_server_that_quotes_the_key,
    calls_from_a_terminal,
    calls_a_truss_server_from_a_terminal,
    compares_across_remotes_in_the_window,
    uses_the_responses_and_messages_apis,
    talks_over_a_websocket,
    keeps_jobs_and_webhooks,
    talks_over_a_websocket_in_the_window,
    uses_the_inbox_and_verify_in_the_window,
    saves_the_window_state,
    takes_a_screenshot,
]


# --- the test ------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(fast_settings(api_keys=[KEY])) as running:
        yield running


@pytest.fixture
def echo(server: EmulatorServer) -> Iterator[EchoServer]:
    """The session's server: the local one, behind one that quotes the key back when asked."""
    with EchoServer(server.base_url, KEY) as running:
        yield running


def files_under(*folders: Path, but: tuple[Path, ...] = ()) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file() and p not in but
    }


def cli(argv: list[str]) -> int:
    """`playground ARGV` in the window's test: its `asyncio.run` needs this thread's running loop
    (the window's, held for the whole test as the app holds it) released meanwhile."""
    from playground.cli.main import main

    with loop_released():
        return main(argv)


def run(step: Callable[..., None], session: Session, test_keyring: MemoryKeyring) -> None:
    if "test_keyring" in step.__code__.co_varnames:
        step(session, test_keyring)
    else:
        step(session)


def rewritten(path: Path, before: dict[str, bytes]) -> bool:
    """`path` holds something, and not what it held `before` (or it is new)."""
    blob = path.read_bytes() if path.is_file() else b""
    return bool(blob) and before.get(str(path)) != blob


def test_the_scan_finds_the_key_in_every_form() -> None:
    """The check below can fail: each spelling of the key is found inside other text."""
    header = f"Authorization: Bearer {KEY}".encode()
    for blob in (
        b"x" + KEY.encode() + b"y",
        base64.b64encode(header),
        base64.b64encode(b"ab" + header),
        base64.urlsafe_b64encode(b"a" + header),
        header.hex().encode(),
        f"<{WRONG_KEY}>".encode("utf-16-le"),
        f"[{KEY.upper()}]".encode(),
        json.dumps({"k": KEY.lower()}).encode(),
        *(quoted.encode() for quoted in spelt(KEY).values()),
    ):
        assert leaks(blob), blob
    assert leaks(b"nothing here, and " + mask(KEY).encode()) == []


def test_a_whole_session_never_writes_or_shows_the_key(
    tmp_path: Path,
    isolated_home: Path,
    test_keyring: MemoryKeyring,
    server: EmulatorServer,
    echo: EchoServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Whatever asks platformdirs (presets, remotes, the history) lands in folders scanned below.
    roots = {name: tmp_path / name for name in ("config", "data", "exports")}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(roots["config"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(roots["data"]))
    config, data, exports = paths.config_dir(), paths.data_dir(), roots["exports"]
    for folder in (config, data, exports):
        folder.mkdir(parents=True)
    trussrc = isolated_home / ".trussrc"  # the user's own file, which holds the key: not ours
    trussrc.write_text(
        f"[baseten]\nremote_provider = baseten\napi_key = {KEY}\nremote_url = {echo.base_url}\n"
    )
    client = BasetenClient(Remote.local(echo.base_url, "local"), WRONG_KEY)
    settings = QSettings(str(config / "window.ini"), QSettings.Format.IniFormat)
    win = build_window(
        client, settings=settings, key_label=f"{mask(WRONG_KEY)} (environment)", data_dir=data
    )
    qtbot.addWidget(win)
    win.show()
    session = Session(win, client, loop, qtbot, config, data, exports, server, echo, monkeypatch)
    win.statusBar().messageChanged.connect(session.seen.append)
    found: dict[str, list[str]] = {}
    try:
        for step in STEPS:
            before = files_under(tmp_path)
            run(step, session, test_keyring)
            session.seen += widget_texts(win)
            missing = [f for f in WRITES.get(step, ()) if not rewritten(tmp_path / f, before)]
            assert not missing, f"{step.__name__} wrote nothing to {missing}"
        # While the history is open its newest pages sit in the write-ahead log: scan that too.
        open_files = files_under(*roots.values())
        for path, blob in open_files.items():
            found[f"{path} (open)"] = leaks(blob)
    finally:
        loop.run_until_complete(shutdown(win))

    # Our folders and exports, and anything else written under the home folder (caches, Qt's).
    written = files_under(*roots.values(), isolated_home, but=(trussrc,))
    for path, blob in written.items():
        found[path] = leaks(blob)
    # The scans read every file the steps wrote, the history as it was open and once closed.
    artefacts = {file for files in WRITES.values() for file in files}
    unread = [f for f in sorted(artefacts | {HISTORY}) if not written.get(str(tmp_path / f))]
    assert not unread, f"not scanned, or empty: {unread}"
    assert open_files[str(tmp_path / HISTORY_WAL)]  # the newest pages, while the history was open
    history = History(tmp_path / HISTORY)  # and what was scanned once closed holds every request
    try:
        rows = [(row.mode, row.outcome) for row in history.list()]
    finally:
        history.close()
    echoed, rows = rows[: len(ECHOED)], rows[len(ECHOED) :]
    assert echoed == ECHOED
    # newest first: the comparison's two columns, the imported curl, the inserted file, the
    # chat with headers, the chat, the 500, the predict, the 401
    assert rows == [
        ("predict", "finished"),
        ("predict", "finished"),
        ("predict", "finished"),
        ("predict", "finished"),
        ("chat", "finished"),
        ("chat", "finished"),
        ("predict", "failed"),
        ("predict", "finished"),
        ("predict", "failed"),
    ]
    out, err = capfd.readouterr()
    assert out.startswith("added laptop: ")  # `remotes add` said what it added
    assert mask(KEY) in out  # `playground call` and `chat` printed what the server quoted…
    assert mask(KEY) in err  # … and its errors
    found["stdout"] = leaks(out.encode())
    found["stderr"] = leaks(err.encode())
    found["logs"] = leaks(caplog.text.encode())
    assert any(r.name == "httpx" for r in caplog.records)  # a line per request: the scan read it
    found["texts shown"] = leaks("\n".join(session.seen).encode())
    assert len(session.seen) > 100
    assert {where: what for where, what in found.items() if what} == {}
