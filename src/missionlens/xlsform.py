"""XLSForm questionnaires for KoboToolbox and ODK, and reading their exports back.

:func:`write_xlsform` writes the questionnaire of :func:`~missionlens.write_template` as an
XLSForm (sheets ``survey``, ``choices`` and ``settings``), the spreadsheet form format of ODK and
KoboToolbox, which ``pyxform`` converts to the XForm that ODK Collect and Enketo run:

* ``start`` and ``end`` (the device's timestamps); hidden ``calculate`` fields
  ``framework_id``, ``framework_version`` and ``framework_fingerprint`` that carry the framework
  into every submission; ``mission`` (``select_one missions`` when missions are given, else text),
  ``period`` (a constant ``calculate`` when given, else text with a format constraint), ``phase``
  (a constant) and ``rater`` (text), all required;
* one group per dimension (``begin_group``/``end_group``, named by the dimension id), holding
  for each indicator that applies in the phase a question named by the indicator id: rubric
  indicators are ``select_one`` over a choice list whose labels carry the anchored description
  of each level, numeric ones ``decimal`` with their bounds as a constraint, binary ones
  ``select_one yes_no`` (1 and 0); then ``<id>__confidence`` (``select_one confidence``),
  ``<id>__evidence`` (multi-line text), ``<id>__sources`` and ``<id>__comment``, shown once the
  value is answered. Values are optional: an indicator left blank was not assessed.
* ``settings``: ``form_title``, ``form_id``, ``version`` (the framework fingerprint, so that a
  new framework version is a new form version) and ``instance_name``.

A KoboToolbox or ODK Central export of the form is *wide*: one row per submission, one column per
question. :func:`~missionlens.read_assessments` recognises an export by its metadata columns
(``_submission_time``, ``_uuid``, ``SubmissionDate``, ``KEY``, ``meta/instanceID``, ...) and
melts it into the long assessment table. Question columns may be named by the question name
(``pol_01``), by KoboToolbox's group path (``pol/pol_01``, the default of "XML values and
headers" exports) or by ODK Central's (``pol-pol_01``). ``entered_at`` is the ``end`` time of
the submission (else its submission time). Exports with labels instead of names as headers are
not supported. In an export an empty cell is an unanswered question: exports cannot tell an
empty text from no text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.assessment import (
    CONFIDENCE_LEVELS,
    INTERNAL,
    Batch,
    as_text,
    parse_period,
)
from missionlens.schema import BinaryScale, Indicator, NumericScale, RubricScale

if TYPE_CHECKING:
    from missionlens.framework import Framework

__all__ = ["EXPORT_MARKERS", "FIELD_SUFFIXES", "SURVEY_COLUMNS", "write_xlsform"]

#: Columns of the ``survey`` sheet.
SURVEY_COLUMNS: tuple[str, ...] = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "constraint",
    "constraint_message",
    "relevant",
    "appearance",
    "calculation",
)

#: Question-name suffix of each per-indicator field (the value has none).
FIELD_SUFFIXES: dict[str, str] = {
    "value": "",
    "confidence": "__confidence",
    "evidence": "__evidence",
    "sources": "__sources",
    "comment": "__comment",
}

#: Submission-level fields of the form (top-level question names).
SHARED_FIELDS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "rater",
    "framework_id",
    "framework_version",
    "framework_fingerprint",
)

#: Columns that only KoboToolbox or ODK exports have; one of them marks a table as an export.
EXPORT_MARKERS: frozenset[str] = frozenset(
    {
        "_submission_time",
        "_uuid",
        "_submitted_by",
        "__version__",
        "meta/instanceID",
        "meta-instanceID",
        "SubmissionDate",
        "KEY",
        "instanceID",
    }
)

#: Columns holding the time of entry, most precise first.
_TIME_COLUMNS: tuple[str, ...] = ("end", "_submission_time", "SubmissionDate", "start")

_RESERVED: frozenset[str] = frozenset({"start", "end", "meta", "intro", *SHARED_FIELDS})

_PERIOD_CONSTRAINT = (
    "regex(., '^[0-9]{4}(-?[HhSs][12]|-?[Qq][1-4]|-[0-9]{2}|-[0-9]{2}-[0-9]{2}|/[0-9]{2}|"
    "-[0-9]{2}-[0-9]{2}/[0-9]{4}-[0-9]{2}-[0-9]{2})?$')"
)


def _label(text: str) -> str:
    """Display text for a form: no carriage returns, no ``${`` (pyxform reads it as a reference)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("${", "$ {")


def _literal(text: str) -> str:
    """An XPath 1.0 string literal for any text."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"


def _num(value: float) -> str:
    return as_text(float(value)) or ""


def _value_question(
    fw: Framework, ind: Indicator, lists: dict[str, list[tuple[str, str]]]
) -> dict[str, str]:
    scale = fw.scale(ind.scale)
    hint = ind.question or ind.definition
    if ind.evidence:
        hint += (" " if hint else "") + "Evidence: " + "; ".join(ind.evidence) + "."
    row = {"name": ind.id, "label": _label(ind.name), "hint": _label(hint), "required": "no"}
    if isinstance(scale, RubricScale):
        own = bool(ind.anchors)
        list_name = f"levels_{ind.id}" if own else f"levels_{scale.id}"
        if list_name not in lists:
            table = fw.anchors(ind.id)
            lists[list_name] = [
                (_num(v), _label(f"{_num(v)} – {lab}" + (f": {desc}" if desc else "")))
                for v, lab, desc in zip(
                    table["value"], table["label"], table["description"], strict=True
                )
            ]
        row["type"] = f"select_one {list_name}"
    elif isinstance(scale, BinaryScale):
        default = ("Yes", "No")
        list_name = (
            "yes_no" if (scale.true_label, scale.false_label) == default else f"yes_no_{scale.id}"
        )
        if list_name not in lists:
            lists[list_name] = [("1", _label(scale.true_label)), ("0", _label(scale.false_label))]
        row["type"] = f"select_one {list_name}"
    else:
        if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
            raise TypeError(f"unknown scale kind {scale!r}")
        row["type"] = "decimal"
        unit = f" ({scale.unit})" if scale.unit else ""
        clauses, words = [], []
        if scale.minimum is not None:
            clauses.append(f". >= {_num(scale.minimum)}")
            words.append(f"at least {_num(scale.minimum)}")
        if scale.maximum is not None:
            clauses.append(f". <= {_num(scale.maximum)}")
            words.append(f"at most {_num(scale.maximum)}")
        if clauses:
            row["constraint"] = " and ".join(clauses)
            row["constraint_message"] = _label(f"Enter a number {' and '.join(words)}{unit}.")
        if unit:
            row["hint"] = (row["hint"] + " " if row["hint"] else "") + f"Unit:{unit}."
    return row


def write_xlsform(
    framework: Framework,
    path: str | os.PathLike[str],
    *,
    phase: str,
    missions: Sequence[str] | None = None,
    period: str | None = None,
    form_id: str | None = None,
    form_title: str | None = None,
) -> Path:
    """Write the assessment questionnaire of a framework as an XLSForm for KoboToolbox or ODK.

    Parameters
    ----------
    framework : Framework
        The framework to assess against.
    path : str or path
        Where to write the form (``.xlsx``).
    phase : str
        The lifecycle phase; only indicators that apply in it are asked.
    missions : sequence of str, optional
        Missions to choose from; if not given, the mission is typed in.
    period : str, optional
        The period assessed (fixed in the form); if not given, it is typed in.
    form_id, form_title : str, optional
        Override the form id (default ``<framework id>_<phase>``) and title.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the phase is unknown or nothing applies in it, the period cannot be parsed, missions
        repeat, or an indicator or dimension id clashes with a field of the form.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")  # doctest: +SKIP
    >>> ml.write_xlsform(fw, "form.xlsx", phase="implementation", period="2024-H1",
    ...                  missions=["MINUSCA", "MONUSCO"])  # doctest: +SKIP
    """
    import openpyxl

    phases = framework.facet("phase").value_ids
    if phase not in phases:
        raise ValueError(f"unknown phase {phase!r}; phases are: {', '.join(phases)}")
    indicators = framework.indicators_in_phase(phase)
    if not indicators:
        raise ValueError(f"no indicator of framework '{framework.id}' applies in phase {phase}")
    period_label = parse_period(period).label if period is not None else None
    if isinstance(missions, str):
        raise ValueError(f"missions must be a list of mission names, e.g. [{missions!r}]")
    mission_list = [str(m).strip() for m in missions] if missions is not None else []
    if missions is not None and (not mission_list or any(m == "" for m in mission_list)):
        raise ValueError("missions must be a non-empty list of mission names")
    if len(set(mission_list)) != len(mission_list):
        raise ValueError("missions are listed more than once")

    names: set[str] = set()
    clashes: list[str] = []
    for node in framework.dimensions:
        if node.id in _RESERVED:
            clashes.append(node.id)
        names.add(node.id)
    for ind in indicators:
        for suffix in FIELD_SUFFIXES.values():
            name = ind.id + suffix
            if name in _RESERVED or name in names:
                clashes.append(name)
            names.add(name)
    if clashes:
        raise ValueError(
            "these ids clash with other question names of the form: "
            + ", ".join(sorted(set(clashes)))
        )

    survey: list[dict[str, str]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
    ]
    for name, value in (
        ("framework_id", framework.id),
        ("framework_version", framework.version),
        ("framework_fingerprint", framework.fingerprint),
    ):
        survey.append({"type": "calculate", "name": name, "calculation": _literal(value)})
    if mission_list:
        survey.append(
            {
                "type": "select_one missions",
                "name": "mission",
                "label": "Mission",
                "required": "yes",
            }
        )
    else:
        survey.append({"type": "text", "name": "mission", "label": "Mission", "required": "yes"})
    if period_label is not None:
        survey.append(
            {"type": "calculate", "name": "period", "calculation": _literal(period_label)}
        )
    else:
        survey.append(
            {
                "type": "text",
                "name": "period",
                "label": "Period assessed",
                "hint": "A year (2024), half-year (2024-H1), quarter (2024-Q3), month (2024-03) "
                "or UN financial year (2023/24).",
                "required": "yes",
                "constraint": _PERIOD_CONSTRAINT,
                "constraint_message": "Enter a period such as 2024, 2024-H1, 2024-Q3 or 2023/24.",
            }
        )
    survey.append({"type": "calculate", "name": "phase", "calculation": _literal(phase)})
    survey.append(
        {"type": "text", "name": "rater", "label": "Your name (rater)", "required": "yes"}
    )
    survey.append(
        {
            "type": "note",
            "name": "intro",
            "label": "For each indicator, pick the level whose description fits the evidence "
            "best, say how confident you are and note the evidence and its sources. Leave an "
            "indicator blank if you cannot assess it.",
        }
    )
    lists: dict[str, list[tuple[str, str]]] = {}
    for dim in framework.dimensions:
        members = [i for i in indicators if framework.dimension_of(i.id) == dim.id]
        if not members:
            continue
        survey.append({"type": "begin_group", "name": dim.id, "label": _label(dim.name)})
        for ind in members:
            survey.append(_value_question(framework, ind, lists))
            answered = f"${{{ind.id}}} != ''"
            survey += [
                {
                    "type": "select_one confidence",
                    "name": ind.id + FIELD_SUFFIXES["confidence"],
                    "label": "Confidence",
                    "relevant": answered,
                },
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["evidence"],
                    "label": "Evidence",
                    "relevant": answered,
                    "appearance": "multiline",
                },
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["sources"],
                    "label": "Sources",
                    "relevant": answered,
                },
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["comment"],
                    "label": "Comment",
                    "relevant": answered,
                },
            ]
        survey.append({"type": "end_group", "name": dim.id})

    choices: list[tuple[str, str, str]] = [("missions", m, _label(m)) for m in mission_list]
    choices += [("confidence", level, level.capitalize()) for level in CONFIDENCE_LEVELS]
    for list_name, items in lists.items():
        choices += [(list_name, name, label) for name, label in items]

    phase_label = next(v.label for v in framework.facet("phase").values if v.id == phase) or phase
    title = form_title or f"{framework.title}: {phase_label}" + (
        f" ({period_label})" if period_label else ""
    )
    ident = form_id or re.sub(r"[^A-Za-z0-9_.\-]", "_", f"{framework.id}_{phase}")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    _rows(ws, list(SURVEY_COLUMNS), [[row.get(c, "") for c in SURVEY_COLUMNS] for row in survey])
    _rows(wb.create_sheet("choices"), ["list_name", "name", "label"], [list(c) for c in choices])
    _rows(
        wb.create_sheet("settings"),
        ["form_title", "form_id", "version", "instance_name"],
        [
            [
                _label(title),
                ident,
                framework.fingerprint,
                "concat(${mission}, ' ', ${period}, ' ', ${rater})",
            ]
        ],
    )
    target = Path(path)
    wb.save(target)
    return target


def _rows(ws: Any, header: list[str], rows: list[list[str]]) -> None:
    from missionlens.assessment import ooxml_escape

    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            if value == "":
                continue
            cell = ws.cell(row=r, column=c)
            cell.value = ooxml_escape(value)
            cell.data_type = "s"


# ------------------------------------------------------------------------------- exports
def looks_like_export(columns: Sequence[str]) -> bool:
    """Whether a table's columns are those of a KoboToolbox or ODK export (not a long table)."""
    lowered = {c.strip().lower() for c in columns}
    return bool(EXPORT_MARKERS.intersection(columns)) and "indicator" not in lowered


def _is_meta(column: str) -> bool:
    head = re.split(r"[/]", column, maxsplit=1)[0]
    return (
        column.startswith("_")
        or head in ("meta", "formhub")
        or column.startswith("meta-")
        or column in EXPORT_MARKERS
    )


def _match(
    column: str, known: dict[str, tuple[str, str]], groups: set[str]
) -> tuple[str, str] | None:
    """(indicator, field) a question column holds, for a known indicator field."""
    base = column.rsplit("/", 1)[-1]
    if base in known and (("/" not in column) or not _is_meta(column)):
        return known[base]
    for i, char in enumerate(column):
        if char == "-" and column[:i] in groups and column[i + 1 :] in known:
            return known[column[i + 1 :]]
    return None


def _unknown(column: str, groups: set[str]) -> tuple[str, str] | None:
    """(stem, field) of a column that looks like an indicator field of an unknown indicator."""
    if _is_meta(column) or column in _TIME_COLUMNS or column in SHARED_FIELDS:
        return None
    base = column.rsplit("/", 1)[-1] if "/" in column else None
    if base is None:
        for i, char in enumerate(column):
            if char == "-" and column[:i] in groups:
                base = column[i + 1 :]
                break
    if base is None:
        for field, suffix in FIELD_SUFFIXES.items():
            if suffix and column.endswith(suffix) and len(column) > len(suffix):
                return column[: -len(suffix)], field
        return None
    for field, suffix in FIELD_SUFFIXES.items():
        if suffix and base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)], field
    return base, "value"


