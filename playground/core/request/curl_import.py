"""Import from curl: a pasted command (Baseten's docs, our own export) back into a request; any
API key it carried is dropped, never kept or shown."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from playground.core.jsontext import InvalidJson, parse_json
from playground.core.remote.remotes import Remote, Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.shellwords import ShellSyntaxError, shell_words
from playground.core.request.spec import METHODS, RequestSpec
from playground.core.secrets import REDACTOR, Redactor, is_secret_header

KEY_DROPPED = "The command carried an API key; it was not kept (the window uses its own key)."
DATA_OPTIONS = frozenset(
    {"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json"}
)
VALUE_OPTIONS = frozenset(
    {
        "-X", "--request", "-H", "--header", "--url", "-u", "--user", "-b", "--cookie",
        "--oauth2-bearer", "-A", "--user-agent", "-e", "--referer", "-o", "--output", "-m",
        "--max-time", "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time",
        "-w", "--write-out", "--cacert", "--capath", "-E", "--cert", "--key", "-x", "--proxy",
        "--resolve", "--connect-to", "--limit-rate", "-c", "--cookie-jar", "--max-redirs",
        "--keepalive-time", "--expect100-timeout", "-y", "--speed-time", "-Y", "--speed-limit",
        "--trace", "--trace-ascii", "--stderr", "-D", "--dump-header", "-U", "--proxy-user",
    }
)  # fmt: skip
FLAGS = frozenset(
    {
        "-s", "--silent", "-S", "--show-error", "-N", "--no-buffer", "-L", "--location",
        "--compressed", "-v", "--verbose", "-i", "--include", "-k", "--insecure", "-f",
        "--fail", "--fail-with-body", "-g", "--globoff", "--http1.1", "--http2", "--http2-prior-knowledge",
        "-#", "--progress-bar", "-q", "--disable", "--no-progress-meter", "--raw", "-0", "--http1.0",
        "--tr-encoding", "--tcp-nodelay", "--path-as-is", "--no-keepalive", "-4", "-6", "--ipv4", "--ipv6",
    }
)  # fmt: skip
REFUSED = {
    "-F": "multipart forms (-F) are not supported; the window sends JSON",
    "--form": "multipart forms (--form) are not supported; the window sends JSON",
    "-T": "uploading a file (-T) is not supported; the window sends JSON",
    "--upload-file": "uploading a file (--upload-file) is not supported; the window sends JSON",
    "-G": "-G sends the data in the query string; Baseten takes it as a JSON body",
    "--get": "--get sends the data in the query string; Baseten takes it as a JSON body",
    "-I": "-I sends HEAD, which no Baseten endpoint answers",
    "--head": "--head sends HEAD, which no Baseten endpoint answers",
    "-K": "options from a config file (-K) cannot be read here",
    "--config": "options from a config file (--config) cannot be read here",
}
ENDPOINT_MODES = {
    "predict": "predict",
    "run_remote": "predict",
    "async_predict": "async",
    "async_run_remote": "async",
}
_HOST = re.compile(r"(?P<kind>model|chain)-(?P<id>[A-Za-z0-9]+)(?:-(?P<env>[A-Za-z0-9._-]+))?")
_PLACEHOLDER = re.compile(r"\$|^<.*>$|^[A-Z0-9_]+$")


class CurlImportError(ValueError):
    """A command that cannot be imported; the message says why, in words (never with a key)."""


@dataclass(frozen=True)
class ImportedRequest:
    """A pasted command as a request: the remote its URL is on, and what a person should know."""

    spec: RequestSpec
    remote: Remote
    notices: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """What this is, in one line: `Predict on model abc · staging (baseten)`."""
        return f"{self.spec.description} ({self.remote.name})"


@dataclass
class _Command:
    method: str = ""
    url: str = ""
    headers: dict[str, str] | None = None
    data: list[str] | None = None


def parse_curl(text: str, remotes: Sequence[Remote], *, cwd: Path | None = None) -> ImportedRequest:
    """The request a curl command makes, on the first of `remotes` its URL belongs to.

    Raises CurlImportError, in words, for anything else: not curl, an unknown URL shape, a body
    that is not JSON (with its line and column). Neither its words nor the notices ever quote a
    key: the ones in use, nor one the command carried (in a URL's path, say).
    """
    redactor = Redactor([*REDACTOR.keys, *_credentials(text)])
    try:
        imported = _parse(text, remotes, cwd)
    except CurlImportError as exc:
        raise CurlImportError(redactor.text(str(exc))) from None
    return replace(imported, notices=tuple(redactor.text(n) for n in imported.notices))


def _credentials(text: str) -> list[str]:
    """The secrets a command carries: in a secret header, `-u user:password`, a bearer token."""
    try:
        words, _ = shell_words(text)
    except ShellSyntaxError:
        return []
    found = []
    for option, value in itertools.pairwise(words):
        if option in ("-H", "--header"):
            name, _, content = value.partition(":")
            if is_secret_header(name):
                found += content.split()[-1:]
        elif option in ("-u", "--user"):
            found.append(value.partition(":")[2])
        elif option == "--oauth2-bearer":
            found.append(value)
    return [secret for secret in found if not _PLACEHOLDER.search(secret)]


def _parse(text: str, remotes: Sequence[Remote], cwd: Path | None) -> ImportedRequest:
    notices: list[str] = []
    try:
        words, rest = shell_words(text)
    except ShellSyntaxError as exc:
        raise CurlImportError(f"The command cannot be read: {exc}.") from None
    if rest:
        notices.append(f"Everything from the {rest[0]!r} on was ignored.")
    command = _read_options(_after_prompt(words, notices), notices, cwd or Path.cwd())
    remote, target, endpoint, query = _match_url(command.url, remotes, notices)
    headers = _keep_headers(command.headers or {}, notices)
    body = _json_body(command.data)
    method = command.method or ("POST" if command.data is not None else "GET")
    spec = _build(target, endpoint, query, method, body, headers, notices)
    return ImportedRequest(spec, remote, tuple(dict.fromkeys(notices)))


# --- the command line ----------------------------------------------------------------------------


def _after_prompt(words: list[str], notices: list[str]) -> list[str]:
    """The words from `curl` on, past a `$ ` prompt and `NAME=value` assignments (not kept)."""
    index = 0
    while index < len(words) and (words[index] == "$" or re.match(r"^\w+=", words[index])):
        if words[index] != "$":
            name = words[index].partition("=")[0]
            notices.append(f"The command set {name}; its value was not kept.")
        index += 1
    if index >= len(words) or words[index].rsplit("/", 1)[-1] != "curl":
        # Never quote what was pasted: it may be a key.
        raise CurlImportError("This is not a curl command: it should start with curl.")
    return words[index + 1 :]


def _split_short(word: str) -> list[str]:
    """`-sSL` → `-s -S -L`; `-XPOST` → `-X POST`; `-H'a: b'` → `-H 'a: b'`."""
    out: list[str] = []
    for index, letter in enumerate(word[1:], start=1):
        option = "-" + letter
        if option in VALUE_OPTIONS or option in DATA_OPTIONS:
            out.append(option)
            if word[index + 1 :]:
                out.append(word[index + 1 :])
            return out
        out.append(option)
    return out


def _read_options(words: list[str], notices: list[str], cwd: Path) -> _Command:
    command = _Command()
    urls: list[str] = []
    queue = list(words)
    while queue:
        word = queue.pop(0)
        if word.startswith("-") and not word.startswith("--") and len(word) > 2:
            queue[:0] = _split_short(word)
            continue
        if word in REFUSED:
            raise CurlImportError(REFUSED[word][0].upper() + REFUSED[word][1:] + ".")
        if word in FLAGS:
            continue
        if word in VALUE_OPTIONS or word in DATA_OPTIONS:
            if not queue:
                raise CurlImportError(f"{word} needs a value after it.")
            _take(command, word, queue.pop(0), urls, notices, cwd)
        elif word.startswith("-") and word != "-":
            # Only the name: `--opt=value` may carry a credential.
            notices.append(f"The option {word.partition('=')[0][:40]} was ignored.")
        else:
            urls.append(word)
    if not urls:
        raise CurlImportError("The command has no URL.")
    if len(urls) > 1:
        raise CurlImportError(f"The command has {len(urls)} URLs; import one at a time.")
    command.url = urls[0]
    return command


def _take(
    command: _Command, option: str, value: str, urls: list[str], notices: list[str], cwd: Path
) -> None:
    if option in ("-X", "--request"):
        command.method = value.upper()
    elif option == "--url":
        urls.append(value)
    elif option in ("-H", "--header"):
        name, colon, content = value.partition(":")
        if colon and name.strip():
            command.headers = {**(command.headers or {}), name.strip(): content.strip()}
        elif not value.rstrip().endswith(";"):
            notices.append("A header without a colon was ignored.")
    elif option in DATA_OPTIONS:
        if option == "--json":
            command.method = command.method or "POST"
        if value.startswith("@") and option != "--data-raw":
            value = _read_file(value[1:], cwd)
        command.data = [*(command.data or []), value]
    elif option in ("-u", "--user", "--oauth2-bearer"):
        if KEY_DROPPED not in notices:
            notices.append(KEY_DROPPED)
    elif option in ("-b", "--cookie"):
        notices.append("The command's cookies were not kept.")


def _read_file(name: str, cwd: Path) -> str:
    if name == "-":
        raise CurlImportError(
            "The body comes from standard input (@-); paste the JSON into the command instead."
        )
    path = (cwd / Path(name).expanduser()).resolve()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CurlImportError(
            f"The body comes from the file {name}, which is not there (looked for {path})."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CurlImportError(f"The body file {name} cannot be read: {exc}.") from None


def _keep_headers(headers: dict[str, str], notices: list[str]) -> dict[str, str]:
    """The headers worth keeping: never a secret, nor what the client sets itself."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if is_secret_header(lower, value):
            scheme, _, credential = value.partition(" ")
            if not _PLACEHOLDER.search(credential or scheme) and KEY_DROPPED not in notices:
                notices.append(KEY_DROPPED)
        elif lower == "content-type" and "json" not in value.lower():
            notices.append(f"Content-Type {value} was not kept: the window sends JSON.")
        elif lower not in ("content-type", "accept", "user-agent", "content-length"):
            kept[name] = value
    return kept


def _json_body(data: list[str] | None) -> Any:
    if data is None:
        return None
    text = "&".join(data)  # as curl joins several -d
    if not text.strip():
        return None
    try:
        return parse_json(text)
    except InvalidJson as exc:
        raise CurlImportError(f"The body is not JSON: {exc}.") from None


# --- the URL -------------------------------------------------------------------------------------

_Endpoint = tuple[str, ...]


def _normalise(url: str) -> str:
    if "://" not in url:
        url = "https://" + url  # curl would assume http; Baseten only speaks https
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]  # user:password@ is a credential, never kept
    return urlunsplit((parts.scheme.lower(), host.lower(), parts.path, parts.query, ""))


