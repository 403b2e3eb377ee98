"""The response view, fed core events by hand, checked by what a person sees on it."""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QPlainTextEdit, QPushButton, QTabWidget
from pytestqt.qtbot import QtBot

from playground.core.api.client import BasetenClient
from playground.core.errors import ApiError, NetworkError, PlaygroundError, StreamCut
from playground.core.events import (
    BinaryChunk,
    Finished,
    JsonBody,
    NdjsonLine,
    Notice,
    ResponseStarted,
    SseEvent,
    TextChunk,
)
from playground.core.files import write_atomically
from playground.core.media import sniff
from playground.core.metrics import Metrics
from playground.core.remote.remotes import Remote, Target
from playground.core.text import human_size
from playground.emulator import EmulatorServer
from playground.emulator.demo import IMAGE
from playground.ui.response import view as response_view
from playground.ui.response.view import PREVIEW_BYTES, ResponseView
from tests.ui.helpers import until

REQUEST_ID = "req-7f3a9c1e"
DEPLOYMENT = "w5d8k2q"


@pytest.fixture
def view(qtbot: QtBot) -> ResponseView:
    widget = ResponseView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def label(view: ResponseView, name: str) -> QLabel:
    found = view.findChild(QLabel, name)
    assert found is not None, name
    return found


def text_view(view: ResponseView, name: str) -> QPlainTextEdit:
    found = view.findChild(QPlainTextEdit, name)
    assert found is not None, name
    return found


def button(view: ResponseView, name: str) -> QPushButton:
    found = view.findChild(QPushButton, name)
    assert found is not None, name
    return found


def shown(view: ResponseView, name: str) -> str:
    """A label's text if a person can see it."""
    widget = label(view, name)
    return widget.text() if widget.isVisible() else "<hidden>"


def body(view: ResponseView) -> str:
    return text_view(view, "bodyText").toPlainText()


def open_tab(view: ResponseView, title: str) -> None:
    tabs = view.findChild(QTabWidget, "responseTabs")
    assert tabs is not None
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title)
    tabs.setCurrentIndex(index)


def started(
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    **figures: Any,
) -> ResponseStarted:
    all_headers = {
        "content-type": content_type,
        "x-baseten-request-id": REQUEST_ID,
        "x-baseten-model-version-id": DEPLOYMENT,
        **(headers or {}),
    }
    metrics = Metrics(
        status=status, request_id=REQUEST_ID, deployment_id=DEPLOYMENT, headers_s=0.012, **figures
    )
    return ResponseStarted(status, all_headers, content_type, metrics)


def stream(view: ResponseView, qtbot: QtBot, chunks: list[str]) -> str:
    """Feed a text stream and wait for the batch timer to show all of it."""
    view.feed(started(content_type="text/plain"))
    for chunk in chunks:
        view.feed(TextChunk(chunk))
    joined = "".join(chunks)
    qtbot.waitUntil(lambda: body(view) == joined)
    return joined


# --- header row and timings -------------------------------------------------------------------


def test_header_shows_status_request_id_and_deployment(view: ResponseView, qtbot: QtBot) -> None:
    assert shown(view, "timingsLabel") == "No response yet"
    view.feed(started())

    assert shown(view, "statusLabel") == "200 OK"
    assert shown(view, "requestIdLabel") == REQUEST_ID
    assert shown(view, "deploymentLabel") == f"Deployment: {DEPLOYMENT}"
    with qtbot.waitSignal(view.request_id_copied) as copied:
        qtbot.mouseClick(button(view, "copyRequestIdButton"), Qt.MouseButton.LeftButton)
    assert copied.args == [REQUEST_ID]
    assert QGuiApplication.clipboard().text() == REQUEST_ID


