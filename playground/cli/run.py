"""`playground run PRESET`: send a saved preset from a terminal and print JSON lines like `call`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from playground import resources
from playground.cli.call import submit_async
from playground.cli.flags import UsageError, add_remote_flags, client_for
from playground.cli.output import Printer, print_chat, print_events
from playground.cli.ws import talk
from playground.core import paths
from playground.core.api.client import BasetenClient
from playground.core.presets.preset import DEFAULT_REMOTE, Preset, PresetError, read_preset
from playground.core.presets.store import PresetStore
from playground.core.ws.plan import WsPlan


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser(
        "run",
        help="send a saved preset",
        description="Send a saved preset (by name or file) and print events and metrics as "
        "JSON lines, as `playground call` and `playground chat` do.",
    )
    run.add_argument("preset", metavar="PRESET", help="a preset's name, or the path of its file")
    run.add_argument(
        "--presets-dir",
        metavar="DIR",
        type=Path,
        help="look for PRESET in DIR (e.g. a project's presets in git) instead of your own",
    )
    run.add_argument("--wait", action="store_true", help="async: poll until a terminal status")
    add_remote_flags(run, default=None)
    run.set_defaults(runner=run_preset)


def find_preset(wanted: str, presets_dir: Path | None, err: TextIO) -> Preset:
    """A preset file's content, or a preset by name in the folder; UsageError in words if none."""
    path = Path(wanted)
    if path.suffix.lower() == ".json" and path.is_file():
        try:
            return read_preset(path)
        except PresetError as exc:
            raise UsageError(f"{path} cannot be run: {exc}") from None
    if presets_dir is not None and not presets_dir.is_dir():
        raise UsageError(f"--presets-dir {presets_dir} is not a folder")
    store = PresetStore(
        presets_dir or paths.presets_dir(),
        example_dirs=() if presets_dir else resources.example_presets_dirs(),
        set_aside=False,  # a script reads; the window sets broken files aside
    )
    for problem in store.load():
        err.write(f"warning: {problem.message}\n")
    try:
        return store.get(wanted).preset
    except PresetError as exc:
        raise UsageError(str(exc)) from None


async def talk_plan(client: BasetenClient, preset: Preset, out: Printer) -> None:
    """A WebSocket preset's session, as `playground ws` has it: its frames sent in order."""
    try:
        plan = WsPlan.from_spec(preset.request)
    except ValueError as exc:
        raise UsageError(f"{preset.name!r} cannot be run: {exc}") from None
    if not plan.frames:
        raise UsageError(f"{preset.name!r} has no frames to send; add some in the window")
    frames = [frame.payload() for frame in plan.frames]
    await talk(client, plan.target, frames, out, headers=plan.headers)


async def run_preset(args: argparse.Namespace, out: Printer) -> None:
    preset = find_preset(args.preset, args.presets_dir, sys.stderr)
    if preset.is_comparison:
        raise UsageError(
            f"{preset.name!r} is a comparison of {len(preset.columns)} columns, and `playground "
            "run` sends one request; run it with `playground compare`"
        )
    flags = (args.base_url, args.inference_url, args.management_url, args.model_apis_url)
    if args.remote is None:
        if preset.remote != DEFAULT_REMOTE and not any(flags):
            raise UsageError(
                f"{preset.name!r} was saved for the remote {preset.remote!r}; say where it is "
                "with --base-url URL (or send it to Baseten with --remote baseten)"
            )
        args.remote = DEFAULT_REMOTE
    spec = preset.request
    client = client_for(args)
    try:
        if spec.mode == "chat":
            body = spec.chat_body()
            if not isinstance(body, dict):
                raise UsageError(f"{preset.name!r} is a chat whose body is not a JSON object")
            base = client.openai_base(spec.target)
            await print_chat(client.chat(base, body, headers=dict(spec.headers), api=spec.api), out)
        elif spec.mode == "async":
            assert spec.target is not None  # only chat may go without one
            options = spec.async_options
            await submit_async(client, spec.target, spec.body, options, wait=args.wait, out=out)
        elif spec.mode == "websocket":
            await talk_plan(client, preset, out)
        else:
            await print_events(client.send(spec), out)
    finally:
        await client.aclose()
