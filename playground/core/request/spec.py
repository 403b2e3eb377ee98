"""One request as the app knows it: what the window sends, a preset saves, history records and
code export writes out, with a plain-dict form (no defaults written) for files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, get_args

from playground.core.remote.remotes import Remote, Target, TargetKind
from playground.core.request.api_bodies import APIS, PATHS, Api, served_apis, wire_body
from playground.core.secrets import is_secret_header

if TYPE_CHECKING:
    from playground.core.request.asyncopts import AsyncOptions

Mode = Literal["predict", "async", "route", "chat", "websocket"]
MODES: tuple[tuple[Mode, str], ...] = (
    ("predict", "Predict"),
    ("async", "Async predict"),
    ("route", "Custom route"),
    ("chat", "OpenAI chat"),
    ("websocket", "WebSocket"),
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Never stored, exported or recorded: the key travels only in the client's own header.


def target_to_dict(target: Target) -> dict[str, Any]:
    """A target as the command line spells it: `{"model": id, "environment": "staging"}` …"""
    out: dict[str, Any] = {"chain" if target.is_chain else "model": target.model_id}
    if target.kind == "development":
        out["development"] = True
    elif target.kind in ("environment", "deployment", "regional"):
        out[target.kind] = target.name
    return out


def target_from_dict(data: Mapping[str, Any]) -> Target:
    """The inverse of `target_to_dict`; raises ValueError, in words, for anything else."""
    if not isinstance(data, Mapping):
        raise ValueError(f"a target must be an object, not {type(data).__name__}")
    owner = data.get("model") or data.get("chain")
    if not isinstance(owner, str) or not owner:
        raise ValueError("a target needs a model (or chain) id")
    chain = "chain" in data and "model" not in data
    named: tuple[TargetKind, ...] = ("environment", "deployment", "regional")
    kinds: list[TargetKind] = [k for k in named if k in data]
    if data.get("development"):
        kinds.append("development")
    if len(kinds) > 1:
        raise ValueError(
            f"a target has one of environment/deployment/regional/development, not {kinds}"
        )
    if not kinds:
        return Target(owner, "production", is_chain=chain)
    kind = kinds[0]
    if kind == "development":
        return Target(owner, "development", is_chain=chain)
    name = data[kind]
    if not isinstance(name, str) or not name:
        raise ValueError(f"the target's {kind} must be a non-empty string")
    if kind == "environment" and name == "production":
        return Target(owner, "production", is_chain=chain)
    return Target(owner, kind, name, is_chain=chain)


def clean_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers without the ones that carry a secret: Authorization, Api-Key, cookies, any named
    like a credential (X-Baseten-Key, X-Auth-Token) and any whose value holds a key in use."""
    return {k: v for k, v in headers.items() if not is_secret_header(k, v)}


