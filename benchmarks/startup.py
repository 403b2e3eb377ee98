"""Cold start of `playground` until its window answers a key, against a bare PySide6 QMainWindow.

Time to interactive: from spawning the process until the painted window has handled a key press
posted to it at its first paint, as a person typing at once would. Both the app and the bare
window run as fresh processes, offscreen, interleaved, with the same probe (app.py's
InteractiveProbe, copied into the bare script): after the first key it keeps one key press waiting
for a second and reports the longest wait, so work left until after the paint cannot hide there.

The app starts as a person has it: on a remote whose key is in the system keyring (a real Secret
Service, gnome-keyring in a private D-Bus session, when this machine has one; otherwise the key
comes from BASETEN_API_KEY and the JSON says so), with the window state and history its previous
run saved, loading models from a local server in its own process. Nothing leaves loopback.

Last line: {"ratio": interactive app/bare (medians), "interactive_s", "first_paint_s", ...}.
Target: ratio <= 2.0.

    python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks._shared import KEY, emulator_process

BARE = """
import sys
import time
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):
    posted_at = painted_at = longest_wait = 0.0

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.painted_at:
            self.painted_at = time.time()
            print(f"first-paint {self.painted_at:.6f}", flush=True)
            self.press()
        elif event.type() == QEvent.Type.KeyPress and self.posted_at:
            now = time.time()
            if self.longest_wait == 0.0:
                print(f"interactive {now:.6f}", flush=True)
            self.longest_wait = max(self.longest_wait, now - self.posted_at, 1e-9)
            if now - self.painted_at < 1.0:
                self.press()
            else:
                print(f"longest-wait {self.longest_wait:.6f}", flush=True)
                self.posted_at = 0.0
                QTimer.singleShot(0, app.quit)
            return True
        return False

    def press(self):
        self.posted_at = time.time()
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
        QApplication.postEvent(window, event)

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 760)
probe = Probe()
window.installEventFilter(probe)
window.show()
app.exec()
"""

KEYRING_SERVICE = "baseten-playground"  # playground.core.remote.keys.KEYRING_SERVICE
REMOTE = "local"


def timed(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawn to the first paint, to the first key handled, and to exit; and the
    longest a key press waited during the first second after the paint."""
    started = time.time()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    ended = time.time()
    marks = dict(line.split() for line in done.stdout.splitlines() if line.count(" ") == 1)
    if done.returncode or "interactive" not in marks:
        sys.exit(f"{argv[-1][:40]!r} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {
        "first_paint": float(marks["first-paint"]) - started,
        "interactive": float(marks["interactive"]) - started,
        "longest_wait": float(marks["longest-wait"]),
        "exit": ended - started,
    }


def has_secret_service() -> bool:
    return bool(shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"))


def in_keyring_session(argv: list[str]) -> list[str]:
    """`argv` inside a private D-Bus session with an unlocked gnome-keyring (a desktop's keyring)."""
    script = (
        'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'
    )
    return ["dbus-run-session", "--", "sh", "-c", script, "sh", *argv]


def measure(runs: int, keyring: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as home, emulator_process() as base_url:
        # A home of its own: nothing of the user's is read or changed. PYTHONDONTWRITEBYTECODE
        # would make every start compile the app's modules again, which no installed app does.
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("BASETEN_API_KEY", "PYTHONDONTWRITEBYTECODE", "PYTHON_KEYRING_BACKEND")
            },
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
            "QT_QPA_PLATFORM": "offscreen",
        }
        app = [sys.executable, "-m", "playground"]
        add = [*app, "remotes", "add", REMOTE, base_url]
        subprocess.run(add, env=env, check=True, stdout=subprocess.DEVNULL)
        if keyring == "secret service":
            store = (
                f"import keyring; keyring.set_password({KEYRING_SERVICE!r}, {REMOTE!r}, {KEY!r})"
            )
            subprocess.run([sys.executable, "-c", store], env=env, check=True)
        else:
            env["BASETEN_API_KEY"] = KEY
        app_argv = [*app, "--remote", REMOTE, "--startup-probe"]
        bare_argv = [sys.executable, "-c", BARE]
        # The first start writes the window state and the history, as a person's first day
        # would; both starts warm the OS file cache, as a person's second start would be.
        timed(app_argv, env)
        timed(bare_argv, env)
        app_times: list[dict[str, float]] = []
        bare_times: list[dict[str, float]] = []
        for run in range(runs):
            pairs = [(app_argv, app_times), (bare_argv, bare_times)]
            for argv, times in pairs if run % 2 == 0 else reversed(pairs):
                times.append(timed(argv, env))

    def median(times: list[dict[str, float]], key: str) -> float:
        return statistics.median(t[key] for t in times)

    app_s, bare_s = median(app_times, "interactive"), median(bare_times, "interactive")
    return {
        "ratio": round(app_s / bare_s, 3),
        "interactive_s": round(app_s, 4),
        "first_paint_s": round(median(app_times, "first_paint"), 4),
        "longest_input_wait_ms": round(max(t["longest_wait"] for t in app_times) * 1000, 1),
        "bare_interactive_s": round(bare_s, 4),
        "bare_first_paint_s": round(median(bare_times, "first_paint"), 4),
        "bare_longest_input_wait_ms": round(max(t["longest_wait"] for t in bare_times) * 1000, 1),
        "app_interactive_runs_s": [round(t["interactive"], 4) for t in app_times],
        "bare_interactive_runs_s": [round(t["interactive"], 4) for t in bare_times],
        "keyring": keyring,
        "target_ratio": 2.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--keyring", choices=["secret service", "environment"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.keyring is None and has_secret_service():
        argv = [sys.executable, *sys.argv, "--keyring", "secret service"]
        sys.exit(subprocess.run(in_keyring_session(argv)).returncode)
    print(json.dumps(measure(args.runs, args.keyring or "environment")))


if __name__ == "__main__":
    main()
