"""What the benchmarks share: the local server in its own process, a per-model fault, the bare
httpx + httpx-sse chat consumer they are measured against, and a timer for event-loop lag."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from httpx_sse import aconnect_sse

KEY = "bench-key-0123456789"
PERIOD_MS = 5


@contextmanager
def emulator_process() -> Iterator[str]:
    """Yield the base URL of a local server running in its own process (so it has its own GIL)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playground",
            "emulator",
            "--port",
            "0",
            "--key",
            KEY,
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base = ""
        for _ in range(10):
            match = re.search(r"base URL:\s+(\S+)", proc.stdout.readline())
            if match:
                base = match.group(1)
                break
        if not base:
            raise RuntimeError("the local server did not start")
        yield base
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


async def set_model_fault(base_url: str, model_id: str, spec: str) -> None:
    """The model's next request gets `spec` (see playground/emulator/faults.py)."""
    async with httpx.AsyncClient() as http:
        response = await http.put(
            f"{base_url}/_emulator/faults/{model_id}",
            json={"spec": spec + ",count=1"},
            headers={"Authorization": f"Bearer {KEY}"},
        )
        response.raise_for_status()


def chat_body() -> dict[str, object]:
    return {
        "model": "demo-llm",
        "messages": [{"role": "user", "content": "Count for me, please."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def bare_chat(http: httpx.AsyncClient, url: str, fault: str) -> tuple[float, str]:
    """What a careful script does: httpx-sse, json.loads, keep the content. (seconds, text)"""
    headers = {"Authorization": f"Bearer {KEY}", "X-Emulator-Fault": fault}
    started = time.perf_counter()
    parts: list[str] = []
    async with aconnect_sse(http, "POST", url, json=chat_body(), headers=headers) as source:
        async for event in source.aiter_sse():
            if event.data == "[DONE]":
                break
            choices = json.loads(event.data).get("choices")
            if choices:
                content = choices[0]["delta"].get("content")
                if content:
                    parts.append(content)
    return time.perf_counter() - started, "".join(parts)


class LagTimer:
    """A QTimer every PERIOD_MS on the window's loop; `lags_ms` is each gap beyond the period."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.lags_ms: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(PERIOD_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags_ms.append(max(0.0, (now - self._last) * 1000 - PERIOD_MS))
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


def run_with_window_loop(measure: Callable[[str], Coroutine[Any, Any, dict[str, object]]]) -> None:
    """Start the server, run `measure(base_url)` on the app's qasync loop, print its JSON.
    Windows are measured as the app shows them: its theme and stylesheet applied."""
    from PySide6.QtWidgets import QApplication

    from playground.ui.collector import MainThreadCollector
    from playground.ui.look import apply_look
    from playground.ui.loop import new_loop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_look(app)
    app.setQuitOnLastWindowClosed(False)
    collector = MainThreadCollector()  # as the app runs: cycles collected on the GUI thread
    collector.start()
    with (
        emulator_process() as base_url,
        asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner,
    ):
        result = runner.run(measure(base_url))
    collector.stop()
    print(json.dumps(result))
