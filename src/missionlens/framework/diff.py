"""What changed between two frameworks, and migration mappings between framework versions.

:func:`diff_frameworks` lists, element by element (indicators, nodes, scales, facets), what was
kept, changed, renamed, split, merged, added or dropped between an old and a new framework.
Nodes, scales and facets are matched by id. Indicators are matched by id too, unless a
**migration mapping** says how the old indicators became the new ones: a YAML file of this
shape, read by :func:`load_migration` (``yaml.safe_load`` with unique keys only)::

    from: {id: whole-of-mission, version: "1"}
    to: {id: whole-of-mission, version: "2"}
    indicators:
      - {old: [pol_consent], new: [pol_consent_host_state], change: renamed, note: "..."}
      - {old: [a, b], new: [ab], change: merged, note: "..."}
      - {old: [c], new: [c1, c2], change: split, note: "..."}
      - {old: [d], new: [], change: dropped, note: "why"}
      - {old: [], new: [e], change: added, note: "why (which gap it fills)"}
      - {old: [f], new: [f], change: kept}

A mapping covers every indicator of both versions exactly once, so that no indicator is lost
or invented without a line saying so. Built-in mappings ship beside the built-in frameworks,
named ``<name>-v<old>-to-v<new>.yaml`` (:func:`find_migration`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import ConfigDict, Field, ValidationError

from missionlens.errors import ArgumentError, FrameworkError, MigrationError, NotFoundError
from missionlens.framework.elements import DEFAULT_FACETS, Facet, _Model
from missionlens.framework.model import Framework
from missionlens.framework.registry import builtin_migrations, load_framework, read_builtin
from missionlens.framework.structure import Problem, problem, problem_frame
from missionlens.framework.yaml_io import parse_text, read_text
from missionlens.suggest import did_you_mean

__all__ = [
    "CHANGES",
    "DIFF_COLUMNS",
    "IndicatorChange",
    "Migration",
    "MigrationEnd",
    "diff_frameworks",
    "find_migration",
    "load_migration",
]

#: The values of the ``change`` column, and of ``change`` in a migration mapping.
CHANGES: tuple[str, ...] = ("kept", "changed", "renamed", "split", "merged", "added", "dropped")

#: Columns of :func:`diff_frameworks`, in order.
DIFF_COLUMNS: tuple[str, ...] = ("element", "id_old", "id_new", "change", "fields", "detail")

Change = Literal["kept", "changed", "renamed", "split", "merged", "added", "dropped"]


class MigrationEnd(_Model):
    """One end of a migration: a framework id and version."""

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)


class IndicatorChange(_Model):
    """One line of a migration: old indicator ids, the new ids they became, how, and why."""

    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    change: Change
    note: str = ""


class Migration(_Model):
    """A migration mapping between two versions of a framework (see the module docstring).

    ``from`` is a Python keyword: the field is ``from_`` in Python, ``from`` in the file.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: MigrationEnd = Field(alias="from")
    to: MigrationEnd
    indicators: tuple[IndicatorChange, ...] = Field(min_length=1)
    source: str = Field(default="", exclude=True, description="The file it was read from.")

    def check(self, old: Framework, new: Framework) -> None:
        """Check the mapping against the two frameworks it maps.

        Raises
        ------
        MigrationError
            Listing every problem at once: the frameworks are not the ``from`` and ``to`` of
            the mapping (``wrong_framework``), an id the framework does not have
            (``unknown_id``), an indicator of either version that no line covers
            (``not_covered``).
        """
        problems: list[Problem] = []
        for end, fw, path in ((self.from_, old, "from"), (self.to, new, "to")):
            if (end.id, end.version) != (fw.id, fw.version):
                problems.append(
                    problem(
                        path,
                        "wrong_framework",
                        f"the mapping goes {path} {end.id} version {end.version}, but the "
                        f"framework given is {fw.id} version {fw.version}",
                        id=end.id,
                        value=f"{fw.id}@{fw.version}",
                    )
                )
        for side, fw in (("old", old), ("new", new)):
            known = fw.indicator_ids
            covered: set[str] = set()
            for k, line in enumerate(self.indicators):
                for ident in getattr(line, side):
                    covered.add(ident)
                    if ident not in known:
                        problems.append(
                            problem(
                                f"indicators[{k}].{side}",
                                "unknown_id",
                                f"{side} indicator '{ident}' is not in {fw.id} version "
                                f"{fw.version}" + did_you_mean(ident, list(known)),
                                id=ident,
                                value=ident,
                            )
                        )
            for ident in known:
                if ident not in covered:
                    problems.append(
                        problem(
                            "indicators",
                            "not_covered",
                            f"{side} indicator '{ident}' ({fw.id} version {fw.version}) is on "
                            f"no line of the mapping; add a line saying what became of it"
                            + (
                                " (kept, changed, renamed, split, merged or dropped)"
                                if side == "old"
                                else " (added, renamed, split or merged)"
                            ),
                            id=ident,
                            value=ident,
                        )
                    )
        if problems:
            raise MigrationError(problem_frame(problems, self.source or None), self.source or None)


