"""The app's request model: URLs per mode, the wire body, and the file form without defaults."""

from __future__ import annotations

import pytest

from playground.core import Remote, Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.spec import (
    Column,
    RequestSpec,
    headers_text,
    parse_headers,
    target_from_dict,
    target_to_dict,
)

BASETEN = Remote.baseten()


@pytest.mark.parametrize(
    ("target", "form"),
    [
        (Target("abc"), {"model": "abc"}),
        (Target("abc", "environment", "staging"), {"model": "abc", "environment": "staging"}),
        (Target("abc", "development"), {"model": "abc", "development": True}),
        (Target("abc", "deployment", "d1"), {"model": "abc", "deployment": "d1"}),
        (Target("abc", "regional", "prod"), {"model": "abc", "regional": "prod"}),
        (Target("ch", is_chain=True), {"chain": "ch"}),
    ],
)
def test_target_round_trips_in_the_command_lines_words(target: Target, form: dict) -> None:
    assert target_to_dict(target) == form
    assert target_from_dict(form) == target


def test_environment_production_is_production() -> None:
    assert target_from_dict({"model": "abc", "environment": "production"}) == Target("abc")


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({}, "needs a model"),
        ({"model": ""}, "needs a model"),
        ({"model": "a", "environment": "x", "deployment": "y"}, "has one of"),
        ({"model": "a", "deployment": ""}, "non-empty"),
        ([], "must be an object"),
    ],
)
def test_bad_targets_say_what_is_wrong(form: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        target_from_dict(form)  # type: ignore[arg-type]


def test_urls_per_mode() -> None:
    target = Target("abc", "environment", "staging")
    assert RequestSpec("predict", target).url(BASETEN) == (
        "https://model-abc.api.baseten.co/environments/staging/predict"
    )
    assert RequestSpec("async", target).url(BASETEN) == (
        "https://model-abc.api.baseten.co/environments/staging/async_predict"
    )
    assert RequestSpec("route", target, method="GET", route="/health").url(BASETEN) == (
        "https://model-abc.api.baseten.co/environments/staging/sync/health"
    )
    assert RequestSpec("chat", target).url(BASETEN) == (
        "https://model-abc.api.baseten.co/environments/staging/sync/v1/chat/completions"
    )
    assert RequestSpec("chat", None, model_api="deepseek-ai/DeepSeek-V3").url(BASETEN) == (
        "https://inference.baseten.co/v1/chat/completions"
    )
    assert RequestSpec("predict", Target("ch", is_chain=True)).url(BASETEN) == (
        "https://chain-ch.api.baseten.co/production/run_remote"
    )


def test_wire_body() -> None:
    target = Target("abc")
    options = AsyncOptions(priority=0, max_attempts=3)
    assert RequestSpec("async", target, {"x": 1}, async_options=options).wire_body() == {
        "model_input": {"x": 1},
        "priority": 0,
        "inference_retry_config": {"max_attempts": 3},
    }
    assert RequestSpec("route", target, {"x": 1}, method="GET", route="h").wire_body() is None
    chat = RequestSpec("chat", None, {"model": "old", "messages": []}, model_api="slug")
    assert chat.wire_body() == {"model": "slug", "messages": []}


def test_secret_headers_never_stay() -> None:
    spec = RequestSpec(
        "predict",
        Target("abc"),
        headers={"Authorization": "Api-Key s3cret", "api-key": "k", "X-Trace": "1"},
    )
    assert dict(spec.headers) == {"X-Trace": "1"}
    assert "s3cret" not in repr(spec.to_dict())


def test_file_form_has_no_defaults_and_round_trips() -> None:
    spec = RequestSpec("predict", Target("abc"), {"prompt": "hi"})
    assert spec.to_dict() == {
        "mode": "predict",
        "target": {"model": "abc"},
        "body": {"prompt": "hi"},
    }
    full = RequestSpec(
        "async",
        Target("abc", "deployment", "d1"),
        [1, 2],
        async_options=AsyncOptions(webhook_endpoint="https://hook.example/x", priority=2),
        headers={"X-Trace": "1"},
    )
    assert list(full.to_dict()) == ["mode", "target", "async_options", "headers", "body"]
    assert RequestSpec.from_dict(full.to_dict()) == full
    route = RequestSpec("route", Target("abc"), None, method="DELETE", route="/items/1")
    assert RequestSpec.from_dict(route.to_dict()) == route


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"mode": "fax", "target": {"model": "a"}}, "unknown mode"),
        ({"mode": "predict"}, "needs a target"),
        ({"mode": "route", "target": {"model": "a"}}, "needs a route"),
        ({"mode": "route", "target": {"model": "a"}, "route": "x", "method": "BREW"}, "method"),
        ({"mode": "async", "target": {"model": "a"}, "async_options": {"nope": 1}}, "nope"),
        ({"mode": "predict", "target": {"model": "a"}, "headers": {"x": 1}}, "strings"),
    ],
)
def test_bad_requests_say_what_is_wrong(form: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        RequestSpec.from_dict(form)


def test_a_column_sends_the_request_to_its_target_with_overrides() -> None:
    spec = RequestSpec("chat", Target("abc"), {"model": "m", "messages": []})
    column = Column(None, model_api="demo-chat", overrides={"temperature": 0})
    sent = column.apply(spec)
    assert sent.url(BASETEN) == "https://inference.baseten.co/v1/chat/completions"
    assert sent.wire_body() == {"model": "demo-chat", "messages": [], "temperature": 0}
    assert Column.from_dict(column.to_dict()) == column
    staging = Column(Target("abc", "environment", "staging"))
    assert (
        staging.apply(spec).url(BASETEN).endswith("/environments/staging/sync/v1/chat/completions")
    )
    with pytest.raises(ValueError, match="target or a Model API"):
        Column(None)


def test_headers_are_typed_one_per_line() -> None:
    text = "X-Trace: 1\n\n  X-Baseten-Priority :  high \nAccept: text/event-stream"
    headers = parse_headers(text)
    assert headers == {"X-Trace": "1", "X-Baseten-Priority": "high", "Accept": "text/event-stream"}
    assert parse_headers(headers_text(headers)) == headers
    with pytest.raises(ValueError, match="line 2 is not `Name: value`"):
        parse_headers("X-Ok: 1\nno colon here")
    with pytest.raises(ValueError, match="line 1: Authorization is never typed here"):
        parse_headers("Authorization: Api-Key abc")


def test_a_chat_on_a_model_api_keeps_its_api_in_the_url_the_body_and_the_file() -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "stream": True}
    spec = RequestSpec("chat", None, body, model_api="demo/chat", api="responses")
    assert spec.url(BASETEN) == "https://inference.baseten.co/v1/responses"
    assert spec.wire_body() == {
        "model": "demo/chat",
        "input": [{"role": "user", "content": "hi"}],
        "stream": True,
    }
    assert spec.chat_body() == {"model": "demo/chat", **body}  # what client.chat(api=…) takes
    assert spec.to_dict() == {
        "mode": "chat",
        "model_api": "demo/chat",
        "api": "responses",
        "body": body,
    }
    assert RequestSpec.from_dict(spec.to_dict()) == spec
    assert "api" not in RequestSpec("chat", None, body, model_api="demo/chat").to_dict()
    with pytest.raises(ValueError, match="Model APIs only"):
        RequestSpec("chat", Target("abc"), body, api="messages")  # a deployment: chat only
    with pytest.raises(ValueError, match="unknown API 'completions'"):
        RequestSpec.from_dict(
            {"mode": "chat", "model_api": "x", "api": "completions", "body": body}
        )
