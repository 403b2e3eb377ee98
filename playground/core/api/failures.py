"""httpx's errors made ours: a plain sentence for every way the network can fail, and which
timeout fired."""

from __future__ import annotations

import socket
import ssl

import httpx

from playground.core.api.policy import Timeouts, seconds
from playground.core.errors import NetworkError, StreamCut, timed_out


def describe_host(request: httpx.Request) -> str:
    url = request.url
    port = f":{url.port}" if url.port else ""
    return f"{url.host}{port}"


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it: anyio hides the OSError that says why a connect failed."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def network_error(exc: httpx.HTTPError, request: httpx.Request, timeouts: Timeouts) -> NetworkError:
    """A plain sentence for every way the network can fail."""
    where = describe_host(request)
    causes = _causes(exc)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return timed_out(
            "connect",
            f"Timed out connecting to {where} after {seconds(timeouts.connect)} (connect timeout)",
        )
    if isinstance(exc, httpx.ReadTimeout):
        return timed_out(
            "read", f"Timed out: no data from {where} for {seconds(timeouts.read)} (read timeout)"
        )
    if isinstance(exc, httpx.WriteTimeout):
        return timed_out(
            "write",
            f"Timed out sending the request to {where} after {seconds(timeouts.write)} "
            "(write timeout)",
        )
    if isinstance(exc, httpx.PoolTimeout):
        return timed_out(
            "pool",
            f"Timed out after {seconds(timeouts.pool)} waiting for a free connection to {where} "
            "(pool timeout)",
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"Timed out talking to {where}", "Check the network and retry.")
    if isinstance(exc, httpx.ConnectError):
        lowered = " ".join(str(c) for c in causes).lower()
        if (
            any(isinstance(c, socket.gaierror) for c in causes)
            or ("name or service not known" in lowered or "nodename nor servname" in lowered)
            or "temporary failure in name resolution" in lowered
            or "getaddrinfo" in lowered
        ):
            return NetworkError(
                f"Could not resolve the host name {request.url.host}",
                "Check the remote's URL and your DNS or network.",
            )
        if (
            any(isinstance(c, ssl.SSLError) for c in causes)
            or "ssl" in lowered
            or ("certificate" in lowered)
        ):
            return NetworkError(
                f"TLS handshake with {where} failed: {text}",
                "Check the system's certificates, or a proxy that intercepts TLS.",
            )
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in lowered:
            return NetworkError(
                f"Connection refused by {where}",
                "Nothing is listening there; check the remote's URL and port.",
            )
        return NetworkError(f"Could not connect to {where}: {text}", "Check the network and retry.")
    if isinstance(exc, httpx.RemoteProtocolError):
        return StreamCut(f"The connection to {where} closed before the response was complete")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return StreamCut(f"The connection to {where} broke: {text}")
    return NetworkError(f"Request to {where} failed: {text}")
