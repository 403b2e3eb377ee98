"""The cycle collector runs on the GUI thread, never in the local server's."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from playground.ui.collector import MainThreadCollector


class Cycle:
    def __init__(self, seen: list[str]) -> None:
        self.me = self
        self.seen = seen

    def __del__(self) -> None:
        self.seen.append(threading.current_thread().name)


def test_cycles_are_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    collector = MainThreadCollector(interval_ms=10)
    collector.start()
    seen: list[str] = []
    kept: list[list[int]] = []
    try:
        assert not gc.isenabled()

        def allocate() -> None:
            for _ in range(5):
                Cycle(seen)
            # Enough new containers that, enabled, the collector would have run in this thread.
            kept.extend([] for _ in range(5000))

        worker = threading.Thread(target=allocate, name="server-thread")
        worker.start()
        worker.join()
        assert seen == []  # nothing freed in the other thread
        qtbot.waitUntil(lambda: len(seen) == 5, timeout=3000)
        assert set(seen) == {threading.main_thread().name}
    finally:
        collector.stop()
    assert gc.isenabled()
