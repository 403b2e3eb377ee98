"""A chat pane's model: the turns, the parameters, the body to send, and exports as JSON or Markdown."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from playground.core.chat.parts import join_content, split_content
from playground.core.chat.protocol import merge_tool_call, tool_calls_from
from playground.core.errors import InvalidRequest
from playground.core.events import ChatDelta, ChatResult, ToolCall
from playground.core.logprobs import TokenLogprob
from playground.core.metrics import Metrics

Role = Literal["user", "assistant", "tool"]

RESPONSE_FORMATS = ("text", "json_object", "json_schema")
REASONING_EFFORTS = ("low", "medium", "high")
MAX_STOP_STRINGS = 32  # Baseten's limit; OpenAI's is 4
MAX_TOP_LOGPROBS = 20

# Endings that are not failures, but still leave the answer short of what was asked.
FINISH_NOTES = {
    "length": "The answer reached the max_tokens limit and was cut short.",
    "content_filter": "The provider's content filter stopped the answer.",
}


@dataclass
class ChatParams:
    """Sampling parameters; None (or empty) means the server's default, and is not sent."""

    model: str = ""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    response_format: str | None = None  # "text", "json_object" or "json_schema"
    # With json_schema: OpenAI's `{"name", "schema", "strict"?}` object.
    json_schema: dict[str, Any] | None = None
    logprobs: int | None = None  # None: off; N: logprobs with N alternatives per token
    reasoning_effort: str | None = None  # low, medium or high
    extra: dict[str, Any] = field(default_factory=dict)  # merged into the body last

    def validate(self) -> None:
        """Raise InvalidRequest, in words, for the first value out of range."""
        if self.temperature is not None and not 0 <= self.temperature <= 4:
            raise InvalidRequest(f"Temperature must be between 0 and 4, not {self.temperature}.")
        if self.top_p is not None and not 0 <= self.top_p <= 1:
            raise InvalidRequest(f"Top p must be between 0 and 1, not {self.top_p}.")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise InvalidRequest(f"Max tokens must be at least 1, not {self.max_tokens}.")
        if len(self.stop) > MAX_STOP_STRINGS:
            raise InvalidRequest(
                f"At most {MAX_STOP_STRINGS} stop strings are allowed, not {len(self.stop)}."
            )
        if any(not stop for stop in self.stop):
            raise InvalidRequest("A stop string must not be empty.")
        if self.response_format is not None and self.response_format not in RESPONSE_FORMATS:
            raise InvalidRequest(
                "The response format must be text, json_object or json_schema, "
                f"not {self.response_format!r}."
            )
        if self.response_format == "json_schema":
            spec = self.json_schema
            if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
                raise InvalidRequest("A json_schema response format needs a schema (an object).")
            if not spec.get("name"):
                raise InvalidRequest("A json_schema response format needs a name.")
        if self.logprobs is not None and not 0 <= self.logprobs <= MAX_TOP_LOGPROBS:
            raise InvalidRequest(
                f"Top logprobs must be between 0 and {MAX_TOP_LOGPROBS}, not {self.logprobs}."
            )
        if self.reasoning_effort is not None and self.reasoning_effort not in REASONING_EFFORTS:
            raise InvalidRequest(
                f"Reasoning effort must be low, medium or high, not {self.reasoning_effort!r}."
            )

    def to_body(self) -> dict[str, Any]:
        """The parameters as sent, without messages and stream; `extra` is not merged here."""
        body: dict[str, Any] = {}
        if self.model:
            body["model"] = self.model
        for name in ("temperature", "top_p", "max_tokens"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        if self.stop:
            body["stop"] = list(self.stop)
        if self.seed is not None:
            body["seed"] = self.seed
        if self.response_format == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": copy.deepcopy(self.json_schema),
            }
        elif self.response_format is not None:
            body["response_format"] = {"type": self.response_format}
        if self.logprobs is not None:
            body["logprobs"] = True
            if self.logprobs:
                body["top_logprobs"] = self.logprobs
        if self.reasoning_effort is not None:
            body["reasoning_effort"] = self.reasoning_effort
        return body

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ChatParams:
        """The parameters of a chat body; what has no field of its own goes to `extra`."""
        known = {"messages", "stream", "stream_options", "model", "temperature", "top_p"}
        known |= {"max_tokens", "stop", "seed", "response_format"}
        known |= {"logprobs", "top_logprobs", "reasoning_effort"}
        stop = body.get("stop") or []
        response_format = body.get("response_format")
        logprobs = None
        if body.get("logprobs"):
            top = body.get("top_logprobs")
            logprobs = top if isinstance(top, int) and not isinstance(top, bool) else 0
        elif body.get("top_logprobs") is not None:  # not asked for: send it on as it was
            known -= {"top_logprobs"}
        schema = response_format.get("json_schema") if isinstance(response_format, dict) else None
        params = cls(
            model=str(body.get("model") or ""),
            temperature=body.get("temperature"),
            top_p=body.get("top_p"),
            max_tokens=body.get("max_tokens"),
            stop=[stop] if isinstance(stop, str) else [str(s) for s in stop],
            seed=body.get("seed"),
            response_format=response_format.get("type")
            if isinstance(response_format, dict)
            else None,
            json_schema=copy.deepcopy(schema) if isinstance(schema, dict) else None,
            logprobs=logprobs,
            reasoning_effort=body.get("reasoning_effort"),
            extra={k: copy.deepcopy(v) for k, v in body.items() if k not in known},
        )
        params.validate()
        return params