def _match_url(
    url: str, remotes: Sequence[Remote], notices: list[str]
) -> tuple[Remote, Target | None, _Endpoint, str]:
    """The remote, target (None for Model APIs), endpoint path segments and query of `url`."""
    full = _normalise(url)
    if "@" in urlsplit(url if "://" in url else "https://" + url).netloc:
        notices.append(KEY_DROPPED)
    address, _, query = full.partition("?")
    for remote in remotes:
        apis = remote.model_apis_url().lower() + "/"
        if address.startswith(apis):
            return remote, None, tuple(address[len(apis) :].strip("/").split("/")), query
        if address.startswith(remote.management.lower().rstrip("/") + "/"):
            raise CurlImportError(
                "That is a management API URL; only inference calls (predict, async, routes, "
                "chat) can be imported."
            )
        split = _split_host(address, remote)
        if split is not None and (found := _HOST.fullmatch(split[0])):
            target, endpoint = _target(found, tuple(p for p in split[1].split("/") if p))
            return remote, target, endpoint, query
        legacy = _legacy(address, remote)
        if legacy is not None:
            notices.append("That is an old-style app.baseten.co URL; imported as production.")
            return remote, Target(legacy), ("predict",), query
    known = ", ".join(f"{r.name} ({r.label})" for r in remotes)
    raise CurlImportError(f"The URL {address} is on none of the known remotes: {known}.")


