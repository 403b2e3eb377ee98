"""Presets: the file form, migrations, the store's folders, broken files, undo, import and export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.core.presets.preset import (
    SCHEMA_VERSION,
    Preset,
    PresetError,
    migrate,
    read_preset,
    slug,
)
from playground.core.presets.store import NameTaken, PresetStore
from playground.core.presets.truss_import import presets_from_truss
from playground.core.remote.remotes import Target
from playground.core.request.asyncopts import AsyncOptions
from playground.core.request.spec import Column, RequestSpec

STAGING = Target("abc123", "environment", "staging")


def sentiment(name: str = "Sentiment on staging", **changes: object) -> Preset:
    return Preset(name, RequestSpec("predict", STAGING, {"text": "great"}), **changes)  # type: ignore[arg-type]


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "presets"


# --- the file form ---------------------------------------------------------------------------


def test_a_known_preset_is_written_exactly_so() -> None:
    preset = Preset(
        "Sentiment on staging",
        RequestSpec("predict", STAGING, {"text": "I love it", "top_k": 2}),
        remote="local",
    )
    assert preset.to_text() == (
        "{\n"
        '  "schema_version": 3,\n'
        '  "name": "Sentiment on staging",\n'
        '  "remote": "local",\n'
        '  "request": {\n'
        '    "mode": "predict",\n'
        '    "target": {\n'
        '      "model": "abc123",\n'
        '      "environment": "staging"\n'
        "    },\n"
        '    "body": {\n'
        '      "text": "I love it",\n'
        '      "top_k": 2\n'
        "    }\n"
        "  }\n"
        "}\n"
    )


def test_defaults_are_not_written() -> None:
    data = Preset("p", RequestSpec("predict", Target("m"))).to_dict()
    assert data == {
        "schema_version": 3,
        "name": "p",
        "request": {"mode": "predict", "target": {"model": "m"}},
    }


@pytest.mark.parametrize(
    "preset",
    [
        sentiment(),
        sentiment(remote="local demo"),
        Preset(
            "async job",
            RequestSpec(
                "async",
                Target("m", "development"),
                [1, 2],
                async_options=AsyncOptions("https://x.test/hook", priority=0, max_attempts=3),
            ),
        ),
        Preset(
            "route",
            RequestSpec("route", Target("m", "deployment", "d1"), None, "GET", "/health"),
        ),
        Preset(
            "chat on a Model API",
            RequestSpec(
                "chat",
                None,
                {"messages": [{"role": "user", "content": "héllo 日本"}], "temperature": 0.2},
                model_api="playground/demo-chat",
                headers={"X-Trace": "1"},
            ),
        ),
        Preset(
            "staging vs production",
            RequestSpec("chat", Target("m"), {"messages": []}),
            columns=(
                Column(Target("m"), overrides={"model": "a"}),
                Column(Target("m", "environment", "staging")),
                Column(None, model_api="playground/demo-chat"),
            ),
        ),
    ],
    ids=lambda p: p.name,
)
def test_presets_round_trip_through_their_text(preset: Preset) -> None:
    text = preset.to_text()
    assert text.endswith("}\n")
    assert Preset.from_text(text) == preset
    assert Preset.from_text(text).to_text() == text


def test_the_key_never_goes_in(tmp_path: Path) -> None:
    key = "sk-live-0123456789abcdef"
    spec = RequestSpec(
        "predict",
        Target("m"),
        {"x": 1},
        headers={"Authorization": f"Api-Key {key}", "X-Api-Key": key, "X-Trace": "t1"},
    )
    store = PresetStore(tmp_path / "presets")
    stored = store.save(Preset("with a key", spec))
    text = stored.path.read_text()
    assert key not in text
    assert "Authorization" not in text
    assert json.loads(text)["request"]["headers"] == {"X-Trace": "t1"}
    exported = store.export([stored], tmp_path / "out.json")[0]
    assert key not in exported.read_text()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"name": "x",\n "request": {]', "not valid JSON: Expecting property name"),
        ("[1, 2]", "must be a JSON object, not a list"),
        ('{"schema_version": 1, "request": {"mode": "predict"}}', "needs a name"),
        ('{"schema_version": 1, "name": "x"}', "needs a request"),
        ('{"schema_version": 1, "name": "x", "request": {"mode": "pray"}}', "unknown mode"),
        ('{"schema_version": 1, "name": "x", "request": {}, "extra": 1}', "unknown key 'extra'"),
        ('{"schema_version": "one", "name": "x", "request": {}}', "is not a version"),
        ('{"schema_version": 99, "name": "x", "request": {}}', "newer Playground"),
    ],
)
def test_bad_files_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(PresetError, match=words):
        Preset.from_text(text)


def test_invalid_json_gives_line_and_column() -> None:
    with pytest.raises(PresetError, match=r"at line 3, column 1$"):
        Preset.from_text('{\n  "name": "x",\n}')


def test_nan_is_refused_before_any_file_is_touched(folder: Path) -> None:
    store = PresetStore(folder)
    with pytest.raises(PresetError, match="NaN"):
        store.save(Preset("n", RequestSpec("predict", Target("m"), {"x": float("nan")})))
    assert files(folder) == []


def test_slugs() -> None:
    assert slug("Sentiment on staging") == "sentiment-on-staging"
    assert slug("  Ünïcode / 日本語 ok?") == "ünïcode-日本語-ok"
    assert slug("???") == "preset"


# --- migrations --------------------------------------------------------------------------------


def test_a_file_from_before_schema_version_is_migrated(tmp_path: Path) -> None:
    old = {"name": "old one", "mode": "predict", "target": {"model": "m"}, "input": {"a": 1}}
    path = tmp_path / "old-one.json"
    path.write_text(json.dumps(old))
    assert migrate(dict(old)) == {
        "name": "old one",
        "request": {"mode": "predict", "target": {"model": "m"}, "body": {"a": 1}},
        "schema_version": SCHEMA_VERSION,
    }
    assert read_preset(path) == Preset("old one", RequestSpec("predict", Target("m"), {"a": 1}))


def test_a_migrated_file_is_written_in_the_new_form_on_save(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text('{"name": "old", "target": {"model": "m"}, "body": 1}')
    store = PresetStore(tmp_path)
    assert store.load() == []
    entry = store.get("old")
    store.save(entry.preset, replacing=entry)
    assert json.loads((tmp_path / "old.json").read_text())["schema_version"] == SCHEMA_VERSION


# --- the store ---------------------------------------------------------------------------------


def test_save_list_get_and_reload(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "presets")
    store.save(sentiment())
    store.save(sentiment("Another"))
    assert files(tmp_path / "presets") == ["another.json", "sentiment-on-staging.json"]
    again = PresetStore(tmp_path / "presets")
    assert again.load() == []
    assert [e.name for e in again.presets()] == ["Another", "Sentiment on staging"]
    assert again.get("sentiment ON staging").preset == sentiment()
    assert again.get(tmp_path / "presets" / "another.json").name == "Another"


def test_get_names_near_names(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(sentiment())
    with pytest.raises(PresetError, match="did you mean 'Sentiment on staging'"):
        store.get("Sentiment on stagin")


def test_two_presets_never_overwrite_each_other(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    first = store.save(sentiment())
    with pytest.raises(NameTaken, match="already exists"):
        store.save(sentiment("SENTIMENT on staging"))
    second = store.save(sentiment(), on_clash="suffix")
    assert second.name == "Sentiment on staging 2"
    # Different names whose file names would be the same get files of their own.
    third = store.save(sentiment("sentiment-on-staging"))
    assert len({first.path, second.path, third.path}) == 3
    reloaded = PresetStore(tmp_path)
    reloaded.load()
    assert len(reloaded.presets()) == 3


def test_saving_over_a_preset_updates_its_file(folder: Path) -> None:
    store = PresetStore(folder)
    entry = store.save(sentiment())
    changed = Preset(entry.name, RequestSpec("predict", STAGING, {"text": "meh"}))
    updated = store.save(changed, replacing=entry)
    assert updated.path == entry.path
    assert read_preset(entry.path) == changed
    assert files(folder) == ["sentiment-on-staging.json"]


def test_search_matches_every_word_anywhere(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(sentiment())
    store.save(Preset("Health", RequestSpec("route", Target("xyz"), None, "GET", "/health")))
    assert [e.name for e in store.search("staging abc")] == ["Sentiment on staging"]
    assert [e.name for e in store.search("custom route xyz")] == ["Health"]
    assert [e.name for e in store.search("")] == ["Health", "Sentiment on staging"]
    assert store.search("nothing like it") == []


def test_rename_and_duplicate(folder: Path) -> None:
    store = PresetStore(folder)
    entry = store.save(sentiment())
    other = store.save(sentiment("Other"))
    with pytest.raises(NameTaken):
        store.rename(entry, "other")
    renamed = store.rename(entry, "Sentiment, renamed")
    assert files(folder) == ["other.json", "sentiment-renamed.json"]
    assert read_preset(renamed.path).name == "Sentiment, renamed"
    copy = store.duplicate(renamed)
    copy2 = store.duplicate(renamed)
    assert (copy.name, copy2.name) == ("Sentiment, renamed copy", "Sentiment, renamed copy 2")
    assert copy.preset.request == renamed.preset.request
    assert store.rename(other, "OTHER").path == other.path  # same file name: same file


def test_delete_and_undo(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(sentiment())
    text = entry.path.read_text()
    store.delete(entry)
    assert store.presets() == []
    assert not entry.path.exists()
    assert store.can_undo
    back = store.undo()
    assert back is not None
    assert back.path.read_text() == text
    assert [e.name for e in store.presets()] == ["Sentiment on staging"]
    assert not store.can_undo
    assert store.undo() is None


def test_undo_after_the_name_was_taken_again(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.delete(store.save(sentiment()))
    store.save(sentiment())
    back = store.undo()
    assert back is not None
    assert back.name == "Sentiment on staging 2"
    assert len(store.presets()) == 2


def test_a_broken_file_is_set_aside_and_the_others_load(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(sentiment())
    store.save(sentiment("Second"))
    (tmp_path / "broken.json").write_text('{"name": "broken",\n  "request": {"mode": }\n}\n')
    (tmp_path / "shape.json").write_text('{"schema_version": 1, "name": 3, "request": {}}')
    again = PresetStore(tmp_path)
    problems = again.load()
    assert [e.name for e in again.presets()] == ["Second", "Sentiment on staging"]
    assert {p.path.name for p in problems} == {"broken.json", "shape.json"}
    broken = next(p for p in problems if p.path.name == "broken.json")
    assert broken.moved_to is not None
    assert broken.moved_to.name.startswith("broken.json.broken-")
    assert broken.moved_to.read_text().startswith('{"name": "broken"')  # nothing lost
    assert "not valid JSON" in broken.message
    assert "line 2, column 23" in broken.message
    assert "set aside as broken.json.broken-" in broken.message
    # Next time, they are not read again (and not reported again).
    assert PresetStore(tmp_path).load() == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b"[" * 100_000,
            "arrays or objects are nested too deeply to read (more than 500 levels) at ",
        ),
        (
            b'{"schema_version": 1, "name": "n",\n "request": {"body": ' + b"7" * 5000 + b"}}",
            "a number with 5,000 digits (4,300 at most) at line 2, column 22",
        ),
        (b'{"name": "caf\xe9"}', "not UTF-8 text: byte 0xe9 at line 1, column 14"),
        (bytes(range(256)) * 4, "not UTF-8 text: byte 0x80 at line 2, column 118"),
        (b"\x00\x01garbage", "not valid JSON: Expecting value at line 1, column 1"),
    ],
    ids=["deep", "long-number", "latin-1", "random-bytes", "binary"],
)
def test_whatever_json_or_python_cannot_take_is_set_aside_in_words(
    tmp_path: Path, content: bytes, words: str
) -> None:
    store = PresetStore(tmp_path)
    store.save(sentiment())
    (tmp_path / "bad.json").write_bytes(content)
    again = PresetStore(tmp_path)
    [problem] = again.load()
    assert [e.name for e in again.presets()] == ["Sentiment on staging"]
    assert problem.path.name == "bad.json"
    assert words in problem.message
    assert problem.moved_to is not None
    assert problem.moved_to.read_bytes() == content  # nothing lost


def test_a_file_too_big_to_be_a_preset_is_refused_before_it_is_read(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(sentiment())
    with (tmp_path / "huge.json").open("wb") as file:
        file.truncate(65 * 2**20)  # sparse: nothing is written, or read
    problems = PresetStore(tmp_path, set_aside=False).load()
    assert [p.message for p in problems] == [
        "huge.json was not loaded: it is 65 MB, and Playground reads files of up to 64 MB."
    ]


def test_nesting_is_limited_the_same_whatever_the_stack(tmp_path: Path) -> None:
    # 502 levels in all: json reads it here, and would give up on it deeper in a call stack.
    body = "[" * 500 + "]" * 500
    (tmp_path / "deep.json").write_text(
        '{"schema_version": 1, "name": "d", "request": {"mode": "predict",\n'
        f' "target": {{"model": "m"}}, "body": {body}}}}}'
    )
    with pytest.raises(PresetError, match=r"more than 500 levels\) at line 2, column 534$"):
        read_preset(tmp_path / "deep.json")
    # 500 in all (the preset, its request, 498 in the body) are read; brackets in strings are text.
    for value in (json.loads(body[2:-2]), {"text": '"[{\\"' * 1000}):
        (tmp_path / "deep.json").write_text(
            Preset("d", RequestSpec("predict", Target("m"), value)).to_text()
        )
        assert read_preset(tmp_path / "deep.json").request.body == value


def test_a_preset_too_deep_to_write_is_refused_in_words() -> None:
    body: list[object] = []
    for _ in range(100_000):
        body = [body]
    preset = Preset("Deep", RequestSpec("predict", Target("m"), body))
    with pytest.raises(PresetError, match="'Deep' nests lists and objects too deeply"):
        preset.to_text()


def test_a_file_that_cannot_be_read_is_said_so_and_left_where_it_is(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PresetStore(folder)
    store.save(sentiment())
    locked = folder / "locked.json"
    locked.write_text(sentiment("Locked").to_text())
    (folder / "folder.json").mkdir()
    os.mkfifo(folder / "pipe.json")  # opening it to read would wait for a writer for ever
    real_open = os.open

    def no_permission(path: object, *args: object, **kwargs: object) -> int:
        # What chmod 000 does, even for root, who may read any file.
        if Path(str(path)).name == "locked.json":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_permission)
    again = PresetStore(folder)
    problems = again.load()
    assert [e.name for e in again.presets()] == ["Sentiment on staging"]
    assert [p.message for p in problems] == [
        "folder.json was not loaded: it is a folder, not a file.",
        "locked.json was not loaded: it cannot be read (Permission denied).",
        "pipe.json was not loaded: it is not a regular file (a pipe or a device).",
    ]
    assert [p.moved_to for p in problems] == [None, None, None]
    assert files(folder) == [
        "folder.json",
        "locked.json",
        "pipe.json",
        "sentiment-on-staging.json",
    ]
    monkeypatch.undo()  # readable again: nothing was lost
    assert PresetStore(folder).load()[0].path.name == "folder.json"
    assert read_preset(locked).name == "Locked"


def test_a_newer_file_is_reported_but_left_as_it_is(tmp_path: Path) -> None:
    newer = tmp_path / "from-the-future.json"
    newer.write_text('{"schema_version": 7, "name": "future", "request": {}, "x": 1}\n')
    store = PresetStore(tmp_path)
    store.save(sentiment())
    problems = PresetStore(tmp_path).load()
    assert [p.message for p in problems] == [
        "from-the-future.json was not loaded: it was written by a newer Playground "
        "(schema_version 7; this one reads up to 3), so it is left as it is."
    ]
    assert newer.exists()
    # Saving a preset whose file name would be the same never overwrites it.
    store.save(sentiment("From the future"))
    assert newer.read_text().startswith('{"schema_version": 7')


def test_leftovers_of_killed_saves_are_ignored(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(sentiment())
    (tmp_path / ".sentiment-on-staging.json.x1y2.part").write_text('{"name": "half')
    again = PresetStore(tmp_path)
    assert again.load() == []
    assert [e.name for e in again.presets()] == ["Sentiment on staging"]


def test_project_folder_and_examples(tmp_path: Path) -> None:
    user, project, examples = tmp_path / "user", tmp_path / "project", tmp_path / "examples"
    examples.mkdir()
    (examples / "demo.json").write_text(
        Preset("Demo", RequestSpec("predict", Target("m"))).to_text()
    )
    (examples / "bad.json").write_text("{")
    store = PresetStore(user, project, [examples])
    problems = store.load()
    assert [p.moved_to for p in problems] == [None]  # an example folder is never changed
    assert (examples / "bad.json").exists()
    demo = store.get("Demo")
    assert demo.is_read_only
    with pytest.raises(PresetError, match="example"):
        store.delete(demo)
    with pytest.raises(PresetError, match="duplicate it"):
        store.rename(demo, "Mine")
    # Saving over an example writes the user's own copy, shown instead of the example.
    mine = store.save(Preset("Demo", RequestSpec("predict", Target("m"), {"x": 1})), replacing=demo)
    assert mine.source == "user"
    assert mine.path.parent == user
    assert files(examples) == ["bad.json", "demo.json"]
    assert [(e.name, e.source) for e in store.presets()] == [("Demo", "user")]
    shared = store.save(sentiment(), where="project")
    assert shared.path.parent == project
    assert store.duplicate(shared).path.parent == project
    with pytest.raises(NameTaken):
        store.save(sentiment())  # the project's name is taken in the user's folder too
    store.set_project_dir(None)
    assert [e.name for e in store.presets()] == ["Demo"]
    with pytest.raises(PresetError, match="no project folder"):
        store.save(sentiment(), where="project")


def test_import_a_file_or_a_folder_and_export(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "mine")
    store.save(sentiment())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "one.json").write_text(sentiment().to_text())
    (elsewhere / "two.json").write_text(sentiment("Two").to_text())
    (elsewhere / "bad.json").write_text("not json")
    result = store.import_path(elsewhere)
    assert [e.name for e in result.saved] == ["Sentiment on staging 2", "Two"]
    assert [p.path.name for p in result.problems] == ["bad.json"]
    assert (elsewhere / "bad.json").exists()  # not ours to move
    single = store.import_path(elsewhere / "two.json")
    assert [e.name for e in single.saved] == ["Two 2"]

    out = tmp_path / "out"
    paths = store.export(store.presets(), out)
    assert len(paths) == 4
    assert files(out) == sorted(p.name for p in paths)
    again = store.export(store.presets()[:1], out)  # never over a file already there
    assert again[0].name == "sentiment-on-staging-3.json"
    back = PresetStore(out)
    back.load()
    names = [e.name for e in store.presets()] + ["Sentiment on staging"]
    assert sorted(e.name for e in back.presets()) == sorted(names)


# --- a Truss's example inputs --------------------------------------------------------------------

TRUSS_CONFIG = """\
model_name: Sentiment classifier
python_version: py311
model_metadata:
  example_model_input:
    text: I love how fast this is
  tags:
  - text-classification
