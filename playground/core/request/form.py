"""What a request editor holds, in plain values, and the one place that makes a request of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.core.remote.remotes import Target
from playground.core.request.spec import Mode, RequestSpec, parse_headers

NO_TARGET = "Pick a model, or type its id."


def is_chat_body(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("messages"), list)


@dataclass(frozen=True)
class RequestForm:
    """An editor's fields as typed: the window's and the compare view's both fill one.

    `problem` is why the body is not valid JSON (with its line and column), or "" when it is;
    `body` is then its value. `webhook` and `priority` are read in async mode only.
    """

    mode: Mode
    body: Any = None
    problem: str = ""
    method: str = "POST"
    route: str = ""
    headers: str = ""  # one `Name: value` per line
    webhook: str = ""
    priority: int | None = None
    async_options: Any = None  # every async option, read (AsyncOptions); webhook, priority if None

    def spec(self, target: Target | None, model_api: str | None = None) -> RequestSpec | str:
        """The request to send to `target`, or (chat only) to the Model API `model_api` when
        that is not None; else a sentence saying why there is none."""
        if self.problem:
            return self.problem
        if model_api is not None:
            if self.mode != "chat" or not model_api:
                return "Pick a Model API (its slug) to chat with."
            target = None
        elif target is None:
            return NO_TARGET
        if self.mode == "chat" and not is_chat_body(self.body):
            return 'A chat request is a JSON object with "messages".'
        route = self.route.strip()
        if self.mode == "route" and not route.strip("/"):
            return "Type the route to call, e.g. /health."
        try:
            headers = parse_headers(self.headers)
            options = None
            if self.mode == "async" and target is not None and target.is_chain:
                # async_run_remote's body is the entrypoint's arguments: no place for options.
                if self.webhook.strip():
                    return "A chain's async call takes its arguments only: clear the webhook."
            elif self.mode == "async":
                from playground.core.request.asyncopts import AsyncOptions  # start-up time

                options = self.async_options or AsyncOptions(
                    webhook_endpoint=self.webhook.strip() or None, priority=self.priority
                )
            return RequestSpec(
                self.mode,
                target,
                self.body if not (self.mode == "route" and self.method == "GET") else None,
                self.method if self.mode == "route" else "POST",
                route if self.mode == "route" else "",
                async_options=options,
                headers=headers,
                model_api=model_api or "",
            )
        except ValueError as exc:
            return str(exc)