def _split_host(address: str, remote: Remote) -> tuple[str, str] | None:
    """The `{host}` of `remote.inference` in `address`, and the path after it."""
    prefix, _, suffix = remote.inference.lower().partition("{host}")
    if not address.startswith(prefix):
        return None
    rest = address[len(prefix) :]
    end = rest.find(suffix) if suffix else len(rest.split("/", 1)[0])
    if end < 0 or "/" in rest[:end]:
        return None
    path = rest[end + len(suffix) :]
    return (rest[:end], path) if not path or path.startswith("/") else None


def _legacy(address: str, remote: Remote) -> str | None:
    """The model id of `https://app.baseten.co/models/{id}/predict`, as older docs wrote it."""
    if not remote.management.startswith("https://api."):
        return None
    app = "https://app." + remote.management.removeprefix("https://api.").rstrip("/") + "/models/"
    found = re.fullmatch(re.escape(app) + r"([A-Za-z0-9]+)/predict/?", address)
    return found.group(1) if found else None


def _target(host: re.Match[str], path: _Endpoint) -> tuple[Target, _Endpoint]:
    model_id, env, chain = host["id"], host["env"], host["kind"] == "chain"
    if env:
        if path and path[0] in ("production", "development", "environments", "deployment"):
            raise CurlImportError(
                f"Regional hosts take bare paths (/predict …), not /{'/'.join(path)}."
            )
        return Target(model_id, "regional", env, is_chain=chain), path
    if path[:1] == ("production",):
        return Target(model_id, "production", is_chain=chain), path[1:]
    if path[:1] == ("development",):
        return Target(model_id, "development", is_chain=chain), path[1:]
    if len(path) >= 2 and path[0] == "environments":
        return Target(model_id, "environment", path[1], is_chain=chain), path[2:]
    if len(path) >= 2 and path[0] == "deployment":
        return Target(model_id, "deployment", path[1], is_chain=chain), path[2:]
    if path[:1] == ("async_request",):
        raise CurlImportError(
            "That is an async request's status or cancel URL; the window follows those itself."
        )
    shown = "/" + "/".join(path)
    raise CurlImportError(
        f"The path {shown} is not one of Baseten's: /production/…, /development/…, "
        "/environments/{name}/…, /deployment/{id}/…"
    )


