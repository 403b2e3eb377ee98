"""`playground remotes add NAME --truss [URL]` and compare's per-column remotes, in words (no
Truss server needed: tests/integration/test_truss_server.py drives a real one)."""

from __future__ import annotations

import pytest

from playground.cli.main import main
from playground.emulator import EmulatorServer
from playground.emulator.demo import CLASSIFIER
from tests.integration.helpers import run


def test_a_truss_remote_is_added_with_the_default_url_and_listed_with_its_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["remotes", "add", "truss-local", "--truss"]) == 0
    out, _ = capsys.readouterr()
    assert out == "added truss-local: a Truss server at http://localhost:8080 (no key)\n"
    assert main(["remotes", "list"]) == 0
    out, _ = capsys.readouterr()
    assert "truss-local\thttp://localhost:8080\thttp://localhost:8080\ttruss" in out.splitlines()
    for argv, said in (
        (["truss-2"], "give the remote's URL, or --truss URL (not both)"),
        (["truss-2", "http://127.0.0.1:1", "--truss"], "(not both)"),
        (["truss 2", "--truss"], "letters, digits, - and _"),
        (["truss-2", "--truss", "ftp://x"], "is not http:// or https://"),
    ):
        assert main(["remotes", "add", *argv]) == 2
        _, err = capsys.readouterr()
        assert said in err


def test_compare_refuses_a_column_remote_it_cannot_use(
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", emulator.api_key)
    base = ["compare", "--model", CLASSIFIER, "--env", "production", "--env", "staging"]
    base += ["-d", "{}", "--base-url", emulator.base_url]
    for extra, said in (
        (["--column-remote", "3:baseten"], "there is no column 3 (1 to 2)"),
        (["--column-remote", "1:"], "names no remote"),
        (["--column-remote", "2:nowhere"], "No remote named 'nowhere'"),
        (["--truss", "nowhere"], "No remote named 'nowhere'"),
    ):
        code, _, err = run(capsys, *base, *extra)
        assert code == 2, err
        assert said in err


def test_a_column_on_another_remote_goes_there_with_that_remote_s_client(
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BASETEN_API_KEY", emulator.api_key)
    assert main(["remotes", "add", "laptop", emulator.base_url]) == 0
    capsys.readouterr()
    # Column 1 on --remote (an unreachable one: port 9 refuses), column 2 on laptop.
    code, lines, _ = run(
        capsys,
        "compare",
        "--model",
        CLASSIFIER,
        "--env",
        "production",
        "--env",
        "staging",
        "-d",
        '{"text": "great work"}',
        "--base-url",
        "http://127.0.0.1:9",
        "--column-remote",
        "2:laptop",
        "--retries",
        "0",
    )
    columns = {c["column"]: c for c in lines if c["event"] == "column"}
    assert columns[1]["outcome"] == "failed"
    assert columns[1]["label"] == f"1. {CLASSIFIER} · production"
    assert (columns[2]["outcome"], columns[2]["status"]) == ("ok", 200)
    assert columns[2]["label"] == f"2. laptop · {CLASSIFIER} · environment staging"
    assert columns[2]["request_id"]
    assert code == 3  # the first failure's: the network
