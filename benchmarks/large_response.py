"""A 20 MB JSON predict response in the real window: the longest event-loop stalls while it arrives
and while a person copies it, saves it and opens its Raw tab, and when it is on screen.

The local server runs in its own process. A 5 ms QTimer on the window's loop records the gaps
between its ticks; a stall is a gap beyond the timer's period. Each run measures, one after the
other: Send until the body is painted (`ready_s`: Send until the body view's first paint with the
body in it has finished), then Copy body, then Save… (from the file dialog's accept to "Saved"; the
dialog opens outside the measured window), then the Raw tab. A baseline run of the same window
with a small body is interleaved with the big ones.

Keys of the last line (stalls in ms, each a run's longest; "median" is over the runs):
  max_stall_ms, worst_stall_ms      Send until shown: the median, and the worst of all runs
  copy_/save_/raw_stall_ms          the median for Copy body, Save… and opening the Raw tab
  copy_/save_/raw_worst_stall_ms    the worst of all runs for each
  ready_s                           median seconds from Send until the body is painted
  baseline_*                        the same figures for the small body
Target: every stall < 100 ms (target_max_stall_ms).

    python benchmarks/large_response.py [--runs 5] [--megabytes 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QFileDialog

from benchmarks._shared import KEY, LagTimer, run_with_window_loop, set_model_fault
from playground.core import BasetenClient, JsonBody, Remote
from playground.emulator.demo import CLASSIFIER
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal

ACTIONS = ("copy", "save", "raw")


class PaintWatch(QObject):
    """Stamps the moment the first paint of the body view, once armed, has finished."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__()
        self.armed = False
        self.painted_at = 0.0
        win.response.body_text.viewport().installEventFilter(self)
        win.requests.event_received.connect(self._on_event_received)

    def _on_event_received(self, event: object) -> None:
        if isinstance(event, JsonBody):  # the body is in the view: its next paint shows it
            self.armed = True

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if self.armed and not self.painted_at and event.type() == QEvent.Type.Paint:
            self.armed = False
            QTimer.singleShot(0, self._stamp)  # runs once this paint (and its flush) is done
        return False

    def _stamp(self) -> None:
        self.painted_at = time.perf_counter()


async def until(condition: Callable[[], object], within: float = 60) -> None:
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit("the window did not get there in time")
        await asyncio.sleep(0.002)


async def stall_of(action: Callable[[], None], done: Callable[[], object]) -> float:
    """The longest stall from `action` until `done` and the paint after it."""
    timer = LagTimer()
    timer.start()
    await asyncio.sleep(0.1)
    action()
    await until(done)
    await asyncio.sleep(0.15)
    timer.stop()
    return max(timer.lags_ms)


async def send(win: MainWindow, base_url: str, size: int) -> tuple[float, float]:
    """(the longest stall, seconds from Send until the body is painted)."""
    if size:
        await set_model_fault(base_url, CLASSIFIER, f"huge={size}")
    watch = PaintWatch(win)
    timer = LagTimer()
    await asyncio.sleep(0.2)
    timer.start()
    started = time.perf_counter()
    done = asyncio.ensure_future(
        first_signal(win.requests.request_finished, win.requests.request_failed, within=60)
    )
    win.send()
    await done
    await until(lambda: watch.painted_at)
    ready = watch.painted_at - started
    await asyncio.sleep(0.2)
    timer.stop()
    watch.deleteLater()
    if size and len(win.response.body_bytes()) < size * 0.9:
        raise SystemExit("the big body did not arrive whole")
    return max(timer.lags_ms), ready


async def one_run(win: MainWindow, base_url: str, size: int, folder: Path) -> dict[str, float]:
    send_stall, ready = await send(win, base_url, size)
    view = win.response
    said = view.action_label.text

    copy = await stall_of(view.copy_body_button.click, lambda: said().startswith("Copied"))

    view.save_button.click()
    dialog = view.findChild(QFileDialog, "saveBodyDialog")
    assert dialog is not None
    target = folder / "saved.json"
    dialog.selectFile(str(target))

    save = await stall_of(dialog.accept, lambda: said().startswith("Saved"))
    if target.stat().st_size != len(view.body_bytes()):
        raise SystemExit("the saved file is not the whole body")
    target.unlink()

    raw = await stall_of(
        lambda: view.tabs.setCurrentWidget(view.raw_text), view.raw_text.toPlainText
    )
    view.tabs.setCurrentIndex(0)
    return {"send": send_stall, "ready": ready, "copy": copy, "save": save, "raw": raw}


def figures(runs: list[dict[str, float]], prefix: str = "") -> dict[str, float]:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def worst(key: str) -> float:
        return max(r[key] for r in runs)

    out = {
        f"{prefix}max_stall_ms": round(median("send"), 1),
        f"{prefix}worst_stall_ms": round(worst("send"), 1),
        f"{prefix}ready_s": round(median("ready"), 3),
    }
    for action in ACTIONS:
        out[f"{prefix}{action}_stall_ms"] = round(median(action), 1)
        out[f"{prefix}{action}_worst_stall_ms"] = round(worst(action), 1)
    return out


async def measure(base_url: str, runs: int, size: int) -> dict[str, object]:
    client = BasetenClient(Remote.local(base_url, "bench"), KEY)
    # The history records every run (its worker thread included in the stall), never in the
    # user's own data folder; Save writes there too.
    data_dir = Path(tempfile.mkdtemp(prefix="playground-bench-"))
    win = build_window(client, settings=None, key_label="", data_dir=data_dir)
    win.resize(1200, 760)
    win.show()
    loaded = asyncio.ensure_future(
        first_signal(win.catalogue.targets_loaded, win.catalogue.targets_failed, within=15)
    )
    win.catalogue.load_models()
    await loaded
    win.target_bar.select_model(CLASSIFIER)
    await asyncio.sleep(0.3)
    win.request.editor.body.set_json({"text": "big"})
    big: list[dict[str, float]] = []
    small: list[dict[str, float]] = []
    for run in range(runs):
        for kind in ("big", "small") if run % 2 == 0 else ("small", "big"):
            if kind == "big":
                big.append(await one_run(win, base_url, size, data_dir))
            else:
                small.append(await one_run(win, base_url, 0, data_dir))
    await shutdown(win)
    win.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return {
        **figures(big),
        **figures(small, "baseline_"),
        "body_bytes": size,
        "runs": runs,
        "target_max_stall_ms": 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=float, default=20)
    args = parser.parse_args()
    size = int(args.megabytes * 1_000_000)
    run_with_window_loop(lambda base_url: measure(base_url, args.runs, size))


if __name__ == "__main__":
    main()
