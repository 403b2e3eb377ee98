"""What a Model API answer cost, from the `/models` catalogue's pricing (USD per token, as
strings: `prompt`, `completion`, `input_cache_read`) and the answer's usage (prompt, completion
and cached prompt tokens); deployments are paid by the hour, so their rows have no cost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from playground.core.compare.results import ColumnResult
from playground.core.request.spec import Column


@dataclass(frozen=True)
class Price:
    """USD per token."""

    prompt: float
    completion: float
    cached: float  # a prompt token read from the cache

    def cost(self, prompt: int, completion: int, cached: int = 0) -> float:
        cached = min(cached, prompt)
        return (prompt - cached) * self.prompt + cached * self.cached + completion * self.completion


Prices = Mapping[str, Price]  # by Model API slug


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def prices_from_catalog(models: Iterable[Mapping[str, Any]]) -> dict[str, Price]:
    """Prices by slug from `BasetenClient.model_apis_catalog()`; a model without pricing has none."""
    out = {}
    for model in models:
        pricing = model.get("pricing")
        if not isinstance(pricing, Mapping) or "id" not in model:
            continue
        prompt = _number(pricing.get("prompt"))
        cached = pricing.get("input_cache_read")
        out[str(model["id"])] = Price(
            prompt=prompt,
            completion=_number(pricing.get("completion")),
            cached=_number(cached) if cached is not None else prompt,
        )
    return out


def usage_tokens(usage: Any) -> tuple[int, int, int] | None:
    """(prompt, completion, cached) tokens from an OpenAI `usage` object."""
    if not isinstance(usage, Mapping):
        return None
    details = usage.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, Mapping) else 0
    try:
        return (
            int(usage.get("prompt_tokens") or 0),
            int(usage.get("completion_tokens") or 0),
            int(cached or 0),
        )
    except (TypeError, ValueError):
        return None


def cell_cost(column: Column, result: ColumnResult, prices: Prices) -> float | None:
    """The answer's cost in USD, or None (not a Model API, no price, or no usage)."""
    if column.target is not None or column.model_api not in prices:
        return None
    tokens = usage_tokens(result.details.get("usage"))
    if tokens is None:
        return None
    return prices[column.model_api].cost(*tokens)
