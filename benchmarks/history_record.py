"""What the history costs: recording a 256 KB response, searching and pruning a full database,
and what recording takes from the GUI thread.

Records `--entries` exchanges with a 256 KB JSON body of words (what the cap keeps of a big
answer) into a fresh database, with the FTS5 trigram index and without it (the LIKE fallback),
then times searches (words, a request id, a target; the panel runs them on the GUI thread as a
person types) and a prune to half the size. The inputs come from a fixed seed, so both indexes
get the same bodies and the same queries, and must find the same entries.

Then the real recorder and history panel, installed in a bare window, record the same exchanges
from a RequestController's signals (as a send emits them) while a 5 ms QTimer measures the GUI
thread's stall; the same writes done on the GUI thread are the baseline, in the same run.

    python benchmarks/history_record.py [--entries 200] [--seed 13]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QMainWindow

from benchmarks._shared import KEY, LagTimer
from playground.core import BasetenClient, Remote
from playground.core.events import Finished, JsonBody, ResponseStarted
from playground.core.history import schema as history_schema
from playground.core.history.store import BODY_CAP, Exchange, History
from playground.core.metrics import Metrics
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec
from playground.ui.chat.controller import ChatController
from playground.ui.collector import MainThreadCollector
from playground.ui.history import panel as history_panel
from playground.ui.loop import new_loop
from playground.ui.request.controller import RequestController

SEARCHES = 30  # queries per kind


def vocabulary(rng: random.Random) -> list[str]:
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(5000)]


def body(rng: random.Random, words: list[str], size: int) -> bytes:
    text = " ".join(rng.choices(words, k=size // 5))  # words take 6.5 bytes on average: enough
    return json.dumps({"text": text}).encode()[:size]


def request_id(i: int) -> str:
    return f"{i:08x}" * 4


def spec(i: int) -> RequestSpec:
    return RequestSpec("predict", Target(f"m{i % 7}del", "environment", "production"), {"i": i})


def exchanges(entries: int, seed: int) -> Iterator[Exchange]:
    """The same `entries` exchanges for the same seed."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    for i in range(entries):
        yield Exchange(
            spec(i).to_dict(),
            remote="bench",
            status=200,
            request_id=request_id(i),
            content_type="application/json",
            response=body(rng, words, BODY_CAP),
            metrics={"total_s": 0.1},
        )


def queries(entries: int, seed: int) -> dict[str, list[str]]:
    """What people type: words of the answers (one, two), a request id, a model id."""
    words = vocabulary(random.Random(seed))  # the bodies' words
    rng = random.Random(seed + 1)
    return {
        "one_word": [rng.choice(words) for _ in range(SEARCHES)],
        "two_words": [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(SEARCHES)],
        "request_id": [request_id(rng.randrange(entries))[:12] for _ in range(SEARCHES)],
        "target": [f"m{rng.randrange(7)}del" for _ in range(SEARCHES)],
    }


def ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def open_store(folder: Path, *, fts: bool) -> History:
    real = history_schema.fts5_available
    history_schema.fts5_available = (lambda: False) if not fts else real  # type: ignore[assignment]
    try:
        return History(folder / "history.sqlite3", max_bytes=1 << 40)
    finally:
        history_schema.fts5_available = real  # type: ignore[assignment]