# ---------------------------------------------------------------------------------- loading
def _shape_problems(data: dict[str, Any]) -> list[Problem]:
    """Problems of the lines of a mapping that the field types cannot express."""
    out: list[Problem] = []
    seen: dict[str, dict[str, int]] = {"old": {}, "new": {}}
    lines = data.get("indicators")
    if not isinstance(lines, list):
        return out
    for k, line in enumerate(lines):
        if not isinstance(line, dict):
            continue
        old = line.get("old", [])
        new = line.get("new", [])
        change = line.get("change")
        if not isinstance(old, list) or not isinstance(new, list) or not isinstance(change, str):
            continue  # a type error, reported by the field validation
        n_old, n_new = len(old), len(new)
        expected = {
            "kept": (n_old == 1 and old == new, "the same single id in old and new"),
            "changed": (n_old == 1 and old == new, "the same single id in old and new"),
            "renamed": (
                n_old == 1 and n_new == 1 and old != new,
                "one old id and one new, different id",
            ),
            "merged": (n_old >= 2 and n_new == 1, "two or more old ids and one new id"),
            "split": (n_old == 1 and n_new >= 2, "one old id and two or more new ids"),
            "dropped": (n_old >= 1 and n_new == 0, "old ids and an empty new list"),
            "added": (n_old == 0 and n_new >= 1, "an empty old list and new ids"),
        }.get(change)
        if expected is not None and not expected[0]:
            out.append(
                problem(
                    f"indicators[{k}]",
                    "bad_change",
                    f"line {k + 1} says '{change}' with old {old} and new {new}; '{change}' "
                    f"takes {expected[1]}",
                    value=change,
                )
            )
        if change in ("dropped", "added") and not str(line.get("note") or "").strip():
            out.append(
                problem(
                    f"indicators[{k}].note",
                    "missing_note",
                    f"line {k + 1} ({change} {', '.join(map(str, old or new))}) gives no note; "
                    f"say why the indicator was {change}",
                    value=change,
                )
            )
        for side, ids in (("old", old), ("new", new)):
            for ident in ids:
                if not isinstance(ident, str):
                    continue
                first = seen[side].get(ident)
                if first is None:
                    seen[side][ident] = k
                    continue
                where = "twice on this line" if first == k else f"on line {first + 1} already"
                out.append(
                    problem(
                        f"indicators[{k}].{side}",
                        "duplicate_id",
                        f"{side} indicator '{ident}' (line {k + 1}) is {where}; each indicator "
                        "goes on exactly one line",
                        id=ident,
                        value=ident,
                    )
                )
    return out


def _field_problems(data: dict[str, Any]) -> list[Problem]:
    try:
        Migration.model_validate(data)
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            loc = [str(x) if not isinstance(x, int) else f"[{x}]" for x in err["loc"]]
            path = "".join(p if p.startswith("[") else f".{p}" for p in loc).lstrip(".")
            check = {
                "missing": "missing_field",
                "extra_forbidden": "unknown_field",
                "literal_error": "not_allowed",
            }.get(err["type"], "wrong_type" if err["type"].endswith("_type") else "invalid_value")
            message = f"{path or 'file'}: {err['msg']}"
            if err["type"] == "literal_error":
                message = f"{path}: change must be one of {', '.join(CHANGES)}"
            value = "" if err["type"] == "missing" else str(err.get("input"))[:80]
            out.append(problem(path, check, message, value=value))
        return out
    return []