requirements:
- transformers
"""

TRUSS_EXAMPLES = """\
- name: happy
  input:
    text: what a day
- name: dated
  input:
    text: meh
    when: 2024-05-01
"""


def make_truss(folder: Path, config: str = TRUSS_CONFIG, examples: str | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(config)
    if examples is not None:
        (folder / "examples.yaml").write_text(examples)
    return folder


def test_a_truss_gives_one_preset_per_example(tmp_path: Path) -> None:
    truss = make_truss(tmp_path / "my-truss", examples=TRUSS_EXAMPLES)
    presets = presets_from_truss(truss, STAGING, remote="local")
    assert [p.name for p in presets] == [
        "Sentiment classifier: example input",
        "Sentiment classifier: happy",
        "Sentiment classifier: dated",
    ]
    assert presets[0].request == RequestSpec(
        "predict", STAGING, {"text": "I love how fast this is"}
    )
    assert presets[2].request.body == {"text": "meh", "when": "2024-05-01"}
    assert {p.remote for p in presets} == {"local"}
    store = PresetStore(tmp_path / "presets")
    store.add(presets)
    store.add(presets_from_truss(truss / "config.yaml", STAGING))  # again: new names
    assert len(store.presets()) == 6
    assert store.get("Sentiment classifier: happy 2").preset.remote == "baseten"


def test_older_examples_files_map_names_to_inputs(tmp_path: Path) -> None:
    config = "examples_filename: samples.yaml\n"
    truss = make_truss(tmp_path / "iris", config)
    (truss / "samples.yaml").write_text("cat_example:\n  instances: [[1, 2]]\n")
    [preset] = presets_from_truss(truss, Target("m"))
    assert preset.name == "iris: cat_example"
    assert preset.request.body == {"instances": [[1, 2]]}


@pytest.mark.parametrize(
    ("config", "examples", "words"),
    [
        (
            "model_name: x\n  bad: [\n",
            None,
            r"config.yaml is not valid YAML: .* at line 2, column 6",
        ),
        (
            "model_name: x\n",
            "- name: a\n  input: {text: 'unclosed}\n",
            r"examples.yaml is not valid YAML: .* at line 3, column 1",
        ),
        ("model_name: x\n", None, "x has no example inputs"),
        ("- a list\n", None, "config.yaml must hold a mapping"),
        ("model_name: x\n", "- name: a\n", "example 1 has no input"),
        ("model_name: x\n", "just text\n", "must hold a list of examples"),
        ("[" * 100_000, None, "config.yaml nests lists and maps too deeply to be read"),
        (
            "model_name: x\n",
            "- name: a\n  input: " + "9" * 5000,
            r"examples.yaml holds a value that cannot be read: Exceeds the limit \(4300 digits\) "
            "for integer string conversion: value has 5000 digits$",
        ),
    ],
)
def test_a_bad_truss_says_what_is_wrong(
    tmp_path: Path, config: str, examples: str | None, words: str
) -> None:
    truss = make_truss(tmp_path / "t", config, examples)
    with pytest.raises(PresetError, match=words):
        presets_from_truss(truss, Target("m"))


def test_a_folder_without_config_is_not_a_truss(tmp_path: Path) -> None:
    with pytest.raises(PresetError, match="is not a Truss"):
        presets_from_truss(tmp_path, Target("m"))


# --- two processes at once ---------------------------------------------------------------------

SAVER = r"""
import json, sys, time
from pathlib import Path
from playground.core.presets.preset import Preset
from playground.core.presets.store import NameTaken, PresetStore
from playground.core.remote.remotes import Target
from playground.core.request.spec import RequestSpec

