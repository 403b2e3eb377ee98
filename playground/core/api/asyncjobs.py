"""Async inference: submit, status with polite polling, cancel and queue depth."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from playground.core.api.json_api import JsonApi
from playground.core.errors import ApiError, InvalidRequest
from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import (
    MAX_ASYNC_BODY,
    TERMINAL,
    AsyncOptions,
    AsyncStatus,
    PollPolicy,
)
from playground.core.request.attachments import expand_async

__all__ = ["MAX_ASYNC_BODY", "TERMINAL", "AsyncJobs", "AsyncOptions", "AsyncStatus", "PollPolicy"]


class AsyncJobs:
    def __init__(self, client: JsonApi, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        self._client = client
        self._sleep = sleep

    async def submit(
        self,
        target: Target,
        model_input: Any,
        options: AsyncOptions | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Queue a request and return its request id."""
        if target.is_chain:
            if options is not None and options != AsyncOptions():
                # async_run_remote's body is the entrypoint's arguments: there is no place for them.
                raise InvalidRequest("A chain's async call takes no async options")
            body = model_input
        else:
            body = (options or AsyncOptions()).body(model_input)
        body = await expand_async(body)  # a file's data counts, not its token
        size = len(json.dumps(body).encode())
        if size > MAX_ASYNC_BODY:
            raise InvalidRequest(
                f"The async body is {size:,} bytes; Baseten takes at most 256 KiB. "
                "Pass large inputs as URLs."
            )
        endpoint = "async_run_remote" if target.is_chain else "async_predict"
        payload, _ = await self._client.request_json(
            "POST", target.url(self._client.remote, endpoint), body, headers=headers
        )
        return str(payload["request_id"])

    async def status(self, target: Target, request_id: str) -> AsyncStatus:
        url = target.async_request_url(self._client.remote, request_id)
        payload, _ = await self._client.request_json("GET", url)
        return AsyncStatus.from_json(payload)

    async def cancel(self, target: Target, request_id: str) -> dict[str, Any]:
        """Only QUEUED requests can be canceled; the answer says whether this one was."""
        url = target.async_request_url(self._client.remote, request_id)
        payload, _ = await self._client.request_json("DELETE", url)
        return dict(payload)

    async def queue(self, target: Target) -> dict[str, Any]:
        url = target.url(self._client.remote, "async_queue_status")
        payload, _ = await self._client.request_json("GET", url)
        return dict(payload)

    async def watch(
        self, target: Target, request_id: str, policy: PollPolicy | None = None
    ) -> AsyncIterator[AsyncStatus]:
        """Yield the status whenever it changes, until it is terminal."""
        policy = policy or PollPolicy()
        wait = policy.first
        last = ""
        while True:
            try:
                status = await self.status(target, request_id)
            except ApiError as exc:
                if exc.status != 429:
                    raise
                await self._sleep(max(exc.retry_after or wait, wait))
                wait = min(policy.longest, wait * policy.factor)
                continue
            if status.status != last:
                last = status.status
                yield status
                wait = policy.first
            if status.is_terminal:
                return
            await self._sleep(wait)
            wait = min(policy.longest, wait * policy.factor)