def _builtin_migration_names() -> dict[str, str]:
    """Built-in migration names (file names without ``.yaml``) mapped to their files."""
    return {file.rsplit(".", 1)[0]: file for file in builtin_migrations().values()}


def load_migration(name_or_path: str | Path) -> Migration:
    """Read a migration mapping: a built-in one by name, or a file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A built-in name such as ``"whole-of-mission-v1-to-v2"`` (the file name without
        ``.yaml``), or the path of a YAML mapping file.

    Returns
    -------
    Migration

    Raises
    ------
    MigrationError
        Listing every problem of the file at once: YAML syntax, missing or unknown fields,
        a ``change`` that is not one of :data:`CHANGES` or does not fit its ids (``bad_change``:
        a merge needs two or more old ids, ...), a dropped or added indicator without a
        ``note``, an id on two lines.
    FileNotFoundError
        (:class:`~missionlens.errors.NotFoundError`) If there is no such built-in mapping or
        file (the message lists the built-in ones).
    ArgumentError
        If ``name_or_path`` is neither a string nor a path.
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise ArgumentError(
            "load_migration: name_or_path must be the name of a built-in migration or the path "
            f"of a migration file (str or pathlib.Path), not {type(name_or_path).__name__}"
        )
    key = os.fspath(name_or_path)
    builtins = _builtin_migration_names()
    if isinstance(key, str) and not isinstance(name_or_path, Path) and key in builtins:
        text = read_builtin(builtins[key])
        name: str | None = builtins[key]
    elif isinstance(key, str) and Path(key).is_file():
        text, name = read_text(Path(key), "name_or_path")
    else:
        raise NotFoundError(
            f"no built-in migration or file named '{key!s}' (built-in migrations: "
            f"{', '.join(builtins) or 'none'})" + did_you_mean(str(key), list(builtins))
        )
    try:
        data = parse_text(text, "yaml", name)
    except FrameworkError as exc:  # the parser's problem table, as a mapping's
        raise MigrationError(exc.problems, name) from None
    if not isinstance(data, Mapping):
        raise MigrationError(
            problem_frame(
                [
                    problem(
                        "",
                        "not_a_mapping",
                        "a migration file holds a mapping with the keys from, to and "
                        f"indicators, not a {type(data).__name__}",
                    )
                ],
                name,
            ),
            name,
        )
    raw = dict(data)
    problems = _field_problems(raw) + _shape_problems(raw)
    if problems:
        raise MigrationError(problem_frame(problems, name), name)
    return Migration.model_validate({**raw, "source": name or ""})


def find_migration(old: Framework, new: Framework) -> Migration | None:
    """The built-in migration from ``old`` to ``new``, if there is one.

    Found by file name, ``<id>-v<old version>-to-v<new version>.yaml``, among the built-in
    framework files; ``None`` when the frameworks are not two versions of one built-in
    framework or no mapping ships for them.
    """
    if old.id != new.id:
        return None
    file = builtin_migrations().get((old.id, old.version, new.version))
    if file is None:
        return None
    return load_migration(file.rsplit(".", 1)[0])


# ------------------------------------------------------------------------------------ diff
def _framework(value: Framework | str | Path, argument: str) -> Framework:
    if isinstance(value, Framework):
        return value
    if isinstance(value, (str, os.PathLike)):
        return load_framework(value)
    raise ArgumentError(
        f"diff_frameworks: {argument} must be a Framework, a built-in name (name@version) or "
        f"the path of a framework file, not {type(value).__name__}"
    )


def _text(value: Any, width: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _keyed_changes(a: list[dict[str, Any]], b: list[dict[str, Any]], key: str) -> str:
    """How a list of records keyed by ``key`` changed: reworded, added, removed."""

    def shown(values: list[Any]) -> str:
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)

    old = {x[key]: x for x in a}
    new = {x[key]: x for x in b}
    parts = []
    reworded = [v for v in old if v in new and old[v] != new[v]]
    added = [v for v in new if v not in old]
    removed = [v for v in old if v not in new]
    if reworded:
        parts.append(f"{shown(reworded)} reworded")
    if added:
        parts.append(f"added {shown(added)}")
    if removed:
        parts.append(f"removed {shown(removed)}")
    return "; ".join(parts) or "reordered"


def _describe(field: str, a: Any, b: Any) -> str:
    """A short account of how one field changed."""
    scalar = (str, int, float, bool, type(None))
    if isinstance(a, list) and isinstance(b, list):
        for key in ("value", "id"):  # anchors and rubric levels by value, facet values by id
            if a + b and all(isinstance(x, dict) and key in x for x in a + b):
                return f"{field}: " + _keyed_changes(a, b, key)
        if all(isinstance(x, scalar) for x in a + b):
            added = [x for x in b if x not in a]
            removed = [x for x in a if x not in b]
            if any(len(str(x)) > 30 for x in added + removed):  # evidence, data sources
                counts = [f"{len(added)} added"] * bool(added) + [f"{len(removed)} removed"] * bool(
                    removed
                )
                return f"{field}: " + (", ".join(counts) or "reordered")
            parts = [f"+{x}" for x in added] + [f"-{x}" for x in removed]
            return f"{field}: " + (", ".join(parts) or "reordered")
        return f"{field} changed"
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > 40:
        return f"{field} reworded"
    if isinstance(a, scalar) and isinstance(b, scalar):
        return f"{field}: {_text(a)} -> {_text(b)}"
    return f"{field} changed"


def _compare(old: _Model, new: _Model) -> tuple[list[str], list[str]]:
    """The fields (other than ``id``) that differ, in schema order, and how."""
    a = old.model_dump(mode="json")
    b = new.model_dump(mode="json")
    fields = [f for f in type(old).model_fields if f != "id" and a.get(f) != b.get(f)]
    if type(old) is not type(new):
        fields = ["kind", *[f for f in fields if f != "kind"]]
    return fields, [_describe(f, a.get(f), b.get(f)) for f in fields]


def _row(
    element: str,
    id_old: str | None,
    id_new: str | None,
    change: str,
    fields: list[str] | None = None,
    detail: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "element": element,
        "id_old": id_old,
        "id_new": id_new,
        "change": change,
        "fields": ", ".join(fields or []),
        "detail": "; ".join(d for d in (detail or []) if d),
    }


def _by_id(
    element: str,
    old: Mapping[str, _Model],
    new: Mapping[str, _Model],
    order_old: list[str],
    order_new: list[str],
) -> list[dict[str, Any]]:
    rows = []
    for ident in order_old:
        if ident in new:
            fields, detail = _compare(old[ident], new[ident])
            rows.append(
                _row(element, ident, ident, "changed" if fields else "kept", fields, detail)
            )
        else:
            rows.append(_row(element, ident, None, "dropped"))
    rows += [_row(element, None, ident, "added") for ident in order_new if ident not in old]
    return rows


def _facets(fw: Framework) -> dict[str, Facet]:
    """The facets of a framework, the default ``level`` and ``phase`` included when it does
    not declare its own (so that declaring the default is no change)."""
    out = {f.id: f for f in fw.facets}
    for facet in DEFAULT_FACETS:
        out.setdefault(facet.id, facet)
    return out


def _indicator_rows(
    old: Framework, new: Framework, mapping: Migration | None
) -> list[dict[str, Any]]:
    old_ind = {i.id: i for i in old.indicators}
    new_ind = {i.id: i for i in new.indicators}
    if mapping is None:
        return _by_id("indicator", old_ind, new_ind, list(old_ind), list(new_ind))
    position_old = {ident: k for k, ident in enumerate(old_ind)}
    position_new = {ident: k for k, ident in enumerate(new_ind)}

    def place(line: IndicatorChange) -> tuple[int, int]:
        if line.old:
            return (0, min(position_old[i] for i in line.old))
        return (1, min(position_new[i] for i in line.new))

    rows: list[dict[str, Any]] = []
    for line in sorted(mapping.indicators, key=place):
        note = f"note: {line.note.strip()}" if line.note.strip() else ""
        if line.change in ("kept", "changed", "renamed"):
            ident_old, ident_new = line.old[0], line.new[0]
            fields, detail = _compare(old_ind[ident_old], new_ind[ident_new])
            change = line.change
            if change != "renamed":
                change = "changed" if fields else "kept"
                if change != line.change:
                    detail.append(f"the mapping says {line.change}")
            else:
                detail.insert(0, f"renamed {ident_old} -> {ident_new}")
            rows.append(_row("indicator", ident_old, ident_new, change, fields, [*detail, note]))
        elif line.change in ("merged", "split"):
            verb = "merged into" if line.change == "merged" else "split into"
            summary = f"{', '.join(line.old)} {verb} {', '.join(line.new)}"
            for ident_old in line.old:
                for ident_new in line.new:
                    rows.append(
                        _row("indicator", ident_old, ident_new, line.change, None, [summary, note])
                    )
        elif line.change == "dropped":
            rows += [_row("indicator", i, None, "dropped", None, [note]) for i in line.old]
        else:
            rows += [_row("indicator", None, i, "added", None, [note]) for i in line.new]
    return rows


def diff_frameworks(
    old: Framework | str | Path,
    new: Framework | str | Path,
    mapping: Migration | str | Path | None = None,
) -> pd.DataFrame:
    """What changed from one framework to another, element by element.

    Parameters
    ----------
    old, new : Framework, str or pathlib.Path
        The frameworks, or what :func:`~missionlens.load_framework` takes (a built-in
        ``name@version`` or a file path).
    mapping : Migration, str or pathlib.Path, optional
        How the old indicators became the new ones (:func:`load_migration` takes the name or
        path). Without one, indicators are matched by id. With one, every old and new indicator
        must be on exactly one of its lines. The command ``missionlens frameworks diff`` uses
        the built-in mapping between two built-in versions (:func:`find_migration`) on its own.

    Returns
    -------
    pandas.DataFrame
        Columns ``element`` (``indicator``, ``node``, ``scale`` or ``facet``), ``id_old``,
        ``id_new`` (``None`` for an added or a dropped element), ``change`` (one of
        :data:`CHANGES`), ``fields`` (the fields that differ, e.g. ``"weight, anchors"``) and
        ``detail`` (how they differ, and the mapping's note). Indicators first, then nodes,
        scales and facets; within each, in the old framework's order, then what was added in
        the new one's. A merge or a split has one row per pair of old and new ids. ``kept``
        and ``changed`` compare every field but the id; a rename also lists the fields that
        changed with it.

    Raises
    ------
    MigrationError
        If the mapping has problems or does not fit the two frameworks (every problem listed).
    ArgumentError
        If an argument is of the wrong type.

    Examples
    --------
    >>> import missionlens as ml
    >>> d = ml.diff_frameworks("whole-of-mission@1", "whole-of-mission@1")
    >>> sorted(set(d["change"]))
    ['kept']
    """
    old_fw = _framework(old, "old")
    new_fw = _framework(new, "new")
    migration: Migration | None
    if mapping is None or isinstance(mapping, Migration):
        migration = mapping
    elif isinstance(mapping, (str, os.PathLike)):
        migration = load_migration(mapping)
    else:
        raise ArgumentError(
            "diff_frameworks: mapping must be a Migration, the name or path of a migration "
            f"file, or None, not {type(mapping).__name__}"
        )
    if migration is not None:
        migration.check(old_fw, new_fw)
    rows = _indicator_rows(old_fw, new_fw, migration)
    for element, attribute in (("node", "nodes"), ("scale", "scales")):
        a = {e.id: e for e in getattr(old_fw, attribute)}
        b = {e.id: e for e in getattr(new_fw, attribute)}
        rows += _by_id(element, a, b, list(a), list(b))
    a, b = _facets(old_fw), _facets(new_fw)
    rows += _by_id("facet", a, b, list(a), list(b))
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS), dtype=object)