folder, writer, count, on_clash, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
store = PresetStore(folder)
store.load()
while time.time() < start:  # every writer begins at the same moment
    pass
for n in range(count):
    preset = Preset(f"Preset {n}", RequestSpec("predict", Target("m"), {"writer": writer, "n": n}))
    try:
        saved = store.save(preset, on_clash=on_clash)
    except NameTaken:
        print(json.dumps({"n": n, "taken": True}), flush=True)
    else:
        print(json.dumps({"n": n, "name": saved.name, "path": str(saved.path)}), flush=True)
"""


@pytest.mark.parametrize("on_clash", ["fail", "suffix"])
def test_processes_saving_the_same_names_never_overwrite_or_double_a_name(
    folder: Path, on_clash: str
) -> None:
    """Each acknowledged save is a file of its own, holding what was saved; a name is one file."""
    folder.mkdir()
    writers, count = 4, 60
    root = str(Path(__file__).resolve().parents[2])
    start = str(time.time() + 1.5)  # after every interpreter has started
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(folder), f"w{w}", str(count), on_clash, start],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": root},
        )
        for w in range(writers)
    ]
    acknowledged = {}
    for w, proc in enumerate(procs):
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        for line in out.splitlines():
            record = json.loads(line)
            if "path" in record:
                acknowledged[(f"w{w}", record["n"])] = (record["name"], Path(record["path"]))
    paths = [path for _, path in acknowledged.values()]
    assert len(set(paths)) == len(paths), "two saves were acknowledged with the same file"
    for (writer, n), (name, path) in acknowledged.items():
        preset = read_preset(path)  # every acknowledged save is still there, as saved
        assert (preset.name, preset.request.body) == (name, {"writer": writer, "n": n})
    store = PresetStore(folder)
    assert store.load() == []
    on_disk = [entry.name.casefold() for entry in store.presets()]
    assert len(on_disk) == len(set(on_disk)), "a name was saved as two files"
    assert len(on_disk) == len(acknowledged)
    if on_clash == "fail":  # each name once, by whichever writer came first
        assert sorted(n for _, n in acknowledged) == list(range(count))
    else:  # every save kept, under a name of its own
        assert len(acknowledged) == writers * count


@pytest.mark.parametrize("hard_links", [True, False], ids=["links", "no-links"])
def test_a_name_saved_by_another_window_since_loading_is_never_overwritten(
    folder: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    if not hard_links:  # FAT, some network shares: a new file is made with O_EXCL instead

        def no_link(*_args: object, **_kwargs: object) -> None:
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    mine, theirs = PresetStore(folder), PresetStore(folder)
    mine.load()
    theirs.load()
    first = theirs.save(sentiment())
    with pytest.raises(NameTaken, match=r"'Sentiment on staging' already exists \(sentiment-on"):
        mine.save(Preset(first.name, RequestSpec("predict", STAGING, {"text": "mine"})))
    second = mine.save(
        Preset(first.name, RequestSpec("predict", STAGING, {"text": "mine"})), on_clash="suffix"
    )
    assert second.name == "Sentiment on staging 2"
    # Another name with the same file name gets a file of its own.
    third = mine.save(sentiment("Sentiment on staging!"))
    assert [p.name for p in (first.path, second.path, third.path)] == [
        "sentiment-on-staging.json",
        "sentiment-on-staging-2.json",
        "sentiment-on-staging-3.json",
    ]
    assert read_preset(first.path) == sentiment()
    assert read_preset(third.path).name == "Sentiment on staging!"
    assert files(folder) == sorted(p.name for p in (first.path, second.path, third.path))
