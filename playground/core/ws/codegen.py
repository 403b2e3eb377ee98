"""Code export of a WebSocket session: Python `websockets` and `websocat`, with
`$BASETEN_API_KEY` where the key goes (the key itself is never known here)."""

from __future__ import annotations

import base64
import json
import shlex

from playground.core.remote.remotes import Remote
from playground.core.request.codegen import KEY_ENV
from playground.core.secrets import REDACTOR
from playground.core.ws.plan import OutFrame, WsPlan

LABELS = {"python-websockets": "Python websockets", "websocat": "websocat"}


def plan_url(plan: WsPlan, remote: Remote) -> str:
    url = plan.target.url(remote, "websocket")
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


def _py_frame(frame: OutFrame) -> str:
    if frame.kind == "binary":
        return f"base64.b64decode({base64.b64encode(frame.data).decode()!r})"
    return repr(frame.payload())


def python_websockets(plan: WsPlan, remote: Remote) -> str:
    """An asyncio script on the `websockets` package: send the frames, print what comes back."""
    has_binary = any(f.kind == "binary" for f in plan.frames)
    imports = ["import asyncio", *(["import base64"] if has_binary else []), "import os"]
    frames = "".join(f"    {_py_frame(f)},\n" for f in plan.frames)
    headers = "".join(f"    {json.dumps(k)}: {json.dumps(v)},\n" for k, v in plan.headers.items())
    code = (
        "\n".join(imports)
        + "\n\nfrom websockets.asyncio.client import connect\n\n"
        + f"URL = {json.dumps(plan_url(plan, remote))}\n"
        + f"FRAMES = [\n{frames}]\n"
        + f"HEADERS = {{\n{headers}"
        + f'    "Authorization": f"Api-Key {{os.environ[{KEY_ENV!r}]}}",\n}}\n\n\n'
        + "async def main() -> None:\n"
        + "    # Baseten takes messages up to 100 MiB each way.\n"
        + "    async with connect(URL, additional_headers=HEADERS, max_size=100 * 2**20) as ws:\n"
        + "        for frame in FRAMES:\n"
        + "            await ws.send(frame)\n"
        + "        async for message in ws:  # until the model closes the session\n"
        + '            print(message if isinstance(message, str) else f"<{len(message)} bytes>")\n'
        + "\n\nasyncio.run(main())\n"
    )
    return REDACTOR.text(code)


def websocat(plan: WsPlan, remote: Remote) -> str:
    """A `websocat` command line. It sends one kind of frame per session: the text (and JSON)
    frames one per line, or, when every frame is binary, the bytes as binary messages."""
    texts = [f.payload() for f in plan.frames if f.kind != "binary"]
    binary = [f.data for f in plan.frames if f.kind == "binary"]
    headers = "".join(f" -H {shlex.quote(f'{k}: {v}')}" for k, v in plan.headers.items())
    auth = f'-H "Authorization: Api-Key ${KEY_ENV}"{headers}'
    url = shlex.quote(plan_url(plan, remote))
    lines: list[str] = []
    if binary and not texts:
        blob = base64.b64encode(b"".join(binary)).decode()
        lines.append(f"printf %s {shlex.quote(blob)} | base64 -d \\")
        lines.append(f"  | websocat --binary --no-close {auth} {url}")
    else:
        if binary:
            lines.append(
                f"# websocat sends one kind of frame per session: the {len(binary)} binary "
                "frame(s) are left out (the Python export sends them)."
            )
        quoted = " ".join(shlex.quote(str(t)) for t in texts)
        lines.append(f"printf '%s\\n' {quoted} \\" if texts else "true \\")
        lines.append(f"  | websocat --no-close {auth} {url}")
    return REDACTOR.text("\n".join(lines) + "\n")


def export(kind: str, plan: WsPlan, remote: Remote) -> str:
    """`kind` is one of LABELS."""
    if kind == "python-websockets":
        return python_websockets(plan, remote)
    if kind == "websocat":
        return websocat(plan, remote)
    raise ValueError(f"unknown export {kind!r}; one of {', '.join(LABELS)}")
