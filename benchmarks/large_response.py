"""A 20 MB JSON predict response shown in the real window: the longest event-loop stall, and when it is ready.

The local server runs in its own process. A 5 ms QTimer on the window's loop records the gaps
between its ticks while the body arrives, is parsed and is rendered; the stall is the gap beyond
the timer's period. A baseline run of the same window with a small body is interleaved with the
big ones. Target: max_stall_ms < 100.

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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks._shared import KEY, LagTimer, run_with_window_loop, set_model_fault
from playground.core import BasetenClient, Remote
from playground.emulator.demo import CLASSIFIER
from playground.ui.main_window import MainWindow
from playground.ui.session import build_window, shutdown
from playground.ui.signals import first_signal


async def one_run(win: MainWindow, base_url: str, size: int) -> tuple[float, float]:
    """(max stall in ms, seconds from Send until the body is on screen)."""
    if size:
        await set_model_fault(base_url, CLASSIFIER, f"huge={size}")
    timer = LagTimer()
    await asyncio.sleep(0.2)
    timer.start()
    started = time.perf_counter()
    done = asyncio.ensure_future(
        first_signal(win.requests.request_finished, win.requests.request_failed, within=60)
    )
    win.send()
    await done
    while win.response.is_streaming:  # noqa: ASYNC110 - the view has no signal for this
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)  # the paint that follows
    ready = time.perf_counter() - started
    await asyncio.sleep(0.2)
    timer.stop()
    if size and len(win.response.body_bytes()) < size * 0.9:
        raise SystemExit("the big body did not arrive whole")
    return max(timer.lags_ms), ready


async def measure(base_url: str, runs: int, size: int) -> dict[str, object]:
    client = BasetenClient(Remote.local(base_url, "bench"), KEY)
    # The history records every run (its worker thread included in the stall), never in the
    # user's own data folder.
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
    big: list[tuple[float, float]] = []
    small: list[tuple[float, float]] = []
    for run in range(runs):
        for kind in ("big", "small") if run % 2 == 0 else ("small", "big"):
            if kind == "big":
                big.append(await one_run(win, base_url, size))
            else:
                small.append(await one_run(win, base_url, 0))
    await shutdown(win)
    win.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    stalls = [s for s, _ in big]
    return {
        "max_stall_ms": round(statistics.median(stalls), 1),
        "worst_stall_ms": round(max(stalls), 1),
        "ready_s": round(statistics.median(r for _, r in big), 3),
        "baseline_max_stall_ms": round(statistics.median(s for s, _ in small), 1),
        "baseline_ready_s": round(statistics.median(r for _, r in small), 3),
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
