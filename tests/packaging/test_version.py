"""One version, from the package metadata: `playground --version` and the About box say it."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

import playground
from playground.cli.main import main
from playground.core.remote.remotes import Remote
from playground.ui.main_window import MainWindow
from tests.packaging.helpers import project_version


def test_version_is_the_installed_distributions() -> None:
    assert playground.__version__ == version("baseten-playground") == project_version()


def test_version_flag_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"playground {project_version()}\n"


def test_about_box_shows_it(qtbot: QtBot) -> None:
    window = MainWindow(Remote.local("http://127.0.0.1:9", name="local"), settings=None)
    qtbot.addWidget(window)
    window.menus.show_about()
    boxes = window.findChildren(QMessageBox)
    assert len(boxes) == 1
    assert f"Playground {project_version()}" in boxes[0].text()
    boxes[0].close()