def measure_store(entries: int, seed: int, *, fts: bool) -> tuple[dict[str, object], list[int]]:
    """The figures, and how many entries each query found (both indexes must agree)."""
    history = open_store(Path(tempfile.mkdtemp()), fts=fts)
    times = []
    for exchange in exchanges(entries, seed):
        started = time.perf_counter()
        history.record(exchange)
        times.append(time.perf_counter() - started)
    size = history.size_bytes()
    found: list[int] = []
    searches: dict[str, list[float]] = {}
    for kind, texts in queries(entries, seed).items():
        for text in texts:
            started = time.perf_counter()
            found.append(len(history.search(text)))
            searches.setdefault(kind, []).append(time.perf_counter() - started)
    every = [t for kind in searches.values() for t in kind]
    started = time.perf_counter()
    dropped = history.prune(size // 2)
    prune = time.perf_counter() - started
    history.close()
    figures: dict[str, object] = {
        "index": "fts5-trigram" if fts else "like",
        "search_ms": round(statistics.median(every) * 1000, 2),
        "record_median_ms": round(statistics.median(times) * 1000, 2),
        "record_256kb": ms(times),
        "database_mb": round(size / 1e6, 1),
        "search": {kind: ms(seconds) for kind, seconds in searches.items()},
        "found_per_query": round(statistics.mean(found), 1),
        "prune_to_half_ms": round(prune * 1000, 1),
        "pruned": dropped,
    }
    return figures, found


class BenchHost:
    """What the history feature uses of a window (WindowHost): the window, its real request and
    chat controllers, the client. Not the whole MainWindow: its response view would render each
    256 KB body too, and that is benchmarks/large_response.py's figure, not the history's."""

    def __init__(self, client: BasetenClient) -> None:
        self.client = client
        self.remote = client.remote
        self.settings = None
        self.requests = RequestController(client)
        self.chat_controller = ChatController(client)
        self._window = QMainWindow()
        self._window.resize(1200, 760)

    def widget(self) -> QMainWindow:
        return self._window

    def add_action(self, *_: object) -> None:
        pass

    def show_status(self, message: str, *_: object) -> None:
        print(message, file=sys.stderr)


async def gui_stall(entries: int, seed: int) -> dict[str, object]:
    """The recorder records what a send emits, then the same writes run on the GUI thread."""
    client = BasetenClient(Remote.local("http://127.0.0.1:9", "bench"), KEY)  # never called
    host = BenchHost(client)
    requests = host.requests
    history = History(Path(tempfile.mkdtemp()) / "history.sqlite3", max_bytes=1 << 40)
    panel = history_panel.install(host, history)  # type: ignore[arg-type]
    host.widget().show()
    await asyncio.sleep(0.5)  # the window's first layouts and paints are not the history's
    ids: asyncio.Queue[int] = asyncio.Queue()
    panel.recorder.recorded.connect(ids.put_nowait)
    panel.recorder.failed.connect(print)
    made = list(exchanges(entries, seed))  # made beforehand: making them is no one's stall

    timer = LagTimer()
    timer.start()
    for i, exchange in enumerate(made):
        # What a send emits, as the window's RequestController emits it.
        metrics = Metrics(status=200, request_id=exchange.request_id, total_s=0.1)
        requests.request_sent.emit(spec(i))
        requests.event_received.emit(ResponseStarted(200, {}, exchange.content_type, metrics))
        requests.event_received.emit(JsonBody(None, exchange.response))
        requests.event_received.emit(Finished("json", metrics))
        requests.request_finished.emit()
        await asyncio.wait_for(ids.get(), 60)
    timer.stop()
    off_thread = sorted(timer.lags_ms)
    recorded_count = history.count()

    baseline = open_store(Path(tempfile.mkdtemp()), fts=history.has_search_index)
    timer = LagTimer()
    timer.start()
    for exchange in made:
        baseline.record(exchange)  # here, on the GUI thread
        await asyncio.sleep(0)
    timer.stop()
    on_thread = sorted(timer.lags_ms)
    baseline.close()

    await history_panel.close_history(host)  # type: ignore[arg-type]
    await requests.aclose()
    await client.aclose()
    host.widget().close()
    return {
        "gui_stall_ms": round(off_thread[-1], 2),
        "gui_stall_p99_ms": round(off_thread[int(len(off_thread) * 0.99) - 1], 2),
        "recorded": recorded_count,
        "gui_stall_writing_on_gui_thread_ms": round(on_thread[-1], 2),
        "gui_stall_writing_on_gui_thread_p99_ms": round(
            on_thread[int(len(on_thread) * 0.99) - 1], 2
        ),
    }


def gui_figures(entries: int, seed: int) -> dict[str, object]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = MainThreadCollector()  # as the app runs: cycles collected on the GUI thread
    collector.start()
    try:
        with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:  # type: ignore[arg-type]
            return runner.run(gui_stall(entries, seed))
    finally:
        collector.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    stores = [measure_store(args.entries, args.seed, fts=fts) for fts in (True, False)]
    (fts, fts_found), (like, like_found) = stores
    gui = gui_figures(args.entries, args.seed)
    print(
        json.dumps(
            {
                "search_ms": fts["search_ms"],
                "record_median_ms": fts["record_median_ms"],
                **gui,
                "same_entries_found": fts_found == like_found,
                "entries": args.entries,
                "body_bytes": BODY_CAP,
                "seed": args.seed,
                "results": [fts, like],
                "targets": {"search_ms": 10},
            }
        )
    )


if __name__ == "__main__":
    main()
