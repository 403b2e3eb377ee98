"""The chat pane's LLM features against the local server: extra headers, the API choice, reasoning
effort, structured output checked against its schema, an attached image, tinted logprobs."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QUrl
from PySide6.QtGui import QColor, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QToolTip
from pytestqt.qtbot import QtBot

from playground.core import Remote
from playground.core.logprobs import TokenLogprob
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer
from playground.emulator.demo import CHAT, REASONER
from playground.emulator.demo.llm import VISION
from playground.emulator.streams import RequestRecord
from playground.ui.chat.logprobs_view import (
    TINTS,
    LogprobsText,
    alternatives_html,
    tint_index,
)
from playground.ui.chat.pane import ChatPane
from playground.ui.chat.schema_editor import TEMPLATES, check_answer
from playground.ui.request.code_export import CodeExportDialog
from playground.ui.signals import first_signal
from playground.ui.widgets.streaming_text import MARGIN
from playground.ui.widgets.text_lines import ADDITIVE, LineProbe
from tests.ui.chat_helpers import Maker, ask


def last_request(emulator: EmulatorServer) -> RequestRecord:
    """What the server last received (a failed answer has no request id to look it up by)."""
    return list(emulator.emulator.state.records.values())[-1]


def to_model_apis(pane: ChatPane, loop: asyncio.AbstractEventLoop) -> None:
    async def go() -> None:
        assert pane.controller is not None
        listed = asyncio.ensure_future(first_signal(pane.controller.models_listed))
        pane.params_bar.set_source("model_apis")
        await listed

    loop.run_until_complete(go())
    pane.model_combo.setCurrentText("playground/demo-chat")


def test_extra_headers_are_sent_and_kept_with_the_request(
    make_pane: Maker, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    pane.extras.options.headers_button.click()
    assert pane.extras.headers_edit.isVisible()
    pane.extras.headers_edit.setPlainText(
        "x-session-affinity: chat-1\nX-Emulator-Fault: status=503"
    )
    assert ask(pane, loop, "hello") == "failed"  # the injected fault answered
    assert "503" in pane.status.text()
    record = last_request(emulator)
    assert record.path.endswith("/chat/completions")
    assert record.headers.get("x-session-affinity") == "chat-1"
    spec = pane.request_spec()
    assert isinstance(spec, RequestSpec)
    assert dict(spec.headers) == {"x-session-affinity": "chat-1", "X-Emulator-Fault": "status=503"}
    saved = RequestSpec.from_dict(json.loads(json.dumps(spec.to_dict())))  # a preset's round trip
    pane.extras.headers_edit.clear()
    pane.load_spec(saved)
    assert pane.extras.headers_edit.toPlainText() == (
        "x-session-affinity: chat-1\nX-Emulator-Fault: status=503"
    )


@pytest.mark.parametrize(("api", "path"), [("responses", "/responses"), ("messages", "/messages")])
def test_the_api_choice_reaches_a_model_api(
    make_pane: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    api: str,
    path: str,
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    assert not pane.extras.options.api_combo.isEnabled()  # a deployment: Chat Completions only
    to_model_apis(pane, loop)
    combo = pane.extras.options.api_combo
    assert combo.isEnabled()
    combo.setCurrentIndex(combo.findData(api))
    assert ask(pane, loop, "hello there") == "finished"
    assert pane.conversation.turns[-1].content
    assert last_request(emulator).path.endswith(path)
    spec = pane.request_spec()
    assert isinstance(spec, RequestSpec)
    assert spec.api == api
    assert RequestSpec.from_dict(spec.to_dict()).api == api
    dialog = CodeExportDialog(spec, Remote.local(emulator.base_url))
    qtbot.addWidget(dialog)
    code = dialog.current_code()  # the export opens on that API's SDK
    assert ("client.responses.create" if api == "responses" else "anthropic") in code
    curl = dialog.views["curl"].toPlainText()  # curl too: that API's path and body
    assert f"/inference/v1{path} " in curl
    assert ('"input"' if api == "responses" else '"max_tokens"') in curl
    pane.extras.options.set_model_api(False)  # as talking to the deployment again does
    assert pane.extras.options.api() == "chat"


def test_reasoning_effort_is_sent_and_changes_how_much_it_reasons(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(REASONER, "demo-reasoner")
    lengths = {}
    for effort in ("low", "high"):
        pane.clear()
        pane.extras.options.set_reasoning_effort(effort)
        assert pane.request_body()["reasoning_effort"] == effort
        assert ask(pane, loop, "Is 1009 prime?") == "finished"
        lengths[effort] = len(pane.conversation.turns[-1].reasoning)
    assert 0 < lengths["low"] < lengths["high"]
    pane.extras.options.set_reasoning_effort(None)
    assert "reasoning_effort" not in pane.request_body()


def test_a_structured_answer_is_checked_against_its_schema(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    pane.extras.options.schema_button.click()
    editor = pane.extras.schema_editor
    assert editor.isVisible()
    editor.use_template("Receipt items (array, $defs, anyOf)")
    body = pane.request_body()
    assert body["response_format"]["type"] == "json_schema"
    assert (
        body["response_format"]["json_schema"]["schema"]
        == TEMPLATES["Receipt items (array, $defs, anyOf)"][1]
    )
    assert ask(pane, loop, "List what I bought.") == "finished"
    view = pane.messages()[-1]
    answer = json.loads(view.turn.content)
    assert set(answer) == {"items", "total"}
    assert view.check.isVisible()
    assert view.check.text() == "Schema: valid"
    pane.params_bar.json_mode.setChecked(True)  # JSON mode instead: one format at a time
    assert not pane.extras.options.schema_button.isChecked()
    assert pane.request_body()["response_format"] == {"type": "json_object"}


def test_an_answer_that_breaks_the_schema_says_where() -> None:
    schema = TEMPLATES["Receipt items (array, $defs, anyOf)"][1]
    good = {"items": [{"name": "tea", "quantity": 1, "price": None}], "total": 2.5}
    assert check_answer(schema, json.dumps(good)) == "valid"
    bad = {"items": [{"name": "tea", "quantity": 1, "price": "cheap"}], "total": 2.5}
    verdict = check_answer(schema, json.dumps(bad))
    assert verdict.startswith("not valid: at items[0].price: 'cheap' is not valid")
    assert "missing" not in check_answer(schema, "{}")
    assert "'items' is a required property" in check_answer(schema, "{}")
    assert check_answer(schema, "not json").startswith("not valid: the answer is not JSON")


def png_file(folder: Path, width: int, height: int) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6feb"))
    path = folder / "blue.png"
    assert image.save(str(path))
    return path


def test_an_attached_image_goes_as_a_data_url_and_shows_as_a_thumbnail(
    make_pane: Maker,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    pane = make_pane(VISION, "demo-vision")
    path = png_file(tmp_path, 64, 48)
    dropped = QMimeData()
    dropped.setUrls([QUrl.fromLocalFile(str(path))])
    pane.input.insertFromMimeData(dropped)  # dropped on the composer (a drop inserts this way)
    assert [ref.name for ref in pane.extras.tray.refs()] == ["blue.png"]
    assert pane.input.toPlainText() == ""
    pane.input.setPlainText("What is in this image?")
    dialog = pane.show_request_body()
    qtbot.addWidget(dialog)
    assert pane.extras.tray.isVisible()
    assert ask(pane, loop, "What is in this image?") == "finished"
    answer = pane.conversation.turns[-1].content
    assert "PNG image, 64 × 48 pixels" in answer
    assert "blue" in answer
    user = pane.messages()[-2]
    thumbs = [label for label in user.findChildren(QLabel, "imageThumbnail") if label.pixmap()]
    assert len(thumbs) == 1
    assert thumbs[0].pixmap().width() <= 72
    assert not pane.extras.tray.refs()  # sent with that message
    body_dialog = pane.show_request_body()
    qtbot.addWidget(body_dialog)
    shown = body_dialog.findChild(QPlainTextEdit, "requestBodyText").toPlainText()
    assert "⟨blue.png · " in shown
    assert "base64," not in shown
    assert len(shown) < 2000


def test_a_pasted_image_is_attached_not_typed(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(VISION, "demo-vision")
    pasted = QMimeData()
    image = QImage(10, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    pasted.setImageData(image)
    pane.input.insertFromMimeData(pasted)
    assert [ref.name for ref in pane.extras.tray.refs()] == ["pasted-image.png"]
    assert ask(pane, loop, "") == "finished"  # an image alone is a message
    assert "PNG image, 10 × 20 pixels" in pane.conversation.turns[-1].content


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the tooltip, offscreen
def test_logprobs_are_off_by_default_and_tint_the_answer_when_on(
    make_pane: Maker, loop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    assert "logprobs" not in pane.request_body()
    assert ask(pane, loop, "hello") == "finished"
    assert not pane.messages()[-1].logprobs.isVisible()
    pane.extras.options.logprobs_check.setChecked(True)
    pane.extras.options.top_logprobs.setValue(3)
    assert (pane.request_body()["logprobs"], pane.request_body()["top_logprobs"]) == (True, 3)
    assert ask(pane, loop, "Tell me about cold starts.") == "finished"
    view = pane.messages()[-1]
    tokens = view.turn.logprobs
    assert tokens
    assert view.logprobs.isVisible()
    assert view.logprobs.toPlainText() == view.turn.content == "".join(t.token for t in tokens)
    position, sure, doubtful = 0, 0, []
    for token in tokens:  # a sure token is plain; a doubtful one tinted, the warmer the less sure
        p = math.exp(token.logprob)
        tint = view.logprobs.tint_at(position)
        if p >= 0.9:
            assert tint is None
            sure += 1
        else:
            assert tint is not None
            assert tint == TINTS[tint_index(token.logprob)][1]
            doubtful.append((p, tint.red() - tint.blue() + tint.alpha(), position, token))
        position += len(token.token)
    assert sure
    assert doubtful
    doubtful.sort(key=lambda d: d[0])
    assert doubtful[0][1] >= doubtful[-1][1]  # the least likely is the warmest
    p, _, position, token = next(d for d in doubtful if len(d[3].token.strip()) > 1)
    # On screen: a tint behind the doubtful token, none behind a sure one (just above the glyphs).
    shot = view.logprobs.grab().toImage()
    half = view.logprobs.fontMetrics().lineSpacing() / 2 - 1
    sure_at = next(i for i, t in enumerate(tokens) if math.exp(t.logprob) >= 0.9)
    sure_position = sum(len(t.token) for t in tokens[:sure_at])

    def pixel(at: int) -> QColor:
        point = view.logprobs.point_of(at)
        return shot.pixelColor(int(point.x()), int(point.y() - half))

    background = shot.pixelColor(shot.width() - 2, shot.height() - 2)
    assert pixel(sure_position) == background
    assert pixel(position) != background
    # Hovering over it names it with its probability, then its alternatives.
    point = view.logprobs.point_of(position).toPoint()
    help_event = QHelpEvent(QEvent.Type.ToolTip, point, view.logprobs.mapToGlobal(point))
    QApplication.sendEvent(view.logprobs, help_event)
    hover = QToolTip.text()
    assert hover == alternatives_html(token)
    assert f"{p:.1%}" in hover
    assert len(hover.split("<br>")) >= 2
    QToolTip.hideText()
    assert view.logprobs.token_at(0) == tokens[0]


def test_a_stopped_answer_keeps_its_tinted_tokens_and_shows_its_text_once(
    make_pane: Maker, loop: asyncio.AbstractEventLoop
) -> None:
    pane = make_pane(CHAT, "demo-llm")
    pane.extras.options.logprobs_check.setChecked(True)
    pane.extras.headers_edit.setPlainText("X-Emulator-Fault: tokens=400,delay=0.01")
    assert pane.controller is not None
    c = pane.controller

    async def go() -> None:
        cancelled = asyncio.ensure_future(first_signal(c.answer_cancelled, within=20))
        pane.input.setPlainText("long please")
        pane.send()
        await first_signal(c.delta_received, within=20)
        await asyncio.sleep(0.2)
        pane.stop()
        await cancelled

    loop.run_until_complete(go())
    view = pane.messages()[-1]
    assert view.turn.is_partial
    assert view.turn.content
    # One view shows what was kept: the tinted tokens when they spell it (the text may have run
    # a token ahead of them when it stopped), else the plain text.
    shown = [w for w in (view.logprobs, view.streaming, view.content) if w.isVisible()]
    assert len(shown) == 1
    assert shown[0] is not view.content
    text = view.logprobs.toPlainText() if shown[0] is view.logprobs else view.streaming.text()
    assert text == view.turn.content


def test_tints_sit_exactly_behind_their_tokens(qtbot: QtBot) -> None:
    # A line of Latin, punctuation and symbols is measured by adding up its characters (the
    # view draws without kerning or ligatures); other lines are laid out. Either way the spans
    # end where a laid-out line puts the characters, to the pixel, kerning pairs included.
    view = LogprobsText()
    qtbot.addWidget(view)
    view.resize(420, 300)
    kerned = ["AV", " To", "y.", " Wa", " fi", "ffl", " LT", " r,", " Yo", " P."]
    symbols = [
        " \u201cQuoted\u201d",
        " \u00e9t\u00e9",
        " \u2713",
        " \u2014",
        " caf\u00e9",
        " \u2192",
    ]
    shaped = [" \u65e5\u672c", " A\u0301V", " \u0645\u0631\u062d\u0628\u0627"]  # laid out
    words = [*(kerned * 12), "\n", *(symbols * 12), "\n", *(shaped * 8)]
    tokens = [TokenLogprob(word, -0.2 - (i % 4)) for i, word in enumerate(words)]
    view.set_tokens(tokens)
    assert not view.font().kerning()
    probe = LineProbe()
    probe.set_font(view.font())
    spacing = view.fontMetrics().lineSpacing()
    checked = {"ascii": 0, "symbols": 0, "shaped": 0}
    for row in range(view.line_count()):
        line = view._line(row)
        kind = (
            "ascii"
            if line.isascii()
            else "shaped"
            if ADDITIVE.fullmatch(line) is None
            else "symbols"
        )
        edges = {round(probe.x_of(line, i) + MARGIN, 3) for i in range(len(line) + 1)}
        for _, rects in view._row_tints(row, 0.0, spacing):
            for rect in rects:
                assert round(rect.left(), 3) in edges
                assert round(rect.right(), 3) in edges
                checked[kind] += 1
    assert all(count > 10 for count in checked.values()), checked
