"""`playground remotes`: add a remote once, then name it anywhere a remote is taken."""

from __future__ import annotations

import json

import pytest

from playground.cli.main import main
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER


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
