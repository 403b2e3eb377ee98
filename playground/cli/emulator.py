"""`playground emulator`: the local Baseten-compatible server alone, in the foreground."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    emu = sub.add_parser(
        "emulator",
        help="run the local Baseten-compatible server alone",
        description="Run the local Baseten-compatible server and print its base URL and key.",
    )
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--port", type=int, default=8765, help="port to bind; 0 picks a free one")
    emu.add_argument("--key", help="API key the server accepts (default: a new random key)")
    emu.add_argument(
        "--invoke-only-key",
        action="append",
        default=[],
        metavar="K",
        help="also accept K, to call models and chains only: the management API (model lists, "
        "logs) answers it 403, as Baseten answers a key that may only invoke",
    )
    emu.add_argument(
        "--webhook-secret",
        action="append",
        default=[],
        metavar="S",
        help="sign async webhooks with this secret (repeat during a rotation)",
    )
    emu.add_argument(
        "--wake-seconds",
        type=float,
        default=2.0,
        help="seconds a scaled-to-zero deployment spends in WAKING_UP and in LOADING_MODEL",
    )
    emu.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def run(args: argparse.Namespace) -> int:
    from playground.emulator import EmulatorServer, EmulatorSettings

    settings = EmulatorSettings(
        webhook_secrets=list(args.webhook_secret),
        wake_seconds=args.wake_seconds,
        load_seconds=args.wake_seconds,
        invoke_only_keys=list(args.invoke_only_key),
    )
    if args.key:
        settings.api_keys = [args.key]
    try:
        server = EmulatorServer(settings, host=args.host, port=args.port, log_level=args.log_level)
    except OSError as exc:
        print(
            f"playground emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    ends = server.endpoints
    print(f"Playground local Baseten-compatible server on {ends.base_url}", flush=True)
    print(f"  base URL:   {ends.base_url}")
    print(f"  inference:  {ends.inference}   (e.g. {ends.base_url}/model-<id>/production/predict)")
    print(f"  management: {ends.management}")
    print(f"  model APIs: {ends.model_apis}")
    print(f"  API key:    {server.api_key}")
    for key in settings.invoke_only_keys:
        print(f"  invoke-only key: {key}   (calls models and chains; no management API, no logs)")
    print("Press Ctrl+C to stop.", flush=True)
    server.serve_forever()
    return 0
