"""One set of facts about a failure, laid out for a banner, a status bar and a terminal."""

from __future__ import annotations

from playground.core.errors import ApiError, NetworkError
from playground.core.text import Failure

REQUEST_ID = "62a973d8b1b44ae9872198dabaa53f0f"


def test_an_api_error_in_each_layout() -> None:
    failure = Failure.of(
        ApiError(404, "Model nope1234 not found", REQUEST_ID, error_code="model_does_not_exist")
    )
    assert failure.banner(2048) == (
        "404 Not Found: Model nope1234 not found\n"
        f"Request id: {REQUEST_ID}\n"
        "Error code: model_does_not_exist\n"
        "Hint: Check the model id and the environment or deployment name.\n"
        "What arrived is kept (2.0 KB)."
    )
    assert failure.line() == (
        f"404: Model nope1234 not found · request id {REQUEST_ID} · "
        "Check the model id and the environment or deployment name."
    )
    assert failure.terminal() == (
        "error: 404: Model nope1234 not found\n"
        "  code: model_does_not_exist\n"
        f"  request id: {REQUEST_ID}\n"
        "  hint: Check the model id and the environment or deployment name."
    )


def test_a_failure_without_an_answer_says_what_happened() -> None:
    failure = Failure.of(NetworkError("Connection refused", "Is the server running?"))
    assert failure.banner() == "No answer: Connection refused\nHint: Is the server running?"
    assert failure.line() == "Connection refused · Is the server running?"
    assert failure.terminal() == "error: Connection refused\n  hint: Is the server running?"
