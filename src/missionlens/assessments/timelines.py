"""Reading phase timelines from YAML files, tables and objects (:func:`read_timelines`).

:func:`read_timelines` is the one reader behind every ``timelines=`` argument
(:func:`~missionlens.validate`, :func:`~missionlens.score`, :func:`~missionlens.read_assessments`,
:func:`~missionlens.consolidate`). It lives in the assessments layer because YAML is read with the
framework layer's :func:`~missionlens.framework.yaml_io.safe_load_unique` (no duplicate keys, no
object tags); the timeline model itself is core (:mod:`missionlens.mission_registry`).

A YAML file holds a list of timelines, either at the top level or under ``timelines:``::

    timelines:
      - mission: MINUSMA
        phases:
          - {phase: start_up, start: 2013-04-25, end: 2013-12-31, source: "S/RES/2100 (2013)"}
          - {phase: implementation, start: 2014-01-01, source: "S/RES/2164 (2014)"}

A table has one row per mission and phase, columns
:data:`~missionlens.mission_registry.TIMELINE_COLUMNS` (``end`` and ``note`` optional).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
import pydantic
import yaml

from missionlens.errors import ArgumentError, NotFoundError, YAMLDuplicateKeyError
from missionlens.framework.elements import PHASES
from missionlens.framework.yaml_io import safe_load_unique
from missionlens.mission_registry import TIMELINE_COLUMNS, PhaseTimeline, mission_key
from missionlens.suggest import did_you_mean

__all__ = ["TimelinesSource", "read_timelines", "timeline_lookup"]

#: What a ``timelines=`` argument accepts.
TimelinesSource: TypeAlias = (
    "PhaseTimeline | Iterable[PhaseTimeline] | Mapping[str, PhaseTimeline] | pd.DataFrame | "
    "str | os.PathLike[str]"
)

_REQUIRED = ("mission", "phase", "start", "source")


def _pydantic_problems(exc: pydantic.ValidationError, where: str) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        out.append(f"{where}{' ' + loc if loc else ''}: {msg}")
    return out


def _from_records(records: list[Any], where: str) -> list[PhaseTimeline]:
    timelines: list[PhaseTimeline] = []
    problems: list[str] = []
    for k, record in enumerate(records):
        name = record.get("mission") if isinstance(record, Mapping) else None
        at = f"{where}timeline {k + 1}" + (f" ({name})" if name else "")
        if not isinstance(record, Mapping):
            problems.append(f"{at}: a timeline is a mapping with mission and phases")
            continue
        try:
            timelines.append(PhaseTimeline.model_validate(dict(record)))
        except pydantic.ValidationError as exc:
            problems.extend(_pydantic_problems(exc, at))
    if problems:
        raise ArgumentError("timelines: " + "; ".join(problems))
    return timelines


def _from_frame(frame: pd.DataFrame, where: str) -> list[PhaseTimeline]:
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in _REQUIRED if c not in columns]
    unknown = [str(c) for c in frame.columns if str(c).strip().lower() not in TIMELINE_COLUMNS]
    problems = []
    if missing:
        problems.append(f"{where}no column {', '.join(missing)}")
    if unknown:
        problems.append(
            f"{where}unknown column(s) {', '.join(unknown)}; a timeline table has the columns "
            f"{', '.join(TIMELINE_COLUMNS)}"
            + did_you_mean(unknown[0].strip().lower(), TIMELINE_COLUMNS)
        )
    if problems:
        raise ArgumentError("timelines: " + "; ".join(problems))
    table = frame.rename(columns={v: k for k, v in columns.items()})
    records: dict[str, dict[str, Any]] = {}
    for row_no, row in enumerate(table.to_dict("records"), start=1):
        mission = row.get("mission")
        text = "" if mission is None or pd.isna(mission) else str(mission).strip()
        record = records.setdefault(text, {"mission": text, "phases": [], "_rows": []})
        span = {
            c: (None if c in ("end", "note") and _missing(row.get(c)) else row.get(c))
            for c in ("phase", "start", "end", "source", "note")
            if c in row
        }
        for c in ("start", "end"):
            stamp = span.get(c)
            if isinstance(stamp, pd.Timestamp):
                span[c] = stamp.date()
        record["phases"].append(span)
        record["_rows"].append(row_no)
    out: list[PhaseTimeline] = []
    errors: list[str] = []
    for text, record in records.items():
        rows = record.pop("_rows")
        at = f"{where}rows {', '.join(map(str, rows))} ({text or 'no mission'})"
        try:
            out.append(PhaseTimeline.model_validate(record))
        except pydantic.ValidationError as exc:
            errors.extend(_pydantic_problems(exc, at))
    if errors:
        raise ArgumentError("timelines: " + "; ".join(errors))
    return out


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and value != value  # NaN


def _from_path(path: Path) -> list[PhaseTimeline]:
    if not path.exists():
        raise NotFoundError(f"timelines file not found: {path}")
    where = f"{path}: "
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _from_frame(pd.read_csv(path, dtype=str, keep_default_na=False), where)
    if suffix not in (".yaml", ".yml"):
        raise ArgumentError(
            f"timelines: {path} is neither a YAML (.yaml, .yml) nor a CSV (.csv) file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArgumentError(f"timelines: {path} is not UTF-8 text ({exc.reason})") from None
    try:
        data = safe_load_unique(text)
    except YAMLDuplicateKeyError as exc:
        raise ArgumentError(f"timelines: {path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark else ""
        raise ArgumentError(f"timelines: {path} is not valid YAML{line}") from None
    if isinstance(data, Mapping) and "timelines" in data:
        extra = sorted(str(k) for k in data if k != "timelines")
        if extra:
            raise ArgumentError(
                f"timelines: {path}: unknown key(s) {', '.join(extra)} beside 'timelines'"
            )
        data = data["timelines"]
    if not isinstance(data, list):
        raise ArgumentError(
            f"timelines: {path} must hold a list of timelines (each with mission and phases), "
            "at the top level or under 'timelines:'"
        )
    return _from_records(data, where)


def read_timelines(source: Any) -> dict[str, PhaseTimeline]:
    """Read phase timelines from a YAML or CSV file, a table or objects.

    Parameters
    ----------
    source : PhaseTimeline, list of them, mapping, DataFrame, or path
        * a :class:`~missionlens.PhaseTimeline` or a list of them;
        * a mapping ``{mission: PhaseTimeline}`` (as this function returns);
        * a DataFrame with one row per mission and phase, columns ``mission, phase, start,
          end, source, note`` (``end`` and ``note`` optional), such as
          :func:`missionlens.datasets.phase_timelines`;
        * the path of a YAML file (a list of timelines, at the top level or under
          ``timelines:``; read safely, duplicate keys refused) or of a CSV table.

    Returns
    -------
    dict
        ``{mission: PhaseTimeline}``, one per mission, in the order given.

    Raises
    ------
    ArgumentError
        If a timeline is malformed (every problem listed, each with its file, timeline or rows
        and field), two timelines are given for one mission, or ``source`` is of no accepted
        type.
    NotFoundError
        If a path does not exist.

    Examples
    --------
    >>> import missionlens as ml
    >>> timelines = ml.read_timelines(ml.datasets.phase_timelines())
    >>> list(timelines), timelines["MINUSMA"].phase_of("2023")
    (['MINUSMA', 'UNAMID', 'UNMIL'], 'exit')
    """
    items: list[PhaseTimeline]
    if isinstance(source, PhaseTimeline):
        items = [source]
    elif isinstance(source, pd.DataFrame):
        items = _from_frame(source, "")
    elif isinstance(source, str | os.PathLike):
        items = _from_path(Path(source))
    elif isinstance(source, Mapping):
        bad = [k for k, v in source.items() if not isinstance(v, PhaseTimeline)]
        if bad:
            raise ArgumentError(
                f"timelines: the values of a mapping must be PhaseTimeline objects (not for "
                f"{', '.join(map(str, bad))})"
            )
        items = list(source.values())
    elif isinstance(source, Iterable):
        items = list(source)
        bad_items = [type(t).__name__ for t in items if not isinstance(t, PhaseTimeline)]
        if bad_items:
            raise ArgumentError(
                "timelines: a list must hold PhaseTimeline objects, not "
                + ", ".join(sorted(set(bad_items)))
            )
    else:
        raise ArgumentError(
            "timelines must be a PhaseTimeline, a list or mapping of them, a DataFrame or the "
            f"path of a YAML or CSV file, not {type(source).__name__}"
        )
    out: dict[str, PhaseTimeline] = {}
    seen: dict[str, str] = {}
    repeated = []
    for t in items:
        key = mission_key(t.mission)
        if key in seen:
            repeated.append(f"{seen[key]} and {t.mission}")
            continue
        seen[key] = t.mission
        out[t.mission] = t
    if repeated:
        raise ArgumentError(
            "timelines: more than one timeline for a mission (" + "; ".join(repeated) + "); "
            "give each mission one timeline"
        )
    return out


def timeline_lookup(timelines: Any, phases: tuple[str, ...] = PHASES) -> dict[str, PhaseTimeline]:
    """Timelines keyed by :func:`~missionlens.mission_registry.mission_key`, phases checked.

    Parameters
    ----------
    timelines : anything :func:`read_timelines` reads, or None
    phases : tuple of str
        The lifecycle phases of the framework in use.

    Raises
    ------
    ArgumentError
        If a timeline names a phase that is not one of ``phases`` (all such phases listed).
    """
    if timelines is None:
        return {}
    read = read_timelines(timelines)
    problems = []
    for t in read.values():
        for span in t.phases:
            if span.phase not in phases:
                problems.append(
                    f"the timeline of {t.mission} has the phase '{span.phase}' (from "
                    f"{span.start}), which is not a lifecycle phase of the framework"
                    + did_you_mean(span.phase, phases)
                )
    if problems:
        raise ArgumentError(
            "timelines: " + "; ".join(problems) + f"; phases are: {', '.join(phases)}"
        )
    return {mission_key(m): t for m, t in read.items()}