@pytest.mark.parametrize(
    ("status", "text", "state"),
    [
        (200, "200 OK", "ok"),
        (307, "307 Temporary Redirect", "redirect"),
        (422, "422 Unprocessable Entity", "client"),
        (503, "503 Service Unavailable", "server"),
    ],
)
def test_status_is_coloured_by_class(
    view: ResponseView, status: int, text: str, state: str
) -> None:
    view.feed(started(status))
    assert shown(view, "statusLabel") == text
    assert label(view, "statusLabel").property("state") == state  # style.qss colours each state


def test_timings_strip_for_a_json_call(view: ResponseView) -> None:
    view.feed(started())
    view.feed(JsonBody({"ok": True}, b'{"ok": true}'))
    view.feed(
        Finished(
            "json", Metrics(200, headers_s=0.012, first_byte_s=0.0154, total_s=1.5, bytes=1234)
        )
    )

    assert shown(view, "timingsLabel") == "Headers 12 ms · TTFB 15 ms · Total 1.50 s · 1.2 KB"


def test_timings_strip_for_a_stream(view: ResponseView, qtbot: QtBot) -> None:
    view.feed(started(content_type="text/event-stream", first_byte_s=0.05))
    view.feed(TextChunk("héllo"))
    qtbot.waitUntil(lambda: "streaming… 6 bytes" in shown(view, "timingsLabel"))
    assert shown(view, "timingsLabel") == "Headers 12 ms · TTFB 50 ms · streaming… 6 bytes"

    final = Metrics(200, headers_s=0.012, first_byte_s=0.05, first_token_s=0.08, total_s=2.08)
    final.bytes, final.tokens, final.tokens_estimated, final.streamed = 2048, 120, True, True
    view.feed(Finished("text-stream", final))
    assert shown(view, "timingsLabel") == (
        "Headers 12 ms · TTFB 50 ms · TTFT 80 ms · Total 2.08 s · 2.0 KB"
        " · ~120 tokens (estimated) · 59.5 tokens/s"
    )

    final.tokens_estimated = False
    view.feed(Finished("text-stream", final))
    assert "· 120 tokens ·" in shown(view, "timingsLabel")
    assert "estimated" not in shown(view, "timingsLabel")


# --- body, raw and headers --------------------------------------------------------------------


def test_small_json_is_pretty_printed_and_highlighted(view: ResponseView, qtbot: QtBot) -> None:
    value = {"label": "positive", "score": 0.98, "words": ["héllo", "日本"], "ok": None}
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    view.feed(started())
    view.feed(JsonBody(value, raw))
    view.feed(Finished("json", Metrics(200, total_s=0.1, bytes=len(raw))))

    assert body(view) == json.dumps(value, indent=2, ensure_ascii=False)
    assert shown(view, "previewNotice") == "<hidden>"
    document = text_view(view, "bodyText").document()
    qtbot.waitUntil(lambda: bool(document.findBlockByNumber(1).layout().formats()))
    assert view.body_bytes() == raw

    open_tab(view, "Raw")
    assert text_view(view, "rawText").toPlainText() == raw.decode()


def test_raw_tab_decodes_with_replacement(view: ResponseView) -> None:
    view.feed(started(content_type="application/octet-stream"))
    view.feed(BinaryChunk(b"ok \xff\xfe end"))
    view.feed(Finished("binary", Metrics(200, bytes=10)))
    open_tab(view, "Raw")
    assert text_view(view, "rawText").toPlainText() == "ok \ufffd\ufffd end"


def test_headers_tab_lists_headers_and_masks_authorization(view: ResponseView) -> None:
    view.feed(started(headers={"Authorization": "Api-Key s3cr3t-value", "x-extra": "1"}))
    open_tab(view, "Headers")
    lines = text_view(view, "headersText").toPlainText().split("\n")
    assert lines == [
        "content-type: application/json",
        f"x-baseten-request-id: {REQUEST_ID}",
        f"x-baseten-model-version-id: {DEPLOYMENT}",
        "Authorization: Api-Key ••••••",
        "x-extra: 1",
    ]