# --- the request ---------------------------------------------------------------------------------


def _build(
    target: Target | None,
    endpoint: _Endpoint,
    query: str,
    method: str,
    body: Any,
    headers: dict[str, str],
    notices: list[str],
) -> RequestSpec:
    if target is None:
        if endpoint != ("chat", "completions"):
            raise CurlImportError(
                f"Only chat/completions on the Model APIs base can be imported, not {'/'.join(endpoint)}."
            )
        model = body.get("model") if isinstance(body, dict) else None
        if not isinstance(model, str) or not model:
            raise CurlImportError('A Model APIs chat body needs its model slug in "model".')
        return RequestSpec("chat", None, body, headers=headers, model_api=model)
    if endpoint[:1] == ("sync",) and len(endpoint) > 1:
        route = "/" + "/".join(endpoint[1:]) + (f"?{query}" if query else "")
        if route == "/v1/chat/completions" and method == "POST" and isinstance(body, dict):
            return RequestSpec("chat", target, body, headers=headers)
        if method not in METHODS:
            raise CurlImportError(f"The method {method} is not one of {', '.join(METHODS)}.")
        if method == "GET" and body is not None:
            notices.append("A GET sends no body; the command's body was dropped.")
            body = None
        return RequestSpec("route", target, body, method, route, headers=headers)
    if query:
        notices.append("The query string was not kept: Baseten's inference URLs take none.")
    mode = ENDPOINT_MODES.get("/".join(endpoint))
    if mode is None:
        shown = "/".join(endpoint) or "(nothing)"
        what = {"wake": "a wake call; use Request ▸ Wake target"}.get(shown, f"/{shown}")
        raise CurlImportError(f"That URL ends in {what}; import predict, async_predict or sync/….")
    if (endpoint[-1].endswith("run_remote")) != target.is_chain:
        right = "run_remote" if target.is_chain else "predict"
        raise CurlImportError(
            f"A {'chain' if target.is_chain else 'model'} is called with {right}."
        )
    if method != "POST":
        notices.append(f"Baseten's {endpoint[0]} takes POST, not {method}; imported as POST.")
    if mode == "predict":
        return RequestSpec("predict", target, body, headers=headers)
    model_input, options = _async_parts(body, notices)
    return RequestSpec("async", target, model_input, async_options=options, headers=headers)


def _async_parts(body: Any, notices: list[str]) -> tuple[Any, AsyncOptions | None]:
    """The model input and the options of an async_predict body."""
    if not isinstance(body, dict) or "model_input" not in body:
        raise CurlImportError("An async_predict body needs its model_input.")
    known = ("webhook_endpoint", "priority", "max_time_in_queue_seconds")
    options: dict[str, Any] = {k: body[k] for k in known if body.get(k) is not None}
    retry = body.get("inference_retry_config") or {}
    retry_keys = ("max_attempts", "initial_delay_ms", "max_delay_ms")
    if isinstance(retry, dict):
        options |= {k: retry[k] for k in retry_keys if retry.get(k) is not None}
        dropped = [f"inference_retry_config.{k}" for k in retry if k not in retry_keys]
    else:
        dropped = ["inference_retry_config"]
    dropped += [k for k in body if k not in (*known, "model_input", "inference_retry_config")]
    if dropped:
        notices.append(f"Unknown async fields were not kept: {', '.join(dropped)}.")
    return body["model_input"], AsyncOptions(**options) if options else None