def export_batch(
    frame: pd.DataFrame,
    name: str,
    framework: Framework | None,
    *,
    first_row: int,
    sheet: str = "",
) -> Batch:
    """Melt a wide KoboToolbox/ODK export into raw long entries."""
    frame = frame.reset_index(drop=True)
    columns = [str(c) for c in frame.columns]
    frame.columns = pd.Index(columns)
    cells = frame.astype(object).where(frame.notna(), None)
    cells = cells.mask(cells.map(lambda v: isinstance(v, str) and v.strip() == ""), None)
    rows = np.arange(first_row, first_row + len(frame), dtype="int64")

    known: dict[str, tuple[str, str]] = {}
    groups: set[str] = set()
    if framework is not None:
        groups = set(framework.node_ids)
        for ind in framework.indicators:
            for field, suffix in FIELD_SUFFIXES.items():
                known[ind.id + suffix] = (ind.id, field)
    order = (
        {ind_id: k for k, ind_id in enumerate(framework.indicator_ids)}
        if framework is not None
        else {}
    )

    shared: dict[str, pd.Series] = {}
    for field in SHARED_FIELDS:
        match = next(
            (
                c
                for c in columns
                if c == field or (c.rsplit("/", 1)[-1] == field and not _is_meta(c))
            ),
            None,
        )
        if match is not None:
            shared[field] = cells[match]
    time = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for col in _TIME_COLUMNS:
        if col in columns:
            time = time.where(time.notna(), cells[col])

    fields: dict[str, dict[str, str]] = {}
    for col in columns:
        if col in SHARED_FIELDS or col in _TIME_COLUMNS:
            continue
        hit = _match(col, known, groups) if known else None
        if hit is None:
            hit = _unknown(col, groups)
        if hit is None:
            continue
        stem, field = hit
        fields.setdefault(stem, {}).setdefault(field, col)

    blocks: list[pd.DataFrame] = []
    for stem, found in fields.items():
        block = pd.DataFrame(
            {f: cells[found[f]] if f in found else None for f in FIELD_SUFFIXES}, index=frame.index
        )
        entered = block.notna().any(axis=1)
        if not bool(entered.any()):
            continue
        block = block[entered].copy()
        for f in ("confidence", "evidence", "sources", "comment"):
            block[f] = block[f].map(as_text, na_action="ignore")
        block.insert(0, "indicator", stem)
        for f, series in shared.items():
            block[f] = series[entered].map(as_text, na_action="ignore")
        block["entered_at"] = time[entered].map(as_text, na_action="ignore")
        block[INTERNAL + "row"] = rows[entered.to_numpy()]
        block[INTERNAL + "order"] = order.get(stem, len(order))
        blocks.append(block)
    if blocks:
        long = pd.concat(blocks, ignore_index=True)
        long = long.sort_values([INTERNAL + "row", INTERNAL + "order"], kind="stable")
        long = long.drop(columns=INTERNAL + "order").reset_index(drop=True)
    else:
        long = pd.DataFrame(columns=["indicator", *FIELD_SUFFIXES, INTERNAL + "row"])
    long[INTERNAL + "sheet"] = sheet
    for f in shared:
        long[INTERNAL + "row__" + f] = long[INTERNAL + "row"]
    return Batch(file=name, frame=long)
