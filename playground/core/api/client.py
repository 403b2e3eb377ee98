"""The client for Baseten's APIs: predict as events, OpenAI chat, async jobs, management and wake."""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import EventSource

from playground.core.api.asyncjobs import AsyncJobs
from playground.core.api.management import ManagementAPI
from playground.core.api.scrub import DeltaScrubber, EventScrubber, read_all, scrub_result
from playground.core.api.transport import RetryPolicy, Timeouts, Transport, network_error
from playground.core.chat.protocol import ChatStreamParser, chat_result_from_json, prepare_chat_body
from playground.core.errors import InvalidRequest, PlaygroundError, StreamCut
from playground.core.events import (
    BinaryChunk,
    ChatDelta,
    ChatEvent,
    ChatFinished,
    Finished,
    JsonBody,
    NdjsonLine,
    Notice,
    PredictEvent,
    ResponseStarted,
    SseEvent,
    TextChunk,
)
from playground.core.metrics import Clock, Metrics
from playground.core.remote.remotes import Remote, Target
from playground.core.request.spec import RequestSpec
from playground.core.secrets import REDACTOR, remember

NDJSON_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
    }
)


def body_kind(response: httpx.Response) -> str:
    """How to read a body, by Content-Type first (baseten-api.md §11.6)."""
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    chunked = "content-length" not in response.headers
    if content_type == "text/event-stream":
        return "sse"  # even when a proxy buffered it and sent a Content-Length
    if content_type in NDJSON_TYPES:
        return "ndjson"
    if content_type == "application/json" or content_type.endswith("+json"):
        return "json"
    if chunked and response.status_code != 204:
        return "text-stream"
    if content_type.startswith("text/") or "charset=" in response.headers.get("content-type", ""):
        return "text"
    return "binary"


@dataclass(frozen=True)
class Call:
    """The pieces of one inference call, as the UI and CLI describe it."""

    method: str
    url: str
    body: Any = None  # JSON-able; sent as application/json
    raw: bytes | None = None  # sent as is, with `content_type`
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


