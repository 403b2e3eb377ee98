"""The client for Baseten's APIs: predict as events, OpenAI chat, async jobs, management and wake."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import EventSource

from playground.core.api.asyncjobs import AsyncJobs
from playground.core.api.management import ManagementAPI
from playground.core.api.reading import body_kind, read_body, started
from playground.core.api.scrub import (
    DeltaScrubber,
    EventScrubber,
    read_all,
    scrub_error,
    scrub_result,
)
from playground.core.api.stream_end import StreamEnd
from playground.core.api.transport import (
    Limits,
    RetryPolicy,
    Timeouts,
    Transport,
    network_error,
)
from playground.core.api.wires import WIRES
from playground.core.audio import AudioMeter
from playground.core.chat.protocol import prepare_chat_body
from playground.core.errors import InvalidRequest, PlaygroundError, StreamCut, StreamError
from playground.core.events import (
    ChatDelta,
    ChatEvent,
    ChatFinished,
    Finished,
    PredictEvent,
    Retrying,
)
from playground.core.jsontext import parse_json
from playground.core.metrics import Clock, Metrics
from playground.core.remote.remotes import Remote, Target
from playground.core.request.api_bodies import PATHS, Api, wire_body
from playground.core.request.attachments import expand_async
from playground.core.request.spec import RequestSpec
from playground.core.secrets import REDACTOR, remember


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
        limits: Limits | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.remote = remote
        self._key = api_key if remote.needs_key else ""  # a Truss server is never sent a key
        remember(api_key)
        # Baseten accepts both schemes; truss sends `Api-Key` for keys from ~/.trussrc.
        self.auth_scheme = auth_scheme
        self.transport = transport or Transport(timeouts=timeouts, retry=retry, limits=limits)
        self.management = ManagementAPI(self)
        self.jobs = AsyncJobs(self)

    @property
    def has_key(self) -> bool:
        """Whether calls can go out: a key, or a remote that takes none (a Truss server)."""
        return bool(self._key) or not self.remote.needs_key

    def set_api_key(self, api_key: str) -> None:
        """Use another key from the next request on (the first-run flow sets it late)."""
        self._key = api_key if self.remote.needs_key else ""
        remember(api_key)

    def redact(self, data: bytes) -> bytes:
        """`data` with the keys in use masked, should a server have echoed one."""
        return REDACTOR.data(data)

    def __repr__(self) -> str:  # never show the key
        return f"BasetenClient(remote={self.remote.name!r})"

    def _headers(self, extra: tuple[tuple[str, str], ...] | dict[str, str] = ()) -> dict[str, str]:
        headers = dict(extra.items() if isinstance(extra, dict) else extra)
        if not self.remote.needs_key:
            return headers
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
            kwargs["content"] = json.dumps(await expand_async(call.body)).encode()
            headers.setdefault("Content-Type", "application/json")
        kind = "empty"
        steps = self.transport.exchange(
            call.method, call.url, headers=headers, metrics=metrics, clock=clock, **kwargs
        )
        try:
            async with aclosing(steps):
                async for step in steps:
                    if isinstance(step, Retrying):
                        yield step
                        continue
                    yield started(step, metrics)
                    kind = body_kind(step)
                    body = self.transport.capped(step)
                    scrub = EventScrubber(whole=kind in ("text", "binary"))
                    end = StreamEnd()  # an in-band error, or an end promised and not sent
                    meter = AudioMeter(step.headers.get("content-type", ""), metrics, clock)
                    try:
                        async for event in read_body(body.response, kind, meter.feed):
                            for clean in scrub.feed(event):
                                yield clean
                                end.see(clean)
                    except (httpx.HTTPError, PlaygroundError) as exc:
                        for clean in scrub.end():  # what was held back arrived all the same
                            yield clean
                        metrics.total_s = clock.now()
                        if isinstance(exc, httpx.HTTPError):
                            raise self._broken(exc, step, metrics) from exc
                        if isinstance(exc, StreamCut):  # the transport's: the deadline passed
                            exc.partial = metrics
                        raise
                    for clean in scrub.end():
                        yield clean
                    metrics.total_s = clock.now()
                    if body.is_cut:
                        raise body.error(metrics.bytes, metrics)
                    end.close()
                    if metrics.bytes == 0 and kind not in ("sse", "ndjson"):
                        kind = "empty"
        except PlaygroundError as exc:  # it may quote, or keep, what the server sent
            scrub_error(exc)
            raise
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
        cut = StreamCut(str(error), partial, timeout=error.timeout)
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
            kwargs["content"] = json.dumps(await expand_async(body)).encode()
            headers["Content-Type"] = "application/json"
        async with self.transport.open(
            method, url, headers=headers, metrics=metrics, clock=clock, **kwargs
        ) as response:
            body = self.transport.capped(response)
            raw = await read_all(body.response)
        metrics.total_s = clock.now()
        if body.is_cut:
            raise body.error(metrics.bytes, metrics)
        if not raw:
            return None, metrics
        try:
            return parse_json(raw), metrics
        except ValueError as exc:
            raise StreamCut(f"The server sent invalid JSON ({exc}): {raw[:200]!r}") from exc

    # --- OpenAI-compatible chat ----------------------------------------------------------------

    def openai_base(self, target: Target | None) -> str:
        """`…/sync/v1` of a deployment, or the Model APIs base when `target` is None."""
        return self.remote.model_apis_url() if target is None else target.openai_base(self.remote)

    async def chat(
        self,
        base: str,
        body: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        api: Api = "chat",
    ) -> AsyncGenerator[ChatEvent, None]:
        """POST `{base}/chat/completions`; streams deltas when `body["stream"]` is true.

        `api` "responses" or "messages" sends the same chat body in that API's format to
        `{base}/responses` or `{base}/messages` and reads its answer into the same events.
        """
        body = prepare_chat_body(body) if api == "chat" else wire_body(api, body)
        wire = WIRES[api]
        clock = Clock()
        metrics = Metrics()
        headers = self._headers(headers or {})
        headers["Content-Type"] = "application/json"
        streaming = bool(body.get("stream"))
        if streaming:
            headers["Accept"] = "text/event-stream"
        parser = wire.parser(metrics, clock)
        scrub = DeltaScrubber()
        steps = self.transport.exchange(
            "POST",
            base.rstrip("/") + "/" + PATHS[api],
            headers=headers,
            metrics=metrics,
            clock=clock,
            content=json.dumps(await expand_async(body)).encode(),
        )
        try:
            async with aclosing(steps):
                async for step in steps:
                    if isinstance(step, Retrying):
                        yield step
                        continue
                    yield started(step, metrics)
                    capped = self.transport.capped(step)
                    if body_kind(step) == "sse":
                        metrics.streamed = True
                        try:
                            async for sse in EventSource(capped.response).aiter_sse():
                                event = parser.feed(sse.data)
                                if event is not None:
                                    if (clean := scrub.feed(event)) is not None:
                                        yield clean
                                    if parser.finished:
                                        break
                        except (httpx.HTTPError, PlaygroundError) as exc:
                            if (held := scrub.end()) is not None:  # it arrived all the same
                                yield held
                            metrics.total_s = clock.now()
                            if isinstance(exc, httpx.HTTPError):
                                raise self._broken(exc, step, parser.partial()) from exc
                            if isinstance(exc, StreamCut):  # the deadline passed mid-stream
                                exc.partial = parser.partial()
                            raise
                        metrics.total_s = clock.now()
                        if (held := scrub.end()) is not None:
                            yield held
                        if capped.is_cut:
                            raise capped.error(metrics.bytes, parser.partial())
                        parser.close()  # raises TruncatedStream / StreamError with the partial result
                    else:
                        try:
                            raw = await read_all(capped.response)
                        except httpx.HTTPError as exc:
                            metrics.total_s = clock.now()
                            raise self._broken(exc, step, metrics) from exc
                        metrics.total_s = clock.now()
                        if capped.is_cut:
                            raise capped.error(metrics.bytes, metrics)
                        try:
                            result = scrub_result(wire.result_from_json(raw, metrics))
                        except (AttributeError, IndexError, KeyError, TypeError) as exc:
                            # a field of another type where the wire's parser read one in trust
                            raise StreamError(
                                "The server sent an answer of an unexpected shape"
                            ) from exc
                        if result.content or result.reasoning:
                            yield ChatDelta(
                                result.content, result.reasoning, (), tuple(result.logprobs)
                            )
                        parser.result = result
        except PlaygroundError as exc:  # it may quote, or keep, what the server sent
            scrub_error(exc)
            raise
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
