"""A suite of 1,000 rows × 2 targets at concurrency 64 run in the Suites view, its table filling
as it runs, against a bare httpx asyncio loop sending the same 2,000 requests at the same
concurrency.

The local server runs in its own process; the bare loop in a process of its own too (a plain
asyncio loop, httpx, json: what a careful script does, with no checks and nothing kept), its
time taken inside it. Rounds alternate bare, view, bare, view …; the times are medians. While
the view runs, a 5 ms QTimer measures the window loop's lag; RSS is read before the first run
of the view and at its peak after the last. The view runs its engine in a worker process
(core/suites/worker.py): `rss_growth_mb` is the window's growth plus the worker's whole peak RSS
(VmHWM, which the worker reads from /proc/self/status and reports in its last line just before
it exits; the largest of the rounds'), so memory moved out of the window is still counted.
Targets: ratio (view / bare) <= 1.15, RSS growth <= 100 MB, p99 UI lag <= 16 ms.

    python benchmarks/suite_throughput.py [--rows 1000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks._shared import KEY, LagTimer, run_with_window_loop
from playground.core import BasetenClient, Remote, Target
from playground.emulator.demo import REVIEWS

CONCURRENCY = 64
TARGETS = (Target(REVIEWS, "environment", "production"), Target(REVIEWS, "deployment", "rv3k8pa"))
TEXTS = (
    "I love how fast this is, great work!",
    'Billing page says "error"\nand nothing else',
    "Très bien, great job",
    "It is not good, never fast",
)


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> float:
    """Start VmHWM again from the current RSS (Linux 4.0+); that RSS."""
    Path("/proc/self/clear_refs").write_text("5")
    return rss_mb("VmRSS")


def write_suite(folder: Path, rows: int) -> Path:
    with (folder / "rows.jsonl").open("w", encoding="utf-8") as out:
        for n in range(rows):
            out.write(json.dumps({"id": f"r{n}", "text": TEXTS[n % len(TEXTS)]}) + "\n")
    suite = {
        "schema_version": 1,
        "name": "throughput",
        "request": {"mode": "predict", "body": {"text": "{{text}}"}},
        "dataset": "rows.jsonl",
        "targets": [
            {"target": {"model": REVIEWS, "environment": "production"}},
            {"target": {"model": REVIEWS, "deployment": "rv3k8pa"}},
        ],
        "checks": [{"status": 200}, {"path": "label", "type": "string"}],
        "concurrency": CONCURRENCY,
    }
    path = folder / "suite.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    return path


def bare(job: str) -> None:
    """The bare loop, in its own process: every row to every URL, 64 in flight; prints seconds."""
    spec = json.loads(job)

    async def work() -> float:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        headers = {"Authorization": f"Api-Key {KEY}"}
        gate = asyncio.Semaphore(CONCURRENCY)
        async with httpx.AsyncClient(limits=limits, timeout=60) as http:

            async def one(url: str, text: str) -> None:
                async with gate:
                    response = await http.post(url, json={"text": text}, headers=headers)
                    response.raise_for_status()
                    json.loads(response.content)

            started = time.perf_counter()
            await asyncio.gather(
                *(
                    one(url, TEXTS[n % len(TEXTS)])
                    for n in range(spec["rows"])
                    for url in spec["urls"]
                )
            )
            return time.perf_counter() - started

    print(asyncio.run(work()))


async def bare_round(urls: list[str], rows: int) -> float:
    job = json.dumps({"urls": urls, "rows": rows})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--bare", job, stdout=subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode:
        raise RuntimeError("the bare loop failed")
    return float(out.decode().strip().splitlines()[-1])


async def measure(base_url: str, rows: int, rounds: int) -> dict[str, object]:
    from playground.ui.signals import first_signal
    from playground.ui.suites.view import SuitesView

    client = BasetenClient(Remote.local(base_url), KEY)
    urls = [t.predict_url(client.remote) for t in TARGETS]
    bare_s: list[float] = []
    view_s: list[float] = []
    lags: list[float] = []
    worker_peaks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        view = SuitesView(client, folder)
        view.resize(1280, 800)
        view.show()
        if not view.open_file(write_suite(folder, rows)):
            raise RuntimeError(view.title.text())
        rss_before = 0.0
        for n in range(rounds):
            bare_s.append(await bare_round(urls, rows))
            if n == 0:
                rss_before = reset_peak()
            timer = LagTimer()
            timer.start()
            started = time.perf_counter()
            done = asyncio.ensure_future(first_signal(view.controller.run_finished, within=100))
            view.run()
            await done
            view_s.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)  # the last tick
            timer.stop()
            lags.extend(timer.lags_ms)
            if view.model.rowCount() != rows or view.summary is None:
                raise RuntimeError(f"the table shows {view.model.rowCount()} rows of {rows}")
            if view.summary.rows_failed:
                raise RuntimeError(f"{view.summary.rows_failed} rows failed their checks")
            if view.controller.worker_peak_rss_mb is None:
                raise RuntimeError("the suite's worker did not say its peak RSS")
            worker_peaks.append(view.controller.worker_peak_rss_mb)
        window_growth = rss_mb("VmHWM") - rss_before
        await view.aclose()
        view.close()
    await client.aclose()
    lags.sort()
    ratio = statistics.median(view_s) / statistics.median(bare_s)
    return {
        "bare_s": [round(s, 2) for s in bare_s],
        "view_s": [round(s, 2) for s in view_s],
        "requests": rows * len(TARGETS),
        "concurrency": CONCURRENCY,
        "targets": {"ratio": 1.15, "rss_growth_mb": 100, "p99_lag_ms": 16},
        "ratio": round(ratio, 3),
        "rows_per_s": round(rows / statistics.median(view_s), 1),
        "window_rss_growth_mb": round(window_growth, 1),
        "worker_peak_rss_mb": round(max(worker_peaks), 1),
        "rss_growth_mb": round(window_growth + max(worker_peaks), 1),
        "p99_lag_ms": round(lags[int(len(lags) * 0.99) - 1], 2) if lags else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare(args.bare)
        return
    run_with_window_loop(lambda base_url: measure(base_url, args.rows, args.rounds))


if __name__ == "__main__":
    main()
