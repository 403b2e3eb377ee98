"""What the history costs: recording a 256 KB response, searching and pruning a full database.

Records `--entries` exchanges with a 256 KB JSON body of words (what the cap keeps of a big
answer) into a fresh database, with the FTS5 trigram index and without it (the LIKE fallback),
then times a search for a word and for a request id, and a prune to half the size. Recording
runs on the recorder's worker thread in the app, never on the GUI thread: the figures say why.

    python benchmarks/history_record.py [--entries 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core.history import schema as history_schema
from playground.core.history.store import BODY_CAP, Exchange, History

WORDS = [
    "".join(random.choices(string.ascii_lowercase, k=random.randint(2, 9))) for _ in range(5000)
]


def body(size: int) -> bytes:
    words: list[str] = []
    total = 0
    while total < size:
        word = random.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    return json.dumps({"text": " ".join(words)}).encode()[:size]


def ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def measure(entries: int, *, fts: bool) -> dict[str, object]:
    real = history_schema.fts5_available
    history_schema.fts5_available = (lambda: False) if not fts else real  # type: ignore[assignment]
    try:
        folder = Path(tempfile.mkdtemp())
        history = History(folder / "history.sqlite3", max_bytes=1 << 40)
    finally:
        history_schema.fts5_available = real  # type: ignore[assignment]
    request = {"mode": "predict", "target": {"model": "abc123"}, "body": {"text": "hello"}}
    times = []
    for i in range(entries):
        exchange = Exchange(
            request,
            remote="bench",
            status=200,
            request_id=f"{i:08x}" * 4,
            content_type="application/json",
            response=body(BODY_CAP),
            metrics={"total_s": 0.1},
        )
        started = time.perf_counter()
        history.record(exchange)
        times.append(time.perf_counter() - started)
    size = history.size_bytes()
    started = time.perf_counter()
    found_word = len(history.search(random.choice(WORDS) + " " + random.choice(WORDS)))
    search_word = time.perf_counter() - started
    started = time.perf_counter()
    found_id = len(history.search(f"{entries // 2:08x}"))
    search_id = time.perf_counter() - started
    started = time.perf_counter()
    dropped = history.prune(size // 2)
    prune = time.perf_counter() - started
    history.close()
    return {
        "index": "fts5-trigram" if fts else "like",
        "record_256kb": ms(times),
        "database_mb": round(size / 1e6, 1),
        "search_two_words_ms": round(search_word * 1000, 1),
        "search_words_found": found_word,
        "search_request_id_ms": round(search_id * 1000, 1),
        "search_request_id_found": found_id,
        "prune_to_half_ms": round(prune * 1000, 1),
        "pruned": dropped,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    args = parser.parse_args()
    results = [measure(args.entries, fts=fts) for fts in (True, False)]
    print(json.dumps({"entries": args.entries, "body_bytes": BODY_CAP, "results": results}))


if __name__ == "__main__":
    main()
