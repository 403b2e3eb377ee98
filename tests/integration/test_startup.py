"""Start-up as a person lives it: the window answers keys while the session, and a slow keyring,
are still being set up behind it; the key the keyring finally gives is the one used."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from playground.cli.main import main
from playground.core import BasetenClient, Remote
from playground.core.remote.keys import KEYRING_SERVICE
from playground.emulator import EmulatorServer
from playground.ui.session import build_window, run_window
from tests.conftest import MemoryKeyring
from tests.ui.helpers import signalled

LOOKUP_S = 3.0

SLOW_KEYRING = f"""
import time

import keyring.backend


class SlowKeyring(keyring.backend.KeyringBackend):
    '''A keyring that takes {LOOKUP_S} s to answer, as a locked one waiting for its password.'''

    priority = 1

    def get_password(self, service, username):
        time.sleep({LOOKUP_S})
        print(f"keyring-answered {{time.time():.6f}}", flush=True)
        return None

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
"""


def test_the_window_answers_keys_while_a_slow_keyring_is_asked(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert main(["remotes", "add", "local", emulator.base_url]) == 0
    (tmp_path / "slow_keyring.py").write_text(textwrap.dedent(SLOW_KEYRING))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
        "PYTHON_KEYRING_BACKEND": "slow_keyring.SlowKeyring",
    }
    out = subprocess.run(
        [sys.executable, "-m", "playground", "--remote", "local", "--startup-probe"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    marks = dict(line.split() for line in out.stdout.splitlines() if line.count(" ") == 1)
    # The probe pressed keys from the first paint on; each was handled long before the keyring
    # answered, and none waited for it.
    assert float(marks["first-paint"]) < float(marks["interactive"])
    assert float(marks["interactive"]) < float(marks["keyring-answered"])
    assert float(marks["longest-wait"]) < LOOKUP_S / 2


def test_the_key_found_after_the_window_is_up_is_the_one_used(
    qtbot: QtBot,
    qapp: QApplication,
    test_keyring: MemoryKeyring,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
) -> None:
    test_keyring.items[(KEYRING_SERVICE, "local")] = emulator.api_key
    client = BasetenClient(Remote.local(emulator.base_url, "local"), "")
    window = build_window(client, settings=None, key_label="")
    qtbot.addWidget(window)
    window.show()
    qapp.setQuitOnLastWindowClosed(False)  # as the app has it: closing ends the session only

    async def start_then_close() -> None:
        loaded = asyncio.ensure_future(signalled(window.catalogue.models_loaded))
        life = asyncio.ensure_future(
            run_window(window, client, find_key_first=True, screenshot=None, demo=False)
        )
        await loaded
        window.close()
        await life

    try:
        loop.run_until_complete(start_then_close())
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert window.target_bar.model_combo.count() > 5
    label = window.remote_row.key_label.text()
    assert "(keyring)" in label
    assert emulator.api_key not in label
