"""What each demo feature module adds its models to: the catalogue being built, and one clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playground.emulator.catalogue import Catalogue, Deployment, Model, ModelAPI

DAY = 86_400.0


@dataclass
class DemoBuilder:
    """The demo catalogue while the feature modules add to it, in order."""

    now: float
    scale_down_delay: int
    models: dict[str, Model] = field(default_factory=dict)
    model_apis: dict[str, ModelAPI] = field(default_factory=dict)

    def add_model(self, model: Model) -> None:
        if model.id in self.models:
            raise ValueError(f"two demo models have the id {model.id}")
        self.models[model.id] = model

    def add_model_api(self, api: ModelAPI) -> None:
        if api.slug in self.model_apis:
            raise ValueError(f"two demo Model APIs have the slug {api.slug}")
        self.model_apis[api.slug] = api

    def catalogue(self) -> Catalogue:
        return Catalogue(models=dict(self.models), model_apis=dict(self.model_apis))


def deployments(
    model_id: str,
    created: float,
    specs: list[tuple[str, str, str | None, bool, dict[str, Any]]],
    **common: Any,
) -> list[Deployment]:
    """A model's deployments, an hour apart: (id, name, environment, is_development, variant)."""
    return [
        Deployment(
            id=dep_id,
            name=name,
            owner_id=model_id,
            created_at=created + i * 3600,
            variant=variant,
            environment=env,
            is_development=is_dev,
            **common,
        )
        for i, (dep_id, name, env, is_dev, variant) in enumerate(specs)
    ]