@dataclass
class Turn:
    """One message. An assistant turn fills from deltas; `error` says why it stopped short.

    `is_partial`: the answer did not finish (it failed or was cancelled); `content` is what came.
    """

    role: Role
    content: str
    parts: list[dict[str, Any]] = field(default_factory=list)  # a user's images, after the text
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str = ""
    finish_reason: str | None = None
    metrics: Metrics | None = None
    request_id: str | None = None
    error: str = ""
    is_partial: bool = False
    logprobs: list[TokenLogprob] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.content or self.reasoning or self.tool_calls)

    def to_openai(self) -> dict[str, Any] | None:
        """This turn as an OpenAI message; None for an assistant turn with nothing to send back."""
        if self.role == "tool":
            return {"role": "tool", "tool_call_id": self.tool_call_id, "content": self.content}
        if self.role == "user":
            return {"role": "user", "content": join_content(self.content, self.parts)}
        unfinished = self.error or self.is_partial or self.metrics is None
        if not (self.content or self.tool_calls) and unfinished:
            return None  # failed, or still streaming: nothing the model said
        # Reasoning is not sent back: the API does not take it, and some servers reject it.
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.content if self.content or not self.tool_calls else None,
        }
        if self.tool_calls:
            message["tool_calls"] = [call.to_openai() for call in self.tool_calls]
        return message


