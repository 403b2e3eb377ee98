"""Playground: a native desktop app for calling, streaming and comparing models deployed on Baseten."""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    # Read lazily: importlib.metadata costs ~30 ms of start-up that the window need not wait for.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("baseten-playground")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0+source"
    raise AttributeError(f"module 'playground' has no attribute {name!r}")
