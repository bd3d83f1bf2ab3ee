"""Built-in frameworks and their versions; loading a framework by name, ``name@version`` or path.

Built-in framework files live in the package folder :data:`BUILTIN_DIR` and are named
``<name>-v<version>.yaml`` (``whole-of-mission-v1.yaml``); migration mappings between two
versions are named ``<name>-v<a>-to-v<b>.yaml`` (see :mod:`missionlens.framework.diff`). A name
alone means the highest version; ``name@version`` (or ``load_framework(name, version=...)``)
means that version. :func:`parse_framework_spec` is the one place where ``name@version`` is
read: the command line and every ``framework=`` argument that takes a name go through
:func:`load_framework`.

Translation files beside a framework file, ``<name>-v<version>.<lang>.yaml``, are never taken for
frameworks: :func:`load_framework` attaches them to the framework it loads (see
:mod:`missionlens.framework.translations`).

Loaded built-ins are cached (they are immutable), keyed by folder, name and version; a framework
file given by path is read afresh every time, since it may have changed.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from missionlens.errors import ArgumentError, FrameworkError, NotFoundError
from missionlens.framework.model import Framework
from missionlens.framework.structure import problem, problem_frame
from missionlens.suggest import did_you_mean

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = [
    "BUILTIN_DIR",
    "BuiltinFile",
    "builtin_frameworks",
    "builtin_migrations",
    "builtin_translations",
    "list_frameworks",
    "load_framework",
    "parse_framework_spec",
    "read_builtin",
    "translations_beside",
    "version_key",
]

#: The folder of the built-in framework and migration files (package data). Tests point it at
#: a temporary folder; nothing else reads the package folder.
BUILTIN_DIR: Traversable = resources.files("missionlens.frameworks")

#: How many loaded built-in frameworks are kept in memory.
CACHE_SIZE = 16

_NAME = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*?"
_VERSION = r"[0-9][A-Za-z0-9_.]*"
_FRAMEWORK_FILE = re.compile(rf"^(?P<name>{_NAME})-v(?P<version>{_VERSION})\.ya?ml$")
#: A translation beside a framework file: ``<name>-v<version>.<lang>.yaml`` (never a framework).
_LANG = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
_TRANSLATION_FILE = re.compile(
    rf"^(?P<name>{_NAME})-v(?P<version>{_VERSION}?)\.(?P<lang>{_LANG})\.ya?ml$"
)
_MIGRATION_FILE = re.compile(
    rf"^(?P<name>{_NAME})-v(?P<old>{_VERSION})-to-v(?P<new>{_VERSION})\.ya?ml$"
)


@dataclass(frozen=True)
class BuiltinFile:
    """A built-in framework file: its name, version and file name in :data:`BUILTIN_DIR`."""

    name: str
    version: str
    file: str

    @property
    def spec(self) -> str:
        """``name@version``, what :func:`load_framework` takes for exactly this file."""
        return f"{self.name}@{self.version}"


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of a version: dot-separated parts, numbers compared as numbers.

    ``"2" < "10"`` and ``"1.2" < "1.10"``; a part that is not a number sorts after the numbers.

    Examples
    --------
    >>> sorted(["10", "2", "1.10", "1.2"], key=version_key)
    ['1.2', '1.10', '2', '10']
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.]", version))


def _folder() -> Traversable:
    """The folder of the built-in files (:data:`BUILTIN_DIR`, read when called)."""
    return BUILTIN_DIR


def read_builtin(file: str) -> str:
    """The text of a file of the built-in folder (a framework or a migration)."""
    return _folder().joinpath(file).read_text(encoding="utf-8")


def builtin_frameworks() -> dict[str, tuple[BuiltinFile, ...]]:
    """Built-in framework names mapped to their files, lowest version first (names sorted)."""
    found: dict[str, list[BuiltinFile]] = {}
    for entry in _folder().iterdir():
        if _MIGRATION_FILE.match(entry.name) or _TRANSLATION_FILE.match(entry.name):
            continue
        match = _FRAMEWORK_FILE.match(entry.name)
        if match:
            found.setdefault(match["name"], []).append(
                BuiltinFile(match["name"], match["version"], entry.name)
            )
    return {
        name: tuple(sorted(files, key=lambda f: version_key(f.version)))
        for name, files in sorted(found.items())
    }


def builtin_migrations() -> dict[tuple[str, str, str], str]:
    """Built-in migration files by ``(name, old version, new version)``."""
    found: dict[tuple[str, str, str], str] = {}
    for entry in _folder().iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found[(match["name"], match["old"], match["new"])] = entry.name
    return dict(sorted(found.items()))


def parse_framework_spec(spec: str) -> tuple[str, str | None]:
    """Split ``"name@version"`` into the name and the version (``None`` when not given).

    A leading ``v`` of the version is accepted (``whole-of-mission@v1``).

    Raises
    ------
    FileNotFoundError
        (:class:`~missionlens.errors.NotFoundError`) If the name or the version after ``@``
        is empty: no framework has such a name.

    Examples
    --------
    >>> parse_framework_spec("whole-of-mission@1")
    ('whole-of-mission', '1')
    >>> parse_framework_spec("whole-of-mission")
    ('whole-of-mission', None)
    """
    if "@" not in spec:
        return spec, None
    name, _, version = spec.rpartition("@")
    if version[:1] in ("v", "V") and version[1:2].isdigit():
        version = version[1:]
    if not name or not version:
        raise NotFoundError(
            f"framework '{spec}': write a built-in framework as NAME or NAME@VERSION, e.g. "
            "whole-of-mission@1 (see list_frameworks())"
        )
    return name, version


@functools.lru_cache(maxsize=CACHE_SIZE)
def _load_builtin(folder: str, file: BuiltinFile) -> Framework:
    """A built-in framework file, read once per folder and file (``folder`` keys the cache).

    Raises
    ------
    FrameworkError
        If the file has problems, or declares another id or version than its file name.
    """
    fw = Framework.from_yaml(read_builtin(file.file))
    problems = [
        problem(
            field,
            "file_name_mismatch",
            f"built-in file {file.file} declares {field} '{got}'; its name says '{want}' "
            f"(built-in files are named <id>-v<version>.yaml)",
            id=fw.id,
            value=got,
        )
        for field, got, want in (("id", fw.id, file.name), ("version", fw.version, file.version))
        if got != want
    ]
    if problems:
        raise FrameworkError(problem_frame(problems, file.file), file.file)
    return _attach_builtin_translations(fw, file)


def builtin_translations(file: BuiltinFile) -> dict[str, str]:
    """The translation files of a built-in framework file, by language (file names)."""
    found: dict[str, str] = {}
    for entry in _folder().iterdir():
        match = _TRANSLATION_FILE.match(entry.name)
        if match and (match["name"], match["version"]) == (file.name, file.version):
            found[match["lang"]] = entry.name
    return dict(sorted(found.items()))


def _attach_builtin_translations(fw: Framework, file: BuiltinFile) -> Framework:
    from missionlens.framework.translations import _translation_from
    from missionlens.framework.yaml_io import parse_text

    found = [
        _translation_from(parse_text(read_builtin(name), "yaml", name), name)
        for name in builtin_translations(file).values()
    ]
    return fw.with_translations(*found) if found else fw


def translations_beside(path: Path) -> dict[str, Path]:
    """Translation files beside a framework file ``x.yaml``: ``x.<lang>.yaml``, by language."""
    found: dict[str, Path] = {}
    pattern = re.compile(rf"^{re.escape(path.stem)}\.(?P<lang>{_LANG})\.ya?ml$")
    for entry in sorted(path.parent.iterdir()) if path.parent.is_dir() else []:
        match = pattern.match(entry.name)
        if match and entry.is_file():
            found[match["lang"]] = entry
    return found


def _builtin(name: str, version: str | None) -> Framework:
    files = builtin_frameworks()[name]
    if version is None:
        chosen = files[-1]
    else:
        hits = [f for f in files if f.version == version]
        if not hits:
            versions = ", ".join(f.version for f in files)
            raise NotFoundError(
                f"built-in framework '{name}' has no version '{version}' (versions: {versions}; "
                f"write {name}@{files[-1].version} or {name} for the latest)"
            )
        chosen = hits[0]
    return _load_builtin(str(_folder()), chosen)


def list_frameworks() -> pd.DataFrame:
    """The frameworks that ship with missionlens, one row per version.

    Returns
    -------
    pandas.DataFrame
        Columns ``name`` (what :func:`load_framework` takes), ``version``, ``latest`` (True for
        the highest version of each name, the one a name alone loads), ``spec``
        (``name@version``, which loads exactly that version), ``title``, ``dimensions``,
        ``indicators`` and ``fingerprint``; names sorted, versions lowest first.

    Examples
    --------
    >>> import missionlens as ml
    >>> "whole-of-mission" in set(ml.list_frameworks()["name"])
    True
    """
    rows = []
    for name, files in builtin_frameworks().items():
        for file in files:
            fw = _builtin(name, file.version)
            rows.append(
                {
                    "name": name,
                    "version": file.version,
                    "latest": file is files[-1],
                    "spec": file.spec,
                    "title": fw.title,
                    "dimensions": len(fw.dimensions),
                    "indicators": len(fw.indicators),
                    "fingerprint": fw.fingerprint,
                }
            )
    columns = [
        "name",
        "version",
        "latest",
        "spec",
        "title",
        "dimensions",
        "indicators",
        "fingerprint",
    ]
    return pd.DataFrame(rows, columns=columns)


def load_framework(name_or_path: str | Path, version: str | None = None) -> Framework:
    """Load a built-in framework by name (latest or given version), or a framework file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A built-in name such as ``"whole-of-mission"`` (the highest version), a name with a
        version such as ``"whole-of-mission@1"`` (see :func:`list_frameworks`), or the path of
        a ``.yaml``, ``.yml`` or ``.json`` framework file. A string that names an existing file
        is read as that file.
    version : str, optional
        The version of a built-in framework (the same as ``name@version``). For a file, the
        version the file must declare.

    Returns
    -------
    Framework
        Built-ins are cached: loading the same one twice returns the same (immutable) object.

    Raises
    ------
    FrameworkError
        If the file has problems (all of them are listed).
    FileNotFoundError
        (:class:`~missionlens.errors.NotFoundError`) If the name is neither a built-in
        framework nor an existing file (the message suggests the closest built-in name), or the
        built-in has no such version (the message lists its versions).
    ArgumentError
        If ``name_or_path`` is neither a string nor a path, ``version`` is not a string, or
        ``name@version`` and ``version`` disagree.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> len(fw.dimensions)
    4
    >>> ml.load_framework("whole-of-mission@1").version
    '1'
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise ArgumentError(
            "name_or_path must be the name of a built-in framework (see list_frameworks()) or "
            f"the path of a framework file (str or pathlib.Path), not "
            f"{type(name_or_path).__name__}"
        )
    if version is not None and not isinstance(version, str):
        raise ArgumentError(
            f"version must be a string such as '1', not {type(version).__name__} {version!r}"
        )
    key = os.fspath(name_or_path)
    if not isinstance(key, str):
        raise ArgumentError(f"name_or_path must be text or a path, not bytes ({key!r})")
    path = Path(key)
    if isinstance(name_or_path, Path) or path.is_file():
        if not path.is_file():
            raise NotFoundError(f"no framework file {key}")
        fw = Framework.from_file(path)
        beside = translations_beside(path)
        if beside:
            from missionlens.framework.translations import load_translation

            fw = fw.with_translations(*(load_translation(p) for p in beside.values()))
        if version is not None and fw.version != version:
            raise NotFoundError(
                f"framework file {key} is version '{fw.version}' of '{fw.id}', not version "
                f"'{version}'"
            )
        return fw
    name, spec_version = parse_framework_spec(key)
    if spec_version is not None and version is not None and spec_version != version:
        raise ArgumentError(
            f"load_framework('{key}', version='{version}'): the name says version "
            f"'{spec_version}' and version= says '{version}'; give one"
        )
    builtins = builtin_frameworks()
    if name in builtins:
        return _builtin(name, spec_version or version)
    raise NotFoundError(
        f"no built-in framework or file named '{key}' (built-in frameworks: "
        f"{', '.join(builtins) or 'none'}){did_you_mean(name, list(builtins))}"
    )
