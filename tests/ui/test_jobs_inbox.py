"""The webhook inbox in the window against the local server over loopback: started from the
window, its endpoint filled in for async sends, the local server's signed webhook received and
its result attached to the job (and shown); "Verify a webhook" says why a delivery does or does
not verify; every async option is checked by its field."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from playground.core.jobs.verify import sign
from playground.core.jobs.webhook_secrets import secret_names, store_secret
from playground.emulator import EmulatorServer
from tests.conftest import WEBHOOK_SECRET, MemoryKeyring
from tests.ui.helpers import Maker
from tests.ui.jobs_helpers import async_mode, eventually, jobs_panel, send_async, statuses

NEW, OLD = "whsec_new_one_0123456789", "whsec_old_one_9876543210"


def test_the_inbox_started_from_the_window_gets_the_result(
    make_window: Maker, fresh_emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    store_secret("local", WEBHOOK_SECRET)  # what the local server signs with
    win = make_window(fresh_emulator)
    panel = jobs_panel(win)
    dialog = panel.open_inbox()
    assert "cannot reach a laptop" in dialog.findChild(type(dialog.state_label)).text()
    dialog.port_spin.setValue(0)  # any free port

    async def scenario() -> None:
        await async_mode(win, '{"text": "I love it"}')
        assert win.request.editor.async_row.webhook_warning.isVisible()
        dialog.start_button.click()
        await eventually(lambda: panel.controller.inbox is not None)
        endpoint = dialog.endpoint_edit.text()
        assert endpoint.startswith("http://127.0.0.1:")
        assert endpoint.endswith("/webhooks/baseten")
        assert endpoint in panel.inbox_label.text()
        assert not dialog.start_button.isEnabled()
        dialog.use_button.click()  # fills the webhook of the window's async sends
        assert win.request.editor.webhook_edit.text() == endpoint
        assert not win.request.editor.async_row.webhook_warning.isVisible()
        request_id = await send_async(win)
        await eventually(lambda: statuses(panel) == ["SUCCEEDED · result"], 10)
        job = panel.controller.store.find(request_id)
        assert job is not None
        assert job.result == {"label": "positive", "score": 0.99}
        (delivery,) = panel.controller.store.deliveries(request_id)
        assert delivery.verified_by == "local"
        # Picked, the job's result is in the response view; its end is said in words.
        panel.select(job.id)
        await eventually(lambda: '"positive"' in win.response.body_text.toPlainText())
        assert "the result came through the webhook" in panel.detail_label.text()
        assert "No response yet" not in win.response.timings_label.text()
        dialog.stop_button.click()
        await eventually(lambda: "Inbox off" in panel.inbox_label.text())
        assert dialog.start_button.isEnabled()

    loop.run_until_complete(scenario())


def test_a_public_url_gives_the_endpoint_to_send(
    make_window: Maker, fresh_emulator: EmulatorServer
) -> None:
    win = make_window(fresh_emulator)
    dialog = jobs_panel(win).open_inbox()
    dialog.public_edit.setText("http://plain.example.dev")
    dialog.public_edit.editingFinished.emit()
    assert dialog.public_problem.text() == "Baseten delivers only to https:// URLs."
    dialog.public_edit.setText("https://my-tunnel.example.dev/")
    dialog.public_edit.editingFinished.emit()
    assert dialog.public_problem.text() == ""
    assert dialog.endpoint_edit.text() == "https://my-tunnel.example.dev/webhooks/baseten"


def test_secrets_are_kept_by_name_and_never_shown(
    make_window: Maker, fresh_emulator: EmulatorServer, test_keyring: MemoryKeyring
) -> None:
    win = make_window(fresh_emulator)
    dialog = jobs_panel(win).open_inbox()
    dialog.secret_name_edit.setText("current")
    dialog.secret_edit.setText(NEW)
    dialog.add_secret_button.click()
    assert dialog.secret_edit.text() == ""  # never shown again
    assert secret_names() == ["current"]
    assert [dialog.secret_list.item(i).text() for i in range(dialog.secret_list.count())] == [
        "current"
    ]
    assert NEW in str(test_keyring.items)  # in the keyring, nowhere else
    dialog.secret_edit.setText(OLD)
    dialog.add_secret_button.click()  # no name
    assert dialog.secret_message.text() == "A secret needs a name and its value."
    assert secret_names() == ["current"]
    dialog.secret_list.setCurrentRow(0)
    dialog.remove_secret_button.click()
    assert secret_names() == []
    assert "Removed 'current'" in dialog.secret_message.text()


def payload(at: float | None = None) -> bytes:
    stamp = datetime.fromtimestamp(time.time() if at is None else at, UTC).isoformat()
    body = {"request_id": "abc123", "time": stamp.replace("+00:00", "Z"), "data": {"a": 1}}
    return json.dumps(body, separators=(",", ":")).encode()


def test_verify_a_webhook_says_why(
    make_window: Maker, fresh_emulator: EmulatorServer, tmp_path: Path
) -> None:
    store_secret("current", NEW)
    store_secret("spare", "whsec_spare_555")
    win = make_window(fresh_emulator)
    dialog = jobs_panel(win).open_verify()
    choices = [dialog.secret_combo.itemText(i) for i in range(dialog.secret_combo.count())]
    assert choices == ["Every kept secret", "current", "spare"]
    body = payload()

    def check(headers: str, text: bytes, secret: str = "Every kept secret") -> str:
        dialog.headers_edit.setPlainText(headers)
        dialog.body_edit.setPlainText(text.decode())
        dialog.secret_combo.setCurrentText(secret)
        dialog.verify_button.click()
        return dialog.result_label.text()

    good = f"X-BASETEN-SIGNATURE: {sign(NEW, body)}"
    assert check(good, body) == "Verified: Verified with the secret 'current'."
    assert check(good, body, "spare").startswith("Not verified: None of the 1 signature(s)")
    assert "the body was changed" in check(good, body.replace(b'"a":1', b'"a":2'))
    assert check("", body) == (
        "Not verified: No X-BASETEN-SIGNATURE header: the payload is not signed."
    )
    assert "signed with another secret" in check(f"X-BASETEN-SIGNATURE: {sign(OLD, body)}", body)
    rotating = f"X-BASETEN-SIGNATURE: {sign(NEW, body)},{sign(OLD, body)}"
    assert check(rotating, body).startswith("Verified")  # during a rotation either verifies
    stale = payload(time.time() - 3600)
    stale_text = check(f"X-BASETEN-SIGNATURE: {sign(NEW, stale)}", stale)
    assert stale_text.startswith("Not verified: The payload's time is 3600 s old")
    # A saved delivery, loaded from a file: headers, a blank line, the raw body byte for byte.
    saved = tmp_path / "delivery.txt"
    saved.write_bytes(f"POST /webhooks/baseten HTTP/1.1\r\n{good}\r\n\r\n".encode() + body)
    dialog.headers_edit.clear()
    dialog.load(saved.read_bytes())
    dialog.secret_combo.setCurrentText("current")
    assert dialog.check().ok
    assert "X-BASETEN-SIGNATURE" in dialog.headers_edit.toPlainText()


def test_every_async_option_is_checked_by_its_field(
    make_window: Maker, fresh_emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(fresh_emulator)
    row = win.request.editor.async_row
    panel = jobs_panel(win)

    async def scenario() -> None:
        await async_mode(win)
        edits = row.number_edits
        edits["max_attempts"].setText("11")
        edits["max_time_in_queue_seconds"].setText("5")
        edits["initial_delay_ms"].setText("soon")
        row.webhook_edit.setText("http://example.com/hook")
        problem = row.problem_label.text()
        assert row.problem_label.isVisible()
        for words in (
            "Attempts: must be a whole number from 1 to 10, not 11",
            "Max time in queue (s): must be a whole number from 10 to 259200, not 5",
            "Initial delay (ms): a whole number, not 'soon'",
            "Webhook: the webhook must be an https:// URL (plain http only to this machine)",
        ):
            assert words in problem
        win.send()  # refused before anything is sent, in words
        assert win.statusBar().currentMessage().startswith("Async options: ")
        assert panel.controller.all_jobs() == []
        edits["max_attempts"].setText("3")
        edits["max_time_in_queue_seconds"].setText("600")
        edits["initial_delay_ms"].setText("100")
        edits["max_delay_ms"].setText("2000")
        row.priority_spin.setValue(0)
        row.webhook_edit.setText("")
        assert not row.problem_label.isVisible()
        request_id = await send_async(win)
        options = fresh_emulator.emulator.state.queue.jobs[request_id].options
        assert (options.priority, options.max_time_in_queue_seconds) == (0, 600)
        assert (options.max_attempts, options.initial_delay_ms, options.max_delay_ms) == (
            3,
            100,
            2000,
        )
        (job,) = panel.controller.all_jobs()
        assert job.options.max_attempts == 3
        await eventually(lambda: statuses(panel) == ["SUCCEEDED"], 10)

    loop.run_until_complete(scenario())
