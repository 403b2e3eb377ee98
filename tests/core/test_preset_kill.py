"""Killing the process in the middle of a save leaves the old preset or the new one, never half a file.

A helper process imports the store once and, for each round, forks a child that saves a big preset
over and over, saying on stdout which round it starts and which it finished. The test SIGKILLs
the child at a random moment, then reads the file: it must be exactly the last round finished or
the one under way.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import playground
from playground.core.presets.preset import read_preset
from playground.core.presets.store import PresetStore

ROUNDS = 60

HELPER = r"""
import itertools, os, sys, time
from pathlib import Path
from typing import IO
from playground.core.presets.preset import Preset
from playground.core.presets.store import PresetStore
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec

folder = Path(sys.argv[1])
ROWS = ["%05d " % i + "x" * 60 for i in range(4000)]


def preset(n):
    return Preset("Big", RequestSpec("predict", Target("m"), {"round": n, "rows": ROWS}))


def say(*words):
    os.write(1, (" ".join(map(str, words)) + "\n").encode())  # one write: lines never mix


def save_forever(start):
    store = PresetStore(folder)
    store.load()
    entry = store.get("Big")
    deadline = time.monotonic() + 10  # never outlive a test that died
    for n in itertools.count(start):
        if time.monotonic() > deadline:
            return
        say("saving", n)
        entry = store.save(preset(n), replacing=entry)
        say("saved", n)


PresetStore(folder).save(preset(0))
say("ready")
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            save_forever(int(line))
        finally:
            os._exit(1)  # the child never goes back into this loop
    say("pid", pid)
    os.waitpid(pid, 0)
    say("done")
"""


def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    folder = tmp_path / "presets"
    seed = time.time_ns()
    rng = random.Random(seed)
    root = str(Path(playground.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root}
    with subprocess.Popen(
        [sys.executable, "-c", HELPER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as helper:
        assert helper.stdin is not None
        assert helper.stdout is not None
        interrupted = run_rounds(helper.stdin, helper.stdout, folder / "big.json", rng, seed)
        helper.stdin.close()
    store = PresetStore(folder)
    assert store.load() == []
    assert [entry.name for entry in store.presets()] == ["Big"]
    assert interrupted >= 5, f"only {interrupted} kills landed in the middle of a save"


def run_rounds(
    commands: IO[str], progress: IO[str], path: Path, rng: random.Random, seed: int
) -> int:
    """Each round: start a saving child, kill it, check the file; returns the kills mid-save."""
    assert progress.readline().strip() == "ready"
    current = read_preset(path).request.body["round"]
    rows = read_preset(path).request.body["rows"]
    interrupted = 0
    for round_number in range(1, ROUNDS + 1):
        commands.write(f"{round_number * 100_000}\n")
        commands.flush()
        lines = []
        while not (line := progress.readline()).startswith("pid"):
            lines.append(line.split())
        pid = int(line.split()[1])
        assert pid > 0
        time.sleep(rng.uniform(0, 0.03))
        os.kill(pid, signal.SIGKILL)
        while (line := progress.readline().strip()) != "done":
            lines.append(line.split())
        started = [int(n) for word, n in lines if word == "saving"]
        finished = [int(n) for word, n in lines if word == "saved"]
        allowed = {finished[-1] if finished else current}
        if started and started[-1] not in finished:
            allowed.add(started[-1])
            interrupted += 1
        preset = read_preset(path)  # raises if the file is not a whole preset
        assert preset.request.body["rows"] == rows, f"seed {seed}"
        assert preset.request.body["round"] in allowed, f"seed {seed}, round {round_number}"
        current = preset.request.body["round"]
    return interrupted