def parse_headers(text: str) -> dict[str, str]:
    """Headers typed one per line as `Name: value`; ValueError, with the line, when one is not.
    Secret ones (Authorization, Api-Key, cookies) are refused: the key comes from the keyring."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name or any(c.isspace() for c in name):
            raise ValueError(f"Header line {number} is not `Name: value`: {line.strip()[:40]!r}")
        if is_secret_header(name, value):
            raise ValueError(
                f"Header line {number}: {name} is never typed here; the API key comes from the "
                "keyring or BASETEN_API_KEY"
            )
        headers[name] = value.strip()
    return headers


def headers_text(headers: Mapping[str, str]) -> str:
    """The inverse of `parse_headers`."""
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def _async_options_to_dict(options: AsyncOptions) -> dict[str, Any]:
    return {
        f.name: getattr(options, f.name)
        for f in fields(options)
        if getattr(options, f.name) is not None
    }


@dataclass(frozen=True)
class RequestSpec:
    """Everything the app can send to one target.

    `target` is None only for chat with a Model API (`model_api` is then its slug, sent as the
    body's `model`). For chat, `body` is the whole OpenAI request body (messages and parameters).
    `headers` never holds a secret; the client adds the key itself.
    """

    mode: Mode
    target: Target | None
    body: Any = None
    method: str = "POST"
    route: str = ""
    async_options: AsyncOptions | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    model_api: str = ""
    api: Api = "chat"  # a chat's wire: Chat Completions, or (Model APIs) Responses or Messages
    # A WebSocket session's `body` is its frames to send, as `core.ws.plan.OutFrame.to_dict()`
    # each; written as "frames" (the form `WsPlan.to_dict()` writes).

    def __post_init__(self) -> None:
        if self.mode not in get_args(Mode):
            raise ValueError(f"unknown mode {self.mode!r}; one of {', '.join(get_args(Mode))}")
        if self.api not in APIS:
            raise ValueError(f"unknown API {self.api!r}; one of {', '.join(APIS)}")
        if self.api not in served_apis(model_api=self.mode == "chat" and bool(self.model_api)):
            raise ValueError(f"the {self.api} API is a chat API served by Model APIs only")
        if self.target is None and not (self.mode == "chat" and self.model_api):
            raise ValueError("a request needs a target (or, for chat, a Model API slug)")
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; one of {', '.join(METHODS)}")
        if self.mode == "route" and not self.route.strip("/"):
            raise ValueError("a custom-route request needs a route, e.g. /health")
        object.__setattr__(self, "headers", clean_headers(self.headers))

    @property
    def http_method(self) -> str:
        return self.method if self.mode == "route" else "POST"

    @property
    def where(self) -> str:
        """The target in words: `model abc123 · staging`, or `Model API demo-llm`."""
        if self.target is None:
            return f"Model API {self.model_api}"
        owner = "chain" if self.target.is_chain else "model"
        return f"{owner} {self.target.model_id} · {self.target.label}"

    @property
    def description(self) -> str:
        if self.mode == "route":
            return f"{self.method} /sync/{self.route.lstrip('/')} on {self.where}"
        return f"{dict(MODES)[self.mode]} on {self.where}"

    def url(self, remote: Remote) -> str:
        """The URL this request goes to on `remote`."""
        if self.mode == "chat":
            base = self.target.openai_base(remote) if self.target else remote.model_apis_url()
            return base + "/" + PATHS[self.api]
        assert self.target is not None  # checked in __post_init__
        if self.mode == "async":  # a chain's entrypoint is queued with async_run_remote
            endpoint = "async_run_remote" if self.target.is_chain else "async_predict"
            return self.target.url(remote, endpoint)
        if self.mode == "route":
            return self.target.url(remote, "sync/" + self.route.lstrip("/"))
        if self.mode == "websocket":  # ws:// or wss://, as a WebSocket client connects
            url = self.target.url(remote, "websocket")
            return "ws" + url[4:] if url.startswith("http") else url
        return self.target.predict_url(remote)

    def wire_body(self) -> Any:
        """The JSON actually sent: async wraps the input with its options; a GET sends none."""
        if self.mode == "async" and self.target is not None and self.target.is_chain:
            return self.body  # async_run_remote takes the entrypoint's arguments, unwrapped
        if self.mode == "async":
            from playground.core.request.asyncopts import (
                AsyncOptions,  # not at import: start-up time
            )

            return (self.async_options or AsyncOptions()).body(self.body)
        if self.mode == "route" and self.method == "GET":
            return None
        body = self.chat_body()
        if self.api != "chat" and isinstance(body, dict):
            return wire_body(self.api, body)  # what `url()` takes: the Responses/Messages form
        return body

    def chat_body(self) -> Any:
        """A chat's body in Chat Completions form (with the Model API's slug as `model`), as the
        client's `chat(…, api=self.api)` takes it; other modes' body as it is."""
        if self.mode == "chat" and self.model_api and isinstance(self.body, dict):
            return {"model": self.model_api, **{k: v for k, v in self.body.items() if k != "model"}}
        return self.body

    def to_dict(self) -> dict[str, Any]:
        """A plain dict in a stable order, with nothing that equals its default."""
        out: dict[str, Any] = {"mode": self.mode}
        if self.target is not None:
            out["target"] = target_to_dict(self.target)
        if self.model_api:
            out["model_api"] = self.model_api
        if self.api != "chat":
            out["api"] = self.api
        if self.mode == "route":
            out["method"] = self.method
            out["route"] = self.route
        if self.async_options is not None and _async_options_to_dict(self.async_options):
            out["async_options"] = _async_options_to_dict(self.async_options)
        if headers := clean_headers(self.headers):  # a key learnt since is dropped too
            out["headers"] = headers
        if self.body is not None:
            out["frames" if self.mode == "websocket" else "body"] = self.body
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RequestSpec:
        """The inverse of `to_dict`; raises ValueError, in words, for a malformed one."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a request must be an object, not {type(data).__name__}")
        target = data.get("target")
        options = data.get("async_options")
        headers = data.get("headers") or {}
        if options is not None and not isinstance(options, Mapping):
            raise ValueError("async_options must be an object")
        if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError("headers must be an object of strings")
        from playground.core.request.asyncopts import AsyncOptions

        try:
            async_options = AsyncOptions(**options) if options is not None else None
        except TypeError as exc:
            raise ValueError(f"async_options: {exc}") from None
        websocket = data.get("mode") == "websocket"
        if websocket and not isinstance(data.get("frames", []), list):
            raise ValueError("frames must be a list")
        return cls(
            mode=data.get("mode", "predict"),
            target=target_from_dict(target) if target is not None else None,
            body=data.get("frames") if websocket else data.get("body"),
            method=str(data.get("method", "POST")).upper(),
            route=str(data.get("route", "")),
            async_options=async_options,
            headers=dict(headers),
            model_api=str(data.get("model_api", "")),
            api=data.get("api", "chat"),
        )


