"""Which `model` names an OpenAI-compatible deployment accepts, as the engine it stands for does.

Engine-Builder / BIS-LLM servers accept any name (Baseten's own snippet sends `model="baseten"`);
vLLM and SGLang servers insist on their `--served-model-name` (baseten-api.md §0, §5.2).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

ENGINE_BUILDER = "engine-builder"
VLLM = "vllm"


def engine_of(variant: dict[str, Any]) -> str:
    return str(variant.get("engine", ENGINE_BUILDER))


def model_not_found(variant: dict[str, Any], served: str, model: Any) -> Response | None:
    """vLLM's own 404 for a name it does not serve; None when the name is accepted."""
    if engine_of(variant) != VLLM or model is None or model == served:
        return None
    # vLLM's ErrorResponse, word for word (vllm-project/vllm issue 3485, serving_engine._check_model).
    body = {
        "object": "error",
        "message": f"The model `{model}` does not exist.",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }
    return Response(json.dumps(body), status_code=404, media_type="application/json")
