"""The line above the target: which remote and which key. A long URL gives way; the key's mask
never does."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from playground.core.remote.remotes import Remote
from playground.ui.widgets.remote_row import RemoteRow

LONG = "http://127.0.0.1:8765/" + "a-very-long-path-segment/" * 12


def test_a_long_url_is_cut_in_the_middle_and_the_key_stays_whole(qtbot: QtBot) -> None:
    row = RemoteRow(Remote.local(LONG, "local"), "••••wxyz (keyring)")
    qtbot.addWidget(row)
    row.finish_setup()
    row.resize(500, 30)
    row.show()
    qtbot.waitExposed(row)

    assert row.minimumSizeHint().width() < 500
    shown = row.remote_label.text()
    assert "…" in shown
    assert shown.startswith("· http://127.0.0.1:8765/")
    assert row.remote_label.toolTip() == f"· {row.remote.label}"
    assert row.key_label.text() == "· key ••••wxyz (keyring)"
    key = row.key_label.geometry()
    assert key.right() <= row.width()
    assert key.width() >= row.key_label.sizeHint().width()

    row.resize(2400, 30)
    qtbot.wait(10)
    assert row.remote_label.text() == f"· {row.remote.label}"  # room enough: all of it