@dataclass(frozen=True)
class Column:
    """One column of a comparison: a target (or a Model API) and what it overrides in the body,
    e.g. `{"model": "served-name"}` for chat, and in the headers (never a secret). `remote` names
    the remote this column is sent to ("": the comparison's own), each with its own client."""

    target: Target | None
    model_api: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    remote: str = ""

    def __post_init__(self) -> None:
        if self.target is None and not self.model_api:
            raise ValueError("a column needs a target or a Model API slug")
        object.__setattr__(self, "headers", clean_headers(self.headers))

    @property
    def label(self) -> str:
        where = f"{self.remote} · " if self.remote else ""
        if self.target is None:
            return where + self.model_api
        return f"{where}{self.target.model_id} · {self.target.label}"

    def apply(self, spec: RequestSpec) -> RequestSpec:
        """`spec` sent to this column: its target, with the overrides merged into a dict body."""
        body = spec.body
        if self.overrides and isinstance(body, dict):
            body = {**body, **self.overrides}
        return RequestSpec(
            mode=spec.mode,
            target=self.target,
            body=body,
            method=spec.method,
            route=spec.route,
            async_options=spec.async_options,
            headers={**spec.headers, **self.headers},
            model_api=self.model_api if self.target is None else "",
            api=spec.api if self.target is None else "chat",
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.target is not None:
            out["target"] = target_to_dict(self.target)
        if self.model_api:
            out["model_api"] = self.model_api
        if self.overrides:
            out["overrides"] = dict(self.overrides)
        if headers := clean_headers(self.headers):
            out["headers"] = headers
        if self.remote:
            out["remote"] = self.remote
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Column:
        if not isinstance(data, Mapping):
            raise ValueError(f"a column must be an object, not {type(data).__name__}")
        target = data.get("target")
        overrides = data.get("overrides") or {}
        headers = data.get("headers") or {}
        if not isinstance(overrides, Mapping):
            raise ValueError("a column's overrides must be an object")
        if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError("a column's headers must be an object of strings")
        return cls(
            target=target_from_dict(target) if target is not None else None,
            model_api=str(data.get("model_api", "")),
            overrides=dict(overrides),
            headers=dict(headers),
            remote=str(data.get("remote", "")),
        )
