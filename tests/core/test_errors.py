"""Every documented error-body shape yields Baseten's own message."""

from __future__ import annotations

import json

import pytest

from playground.core.errors import ApiError, parse_error_body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": "please check the api-key you provided"},
            "please check the api-key you provided",
        ),
        (
            {"error": "Model not found", "error_code": "model_does_not_exist", "detail": "x"},
            "Model not found",
        ),
        (
            {"error": {"exception_cls_name": "ValueError", "exception_message": "bad input"}},
            "ValueError: bad input",
        ),
        (
            {"error": {"message": "Validation: name cannot be empty", "type": "Bad Request"}},
            "Validation: name cannot be empty",
        ),
        ({"message": "no multimodal", "type": "Bad Request", "code": 400}, "no multimodal"),
        ({"detail": "Not Found"}, "Not Found"),
    ],
)
def test_error_shapes(body: dict[str, object], message: str) -> None:
    assert parse_error_body(json.dumps(body).encode()).message == message


def test_non_json_error_is_kept_as_text() -> None:
    assert (
        parse_error_body(b"<html>502 Bad Gateway</html>").message == "<html>502 Bad Gateway</html>"
    )


def test_api_error_has_a_hint() -> None:
    err = ApiError(504, "Request timed out", "abc")
    assert "async" in err.hint
    assert str(err) == "504: Request timed out"
