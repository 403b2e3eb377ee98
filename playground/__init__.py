"""Playground: a native desktop app for calling, streaming and comparing models deployed on Baseten."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("baseten-playground")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
