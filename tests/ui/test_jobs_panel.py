"""The window's jobs against the local server over loopback: every async send is a job kept in
view, live statuses to their ends (each told apart in words), cancel while queued, send again,
the queue chart fed, and jobs pending at a restart picked up by a new window."""

from __future__ import annotations

import asyncio

from playground.emulator import EmulatorServer, demo
from playground.ui.session import shutdown
from tests.ui.helpers import Maker
from tests.ui.jobs_helpers import (
    async_mode,
    eventually,
    hold,
    jobs_panel,
    send_async,
    start_jobs,
    statuses,
)


def test_several_sends_are_all_jobs_followed_to_their_ends(
    make_window: Maker, fresh_emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(fresh_emulator)
    panel = jobs_panel(win)
    assert not panel.isVisible()

    async def scenario() -> None:
        await async_mode(win)
        hold(fresh_emulator, 1.0)
        ids = [await send_async(win) for _ in range(3)]
        assert len(set(ids)) == 3
        assert panel.isVisible()  # the first job shows the dock
        # A second send never drops the first from view: all three are listed, newest first.
        assert [row[3] for row in panel.rows()] == ids[::-1]
        assert "QUEUED" in statuses(panel)
        # The queue chart is fed while jobs are pending (two queued behind the held one).
        await eventually(lambda: any(s.queued for v in panel.chart.series().values() for s in v))
        (label,) = panel.chart.series()
        assert label == f"{demo.CLASSIFIER} · environment production"
        await eventually(lambda: statuses(panel) == ["SUCCEEDED"] * 3, 15)
        jobs = panel.controller.all_jobs()
        assert [j.request_id for j in jobs] == ids[::-1]
        assert all([s for s, _ in j.timeline][-1] == "SUCCEEDED" for j in jobs)
        assert "QUEUED" in [s for s, _ in jobs[0].timeline]
        # The last send's end said plainly in the window: where the output went (nowhere).
        status = win.request.async_panel.async_status_label
        await eventually(lambda: "no webhook was given" in status.toolTip())
        panel.select(jobs[2].id)
        assert "Baseten keeps no output" in panel.detail_label.text()
        assert "SUCCEEDED" in panel.detail_label.text()

    loop.run_until_complete(scenario())


def test_cancel_while_queued_and_send_again(
    make_window: Maker, fresh_emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(fresh_emulator)
    panel = jobs_panel(win)

    async def scenario() -> None:
        await async_mode(win)
        hold(fresh_emulator, 1.0)
        running = await send_async(win)
        queued = await send_async(win)
        store = panel.controller.store
        await eventually(lambda: panel.rows()[1][1] == "IN_PROGRESS")
        panel.select(store.find(running).id)  # type: ignore[union-attr]
        assert not panel.cancel_button.isEnabled()  # Baseten cancels only QUEUED jobs
        panel.select(store.find(queued).id)  # type: ignore[union-attr]
        assert panel.cancel_button.isEnabled()
        panel.cancel_button.click()
        await eventually(lambda: panel.rows()[0][1] == "CANCELED")
        assert fresh_emulator.emulator.state.queue.jobs[queued].status == "CANCELED"
        assert "Canceled while queued: it never ran" in panel.detail_label.text()
        assert not panel.cancel_button.isEnabled()
        # The response view says what became of it, not "No response yet".
        await eventually(lambda: "it never ran" in win.response.notice_label.text())
        # Send again: the same body and options as a new job, at the top.
        panel.again_button.click()
        await eventually(lambda: len(panel.rows()) == 3)
        again = panel.controller.all_jobs()[0]
        canceled = store.find(queued)
        assert canceled is not None
        assert again.request_id not in (running, queued)
        assert (again.body, again.options) == (canceled.body, canceled.options)
        await eventually(lambda: statuses(panel) == ["SUCCEEDED", "CANCELED", "SUCCEEDED"], 15)

    loop.run_until_complete(scenario())


def test_a_failed_job_is_a_failure_in_words(
    make_window: Maker, fresh_emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    win = make_window(fresh_emulator)
    panel = jobs_panel(win)

    async def scenario() -> None:
        await async_mode(win)
        fresh_emulator.emulator.state.set_model_faults(
            demo.CLASSIFIER, "job_fail=MODEL_PREDICT_ERROR,count=1"
        )
        await send_async(win)
        await eventually(lambda: statuses(panel) == ["FAILED"], 10)
        assert panel.detail_label.text().startswith("Failed: MODEL_PREDICT_ERROR: ")
        assert "webhook" not in panel.detail_label.text().splitlines()[0]
        status = win.request.async_panel.async_status_label
        assert status.text() == "FAILED"
        assert status.toolTip().startswith("Failed: MODEL_PREDICT_ERROR")
        # Shown as a failure: the response view's error banner, in words.
        await eventually(lambda: win.response.banner.isVisible())
        assert "MODEL_PREDICT_ERROR" in win.response.banner.text()

    loop.run_until_complete(scenario())


def test_jobs_pending_at_a_restart_are_picked_up_by_a_new_window(
    make_window: Maker, fresh_emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    first = make_window(fresh_emulator)

    async def before() -> list[str]:
        await async_mode(first)
        hold(fresh_emulator, 1.5)
        ids = [await send_async(first) for _ in range(3)]
        await shutdown(first)  # closed with all three still going
        return ids

    ids = loop.run_until_complete(before())
    first.close()
    second = make_window(fresh_emulator)
    panel = jobs_panel(second)

    async def after() -> None:
        start_jobs(second)  # as the app does once its loop runs
        assert panel.isVisible()  # pending jobs of the last run are shown at start
        assert sorted(row[3] for row in panel.rows()) == sorted(ids)
        assert all(s in ("QUEUED", "IN_PROGRESS") for s in statuses(panel))
        await eventually(lambda: statuses(panel) == ["SUCCEEDED"] * 3, 15)
        assert panel.controller.store.pending() == []

    loop.run_until_complete(after())
