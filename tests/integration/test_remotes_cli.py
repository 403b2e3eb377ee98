"""`playground remotes`: add a remote once, then name it anywhere a remote is taken."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from playground.cli.main import main
from playground.core.paths import remotes_file
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from playground.ui.remotes.menu import RemotesMenu
from tests.ui.conftest import make_window
from tests.ui.helpers import Maker

__all__ = ["make_window"]  # the UI tests' fixture: windows on the local server


def test_add_list_use_and_remove_a_remote(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["remotes", "add", "laptop", emulator.base_url]) == 0
    assert main(["remotes", "add", "staging", "https://app.staging.baseten.co"]) == 0
    capsys.readouterr()
    assert main(["remotes"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["baseten", "laptop", "staging"]
    assert "https://api.staging.baseten.co" in listed[2]

    monkeypatch.setenv("BASETEN_API_KEY", emulator.api_key)
    code = main(["call", "--remote", "laptop", "--model", CLASSIFIER, "-d", '{"text": "great"}'])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert records[0]["status"] == 200

    assert main(["remotes", "remove", "laptop"]) == 0
    capsys.readouterr()
    assert main(["call", "--remote", "laptop", "--model", CLASSIFIER, "-d", "{}"]) == 2
    assert "No remote named 'laptop'; known: baseten, staging" in capsys.readouterr().err


def test_a_bad_remote_is_refused_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remotes", "add", "my remote", "https://app.baseten.co"]) == 2
    assert "letters, digits" in capsys.readouterr().err
    assert main(["remotes", "add", "baseten", "https://app.baseten.co"]) == 2
    assert "built in" in capsys.readouterr().err
    assert main(["remotes", "remove", "nope"]) == 2
    assert "No added remote" in capsys.readouterr().err


def test_the_window_refuses_an_unknown_remote_before_opening(
    qapp: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--remote", "nope", "--screenshot", "never.png"]) == 2
    assert "No remote named 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            bytes(range(256)),
            "cannot be used: it is not UTF-8 text: byte 0x80 at line 2, column 118",
        ),
        (
            b"[" * 100_000,
            "cannot be used: it is not valid JSON: arrays or objects are nested too deeply",
        ),
        ("folder", "cannot be used: it is a folder, not a file"),
        ("no permission", "cannot be used: it cannot be read (Permission denied)"),
        (b'{"schema_version": 9, "remotes": "elsewhere"}', "was written by a newer Playground"),
    ],
)
def test_a_remotes_file_that_cannot_be_used_is_said_so_and_left_alone(
    qapp: object,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes | str,
    words: str,
) -> None:
    path = remotes_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if content == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"{}" if content == "no permission" else content)  # type: ignore[arg-type]
    if content == "no permission":  # chmod 000 does not stop root, whom tests may run as
        real_open = os.open

        def no_permission(name: object, *args: object, **kwargs: object) -> int:
            if Path(str(name)) == path:
                raise PermissionError(13, "Permission denied", str(name))
            return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", no_permission)
    before = sorted(path.parent.iterdir())
    for argv, prefix in (
        (["remotes"], "playground remotes: "),
        (["remotes", "add", "laptop", "http://127.0.0.1:8765"], "playground remotes: "),
        (["remotes", "remove", "laptop"], "playground remotes: "),
        (["call", "--remote", "laptop", "--model", CLASSIFIER, "-d", "{}"], "error: "),
        (["run", "Sentiment on staging", "--remote", "laptop"], "error: "),
        (["--remote", "laptop", "--screenshot", "never.png"], "playground: "),
    ):
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith(f"{prefix}{path} "), argv
        assert words in err
        assert err.endswith(".\n")
        assert err.count("\n") == 1  # one line in words, no traceback
    assert sorted(path.parent.iterdir()) == before  # nothing moved, nothing written
    if isinstance(content, bytes):
        assert path.read_bytes() == content


def test_the_window_starts_on_what_needs_no_file_and_says_why(
    make_window: Maker, emulator: EmulatorServer
) -> None:
    path = remotes_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"schema_version": 1, "remotes": [\n  {"name": "laptop",}\n]}')
    problem = (
        f"{path} cannot be used: it is not valid JSON: Expecting property name enclosed in "
        "double quotes at line 2, column 21. It is left as it is: fix it, or move it away to "
        "start again without the remotes it holds."
    )
    win = make_window(emulator)
    assert win.statusBar().currentMessage() == problem
    menus = win.findChild(RemotesMenu)
    assert isinstance(menus, RemotesMenu)
    listed = [a.text() for a in menus.menu.actions() if not a.isSeparator()]
    assert listed == [
        "baseten  (https://api.baseten.co)",
        "remotes.json cannot be used: why?",
        "&Add a remote…",
        "&Edit a remote",
        "Re&move a remote",
    ]
    assert [(a.text(), a.isEnabled()) for a in menus.edit_menu.actions()] == [
        ("baseten  (built in, read-only)", False)
    ]
    win.statusBar().clearMessage()
    menus.menu.actions()[1].trigger()
    assert win.statusBar().currentMessage() == problem
    dialog = menus.ask_to_add()
    dialog.name_edit.setText("staging")
    dialog.url_edit.setText("https://app.staging.baseten.co")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert dialog.problem.text() == problem
    dialog.reject()
    assert path.read_bytes() == b'{"schema_version": 1, "remotes": [\n  {"name": "laptop",}\n]}'
