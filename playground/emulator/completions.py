"""Legacy completions (`/v1/completions`): a prompt continued, streamed as OpenAI and vLLM do."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response

from playground.emulator.chat import ChatEngine, count_words, tokens_of
from playground.emulator.engines import model_not_found
from playground.emulator.faults import Faults, error_response
from playground.emulator.logprobs import MAX_TOP_LOGPROBS, completion_logprobs
from playground.emulator.streams import SSE_DONE, RequestRecord, json_response, sse, streaming

DEFAULT_MAX_TOKENS = 16  # OpenAI's and vLLM's default for legacy completions
CONTINUATION = (
    " — and that is the heart of it. A good answer starts from what is asked, keeps the "
    "parts small, checks each step, and ends when the point is made. Everything else is detail."
)


class CompletionError(Exception):
    pass


def _read(body: Any) -> tuple[str, int, int | None]:
    if not isinstance(body, dict):
        raise CompletionError("The request body must be a JSON object.")
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise CompletionError("`prompt` must be a string (or a list of one string).")
    max_tokens = body.get("max_tokens", DEFAULT_MAX_TOKENS)
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_TOKENS
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise CompletionError("`max_tokens` must be a positive integer.")
    if body.get("n", 1) != 1:
        raise CompletionError("Only n=1 is supported.")
    logprobs = body.get("logprobs")
    if logprobs is not None and (
        isinstance(logprobs, bool)
        or not isinstance(logprobs, int)
        or not 0 <= logprobs <= MAX_TOP_LOGPROBS
    ):
        raise CompletionError(f"`logprobs` must be an integer between 0 and {MAX_TOP_LOGPROBS}.")
    return prompt, max_tokens, logprobs


async def respond(engine: ChatEngine, body: Any, faults: Faults, record: RequestRecord) -> Response:
    try:
        prompt, max_tokens, logprobs = _read(body)
    except CompletionError as exc:
        return error_response(400, str(exc), shape="openai")
    refused = model_not_found(engine.variant, engine.served_model_name, body.get("model"))
    if refused is not None:
        return refused
    tokens = tokens_of(CONTINUATION)
    finish = "stop"
    if len(tokens) > max_tokens:
        tokens, finish = tokens[:max_tokens], "length"
    prompt_tokens = count_words(prompt) + 1
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": len(tokens),
        "total_tokens": prompt_tokens + len(tokens),
    }
    cid = f"cmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    head = {"id": cid, "object": "text_completion", "created": created}
    head["model"] = engine.served_model_name
    delay = engine.delay(faults)
    if body.get("stream"):
        options = body.get("stream_options") or {}
        events = _stream(head, tokens, finish, usage, logprobs, delay, options)
        return streaming(events, faults, record, media_type="text/event-stream", kind="sse")
    await asyncio.sleep(delay * len(tokens))
    text = "".join(tokens)
    choice = {
        "text": text,
        "index": 0,
        "logprobs": None if logprobs is None else completion_logprobs(tokens, logprobs),
        "finish_reason": finish,
    }
    return json_response({**head, "choices": [choice], "usage": usage}, faults, record)


async def _stream(
    head: dict[str, Any],
    tokens: list[str],
    finish: str,
    usage: dict[str, Any],
    logprobs: int | None,
    delay: float,
    options: dict[str, Any],
) -> AsyncIterator[bytes]:
    offset = 0
    for position, token in enumerate(tokens):
        if delay > 0:
            await asyncio.sleep(delay)
        lp = None
        if logprobs is not None:
            lp = completion_logprobs([token], logprobs, start=position, offset=offset)
        offset += len(token)
        choice = {"text": token, "index": 0, "logprobs": lp, "finish_reason": None}
        yield sse({**head, "choices": [choice]})
    yield sse(
        {**head, "choices": [{"text": "", "index": 0, "logprobs": None, "finish_reason": finish}]}
    )
    if isinstance(options, dict) and options.get("include_usage"):
        yield sse({**head, "choices": [], "usage": usage})
    yield SSE_DONE
