"""What a model offers to call: its environments, development and deployments, as choices with status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.core.remote.remotes import Target

# Every status a deployment can have (DeploymentStatusV1, baseten-api.md), and which of them
# mean "asleep or on its way up" (a request wakes it) and "able to serve, now or soon".
DEPLOYMENT_STATUSES = (
    *("ACTIVE", "SCALED_TO_ZERO", "WAKING_UP", "LOADING_MODEL", "UPDATING", "DEPLOYING"),
    *("BUILDING", "DEPLOY_FAILED", "UNHEALTHY", "BUILD_FAILED", "BUILD_STOPPED", "DEACTIVATING"),
    *("INACTIVE", "FAILED"),
)
COLD = frozenset({"SCALED_TO_ZERO", "WAKING_UP", "LOADING_MODEL"})
HEALTHY = frozenset({"ACTIVE", *COLD, "UPDATING"})


@dataclass(frozen=True)
class TargetChoice:
    """One thing to call on a model, with what the management API says of it."""

    target: Target
    label: str
    status: str = ""  # ACTIVE, SCALED_TO_ZERO, WAKING_UP, … ("" when unknown)
    deployment_id: str = ""
    deployment_name: str = ""
    is_production: bool = False

    @property
    def can_wake(self) -> bool:
        return self.status == "SCALED_TO_ZERO"  # waking or loading: already on its way


def target_choices(
    model: dict[str, Any],
    environments: list[dict[str, Any]],
    deployments: list[dict[str, Any]],
) -> list[TargetChoice]:
    """Environments first (production on top), then development, then every deployment by id."""
    model_id = str(model["id"])
    choices: list[TargetChoice] = []
    ordered = sorted(
        environments, key=lambda env: (env.get("name") != "production", env.get("name"))
    )
    for env in ordered:
        name = str(env.get("name", ""))
        current = env.get("current_deployment") or {}
        choices.append(
            TargetChoice(
                Target(model_id, "environment", name),
                name,
                str(current.get("status", "")),
                str(current.get("id", "")),
                str(current.get("name", "")),
                is_production=name == "production",
            )
        )
    for dep in deployments:
        if dep.get("is_development"):
            choices.append(
                TargetChoice(
                    Target(model_id, "development"),
                    "development",
                    str(dep.get("status", "")),
                    str(dep.get("id", "")),
                    str(dep.get("name", "")),
                )
            )
    for dep in deployments:
        dep_id = str(dep.get("id", ""))
        name = str(dep.get("name", ""))
        where = dep.get("environment") or ("development" if dep.get("is_development") else "")
        choices.append(
            TargetChoice(
                Target(model_id, "deployment", dep_id),
                f"deployment {dep_id}"
                + (f" ({name}{', ' + where if where else ''})" if name else ""),
                str(dep.get("status", "")),
                dep_id,
                name,
                is_production=bool(dep.get("is_production")),
            )
        )
    return choices


def parse_target(model_id: str, text: str) -> Target:
    """A target typed by hand: `production`, `development`, an environment name,
    `deployment ID` or `regional ENV` (for keys without management access)."""
    words = text.strip().split()
    if not words or words == ["production"]:
        return Target(model_id, "production")
    if words == ["development"]:
        return Target(model_id, "development")
    if len(words) >= 2 and words[0] in ("deployment", "regional"):
        return Target(model_id, words[0], words[1])  # type: ignore[arg-type]
    return Target(model_id, "environment", words[0])


def target_text(target: Target) -> str:
    """How `parse_target` reads `target` back: `production`, `staging`, `deployment ID` …"""
    if target.kind in ("production", "development"):
        return target.kind
    if target.kind == "environment":
        return target.name
    return f"{target.kind} {target.name}"


def same_target_key(target: Target) -> Target:
    """`environments/production` and `production` are one target; compare them as one."""
    if target.kind == "environment" and target.name == "production":
        return Target(target.model_id, "production", is_chain=target.is_chain)
    return target
