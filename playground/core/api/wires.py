"""How the client reads each chat wire Model APIs speak: chat completions, the Responses API
and the Messages API, each parsed into the same chat events and `ChatResult`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playground.core.chat.protocol import ChatStreamParser, chat_result_from_json
from playground.core.chat.wire_messages import MessagesStreamParser, messages_result_from_json
from playground.core.chat.wire_responses import ResponsesStreamParser, responses_result_from_json
from playground.core.events import ChatResult
from playground.core.metrics import Clock, Metrics
from playground.core.request.api_bodies import Api


@dataclass(frozen=True)
class Wire:
    parser: Callable[[Metrics, Clock], ChatStreamParser]
    result_from_json: Callable[[bytes, Metrics], ChatResult]


WIRES: dict[Api, Wire] = {
    "chat": Wire(ChatStreamParser, chat_result_from_json),
    "responses": Wire(ResponsesStreamParser, responses_result_from_json),
    "messages": Wire(MessagesStreamParser, messages_result_from_json),
}
