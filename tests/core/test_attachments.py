"""Files in a body: a token in the text, the file's bytes on the wire (over a real socket), by
relative path in a preset, and a clear error for a file that is gone."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from playground.core.api.client import BasetenClient
from playground.core.errors import InvalidRequest
from playground.core.events import JsonBody
from playground.core.presets.preset import Preset, PresetError, read_preset
from playground.core.presets.store import PresetStore
from playground.core.remote.remotes import Remote, Target
from playground.core.request.attachments import (
    FileRef,
    MissingFile,
    bind,
    expand,
    file_refs,
    files_from_dict,
    files_to_dict,
)
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer, demo
from tests.core.helpers import collect, open_client, raw_server, read_request, response_head, run
from tests.core.test_media import png, wav

ECHO = Target(demo.CUSTOM)


def sample(folder: Path, name: str = "clip.wav", data: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(wav(16000, 1, 2, 8000) + os.urandom(3000) if data is None else data)
    return path


def echoed(server: EmulatorServer, body: Any) -> Any:
    """The body the local server's custom echo route received, parsed back from the wire."""

    async def go() -> Any:
        async with open_client(server) as client:
            spec = RequestSpec("route", ECHO, body, "POST", "/echo")
            events = await collect(client.send(spec))
        (answer,) = [event for event in events if isinstance(event, JsonBody)]
        return answer.value["body"]

    return run(go())


