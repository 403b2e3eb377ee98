"""A 20 MB JSON predict response carrying one base64 PNG, shown in the real window: the longest
event-loop stall from Send until its preview is painted, and how long that takes, against a plain
20 MB JSON body in the same run.

The local server runs in its own process (the `huge_image` fault answers with
{"data": "<base64 PNG>"} of about the given size; `huge` with plain JSON of that size). A 5 ms
QTimer on the window's loop records the gaps between its ticks (benchmarks/_shared.py). Runs of
the two alternate; figures are medians over the runs.

Keys of the last line:
  max_stall_ms, worst_stall_ms   the image answer: median and worst of each run's longest stall
  ready_s                        median seconds from Send until the image preview is painted
  ready_ratio                    ready_s over the plain body's (Send until its text is painted)
  baseline_*                     the same figures for the plain JSON body
Target: max stall < 100 ms (target_max_stall_ms).

    python benchmarks/media_response.py [--runs 5] [--megabytes 20]
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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from benchmarks._shared import KEY, LagTimer, run_with_window_loop, set_model_fault
from playground.core import BasetenClient, JsonBody, Remote
from playground.emulator.demo import CLASSIFIER
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal


class PaintWatch(QObject):
    """Stamps the moment the first paint of `widget` after `arm()` has finished."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.armed = False
        self.painted_at = 0.0
        self.widget = widget
        widget.installEventFilter(self)

    def arm(self, *_: object) -> None:
        self.armed = True
        self.widget.update()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if self.armed and not self.painted_at and event.type() == QEvent.Type.Paint:
            self.armed = False
            QTimer.singleShot(0, self._stamp)  # runs once this paint (and its flush) is done
        return False

    def _stamp(self) -> None:
        self.painted_at = time.perf_counter()

    def close(self) -> None:
        self.widget.removeEventFilter(self)
        self.deleteLater()


async def until(condition: object, within: float = 60) -> None:
    deadline = time.perf_counter() + within
    while not condition():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise SystemExit("the window did not get there in time")
        await asyncio.sleep(0.002)


async def one_run(win: MainWindow, base_url: str, size: int, *, image: bool) -> tuple[float, float]:
    """(the longest stall, seconds from Send until the preview, or the plain text, is painted)."""
    view = win.response
    await set_model_fault(base_url, CLASSIFIER, f"{'huge_image' if image else 'huge'}={size}")
    if image:
        watch = PaintWatch(view.media.viewer.canvas)
        view.media.media_ready.connect(watch.arm)
    else:
        watch = PaintWatch(view.body_text.viewport())

        def on_event(event: object) -> None:
            if isinstance(event, JsonBody):  # the body is in the view: its next paint shows it
                watch.arm()

        win.requests.event_received.connect(on_event)
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
    if image:
        view.media.media_ready.disconnect(watch.arm)
        shown = view.media.viewer.canvas.image
        if shown is None or shown.full.width() != 1024:
            raise SystemExit("the image was not shown")
        if "⟨PNG image, 1024×" not in view.body_text.toPlainText():
            raise SystemExit("the base64 was not elided")
    else:
        win.requests.event_received.disconnect(on_event)
    watch.close()
    if len(view.body_bytes()) < size * 0.9:
        raise SystemExit("the big body did not arrive whole")
    return max(timer.lags_ms), ready


async def measure(base_url: str, runs: int, size: int) -> dict[str, object]:
    client = BasetenClient(Remote.local(base_url, "bench"), KEY)
    data_dir = Path(tempfile.mkdtemp(prefix="playground-bench-"))  # never the user's history
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
    await one_run(win, base_url, size, image=True)  # a warm-up: the server builds its bodies once
    await one_run(win, base_url, size, image=False)
    media: list[tuple[float, float]] = []
    plain: list[tuple[float, float]] = []
    for run in range(runs):
        for image in (True, False) if run % 2 == 0 else (False, True):
            (media if image else plain).append(await one_run(win, base_url, size, image=image))
    await shutdown(win)
    win.close()
    shutil.rmtree(data_dir, ignore_errors=True)

    def median(values: list[tuple[float, float]], at: int) -> float:
        return statistics.median(v[at] for v in values)

    return {
        "max_stall_ms": round(median(media, 0), 1),
        "worst_stall_ms": round(max(v[0] for v in media), 1),
        "baseline_max_stall_ms": round(median(plain, 0), 1),
        "baseline_worst_stall_ms": round(max(v[0] for v in plain), 1),
        "baseline_ready_s": round(median(plain, 1), 3),
        "body_bytes": size,
        "runs": runs,
        "target_max_stall_ms": 100,
        "ready_s": round(median(media, 1), 3),
        "ready_ratio": round(median(media, 1) / median(plain, 1), 2),
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