@dataclass
class Conversation:
    """The turns of one chat with its system prompt and parameters. Holds no key, ever."""

    system_prompt: str = ""
    params: ChatParams = field(default_factory=ChatParams)
    turns: list[Turn] = field(default_factory=list)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Conversation:
        """A conversation from a chat request body (a preset's, a history entry's)."""
        if not isinstance(body, dict) or not isinstance(body.get("messages", []), list):
            raise InvalidRequest("A chat body is an object with a list of messages.")
        conversation = cls(params=ChatParams.from_body(body))
        for message in body.get("messages", []):
            if not isinstance(message, dict):
                raise InvalidRequest("Each message is an object with a role and content.")
            role, content = message.get("role"), message.get("content")
            text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
            if content is None:
                text = ""
            if role == "system" and not conversation.turns:
                conversation.system_prompt = text
            elif role == "user":
                conversation.add_user(*split_content(content))  # images stay parts
            elif role == "tool":
                conversation.add_tool(str(message.get("tool_call_id", "")), text)
            elif role == "assistant":
                calls = {
                    i: {
                        "id": c.get("id", ""),
                        "type": c.get("type", "function"),
                        "name": (c.get("function") or {}).get("name", ""),
                        "arguments": [(c.get("function") or {}).get("arguments", "")],
                    }
                    for i, c in enumerate(message.get("tool_calls") or [])
                    if isinstance(c, dict)
                }
                conversation._add(
                    Turn("assistant", text, tool_calls=tool_calls_from(calls), metrics=Metrics())
                )
            else:
                raise InvalidRequest(f"Unknown message role {role!r}.")
        return conversation

    # --- building ------------------------------------------------------------------------------

    def add_user(self, text: str, parts: list[dict[str, Any]] | None = None) -> Turn:
        """A user message; `parts` are its images (`image_url` parts), sent after the text."""
        return self._add(Turn("user", text, parts=list(parts or [])))

    def add_tool(self, tool_call_id: str, content: str) -> Turn:
        """The result of a tool call, to send back to the model."""
        return self._add(Turn("tool", content, tool_call_id=tool_call_id))

    def begin_assistant(self) -> Turn:
        """An empty assistant turn for the deltas of the answer to fill."""
        return self._add(Turn("assistant", ""))

    def _add(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        return turn

    def apply_delta(self, turn: Turn, delta: ChatDelta) -> None:
        turn.content += delta.content
        turn.reasoning += delta.reasoning
        if delta.tool_calls:
            calls = {
                c.index: {"id": c.id, "type": c.type, "name": c.name, "arguments": [c.arguments]}
                for c in turn.tool_calls
            }
            for fragment in delta.tool_calls:
                merge_tool_call(calls, fragment)
            turn.tool_calls = tool_calls_from(calls)

    def finish(
        self, turn: Turn, result: ChatResult, metrics: Metrics, request_id: str | None = None
    ) -> None:
        """The answer ended: the result is authoritative over what the deltas built."""
        turn.content = result.content
        turn.reasoning = result.reasoning
        turn.tool_calls = list(result.tool_calls)
        turn.logprobs = list(result.logprobs)
        turn.finish_reason = result.finish_reason
        turn.metrics = metrics
        turn.request_id = request_id or metrics.request_id
        turn.error = FINISH_NOTES.get(result.finish_reason or "", "")
        turn.is_partial = False

    def fail(
        self,
        turn: Turn,
        message: str,
        partial: ChatResult | None = None,
        *,
        metrics: Metrics | None = None,
        request_id: str | None = None,
    ) -> None:
        """The answer broke off (an error, or cancelled): keep what arrived, say what happened."""
        if partial is not None:
            # The deltas may have shown more than a partial built elsewhere: keep the longer.
            turn.content = max(turn.content, partial.content, key=len)
            turn.reasoning = max(turn.reasoning, partial.reasoning, key=len)
            if partial.tool_calls:
                turn.tool_calls = list(partial.tool_calls)
            turn.finish_reason = partial.finish_reason or turn.finish_reason
        if metrics is not None:
            turn.metrics = metrics
        turn.request_id = request_id or (metrics.request_id if metrics else None) or turn.request_id
        turn.error = message
        turn.is_partial = True

    # --- bodies --------------------------------------------------------------------------------

    def messages(self) -> list[dict[str, Any]]:
        """The OpenAI messages: the system prompt (if any), then every turn worth sending."""
        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        messages += [m for m in (turn.to_openai() for turn in self.turns) if m is not None]
        return messages

    def request_body(self, stream: bool = True) -> dict[str, Any]:
        """The chat body as sent, `extra` last (stream_options are added on send)."""
        body: dict[str, Any] = {"messages": self.messages(), **self.params.to_body()}
        body["stream"] = stream
        body.update(copy.deepcopy(self.params.extra))
        return body

    def regenerate_body(self, stream: bool = True) -> dict[str, Any]:
        """Drop the last answer (if the last turn is one) and return the body to ask again."""
        if self.turns and self.turns[-1].role == "assistant":
            self.turns.pop()
        return self.request_body(stream)

    def edit(self, index: int, text: str, stream: bool = True) -> dict[str, Any]:
        """Rewrite a user turn, forget everything after it, and return the body to resend."""
        index = range(len(self.turns))[index]  # IndexError when out of range; allows -1
        turn = self.turns[index]
        if turn.role != "user":
            raise InvalidRequest(f"Only a user turn can be edited; turn {index} is {turn.role}.")
        turn.content = text
        del self.turns[index + 1 :]
        return self.request_body(stream)

    def clear(self) -> None:
        """Forget the turns; the system prompt and the parameters stay."""
        self.turns.clear()

    # --- exports -------------------------------------------------------------------------------

    def to_openai_json(self, stream: bool = True) -> str:
        """The body as pretty JSON: the messages, system first, then the parameters."""
        return json.dumps(self.request_body(stream), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """A transcript to read or share: parameters, then each turn with its figures."""
        body = self.request_body()
        model = body.get("model")
        params = [
            f"{name}={json.dumps(value, ensure_ascii=False)}"
            for name, value in body.items()
            if name not in ("messages", "model", "stream")
        ]
        blocks = ["# Chat"]
        blocks.append(
            f"- Model: {f'`{model}`' if model else '(not set)'}\n"
            f"- Parameters: {', '.join(params) if params else '(defaults)'}"
        )
        if self.system_prompt:
            blocks += ["### System", self.system_prompt]
        for turn in self.turns:
            blocks += _turn_markdown(turn)
        return "\n\n".join(blocks) + "\n"


def _fence(text: str, language: str = "") -> str:
    """A fenced block longer than any run of backticks inside, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _part_note(part: dict[str, Any]) -> str:
    """An image part in a few words: never its base64."""
    url = (
        str((part.get("image_url") or {}).get("url", "")) if part.get("type") == "image_url" else ""
    )
    if url.startswith("data:"):
        kind = url[5:].split(";", 1)[0] or "image"
        return f"*[{kind}, {len(url.partition(',')[2]) * 3 // 4:,} bytes]*"
    return f"*[image: {url}]*" if url else f"*[{part.get('type', 'part')}]*"


def _turn_markdown(turn: Turn) -> list[str]:
    if turn.role == "user":
        return ["### User", turn.content, *(_part_note(part) for part in turn.parts)]
    if turn.role == "tool":
        return ["### Tool", f"Result of `{turn.tool_call_id}`:", _fence(turn.content)]
    blocks = ["### Assistant"]
    if turn.reasoning:
        quoted = "\n".join(f"> {line}".rstrip() for line in turn.reasoning.splitlines())
        blocks.append(f"> **Reasoning**\n>\n{quoted}")
    if turn.content:
        blocks.append(turn.content)
    for call in turn.tool_calls:
        try:
            arguments = json.dumps(json.loads(call.arguments), indent=2, ensure_ascii=False)
        except ValueError:
            arguments = call.arguments
        blocks += [f"Tool call `{call.name}` (`{call.id}`):", _fence(arguments, "json")]
    if turn.error:
        blocks.append(f"**Stopped:** {turn.error}")
    figures = _figures(turn)
    if figures:
        blocks.append("\n".join(f"- {figure}" for figure in figures))
    return blocks


def _figures(turn: Turn) -> list[str]:
    figures = []
    metrics = turn.metrics
    if metrics is not None:
        if metrics.first_token_s is not None:
            figures.append(f"TTFT: {metrics.first_token_s * 1000:.0f} ms")
        if metrics.tokens_per_s is not None:
            figures.append(f"Tokens/s: {metrics.tokens_per_s:.1f}")
        if metrics.tokens is not None:
            estimated = metrics.tokens_estimated
            tokens = f"~{metrics.tokens} (estimated)" if estimated else str(metrics.tokens)
            figures.append(f"Completion tokens: {tokens}")
        if metrics.total_s is not None:
            figures.append(f"Total: {metrics.total_s:.2f} s")
    if turn.finish_reason:
        figures.append(f"Finish reason: {turn.finish_reason}")
    if turn.request_id:
        figures.append(f"Request id: `{turn.request_id}`")
    return figures
