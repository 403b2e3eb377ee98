"""Remotes (where Baseten's APIs live) and targets (which model or chain, which environment), and their URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from playground.core.errors import InvalidRequest
from playground.core.remote.truss import DEFAULT_URL, truss_url

RemoteKind = Literal["baseten", "truss"]
TargetKind = Literal["environment", "production", "development", "deployment", "regional"]


@dataclass(frozen=True)
class Remote:
    """Three URL bases; `{host}` in `inference` becomes `model-{id}`, `model-{id}-{env}` or `chain-{id}`.

    `kind` "truss" is a Truss server (the container's own routes): `inference` is its base URL,
    it has no management API, its OpenAI-compatible routes stand for the Model APIs, it carries its
    own route map (`truss_url`) and takes no key, so none is ever sent to it.
    """

    name: str
    inference: str
    management: str
    model_apis: str
    kind: RemoteKind = "baseten"

    @classmethod
    def baseten(cls) -> Remote:
        return cls(
            name="baseten",
            inference="https://{host}.api.baseten.co",
            management="https://api.baseten.co",
            model_apis="https://inference.baseten.co/v1",
        )

    @classmethod
    def local(cls, base_url: str, name: str = "local") -> Remote:
        """A Baseten-compatible server on this machine, such as `playground emulator`."""
        base = base_url.rstrip("/")
        return cls(
            name=name,
            inference=base + "/{host}",
            management=base + "/api",
            model_apis=base + "/inference/v1",
        )

    @classmethod
    def truss(cls, base_url: str = DEFAULT_URL, name: str = "truss") -> Remote:
        """A Truss server (`truss run`, its Docker image, or its server code) at `base_url`."""
        base = base_url.rstrip("/")
        return cls(name=name, inference=base, management="", model_apis="", kind="truss")

    @property
    def needs_key(self) -> bool:
        """False for a Truss server: it takes no key, and is sent none."""
        return self.kind != "truss"

    @classmethod
    def for_app_url(cls, app_url: str, name: str) -> Remote:
        """The remote behind a dashboard URL, as truss and the baseten CLI map it (§1.6).

        `https://app.baseten.co` gives Baseten itself; `https://app.staging.baseten.co` gives
        `api.staging.baseten.co`, `inference.staging.baseten.co` and `model-{id}.api.staging…`.
        """
        host = urlsplit(app_url if "://" in app_url else "https://" + app_url).hostname or ""
        domain = host.removeprefix("app.") if host.startswith("app.") else host
        if not domain:
            raise ValueError(f"not a URL: {app_url!r}")
        return cls(
            name=name,
            inference="https://{host}.api." + domain,
            management="https://api." + domain,
            model_apis="https://inference." + domain + "/v1",
        )

    @property
    def label(self) -> str:
        """Where this remote is, for people: a local server's base URL, or the management host."""
        if self.kind == "truss":
            return self.inference
        return self.management.removesuffix("/api")

    def host_url(self, host: str) -> str:
        return self.inference.replace("{host}", host)

    def management_url(self, path: str) -> str:
        """A management API URL: `path` is relative to `/v1/`, e.g. `models/{id}/deployments`."""
        if self.kind == "truss":
            raise InvalidRequest(f"{self.name} is a Truss server: it has no management API")
        return self.management.rstrip("/") + "/v1/" + path.lstrip("/")

    def model_apis_url(self, path: str = "") -> str:
        """The Model APIs base (OpenAI-compatible), or a path under it such as `chat/completions`."""
        if self.kind == "truss":  # its OpenAI-compatible routes are the model's own
            return truss_url(self.inference, "sync/v1/" + path.lstrip("/") if path else "sync/v1")
        base = self.model_apis.rstrip("/")
        return base + "/" + path.lstrip("/") if path else base


@dataclass(frozen=True)
class Target:
    """A model (or chain) and which of its deployments to call."""

    model_id: str
    kind: TargetKind = "production"
    name: str = ""  # environment name, deployment id or regional environment, by kind
    is_chain: bool = False

    def __post_init__(self) -> None:
        if not self.model_id:
            raise ValueError("a target needs a model or chain id")
        if self.kind in ("environment", "deployment", "regional") and not self.name:
            raise ValueError(f"a {self.kind} target needs a name")

    @property
    def label(self) -> str:
        if self.kind in ("production", "development"):
            return self.kind
        return f"{self.kind} {self.name}"

    def _host(self) -> str:
        prefix = "chain" if self.is_chain else "model"
        if self.kind == "regional":
            return f"{prefix}-{self.model_id}-{self.name}"
        return f"{prefix}-{self.model_id}"

    def _prefix(self) -> str:
        if self.kind == "regional":
            return ""
        if self.kind == "environment":
            return f"/environments/{self.name}"
        if self.kind == "deployment":
            return f"/deployment/{self.name}"
        return f"/{self.kind}"

    def url(self, remote: Remote, endpoint: str) -> str:
        """The URL of `endpoint` (`predict`, `async_predict`, `wake`, `sync/…`) for this target;
        on a Truss server, the remote's own route map says it (one model: the target is moot)."""
        if remote.kind == "truss":
            return truss_url(remote.inference, endpoint)
        return remote.host_url(self._host()) + self._prefix() + "/" + endpoint.lstrip("/")

    def openai_base(self, remote: Remote) -> str:
        """The OpenAI-compatible base of this deployment: point any OpenAI SDK here."""
        return self.url(remote, "sync/v1")

    def predict_url(self, remote: Remote) -> str:
        return self.url(remote, "run_remote" if self.is_chain else "predict")

    def async_request_url(self, remote: Remote, request_id: str) -> str:
        """Async status and cancel live on the host, outside any environment prefix."""
        if remote.kind == "truss":
            return truss_url(remote.inference, "async_request")
        return remote.host_url(self._host()) + f"/async_request/{request_id}"
