"""Built-in frameworks and loading a framework by name or path."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pandas as pd

from missionlens.errors import ArgumentError, NotFoundError
from missionlens.framework.model import Framework
from missionlens.suggest import did_you_mean

__all__ = ["list_frameworks", "load_framework"]

_PACKAGE = "missionlens.frameworks"


def _builtin_files() -> dict[str, str]:
    """Built-in framework names mapped to their file names inside the package."""
    names: dict[str, str] = {}
    for entry in resources.files(_PACKAGE).iterdir():
        # "<a>-to-<b>.yaml" files are version migration mappings, not frameworks
        if entry.name.endswith((".yaml", ".yml")) and "-to-" not in entry.name:
            names[entry.name.rsplit(".", 1)[0]] = entry.name
    return dict(sorted(names.items()))


def list_frameworks() -> pd.DataFrame:
    """The frameworks that ship with missionlens.

    Returns
    -------
    pandas.DataFrame
        Columns ``name`` (what :func:`load_framework` takes), ``version``, ``title``,
        ``dimensions``, ``indicators`` and ``fingerprint``, one row per built-in framework.

    Examples
    --------
    >>> import missionlens as ml
    >>> "whole-of-mission" in set(ml.list_frameworks()["name"])
    True
    """
    rows = []
    for name in _builtin_files():
        fw = load_framework(name)
        rows.append(
            {
                "name": name,
                "version": fw.version,
                "title": fw.title,
                "dimensions": len(fw.dimensions),
                "indicators": len(fw.indicators),
                "fingerprint": fw.fingerprint,
            }
        )
    columns = ["name", "version", "title", "dimensions", "indicators", "fingerprint"]
    return pd.DataFrame(rows, columns=columns)


def load_framework(name_or_path: str | Path) -> Framework:
    """Load a built-in framework by name, or a framework file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A built-in name such as ``"whole-of-mission"`` (see :func:`list_frameworks`), or the
        path of a ``.yaml``, ``.yml`` or ``.json`` framework file.

    Returns
    -------
    Framework

    Raises
    ------
    FrameworkError
        If the file has problems (all of them are listed).
    FileNotFoundError
        If the name is neither a built-in framework nor an existing file (the message suggests
        the closest built-in name).
    ArgumentError
        If ``name_or_path`` is neither a string nor a path.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> len(fw.dimensions)
    4
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise ArgumentError(
            "name_or_path must be the name of a built-in framework (see list_frameworks()) or "
            f"the path of a framework file (str or pathlib.Path), not "
            f"{type(name_or_path).__name__}"
        )
    builtins = _builtin_files()
    key = os.fspath(name_or_path)
    if not isinstance(name_or_path, Path) and key in builtins:
        text = resources.files(_PACKAGE).joinpath(builtins[key]).read_text(encoding="utf-8")
        return Framework.from_yaml(text)
    path = Path(name_or_path)
    if path.is_file():
        return Framework.from_file(path)
    raise NotFoundError(
        f"no built-in framework or file named '{key}' (built-in frameworks: "
        f"{', '.join(builtins) or 'none'}){did_you_mean(key, list(builtins))}"
    )
