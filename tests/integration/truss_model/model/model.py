"""A Truss model for Playground's integration test; answers are fixed so that a test can say
what it expects. `{"stream": true}` makes predict a generator (streamed as octet-stream), and a
chat with `"stream": true` answers in SSE."""

import json
import time

from starlette.requests import Request

LOAD_S = 1.0  # long enough for the test to see the server say "not ready" first


class Model:
    def __init__(self, **kwargs):
        self._ready = False

    def load(self):
        time.sleep(LOAD_S)
        self._ready = True

    def predict(self, model_input, request: Request):
        if model_input.get("stream"):
            return self._words(model_input.get("text", ""))
        text = str(model_input.get("text", ""))
        # What reached the server in Authorization: the app must never send a key to a Truss.
        seen = request.headers.get("authorization")
        return {"upper": text.upper(), "length": len(text), "authorization": seen}

    def _words(self, text):
        for word in str(text).split():
            yield word.upper() + "\n"

    def chat_completions(self, model_input):
        last = model_input["messages"][-1]["content"]
        answer = f"echo: {last}"
        if model_input.get("stream"):
            # A bare generator is streamed as application/octet-stream; SSE needs its type said.
            from fastapi.responses import StreamingResponse

            return StreamingResponse(self._chat_stream(answer), media_type="text/event-stream")
        return {
            "id": "chatcmpl-truss",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "playground-test",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }

    def _chat_stream(self, answer):
        for piece in answer.split(" "):
            chunk = {
                "id": "chatcmpl-truss",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": "playground-test",
                "choices": [{"index": 0, "delta": {"content": piece + " "}, "finish_reason": None}],
            }
            yield f"data: {json.dumps(chunk)}\n\n"
        yield "data: [DONE]\n\n"
