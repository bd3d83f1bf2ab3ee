"""The installed version of missionlens (its own module, so that any layer may read it)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("missionlens")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
