"""Showing one page of a QStackedWidget without the hidden ones holding the window wide."""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QWidget


def show_page(stack: QStackedWidget, shown: QWidget) -> None:
    """Make `shown` the current page. A stack is as wide as its widest page: the hidden ones
    are set to take no room, so that they cannot hold the window wide."""
    for index in range(stack.count()):
        page = stack.widget(index)
        assert page is not None
        policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
        page.setSizePolicy(policy, policy)
    stack.setCurrentWidget(shown)
