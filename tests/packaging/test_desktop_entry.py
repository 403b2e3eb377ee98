"""The desktop entry and AppStream metadata: valid by the freedesktop tools, and consistent."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from playground.resources import APP_ID
from tests.packaging.helpers import PACKAGING, project_version

DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"


def _tool(name: str, package: str) -> str:
    """The validator's path; a missing one fails the test rather than skip it unseen."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install {package} (packaging/bootstrap --test does)")
    return found


def test_desktop_entry_is_valid() -> None:
    done = subprocess.run(
        [_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not done.stdout.strip(), done.stdout  # not even a hint


def test_metainfo_is_valid() -> None:
    done = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", "--explain", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_desktop_entry_and_metainfo_name_the_same_app() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(DESKTOP, encoding="utf-8")
    assert entry["Desktop Entry"]["Icon"] == APP_ID
    assert entry["Desktop Entry"]["Exec"].split()[0] == "playground"
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert component.findtext("provides/binary") == "playground"


def test_newest_release_is_the_package_version() -> None:
    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == project_version()
