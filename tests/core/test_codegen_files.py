"""Code export of a body with files: the code reads each file when it runs (exact strings), and,
run for real against the local server, sends the file byte-exact."""

from __future__ import annotations

import base64
import json
import shlex
from pathlib import Path

import pytest

from playground.core.remote.remotes import Remote, Target
from playground.core.request.attachments import FileRef
from playground.core.request.codegen import export, languages, to_curl, to_openai, to_requests
from playground.core.request.spec import RequestSpec
from playground.emulator import EmulatorServer, demo
from tests.core.test_codegen import _run
from tests.core.test_media import png, wav

BASETEN = Remote.baseten()


@pytest.fixture
def files(tmp_path: Path) -> tuple[FileRef, FileRef]:
    folder = tmp_path / "it's here"  # a quote and a space in the path, as people's folders have
    folder.mkdir()
    (folder / "clip.wav").write_bytes(wav(16000, 1, 2, 40000))  # 80 KB: base64 wraps lines
    (folder / "cat.png").write_bytes(png(30, 20))
    clip = FileRef.from_path(folder / "clip.wav")
    return clip, FileRef.from_path(folder / "cat.png", "data-url")


def test_curl_pipes_the_body_with_each_files_base64_into_curl(
    files: tuple[FileRef, FileRef],
) -> None:
    clip, cat = files
    spec = RequestSpec("predict", Target("abc123"), {"audio": clip, "image": cat})
    wav_path, png_path = shlex.quote(str(clip.path)), shlex.quote(str(cat.path))
    assert to_curl(spec, BASETEN) == (
        "{\n"
        "  printf '%s' '{\n"
        '  "audio": "\'\n'
        f"  base64 < {wav_path} | tr -d '\\n'\n"
        "  printf '%s' '\",\n"
        '  "image": "data:image/png;base64,\'\n'
        f"  base64 < {png_path} | tr -d '\\n'\n"
        "  printf '%s' '\"\n"
        "}'\n"
        "} | curl -X POST https://model-abc123.api.baseten.co/production/predict \\\n"
        '  -H "Authorization: Api-Key $BASETEN_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  --data-binary @-"
    )


def test_python_reads_the_file_when_it_runs(files: tuple[FileRef, FileRef]) -> None:
    clip, cat = files
    spec = RequestSpec("predict", Target("abc123"), {"audio": clip, "image": cat})
    assert to_requests(spec, BASETEN) == (
        "import base64\n"
        "import os\n"
        "from pathlib import Path\n"
        "\n"
        "import requests\n"
        "\n"
        "\n"
        "def file_base64(path: str) -> str:\n"
        '    """The file at `path` as base64, read when this runs."""\n'
        "    return base64.b64encode(Path(path).read_bytes()).decode()\n"
        "\n"
        "\n"
        'api_key = os.environ["BASETEN_API_KEY"]\n'
        "\n"
        "resp = requests.post(\n"
        '    "https://model-abc123.api.baseten.co/production/predict",\n'
        '    headers={"Authorization": f"Api-Key {api_key}"},\n'
        "    json={\n"
        f'        "audio": file_base64({json.dumps(str(clip.path))}),\n'
        f'        "image": "data:image/png;base64," + file_base64({json.dumps(str(cat.path))}),\n'
        "    },\n"
        ")\n"
        "print(resp.text)\n"
    )


def test_a_chat_image_url_from_a_file_exports_and_compiles(files: tuple[FileRef, FileRef]) -> None:
    _, cat = files
    content = [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {}}]
    content[1]["image_url"] = {"url": cat}
    spec = RequestSpec(
        "chat", Target("abc123"), {"model": "m", "messages": [{"role": "user", "content": content}]}
    )
    code = to_openai(spec, BASETEN)
    assert f'"url": "data:image/png;base64," + file_base64({json.dumps(str(cat.path))})' in code
    compile(code, "<openai>", "exec")
    truss = {lang.key: lang.reason for lang in languages(spec, BASETEN)}["truss"]
    assert truss  # truss predict takes the body inline: it does not apply
    predict = RequestSpec("predict", Target("abc123", "development"), {"image": cat})
    reason = {lang.key: lang.reason for lang in languages(predict, BASETEN)}["truss"]
    assert reason.startswith("truss predict takes the body inline")


@pytest.mark.parametrize("language", ["curl", "requests", "httpx"])
def test_exported_code_sends_the_files_byte_exact(
    language: str, files: tuple[FileRef, FileRef], emulator: EmulatorServer
) -> None:
    clip, cat = files
    spec = RequestSpec(
        "route", Target(demo.CUSTOM), {"audio": clip, "x": [cat], "n": 1}, "POST", "/echo"
    )
    code = export(language, spec, Remote.local(emulator.base_url))
    assert len(code) < 2000  # the files are read when it runs, not carried in it
    got = json.loads(_run(code, language, emulator))["body"]
    assert base64.b64decode(got["audio"], validate=True) == clip.path.read_bytes()  # type: ignore[union-attr]
    prefix = "data:image/png;base64,"
    assert got["x"][0].startswith(prefix)
    assert base64.b64decode(got["x"][0].removeprefix(prefix)) == cat.path.read_bytes()  # type: ignore[union-attr]
    assert got["n"] == 1