def test_streamed_text_is_exact_across_multibyte_chunks(view: ResponseView, qtbot: QtBot) -> None:
    # A combining accent and a ZWJ emoji sequence split over chunks, CJK, and a newline.
    chunks = ["Hé", "llo wö", "rld 👩", "\u200d💻 cafe", "\u0301 ", "日本", "語\nsecond line", " ✓"]
    view.feed(started(content_type="text/plain"))
    for chunk in chunks:
        view.feed(TextChunk(chunk))
    assert body(view) == ""  # nothing drawn per chunk: the batch timer draws
    joined = "".join(chunks)
    qtbot.waitUntil(lambda: body(view) == joined)
    view.feed(Finished("text-stream", Metrics(200)))

    assert body(view) == joined
    assert view.body_bytes() == joined.encode()
    open_tab(view, "Raw")
    assert text_view(view, "rawText").toPlainText() == joined


def test_sse_events_show_their_data_lines(view: ResponseView, qtbot: QtBot) -> None:
    view.feed(started(content_type="text/event-stream"))
    view.feed(SseEvent('{"delta": "Hi"}', id="1"))
    view.feed(SseEvent("line one\nline two", event="status"))
    view.feed(SseEvent("[DONE]"))
    expected = (
        'data: {"delta": "Hi"}\nevent: status\ndata: line one\ndata: line two\ndata: [DONE]\n'
    )
    qtbot.waitUntil(lambda: body(view) == expected)
    view.feed(Finished("sse", Metrics(200)))

    assert view.body_bytes().decode() == (
        'id: 1\ndata: {"delta": "Hi"}\n\n'
        "event: status\ndata: line one\ndata: line two\n\n"
        "data: [DONE]\n\n"
    )


def test_ndjson_shows_one_line_per_object(view: ResponseView, qtbot: QtBot) -> None:
    view.feed(started(content_type="application/x-ndjson"))
    view.feed(NdjsonLine({"i": 1}, '{"i": 1}'))
    view.feed(NdjsonLine({"i": 2, "w": "é"}, '{"i": 2, "w": "é"}'))
    view.feed(Notice("Not a JSON line: oops"))
    view.feed(TextChunk("oops\n"))
    qtbot.waitUntil(lambda: body(view) == '{"i": 1}\n{"i": 2, "w": "é"}\noops\n')
    assert shown(view, "noticeLabel") == "⚠ Not a JSON line: oops"