class BasetenClient:
    """Calls one remote with one key. Share a single instance for the app's life."""

    def __init__(
        self,
        remote: Remote,
        api_key: str,
        *,
        auth_scheme: str = "Bearer",
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.remote = remote
        self._key = api_key
        remember(api_key)
        # Baseten accepts both schemes; truss sends `Api-Key` for keys from ~/.trussrc.
        self.auth_scheme = auth_scheme
        self.transport = transport or Transport(timeouts=timeouts, retry=retry)
        self.management = ManagementAPI(self)
        self.jobs = AsyncJobs(self)

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    def set_api_key(self, api_key: str) -> None:
        """Use another key from the next request on (the first-run flow sets it late)."""
        self._key = api_key
        remember(api_key)

    def redact(self, data: bytes) -> bytes:
        """`data` with the keys in use masked, should a server have echoed one."""
        return REDACTOR.data(data)

    def __repr__(self) -> str:  # never show the key
        return f"BasetenClient(remote={self.remote.name!r})"

    def _headers(self, extra: tuple[tuple[str, str], ...] | dict[str, str] = ()) -> dict[str, str]:
        headers = dict(extra.items() if isinstance(extra, dict) else extra)
        if not self._key:
            raise InvalidRequest(f"No API key for the remote {self.remote.name!r}")
        headers["Authorization"] = f"{self.auth_scheme} {self._key}"
        return headers

    # --- generic streaming call ----------------------------------------------------------------

    async def stream(self, call: Call) -> AsyncGenerator[PredictEvent, None]:
        """Send `call` and yield its events as they arrive; cancelling closes the connection."""
        clock = Clock()
        metrics = Metrics()
        kwargs: dict[str, Any] = {}
        headers = self._headers(call.headers)
        if call.raw is not None:
            kwargs["content"] = call.raw
            if call.content_type:
                headers.setdefault("Content-Type", call.content_type)
        elif call.body is not None:
            kwargs["content"] = json.dumps(call.body).encode()
            headers.setdefault("Content-Type", "application/json")
        kind = "empty"
        async with self.transport.open(
            call.method, call.url, headers=headers, metrics=metrics, clock=clock, **kwargs
        ) as response:
            yield _started(response, metrics)
            kind = body_kind(response)
            scrub = EventScrubber(whole=kind in ("text", "binary"))
            try:
                async for event in _read_body(response, kind):
                    for clean in scrub.feed(event):
                        yield clean
            except httpx.HTTPError as exc:
                for clean in scrub.end():  # what was held back arrived all the same
                    yield clean
                metrics.total_s = clock.now()
                raise self._broken(exc, response, metrics) from exc
            for clean in scrub.end():
                yield clean
            metrics.total_s = clock.now()
            if metrics.bytes == 0 and kind not in ("sse", "ndjson"):
                kind = "empty"
        yield Finished(kind, metrics)

    async def predict(
        self,
        target: Target,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> AsyncGenerator[PredictEvent, None]:
        call = Call(
            "POST",
            target.predict_url(self.remote),
            body,
            raw,
            content_type,
            tuple((headers or {}).items()),
        )
        async for event in self.stream(call):
            yield event

    async def route(
        self,
        target: Target,
        route: str,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> AsyncGenerator[PredictEvent, None]:
        """A custom-server route through `sync/` (any method)."""
        url = target.url(self.remote, "sync/" + route.lstrip("/"))
        async for event in self.stream(
            Call(method.upper(), url, body, None, None, tuple((headers or {}).items()))
        ):
            yield event

    def send(self, spec: RequestSpec) -> AsyncGenerator[PredictEvent, None]:
        """A predict or custom-route request as the app describes it (async jobs go through
        `jobs`, chat through `chat`)."""
        if spec.mode not in ("predict", "route"):
            raise InvalidRequest(f"send() takes predict and route requests, not {spec.mode}")
        return self.stream(
            Call(
                spec.http_method,
                spec.url(self.remote),
                spec.wire_body(),
                headers=tuple(spec.headers.items()),
            )
        )

    def _broken(self, exc: httpx.HTTPError, response: httpx.Response, partial: Any) -> Exception:
        """Any failure after the response started is a cut stream that keeps what arrived."""
        error = network_error(exc, response.request, self.transport.timeouts)
        if isinstance(error, StreamCut):
            error.partial = partial
            return error
        cut = StreamCut(str(error), partial)
        cut.hint = error.hint or cut.hint
        return cut

    # --- JSON request/response -----------------------------------------------------------------

    async def request_json(
        self,
        method: str,
        url: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, Metrics]:
        clock = Clock()
        metrics = Metrics()
        kwargs: dict[str, Any] = {"params": params} if params else {}
        headers = self._headers(dict(headers or {}))
        if body is not None:
            kwargs["content"] = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        async with self.transport.open(
            method, url, headers=headers, metrics=metrics, clock=clock, **kwargs
        ) as response:
            raw = await read_all(response)
        metrics.total_s = clock.now()
        if not raw:
            return None, metrics
        try:
            return json.loads(raw), metrics
        except ValueError as exc:
            raise StreamCut(f"The server sent invalid JSON ({exc}): {raw[:200]!r}") from exc

    # --- OpenAI-compatible chat ----------------------------------------------------------------

    def openai_base(self, target: Target | None) -> str:
        """`…/sync/v1` of a deployment, or the Model APIs base when `target` is None."""
        return self.remote.model_apis_url() if target is None else target.openai_base(self.remote)

    async def chat(
        self, base: str, body: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> AsyncGenerator[ChatEvent, None]:
        """POST `{base}/chat/completions`; streams deltas when `body["stream"]` is true."""
        body = prepare_chat_body(body)
        clock = Clock()
        metrics = Metrics()
        headers = self._headers(headers or {})
        headers["Content-Type"] = "application/json"
        streaming = bool(body.get("stream"))
        if streaming:
            headers["Accept"] = "text/event-stream"
        parser = ChatStreamParser(metrics, clock)
        scrub = DeltaScrubber()
        async with self.transport.open(
            "POST",
            base.rstrip("/") + "/chat/completions",
            headers=headers,
            metrics=metrics,
            clock=clock,
            content=json.dumps(body).encode(),
        ) as response:
            yield _started(response, metrics)
            if body_kind(response) == "sse":
                metrics.streamed = True
                try:
                    async for sse in EventSource(response).aiter_sse():
                        event = parser.feed(sse.data)
                        if event is not None:
                            if (clean := scrub.feed(event)) is not None:
                                yield clean
                            if parser.finished:
                                break
                except (httpx.HTTPError, PlaygroundError) as exc:
                    if (held := scrub.end()) is not None:  # it arrived all the same
                        yield held
                    if isinstance(exc, PlaygroundError):
                        raise
                    metrics.total_s = clock.now()
                    raise self._broken(exc, response, parser.partial()) from exc
                metrics.total_s = clock.now()
                if (held := scrub.end()) is not None:
                    yield held
                parser.close()  # raises TruncatedStream / StreamError with the partial result
            else:
                raw = await read_all(response)
                metrics.total_s = clock.now()
                result = chat_result_from_json(raw, metrics)
                if result.content or result.reasoning:
                    yield ChatDelta(result.content, result.reasoning)
                parser.result = result
        yield ChatFinished(scrub_result(parser.result), metrics)

    async def list_served_models(self, base: str) -> list[str]:
        """Names from `{base}/models` (served model names, or Model API slugs)."""
        payload, _ = await self.request_json("GET", base.rstrip("/") + "/models")
        data = payload.get("data", []) if isinstance(payload, dict) else []
        return [str(item["id"]) for item in data if isinstance(item, dict) and "id" in item]

    async def model_apis_catalog(self) -> list[dict[str, Any]]:
        payload, _ = await self.request_json("GET", self.remote.model_apis_url("models"))
        data = payload.get("data", []) if isinstance(payload, dict) else []
        return [item for item in data if isinstance(item, dict)]

    async def wake(self, target: Target) -> Metrics:
        _, metrics = await self.request_json("POST", target.url(self.remote, "wake"))
        return metrics

    async def aclose(self) -> None:
        await self.transport.aclose()


# Above this size a JSON body is passed on unparsed (see JsonBody): parsing holds the GIL, so
# even a worker thread would stall the caller's loop (a window's) for its whole length.
EAGER_PARSE_BYTES = 512 * 1024


def _started(response: httpx.Response, metrics: Metrics) -> ResponseStarted:
    return ResponseStarted(
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.headers.get("content-type", ""),
        metrics,
    )


async def _read_body(response: httpx.Response, kind: str) -> AsyncGenerator[PredictEvent, None]:
    if kind == "sse":
        async for sse in EventSource(response).aiter_sse():
            yield SseEvent(sse.data, sse.event, sse.id)
    elif kind == "ndjson":
        async for line in response.aiter_lines():
            if not line.strip():
                continue
            try:
                yield NdjsonLine(json.loads(line), line)
            except ValueError:
                yield Notice(f"Not a JSON line: {line[:200]}")
                yield TextChunk(line + "\n")
    elif kind == "json":
        raw = await read_all(response)
        if len(raw) > EAGER_PARSE_BYTES:
            yield JsonBody.unparsed(raw)
            return
        try:
            yield JsonBody(json.loads(raw), raw)
        except ValueError as exc:
            yield Notice(f"The body says JSON but is not valid JSON: {exc}")
            yield TextChunk(raw.decode("utf-8", "replace"))
    elif kind == "text-stream":
        decoder = codecs.getincrementaldecoder("utf-8")()
        binary = False
        async for chunk in response.aiter_bytes():
            if binary:
                yield BinaryChunk(chunk)
                continue
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                binary = True
                yield Notice("The stream is not UTF-8 text; showing the rest as bytes")
                yield BinaryChunk(chunk)
                continue
            if text:
                yield TextChunk(text)
        if not binary:
            try:
                tail = decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                yield Notice("The stream ended in the middle of a UTF-8 character")
            else:
                if tail:
                    yield TextChunk(tail)
    elif kind == "text":
        yield TextChunk((await response.aread()).decode(response.encoding or "utf-8", "replace"))
    else:
        data = await response.aread()
        if data:
            yield BinaryChunk(data)