def test_a_file_is_a_short_token_with_its_name_size_and_encoding(tmp_path: Path) -> None:
    path = sample(tmp_path, data=b"x" * (3 * 1024 * 1024 // 2))
    ref = FileRef.from_path(path)
    assert ref == "⟨clip.wav · 1.5 MB · base64⟩"
    assert json.loads(json.dumps({"audio": ref})) == {"audio": "⟨clip.wav · 1.5 MB · base64⟩"}
    again = FileRef.from_path(path, taken=[ref])
    assert again == "⟨clip.wav · 1.5 MB · base64 #2⟩"  # one token per attachment
    image = FileRef.from_path(sample(tmp_path, "photo.bin", png(3, 2)), "data-url")
    assert image.mime == "image/png"  # by its bytes, whatever its name says
    assert copy.deepcopy({"a": [image]})["a"][0].path == image.path


def test_an_inserted_file_is_sent_byte_exact_as_base64_and_as_a_data_url(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    clip = sample(tmp_path)
    picture = sample(tmp_path, "cat.png", png(40, 30))
    body = {
        "audio": FileRef.from_path(clip),
        "images": [{"image_url": {"url": FileRef.from_path(picture, "data-url")}}],
    }
    got = echoed(emulator, body)
    assert base64.b64decode(got["audio"], validate=True) == clip.read_bytes()
    url = got["images"][0]["image_url"]["url"]
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    assert base64.b64decode(url.removeprefix(prefix), validate=True) == picture.read_bytes()


def test_a_token_whose_file_is_gone_is_an_error_naming_it_and_nothing_is_sent(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    clip = sample(tmp_path)
    ref = FileRef.from_path(clip)
    clip.unlink()
    assert ref.problem() == f"clip.wav is missing: it was expected at {clip}"
    with pytest.raises(
        MissingFile, match=re.escape(f"clip.wav is missing: it was expected at {clip}")
    ):
        echoed(emulator, {"audio": ref})
    with pytest.raises(MissingFile, match=r"cannot read .*nope\.wav: No such file"):
        FileRef.from_path(tmp_path / "nope.wav")


def test_a_token_whose_file_is_not_known_is_refused_rather_than_sent_as_text(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    token = str(FileRef.from_path(sample(tmp_path)))  # as history keeps it: text only
    with pytest.raises(
        MissingFile, match=re.escape(f"{token} stands for a file that is not known")
    ):
        echoed(emulator, {"audio": token})
    ordinary = "⟨a note · with dots · but no size⟩"  # text that merely looks alike is sent
    assert echoed(emulator, {"note": ordinary}) == {"note": ordinary}


def test_binding_parsed_text_gives_back_the_references(tmp_path: Path) -> None:
    ref = FileRef.from_path(sample(tmp_path))
    parsed = json.loads(json.dumps({"a": [ref, "other"], "b": str(ref)}))
    bound = bind(parsed, {str(ref): ref})
    assert file_refs(bound) == [ref, ref]
    assert all(isinstance(r, FileRef) for r in file_refs(bound))
    assert expand(bound)["a"][1] == "other"


def test_a_preset_keeps_a_file_by_relative_path_and_the_folder_can_move(tmp_path: Path) -> None:
    project = tmp_path / "project"
    clip = sample(project / "samples")
    store = PresetStore(project / "presets")
    ref = FileRef.from_path(clip)
    spec = RequestSpec("predict", Target("abc"), {"audio": ref, "language": "en"})
    stored = store.save(Preset("Transcribe", spec))
    data = json.loads(stored.path.read_text())
    assert data["schema_version"] == 3
    assert data["request"]["body"] == {"audio": str(ref), "language": "en"}
    assert data["files"] == {str(ref): {"path": "../samples/clip.wav", "type": "audio/wav"}}
    assert "UklGR" not in stored.path.read_text()  # never the bytes (a WAV's base64 starts so)

    moved = tmp_path / "elsewhere"
    shutil.copytree(project, moved)
    shutil.rmtree(project)
    again = read_preset(moved / "presets" / stored.path.name)
    (loaded,) = file_refs(again.request.body)
    assert loaded == ref  # the same token in the body
    assert loaded.path == moved / "samples" / "clip.wav"
    assert (
        expand(again.request.body)["audio"]
        == base64.b64encode((moved / "samples" / "clip.wav").read_bytes()).decode()
    )
    assert again.to_dict(moved / "presets") == data  # round trip, unchanged


def test_a_preset_whose_file_is_missing_opens_and_says_so_when_sent(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "t.json").write_text(
        json.dumps(
            {
                "schema_version": 2,
                "name": "t",
                "request": {
                    "mode": "route",
                    "target": {"model": demo.CUSTOM},
                    "method": "POST",
                    "route": "/echo",
                    "body": {"audio": "⟨a.wav · 2 KB · base64⟩"},
                },
                "files": {"⟨a.wav · 2 KB · base64⟩": {"path": "samples/a.wav"}},
            }
        )
    )
    preset = read_preset(folder / "t.json")
    (ref,) = file_refs(preset.request.body)
    expected = folder / "samples" / "a.wav"
    assert ref.problem() == f"a.wav is missing: it was expected at {expected}"
    with pytest.raises(
        MissingFile, match=re.escape(f"a.wav is missing: it was expected at {expected}")
    ):
        echoed(emulator, preset.request.body)


def test_pasted_bytes_are_sent_but_a_preset_refuses_them_in_words(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    data = png(5, 5)
    ref = FileRef.from_bytes(data, "pasted-image.png", "data-url")
    assert ref == f"⟨pasted-image.png · {len(data)} B · data-url⟩"
    got = echoed(emulator, {"image": ref})
    assert got["image"] == "data:image/png;base64," + base64.b64encode(data).decode()
    preset = Preset("p", RequestSpec("predict", Target("abc"), {"image": ref}))
    with pytest.raises(PresetError, match="was pasted, not inserted from a file"):
        preset.to_text(tmp_path)


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ([], "files must be an object"),
        ({"⟨x⟩": {}}, "needs a path"),
        ({"⟨x⟩": {"path": "x", "encoding": "hex"}}, "unknown file encoding 'hex'"),
    ],
)
def test_a_malformed_files_table_is_said_in_words(table: Any, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        files_from_dict(table, None)


def test_an_async_body_is_measured_with_its_files_data(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    big = FileRef.from_path(sample(tmp_path, "big.wav", b"\0" * 200_000))  # 267 KB as base64

    async def go() -> Exception:
        async with open_client(emulator) as client:
            with pytest.raises(InvalidRequest) as caught:
                await client.jobs.submit(Target(demo.CLASSIFIER), {"audio": big})
            return caught.value

    assert "Baseten takes at most 256 KiB" in str(run(go()))


def test_a_chat_messages_image_url_can_be_a_file(tmp_path: Path) -> None:
    """The chat's image attachments use the same references: the bytes that reach the server
    (a bare one: the local server does not show what it received in a chat)."""
    picture = sample(tmp_path, "cat.png", png(12, 9))
    ref = FileRef.from_path(picture, "data-url")
    content = [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {}}]
    content[1]["image_url"] = {"url": ref}
    body = {"model": "m", "messages": [{"role": "user", "content": content}]}
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "A cat."}}]}
    seen: list[bytes] = []

    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, sent = await read_request(reader)
        seen.append(sent)
        data = json.dumps(answer).encode()
        head = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        writer.write(response_head(200, head) + data)
        await writer.drain()

    async def go() -> None:
        async with raw_server(reply) as url:
            client = BasetenClient(Remote.local(url), "k")
            try:
                await collect(client.chat(url + "/v1", body))
            finally:
                await client.aclose()

    run(go())
    sent = json.loads(seen[0])["messages"][0]["content"][1]["image_url"]["url"]
    assert sent == "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode()
    assert body["messages"][0]["content"][1]["image_url"]["url"] is ref  # the request unchanged


def test_a_files_table_keeps_pasted_bytes_only_when_asked(tmp_path: Path) -> None:
    pasted = FileRef.from_bytes(b"\x89PNG pasted", "clip.png", "data-url")
    kept = FileRef.from_path(sample(tmp_path, "a.wav", b"RIFF"))
    body = {"image": pasted, "audio": kept}
    with pytest.raises(ValueError, match="pasted, not inserted from a file"):
        files_to_dict(body, tmp_path)  # a preset keeps files by path only
    table = files_to_dict(body, tmp_path, pasted=True)
    assert table[str(pasted)]["data"] == base64.b64encode(b"\x89PNG pasted").decode()
    assert table[str(kept)] == {"path": "a.wav", "type": kept.mime}
    refs = files_from_dict(json.loads(json.dumps(table)), tmp_path)
    back = refs[str(pasted)]
    assert (back.data, back.encoding, back.mime, back.path) == (
        b"\x89PNG pasted",
        "data-url",
        pasted.mime,
        None,
    )
    assert refs[str(kept)].path == kept.path
    with pytest.raises(ValueError, match="Only base64 data is allowed"):
        files_from_dict({str(pasted): {"data": "not base64!"}}, None)
