"""Cold start of `playground` to its first painted window, against a bare PySide6 QMainWindow.

Both run as fresh processes, offscreen, interleaved: the time from spawning the process to the
first paint event of its main window (each child prints the wall-clock time of that paint), and
for reference the whole process time with exit. The figure is the ratio of medians.
Target: ratio <= 1.5.

    python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import sys
import time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 760)
probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds from spawn to first paint, seconds from spawn to exit)."""
    started = time.time()
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True, timeout=60)
    ended = time.time()
    painted = next(
        float(line.split()[1])
        for line in done.stdout.splitlines()
        if line.startswith("first-paint")
    )
    return painted - started, ended - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # A clean home: no saved state, no key, no ~/.trussrc; nothing reaches the network.
        # PYTHONDONTWRITEBYTECODE would make every start compile the app's modules again, which
        # no installed app does (pip writes .pyc files); the warm-up start below writes them.
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("BASETEN_API_KEY", "PYTHONDONTWRITEBYTECODE")
            },
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
        app_argv = [sys.executable, "-m", "playground", "--exit-on-first-paint"]
        bare_argv = [sys.executable, "-c", BARE]
        timed(app_argv, env)  # warm the OS file cache for both, as a user's second start would be
        timed(bare_argv, env)
        app_times: list[tuple[float, float]] = []
        bare_times: list[tuple[float, float]] = []
        for run in range(args.runs):
            pairs = [(app_argv, app_times), (bare_argv, bare_times)]
            for argv, times in pairs if run % 2 == 0 else reversed(pairs):
                times.append(timed(argv, env))
    app_s = statistics.median(t for t, _ in app_times)
    bare_s = statistics.median(t for t, _ in bare_times)
    print(
        json.dumps(
            {
                "ratio": round(app_s / bare_s, 3),
                "app_s": round(app_s, 4),
                "bare_s": round(bare_s, 4),
                "app_with_exit_s": round(statistics.median(t for _, t in app_times), 4),
                "bare_with_exit_s": round(statistics.median(t for _, t in bare_times), 4),
                "app_runs_s": [round(t, 4) for t, _ in app_times],
                "bare_runs_s": [round(t, 4) for t, _ in bare_times],
                "target_ratio": 1.5,
            }
        )
    )


if __name__ == "__main__":
    main()
