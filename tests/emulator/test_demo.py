"""The demo catalogue is assembled from one module per feature, each listed once."""

from __future__ import annotations

import pkgutil

import pytest

from playground.emulator import demo
from playground.emulator.demo.builder import DemoBuilder


def test_every_feature_module_is_listed_once() -> None:
    modules = {m.name for m in pkgutil.iter_modules(demo.__path__)} - {"builder"}
    listed = [add.__module__.rsplit(".", 1)[-1] for add in demo.FEATURES]
    assert sorted(listed) == sorted(modules)


def test_a_model_id_is_taken_once() -> None:
    built = DemoBuilder(now=0.0, scale_down_delay=120)
    for add in demo.FEATURES:
        add(built)
    with pytest.raises(ValueError, match="two demo models"):
        demo.FEATURES[0](built)