def test_binary_body_is_summarised_and_saved_byte_for_byte(
    view: ResponseView, qtbot: QtBot, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 4  # no media's magic bytes: bytes to save, nothing to preview
    view.feed(started(content_type="application/octet-stream"))
    view.feed(BinaryChunk(data[:100]))
    view.feed(BinaryChunk(data[100:]))
    view.feed(Finished("binary", Metrics(200, bytes=len(data))))

    assert shown(view, "binarySummary").startswith(
        "Binary body: 1.0 KB (application/octet-stream)."
    )
    assert not text_view(view, "bodyText").isVisible()
    assert button(view, "binarySaveButton").isVisible()
    assert not button(view, "copyBodyButton").isEnabled()
    target = tmp_path / "out.png"
    view.save_body(target)
    assert target.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out.png"]  # no temp left


@contextmanager
def disk_full_past(limit: int) -> Iterator[None]:
    """Any write taking a file past `limit` bytes fails midway (EFBIG), as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel ends the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def save_in_dialog(view: ResponseView, qtbot: QtBot, target: Path) -> None:
    qtbot.mouseClick(button(view, "saveBodyButton"), Qt.MouseButton.LeftButton)
    dialog = view.findChild(QFileDialog, "saveBodyDialog")
    assert dialog is not None
    assert dialog.isVisible()  # open(), not exec(): the click returned with the dialog up
    # As if the person had answered "Replace": Qt's own dialog asks in a modal message box.
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
    dialog.selectFile(str(target))
    dialog.accept()


def test_a_save_that_fails_midway_leaves_the_old_file_whole(
    view: ResponseView, qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "answer.json"
    old = b'{"the": "answer saved last time"}'
    target.write_bytes(old)
    raw = json.dumps({"data": "x" * 1_000_000}).encode()
    view.feed(started())
    view.feed(JsonBody.unparsed(raw))
    view.feed(Finished("json", Metrics(200, bytes=len(raw))))

    with disk_full_past(64 * 1024):
        with pytest.raises(OSError, match="File too large"):
            view.save_body(target)
        assert target.read_bytes() == old
        assert [p.name for p in folder.iterdir()] == ["answer.json"]  # no half-written temp

        save_in_dialog(view, qtbot, target)  # as a person saves: the write runs on a worker
        until(loop, lambda: not shown(view, "actionStatus").startswith("Saving"))
    assert shown(view, "actionStatus") == "Could not save answer.json: File too large"
    assert target.read_bytes() == old
    assert [p.name for p in folder.iterdir()] == ["answer.json"]

    assert button(view, "saveBodyButton").isEnabled()  # with room again, the same save works
    save_in_dialog(view, qtbot, target)
    until(loop, lambda: shown(view, "actionStatus").startswith("Saved"))
    assert target.read_bytes() == raw


def test_save_writes_on_a_worker_thread_and_says_when_it_is_done(
    view: ResponseView,
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written_on: list[int] = []

    def spy(path: Path, data: bytes) -> None:
        written_on.append(threading.get_ident())
        write_atomically(path, data)

    monkeypatch.setattr(response_view, "write_atomically", spy)
    view.feed(started())
    view.feed(JsonBody({"a": 1}, b'{"a": 1}'))
    view.feed(Finished("json", Metrics(200)))
    target = tmp_path / "saved.json"

    save_in_dialog(view, qtbot, target)
    assert shown(view, "actionStatus") == "Saving 8 B to saved.json…"
    assert not button(view, "saveBodyButton").isEnabled()  # one save at a time
    until(loop, lambda: shown(view, "actionStatus") == "Saved 8 B to saved.json")
    assert target.read_bytes() == b'{"a": 1}'
    assert button(view, "saveBodyButton").isEnabled()
    assert written_on
    assert threading.get_ident() not in written_on


def test_an_empty_body_says_so(view: ResponseView) -> None:
    view.feed(started(204, content_type=""))
    view.feed(Finished("empty", Metrics(204, headers_s=0.012, total_s=0.02)))
    assert shown(view, "statusLabel") == "204 No Content"
    assert text_view(view, "bodyText").placeholderText() == "(empty body)"
    assert shown(view, "timingsLabel") == "Headers 12 ms · Total 20 ms · 0 B"
    assert not button(view, "saveBodyButton").isEnabled()


def test_copy_body_copies_all_of_it(view: ResponseView, qtbot: QtBot) -> None:
    joined = stream(view, qtbot, ["first ", "sëcond ", "third"])
    view.feed(Finished("text-stream", Metrics(200)))
    qtbot.mouseClick(button(view, "copyBodyButton"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == joined


# --- failures and cancelling ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "lines"),
    [
        (
            ApiError(401, "Invalid API key", REQUEST_ID),
            [
                "401 Unauthorized: Invalid API key",
                f"Request id: {REQUEST_ID}",
                "Hint: Check the API key for this remote.",
            ],
        ),
        (
            ApiError(429, "Too many requests", REQUEST_ID, retry_after=3),
            [
                "429 Too Many Requests: Too many requests",
                f"Request id: {REQUEST_ID}",
                "Hint: Rate limited; retry after 3 s.",
            ],
        ),
        (
            ApiError(
                503,
                "Model is not ready",
                REQUEST_ID,
                error_code="model_not_ready",
                detail="replica 0 is loading",
            ),
            [
                "503 Service Unavailable: Model is not ready",
                f"Request id: {REQUEST_ID}",
                "Error code: model_not_ready",
                "Detail: replica 0 is loading",
                "Hint: The model is still starting (cold start); retry shortly or wake it first.",
            ],
        ),
        (
            NetworkError("Connection refused", "Is the server running?"),
            ["No answer: Connection refused", "Hint: Is the server running?"],
        ),
    ],
)
def test_error_banner_says_what_baseten_said(
    view: ResponseView, error: PlaygroundError, lines: list[str]
) -> None:
    assert shown(view, "errorBanner") == "<hidden>"
    view.fail(error)
    assert shown(view, "errorBanner").split("\n") == lines
    if isinstance(error, ApiError):
        assert shown(view, "statusLabel").startswith(str(error.status))
        assert shown(view, "requestIdLabel") == REQUEST_ID


def test_cut_stream_keeps_what_arrived(view: ResponseView, qtbot: QtBot) -> None:
    view.feed(started(content_type="text/plain"))
    view.feed(TextChunk("partial ånswer"))
    view.feed(TextChunk(" that stops"))
    partial = Metrics(200, headers_s=0.012, first_byte_s=0.02, total_s=0.5, bytes=26)
    view.fail(StreamCut("The connection closed mid-stream", partial))

    assert body(view) == "partial ånswer that stops"  # drawn at once, no tick needed
    assert shown(view, "errorBanner").split("\n") == [
        "The connection was cut: The connection closed mid-stream",
        "Hint: The server or a proxy dropped the connection; what arrived is kept.",
        "What arrived is kept (26 B).",
    ]
    assert shown(view, "timingsLabel") == "Headers 12 ms · TTFB 20 ms · Total 500 ms · 26 B"
    assert view.body_bytes() == "partial ånswer that stops".encode()


def test_cancelled_keeps_what_arrived(view: ResponseView) -> None:
    view.feed(started(content_type="text/plain"))
    view.feed(TextChunk("some tokens"))
    view.cancelled()
    assert shown(view, "errorBanner") == "Cancelled — what arrived is kept"
    assert body(view) == "some tokens"
    assert "streaming" not in shown(view, "timingsLabel")
    assert not view.is_streaming


def test_clear_forgets_the_previous_response(view: ResponseView, qtbot: QtBot) -> None:
    stream(view, qtbot, ["old"])
    view.fail(ApiError(500, "boom", REQUEST_ID))
    view.clear()
    assert body(view) == ""
    assert view.body_bytes() == b""
    assert shown(view, "statusLabel") == ""
    assert shown(view, "errorBanner") == "<hidden>"
    assert shown(view, "timingsLabel") == "No response yet"
    assert not button(view, "copyRequestIdButton").isEnabled()
    assert not button(view, "saveBodyButton").isEnabled()


# --- big bodies and fast streams --------------------------------------------------------------


def test_a_20_mb_json_body_is_capped_and_kept_whole(view: ResponseView, qtbot: QtBot) -> None:
    head, tail = b'{"data": "', b'"}'
    raw = head + b"x" * (20 * 1024 * 1024 - len(head) - len(tail)) + tail
    event = JsonBody.unparsed(raw)  # as the client passes on a body this big
    view.feed(started())
    view.feed(event)
    view.feed(Finished("json", Metrics(200, bytes=len(raw))))

    assert shown(view, "previewNotice") == (
        f"Showing the first {human_size(PREVIEW_BYTES)} of 20.0 MB; Copy and Save keep all of it"
    )
    # A long string of base64's alphabet may be media: the text waits for the search to say not.
    qtbot.waitUntil(lambda: len(body(view)) == PREVIEW_BYTES)
    assert body(view).startswith('{"data": "xxx')
    assert not view.media.isVisible()
    assert view.body_bytes() == raw
    open_tab(view, "Raw")
    assert len(text_view(view, "rawText").toPlainText()) == PREVIEW_BYTES
    qtbot.mouseClick(button(view, "copyBodyButton"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == raw.decode()
    # Parsing 20 MB would hold the GUI thread for ~200 ms: the view shows the raw text instead.
    assert not event.is_parsed


def test_a_stream_past_the_cap_stops_displaying_but_keeps_everything(
    view: ResponseView, qtbot: QtBot
) -> None:
    chunks = [f"line {i:05d} " + "é" * 1000 + "\n" for i in range(300)]
    joined = "".join(chunks)
    view.feed(started(content_type="text/plain"))
    for chunk in chunks:
        view.feed(TextChunk(chunk))
    qtbot.waitUntil(lambda: len(body(view)) == PREVIEW_BYTES)
    assert "so far" in shown(view, "previewNotice")
    view.feed(Finished("text-stream", Metrics(200, bytes=len(joined.encode()))))

    assert body(view) == joined[:PREVIEW_BYTES]
    assert view.body_bytes() == joined.encode()
    size = human_size(len(joined.encode()))
    assert shown(view, "previewNotice") == (
        f"Showing the first {human_size(PREVIEW_BYTES)} of {size}; Copy and Save keep all of it"
    )


def test_20000_small_chunks_are_drawn_in_batches_and_exactly(
    view: ResponseView, qtbot: QtBot
) -> None:
    chunks = [f"ö{i % 10} " if i % 7 else "日\n" for i in range(20_000)]
    joined = "".join(chunks)
    assert len(joined) < PREVIEW_BYTES  # all of it on screen
    inserts: list[int] = []
    text_view(view, "bodyText").document().contentsChange.connect(
        lambda _at, _removed, added: inserts.append(added)
    )
    view.feed(started(content_type="text/event-stream"))

    for i, chunk in enumerate(chunks):
        view.feed(TextChunk(chunk))
        if i % 2000 == 1999:
            qtbot.wait(40)  # a tick's worth: the batch timer draws what has come so far
    qtbot.waitUntil(lambda: body(view) == joined)

    # Inserting delta by delta goes quadratic (qt-async-notes.md): a tick inserts all it has, so
    # there is at most one insert per pause and one for the rest.
    assert len(inserts) <= 11
    assert view.body_bytes() == joined.encode()


def test_a_servers_html_is_shown_as_text_never_rendered(view: ResponseView) -> None:
    view.fail(ApiError(500, "<b>boom</b> <img src=x>", request_id="<i>rid</i>"))
    assert view.banner.textFormat() == Qt.TextFormat.PlainText
    assert "<b>boom</b>" in view.banner.text()
    selectable = Qt.TextInteractionFlag.TextSelectableByMouse
    assert view.banner.textInteractionFlags() & selectable
    assert view.request_id_label.textFormat() == Qt.TextFormat.PlainText


def test_save_suggests_the_extension_of_the_bodys_type(
    view: ResponseView,
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    emulator: EmulatorServer,
    tmp_path: Path,
) -> None:
    client = BasetenClient(Remote.local(emulator.base_url), emulator.api_key)

    async def call() -> None:
        async for event in client.predict(Target(IMAGE), {"prompt": "a red square", "size": 16}):
            view.feed(event)
        await client.aclose()

    loop.run_until_complete(call())
    qtbot.waitUntil(lambda: shown(view, "imageInfo").startswith("PNG image, 16×16"))
    assert shown(view, "binarySummary") == "<hidden>"  # the preview says what it is
    qtbot.mouseClick(button(view, "saveBodyButton"), Qt.MouseButton.LeftButton)
    dialog = view.findChild(QFileDialog, "saveBodyDialog")
    assert dialog is not None
    assert [Path(name).name for name in dialog.selectedFiles()] == ["response.png"]
    dialog.selectFile(str(tmp_path / "response.png"))
    dialog.accept()
    until(loop, lambda: shown(view, "actionStatus").startswith("Saved"))
    saved = sniff((tmp_path / "response.png").read_bytes())
    assert saved is not None
    assert (saved.format, saved.width, saved.height) == ("png", 16, 16)
