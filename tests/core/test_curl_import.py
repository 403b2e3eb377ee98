"""Import from curl: our own export round-trips, commands in the shapes of Baseten's docs map back
to their target, and a key in a command is dropped and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.core.remote.remotes import Remote, Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.codegen import to_curl
from playground.core.request.curl_import import KEY_DROPPED, CurlImportError, parse_curl
from playground.core.request.shellwords import shell_words
from playground.core.request.spec import RequestSpec

BASETEN = Remote.baseten()
LOCAL = Remote.local("http://127.0.0.1:8123")
REMOTES = [BASETEN, LOCAL]
SECRET = "abcd1234.Efgh5678secret"
ABC = Target("abcd1234")

EVERY_MODE = [
    RequestSpec("predict", ABC, {"prompt": "it's", "n": [1, 2.5, None, True]}),
    RequestSpec("predict", Target("abcd1234", "environment", "staging"), {"a": 1}),
    RequestSpec("predict", Target("abcd1234", "development"), [1, "two"]),
    RequestSpec("predict", Target("abcd1234", "deployment", "qvvndvx"), "text"),
    RequestSpec("predict", Target("abcd1234", "regional", "prod-us"), {"a": 1}),
    RequestSpec("predict", Target("ch41n", is_chain=True), {"q": "?"}),
    RequestSpec("predict", ABC, None),
    RequestSpec("predict", ABC, {"prompt": "story", "stream": True}, headers={"X-Trace": "a b"}),
    RequestSpec(
        "async",
        ABC,
        {"prompt": "hi"},
        async_options=AsyncOptions(
            webhook_endpoint="https://example.com/hook",
            priority=2,
            max_time_in_queue_seconds=600,
            max_attempts=3,
            initial_delay_ms=100,
            max_delay_ms=5000,
        ),
    ),
    RequestSpec("async", Target("abcd1234", "development"), {"prompt": "hi"}),
    RequestSpec("route", ABC, None, "GET", "/health"),
    RequestSpec("route", ABC, {"name": "x"}, "POST", "/items"),
    RequestSpec("route", ABC, {"name": "y"}, "PUT", "/items/1"),
    RequestSpec("route", ABC, {"name": "z"}, "PATCH", "/items/1"),
    RequestSpec("route", ABC, None, "DELETE", "/items/1?force=true"),
    RequestSpec(
        "chat",
        Target("abcd1234", "environment", "staging"),
        {
            "model": "demo-llm",
            "messages": [{"role": "user", "content": "Zürich, it's 🌧"}],
            "stream": True,
        },
    ),
    RequestSpec(
        "chat",
        None,
        {"model": "org/slug", "messages": [], "temperature": 0.5},
        model_api="org/slug",
    ),
]


@pytest.mark.parametrize("remote", REMOTES, ids=["baseten", "local"])
@pytest.mark.parametrize("spec", EVERY_MODE, ids=lambda s: s.description)
def test_our_own_curl_round_trips(spec: RequestSpec, remote: Remote) -> None:
    imported = parse_curl(to_curl(spec, remote), REMOTES)
    assert imported.spec == spec
    assert imported.remote == remote
    assert imported.notices == ()


# --- commands in the shapes of Baseten's docs ----------------------------------------------------


def test_docs_predict_with_the_key_from_the_environment() -> None:
    imported = parse_curl(
        "curl -X POST https://model-abcd1234.api.baseten.co/environments/production/predict \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        '  -d \'{"prompt": "Hello, world!"}\'',
        REMOTES,
    )
    target = Target("abcd1234", "environment", "production")
    assert imported.spec == RequestSpec("predict", target, {"prompt": "Hello, world!"})
    assert imported.remote == BASETEN
    assert imported.notices == ()
    assert imported.summary == "Predict on model abcd1234 · environment production (baseten)"


def test_docs_async_reference_shape_drops_a_pasted_key() -> None:
    imported = parse_curl(
        "curl --request POST \\\n"
        "  --url https://model-abcd1234.api.baseten.co/environments/staging/async_predict \\\n"
        f"  --header 'Authorization: Api-Key {SECRET}' \\\n"
        "  --header 'Content-Type: application/json' \\\n"
        "  --data '{\n"
        '  "model_input": {"prompt": "hello world!"},\n'
        '  "webhook_endpoint": "https://example.com/hook",\n'
        '  "priority": 1,\n'
        '  "max_time_in_queue_seconds": 600,\n'
        '  "inference_retry_config": {"max_attempts": 3, "initial_delay_ms": 1000}\n'
        "}'",
        REMOTES,
    )
    assert imported.spec.mode == "async"
    assert imported.spec.body == {"prompt": "hello world!"}
    assert imported.spec.async_options == AsyncOptions(
        webhook_endpoint="https://example.com/hook",
        priority=1,
        max_time_in_queue_seconds=600,
        max_attempts=3,
        initial_delay_ms=1000,
    )
    assert imported.notices == (KEY_DROPPED,)
    assert SECRET not in repr(imported)


def test_docs_streaming_example_on_the_old_url() -> None:
    imported = parse_curl(
        "curl -X POST https://app.baseten.co/models/abcd1234/predict \\\n"
        "  -H 'Authorization: Api-Key YOUR_API_KEY' \\\n"
        '  -d \'{"prompt": "What is the Mistral wind?", "stream": true}\' \\\n'
        "  --no-buffer",
        REMOTES,
    )
    assert imported.spec == RequestSpec(
        "predict", ABC, {"prompt": "What is the Mistral wind?", "stream": True}
    )
    assert imported.notices == ("That is an old-style app.baseten.co URL; imported as production.",)


def test_docs_model_apis_chat() -> None:
    imported = parse_curl(
        "curl https://inference.baseten.co/v1/chat/completions \\\n"
        '  -H "Content-Type: application/json" \\\n'
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        "  -d '{\n"
        '    "model": "deepseek-ai/DeepSeek-V3.1",\n'
        '    "messages": [{"role": "user", "content": "Hello"}],\n'
        '    "stream": true\n'
        "  }'",
        REMOTES,
    )
    assert imported.spec.mode == "chat"
    assert imported.spec.target is None
    assert imported.spec.model_api == "deepseek-ai/DeepSeek-V3.1"
    assert imported.summary == "OpenAI chat on Model API deepseek-ai/DeepSeek-V3.1 (baseten)"


def test_docs_custom_server_health_and_openai_route() -> None:
    health = parse_curl(
        "curl https://model-abcd1234.api.baseten.co/environments/production/sync/health "
        '-H "Authorization: Api-Key $BASETEN_API_KEY"',
        REMOTES,
    )
    target = Target("abcd1234", "environment", "production")
    assert health.spec == RequestSpec("route", target, None, "GET", "/health")
    chat = parse_curl(
        "curl -s https://model-abcd1234.api.baseten.co/production/sync/v1/chat/completions "
        '-H "Authorization: Bearer $BASETEN_API_KEY" '
        '--json \'{"model": "served", "messages": []}\'',
        REMOTES,
    )
    assert chat.spec == RequestSpec("chat", ABC, {"model": "served", "messages": []})


def test_regional_chain_and_local_urls() -> None:
    regional = parse_curl(
        "curl -X POST https://model-abcd1234-prod-eu.api.baseten.co/async_predict "
        "-d '{\"model_input\": {}}'",
        REMOTES,
    )
    assert regional.spec.target == Target("abcd1234", "regional", "prod-eu")
    assert regional.spec.mode == "async"
    chain = parse_curl(
        "curl -X POST https://chain-ch41n.api.baseten.co/deployment/qq1/run_remote -d '{}'",
        REMOTES,
    )
    assert chain.spec.target == Target("ch41n", "deployment", "qq1", is_chain=True)
    local = parse_curl(
        "curl -d 1 http://127.0.0.1:8123/model-abcd1234/development/predict", REMOTES
    )
    assert local.remote == LOCAL
    assert local.spec == RequestSpec("predict", Target("abcd1234", "development"), 1)


def test_browser_copy_as_curl_with_ansi_c_quoting() -> None:
    imported = parse_curl(
        "curl 'https://model-abcd1234.api.baseten.co/production/predict' \\\n"
        f"  -H 'authorization: Api-Key {SECRET}' \\\n"
        "  -H 'content-type: application/json' \\\n"
        "  -H 'x-trace: 42' \\\n"
        '  --data-raw $\'{"text":"it\\\'s\\\\u00e9\\\\n"}\' \\\n'
        "  --compressed",
        REMOTES,
    )
    assert imported.spec.body == {"text": "it'sé\n"}
    assert imported.spec.headers == {"x-trace": "42"}
    assert imported.notices == (KEY_DROPPED,)


def test_short_flags_combined_and_attached_values_and_a_pipe() -> None:
    imported = parse_curl(
        "$ curl -sSL -XPUT -H'X-A: 1' "
        "https://model-abcd1234.api.baseten.co/production/sync/items/1 -d '{}' | jq .",
        REMOTES,
    )
    assert imported.spec == RequestSpec("route", ABC, {}, "PUT", "/items/1", headers={"X-A": "1"})
    assert imported.notices == ("Everything from the '|' on was ignored.",)


def test_body_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text('{"prompt": "from a file"}\n', encoding="utf-8")
    command = "curl -d @body.json https://model-abcd1234.api.baseten.co/production/predict"
    imported = parse_curl(command, REMOTES, cwd=tmp_path)
    assert imported.spec.body == {"prompt": "from a file"}
    with pytest.raises(CurlImportError, match=r"comes from the file nope.json, which is not there"):
        parse_curl(command.replace("body.json", "nope.json"), REMOTES, cwd=tmp_path)


def test_a_key_anywhere_is_dropped_and_never_shown() -> None:
    url = "https://model-abcd1234.api.baseten.co/production/predict"
    commands = [
        f"curl {url} -H 'Api-Key: {SECRET}' -d 1",
        f"curl {url} -H 'X-Api-Key: {SECRET}' -d 1",
        f"curl -u 'me:{SECRET}' {url} -d 1",
        f"curl https://me:{SECRET}@model-abcd1234.api.baseten.co/production/predict -d 1",
        f"BASETEN_API_KEY={SECRET} curl {url} -d 1",
        f"curl {url} -H 'Authorization: Bearer {SECRET}' -H 'Cookie: s={SECRET}' -d 1",
        f"curl {url} --api-key={SECRET} -U me:{SECRET} -d 1",
    ]
    for command in commands:
        imported = parse_curl(command, REMOTES)
        assert SECRET not in repr(imported), command
        assert imported.spec.headers == {}
        assert imported.spec.body == 1
        assert imported.notices, command


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "This is not a curl command: it should start with curl."),
        (SECRET, "This is not a curl command: it should start with curl."),
        ("wget https://model-abcd1234.api.baseten.co/production/predict", "not a curl command"),
        ("curl -s", "The command has no URL."),
        ("curl 'https://model-abcd1234.api.baseten.co/production/predict", "single quote"),
        (
            "curl https://example.com/predict",
            "The URL https://example.com/predict is on none of the known remotes: "
            "baseten (https://api.baseten.co), local (http://127.0.0.1:8123).",
        ),
        (
            "curl https://model-abcd1234.api.baseten.co/staging/predict",
            "The path /staging/predict is not one of Baseten's",
        ),
        (
            "curl https://model-abcd1234-eu.api.baseten.co/production/predict",
            "Regional hosts take bare paths",
        ),
        (
            "curl -d '{\n  \"a\":\n}' https://model-abcd1234.api.baseten.co/production/predict",
            "The body is not JSON: Expecting value at line 3, column 1.",
        ),
        ("curl https://api.baseten.co/v1/models", "That is a management API URL"),
        (
            "curl -X POST https://model-abcd1234.api.baseten.co/production/wake",
            "That URL ends in a wake call",
        ),
        (
            "curl https://model-abcd1234.api.baseten.co/async_request/r1",
            "async request's status or cancel URL",
        ),
        ("curl https://chain-ch41n.api.baseten.co/production/predict -d 1", "run_remote"),
        (
            "curl -F a=@x https://model-abcd1234.api.baseten.co/production/predict",
            "Multipart forms",
        ),
        ("curl https://inference.baseten.co/v1/models", "Only chat/completions"),
        ("curl https://inference.baseten.co/v1/chat/completions -d '{}'", "model slug"),
        (
            "curl -d '{\"x\": 1}' https://model-abcd1234.api.baseten.co/production/async_predict",
            "needs its model_input",
        ),
        ("curl -d @- https://model-abcd1234.api.baseten.co/production/predict", "standard input"),
        ("curl https://a.example https://b.example", "2 URLs"),
    ],
)
def test_errors_in_words(command: str, message: str) -> None:
    with pytest.raises(CurlImportError) as caught:
        parse_curl(command, REMOTES)
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_harmless_notices() -> None:
    imported = parse_curl(
        "curl -X GET -H 'Accept: text/event-stream' --frobnicate "
        "https://model-abcd1234.api.baseten.co/production/predict?x=1",
        REMOTES,
    )
    assert imported.spec == RequestSpec("predict", ABC, None)
    assert imported.notices == (
        "The option --frobnicate was ignored.",
        "The query string was not kept: Baseten's inference URLs take none.",
        "Baseten's predict takes POST, not GET; imported as POST.",
    )


def test_shell_words_follow_bash() -> None:
    text = "curl a\\ b 'c''d' \"e \\\"f\\\" $HOME\" \\\n  g#h # a comment\n  $'i\\tj\\x41' ${X}"
    assert shell_words(text) == (["curl", "a b", "cd", 'e "f" $HOME', "g#h", "i\tjA", "${X}"], "")
