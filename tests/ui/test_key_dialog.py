"""The first-run key flow: keys found are offered masked, a pasted key goes to the keyring per remote."""

from __future__ import annotations

import asyncio

import keyring
from PySide6.QtWidgets import QAbstractButton, QLabel, QRadioButton
from pytestqt.qtbot import QtBot

from playground.core import BasetenClient, Remote
from playground.core.remote.keys import KEYRING_SERVICE, FoundKey
from playground.emulator import EmulatorServer
from playground.ui.main_window import MainWindow
from playground.ui.remotes.key_dialog import KeyDialog
from playground.ui.session import ask_for_key, build_window, shutdown
from tests.conftest import MemoryKeyring
from tests.core.test_keys import BrokenKeyring
from tests.ui.helpers import signalled


def _dialog(
    qtbot: QtBot, found: list[FoundKey], usable: bool = True
) -> tuple[KeyDialog, list[tuple[FoundKey, bool]]]:
    dialog = KeyDialog("baseten", found, keyring_usable=usable)
    qtbot.addWidget(dialog)
    chosen: list[tuple[FoundKey, bool]] = []
    dialog.key_chosen.connect(lambda key, remember: chosen.append((key, remember)))
    dialog.open()
    return dialog, chosen


def test_found_keys_are_offered_masked(qtbot: QtBot) -> None:
    found = [FoundKey("abcd1234.efgh5678", "trussrc [baseten]")]
    dialog, chosen = _dialog(qtbot, found)
    texts = [b.text() for b in dialog.findChildren(QRadioButton)]
    assert texts[0] == "Use the key from trussrc [baseten] (••••5678)"
    assert all("abcd1234" not in t for t in texts)
    dialog.buttons.accepted.emit()
    assert chosen == [(found[0], False)]  # a found key stays where it lives


def test_a_pasted_key_is_remembered_when_asked(qtbot: QtBot) -> None:
    dialog, chosen = _dialog(qtbot, [])
    qtbot.keyClicks(dialog.key_edit, "sk-pasted-0000")
    assert dialog.paste_radio.isChecked()
    dialog.buttons.accepted.emit()
    assert chosen == [(FoundKey("sk-pasted-0000", "pasted"), True)]


def test_an_empty_paste_is_not_accepted(qtbot: QtBot) -> None:
    dialog, chosen = _dialog(qtbot, [])
    dialog.buttons.accepted.emit()
    assert chosen == []
    assert dialog.isVisible()


def test_without_a_keyring_it_says_session_only(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot, [], usable=False)
    assert not dialog.remember.isEnabled()
    note = dialog.findChild(QLabel, "keyringNote")
    assert note is not None
    assert "this session only" in note.text()


def _first_run(
    emulator: EmulatorServer, loop: asyncio.AbstractEventLoop, qtbot: QtBot, paste: str
) -> tuple[MainWindow, KeyDialog, BasetenClient]:
    """A window on a remote with no key yet; the key is pasted into the dialog and accepted."""
    client = BasetenClient(Remote.local(emulator.base_url, "local"), "")
    window = build_window(client, settings=None, key_label="")
    qtbot.addWidget(window)
    dialog = ask_for_key(window, client)
    dialog.key_edit.setText(paste)
    dialog.paste_radio.setChecked(True)

    async def accept() -> None:
        loaded = asyncio.ensure_future(signalled(window.catalogue.models_loaded))
        dialog.buttons.accepted.emit()
        await loaded

    loop.run_until_complete(accept())
    return window, dialog, client


def test_a_pasted_key_goes_to_the_keyring_and_the_models_load(
    qtbot: QtBot,
    test_keyring: MemoryKeyring,
    emulator: EmulatorServer,
    loop: asyncio.AbstractEventLoop,
) -> None:
    window, _, _ = _first_run(emulator, loop, qtbot, emulator.api_key)
    assert test_keyring.items[(KEYRING_SERVICE, "local")] == emulator.api_key
    message = window.statusBar().currentMessage()
    assert emulator.api_key not in message
    assert window.target_bar.model_combo.count() > 5
    loop.run_until_complete(shutdown(window))


def test_no_keyring_keeps_the_key_for_the_session(
    qtbot: QtBot, emulator: EmulatorServer, loop: asyncio.AbstractEventLoop
) -> None:
    broken = BrokenKeyring()
    keyring.set_keyring(broken)
    window, dialog, client = _first_run(emulator, loop, qtbot, emulator.api_key)
    assert not dialog.remember.isEnabled()
    assert broken.items == {}
    assert client.has_key
    assert window.target_bar.model_combo.count() > 5
    loop.run_until_complete(shutdown(window))


def _seen(dialog: KeyDialog) -> str:
    """Every word the dialog shows, labels and buttons, as a person reads them."""
    widgets = dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)
    return " | ".join(w.text() for w in widgets if w.isVisible())


def test_with_nothing_found_there_is_no_lone_radio_button(qtbot: QtBot) -> None:
    dialog, chosen = _dialog(qtbot, [])
    assert [b for b in dialog.findChildren(QRadioButton) if b.isVisible()] == []
    assert dialog.key_edit.isVisible()
    qtbot.keyClicks(dialog.key_edit, "sk-only-choice")
    dialog.buttons.accepted.emit()
    assert chosen == [(FoundKey("sk-only-choice", "pasted"), True)]


def test_with_a_key_found_both_choices_are_radio_buttons(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot, [FoundKey("abcd1234.efgh5678", "BASETEN_API_KEY")])
    visible = [b.text() for b in dialog.findChildren(QRadioButton) if b.isVisible()]
    assert visible == ["Use the key from BASETEN_API_KEY (••••5678)", "Paste a key:"]


def test_the_words_match_whether_a_keyring_is_usable(qtbot: QtBot) -> None:
    usable, _ = _dialog(qtbot, [], usable=True)
    seen = _seen(usable)
    assert "kept in your system keyring" in seen
    assert "no usable keyring" not in seen.lower()
    assert usable.remember.isVisible()

    unusable, _ = _dialog(qtbot, [], usable=False)
    seen = _seen(unusable)
    assert "no usable keyring" in seen.lower()
    assert "kept in your system keyring" not in seen
    assert "Remember it in the system keyring" not in seen  # nothing offered that cannot be
