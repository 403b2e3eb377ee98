"""Whole-app tests drive the window on the same per-test qasync loop as the UI tests."""

from __future__ import annotations

from tests.ui.conftest import loop

__all__ = ["loop"]
