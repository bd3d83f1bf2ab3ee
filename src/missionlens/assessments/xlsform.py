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
* the answer *not applicable*: rubric and yes/no questions offer one more choice, named
  :data:`NOT_APPLICABLE_CHOICE` (``na``, a name no level takes: levels are numbers), labelled
  ``N/A — not applicable``; a numeric question is preceded by ``<id>__applies``
  (``select_one applies``: ``yes`` or ``na``), and the number is asked only when it is not
  ``na``. Either way a required text question ``<id>__na_reason`` ("Why does it not apply?")
  is shown only then (``relevant``). Reading the export back, ``na`` becomes an entry with
  ``not_applicable`` true, no value and the reason; ``yes`` alone (no number) is no entry.
* ``settings``: ``form_title``, ``form_id``, ``version`` (the framework fingerprint, so that a
  new framework version is a new form version) and ``instance_name``.

A KoboToolbox or ODK Central export of the form is *wide*: one row per submission, one column per
question. :func:`~missionlens.read_assessments` recognises an export by its metadata columns
(``_submission_time``, ``_uuid``, ``SubmissionDate``, ``KEY``, ``meta/instanceID``, ...) and
melts it into the long assessment table. Question columns may be named by the question name
(``pol_01``), by KoboToolbox's group path (``pol/pol_01``, the default of "XML values and
headers" exports) or by ODK Central's (``pol-pol_01``). ``entered_at`` is the ``end`` time of
the submission (else its submission time). In an export an empty cell is an unanswered
question: exports cannot tell an empty text from no text.

Every column of an export is accounted for: it is a question of the form, a metadata column
(:data:`EXPORT_METADATA`, any column starting with an underscore, and the ``meta`` and ``formhub``
groups), or a failure. With a framework, a column in no group that is not one of its questions
(``pol_2``, ``Consent``) is reported as ``unknown_column`` (once, at the header row, with the
number of answers not read and the closest question name, or the question whose label it is:
exports with labels instead of names as headers are not supported); a column in a group
(``pol/pol_99``) is read as an indicator, which validation reports as ``unknown_indicator``; a
second column holding the same question is a ``duplicate_column``. Without a framework every
column that is not metadata or a submission-level field is read as an indicator field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens.assessments.formats import (
    DATAFRAME,
    Source,
    csv_format,
    register_reader,
    xlsx_format,
)
from missionlens.assessments.formats.xlsx_format import xlsx_target as _xlsx_target
from missionlens.assessments.record import CONFIDENCE_LEVELS, INTERNAL, Batch, file_failure
from missionlens.atomic import atomic_path
from missionlens.framework.elements import BinaryScale, Indicator, NumericScale, RubricScale
from missionlens.framework.translations import LANGUAGE_NAMES, check_language, ui_catalogue
from missionlens.periods import parse_period
from missionlens.text import as_text

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "EXPORT_MARKERS",
    "EXPORT_METADATA",
    "FIELD_SUFFIXES",
    "NOT_APPLICABLE_CHOICE",
    "SURVEY_COLUMNS",
    "write_xlsform",
]

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
    "not_applicable": "__applies",
    "not_applicable_reason": "__na_reason",
    "confidence": "__confidence",
    "evidence": "__evidence",
    "sources": "__sources",
    "comment": "__comment",
}

#: The choice name of the answer "not applicable" (in every rubric and yes/no list, and in the
#: ``applies`` list of the question before a numeric one).
NOT_APPLICABLE_CHOICE = "na"

#: Label of that choice.
NOT_APPLICABLE_LABEL = "N/A — not applicable"

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

#: Metadata columns of KoboToolbox and ODK exports: never questions, never read as entries.
#: Besides these, every column whose name starts with an underscore (KoboToolbox's own columns)
#: or lies in the ``meta`` or ``formhub`` group (``meta/...``, ``meta-...``) is metadata.
EXPORT_METADATA: frozenset[str] = frozenset(
    {
        # KoboToolbox
        "_id",
        "_uuid",
        "_index",
        "_submission_time",
        "_validation_status",
        "_status",
        "_submitted_by",
        "__version__",
        "_notes",
        "_tags",
        "_xform_id_string",
        "_attachments",
        "_geolocation",
        "_parent_table_name",
        "_parent_index",
        # XLSForm metadata questions (any form may add them)
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "email",
        "simserial",
        "subscriberid",
        "phonenumber",
        "audit",
        "instanceID",
        "instanceName",
        # ODK Central (and ODK Briefcase)
        "SubmissionDate",
        "KEY",
        "PARENT_KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "UserAgent",
        "isValidated",
    }
)

#: Columns holding the time of entry, most precise first.
_TIME_COLUMNS: tuple[str, ...] = ("end", "_submission_time", "SubmissionDate", "start")

#: Questions of the form that hold no answer to read (the introductory note).
_NOTE_FIELDS: tuple[str, ...] = ("intro",)

_RESERVED: frozenset[str] = frozenset({"start", "end", "meta", *_NOTE_FIELDS, *SHARED_FIELDS})

#: Labels of the submission-level questions and of the per-indicator fields.
_SHARED_LABELS: dict[str, str] = {
    "mission": "Mission",
    "period": "Period assessed",
    "rater": "Your name (rater)",
}
_FIELD_LABELS: dict[str, str] = {
    "not_applicable": "Does this indicator apply to the mission?",
    "not_applicable_reason": "Why does it not apply?",
    "confidence": "Confidence",
    "evidence": "Evidence",
    "sources": "Sources",
    "comment": "Comment",
}

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
    fw: Framework, ind: Indicator, lists: dict[str, list[tuple[str, str]]], tx: Any = None
) -> dict[str, str]:
    from missionlens.assessments.excel_template import _Texts

    tx = tx or _Texts(fw, "en", "form.")
    scale = fw.scale(ind.scale)
    hint = tx.fw_text(ind.id, "question") or tx.fw_text(ind.id, "definition")
    if ind.evidence:
        evidence = [tx.fw_text(ind.id, f"evidence.{k}") for k in range(len(ind.evidence))]
        hint += (" " if hint else "") + tx.ui("evidence_prefix") + "; ".join(evidence) + "."
    name = tx.fw_text(ind.id, "name")
    row = {"name": ind.id, "label": _label(name), "hint": _label(hint), "required": "no"}
    na_label = tx.ui("not_applicable_choice")
    if isinstance(scale, RubricScale):
        own = bool(ind.anchors)
        list_name = f"levels_{ind.id}" if own else f"levels_{scale.id}"
        if list_name not in lists:
            from missionlens.assessments.excel_template import _anchor_texts

            lists[list_name] = [
                (text.split(" – ", 1)[0], _label(text)) for text in _anchor_texts(fw, ind, tx)
            ] + [(NOT_APPLICABLE_CHOICE, na_label)]
        row["type"] = f"select_one {list_name}"
    elif isinstance(scale, BinaryScale):
        default = ("Yes", "No")
        list_name = (
            "yes_no" if (scale.true_label, scale.false_label) == default else f"yes_no_{scale.id}"
        )
        if list_name not in lists:
            yes, no = tx.binary_labels(scale)
            lists[list_name] = [
                ("1", _label(yes)),
                ("0", _label(no)),
                (NOT_APPLICABLE_CHOICE, na_label),
            ]
        row["type"] = f"select_one {list_name}"
    else:
        if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
            raise TypeError(f"unknown scale kind {scale!r}")
        row["type"] = "decimal"
        row["relevant"] = (
            f"${{{ind.id}{FIELD_SUFFIXES['not_applicable']}}} != '{NOT_APPLICABLE_CHOICE}'"
        )
        unit = f" ({tx.unit(scale)})" if scale.unit else ""
        clauses, words = [], []
        if scale.minimum is not None:
            clauses.append(f". >= {_num(scale.minimum)}")
            words.append(tx.ui("at_least", value=_num(scale.minimum)))
        if scale.maximum is not None:
            clauses.append(f". <= {_num(scale.maximum)}")
            words.append(tx.ui("at_most", value=_num(scale.maximum)))
        if clauses:
            row["constraint"] = " and ".join(clauses)
            row["constraint_message"] = _label(
                tx.ui("number_message", words=tx.ui("and").join(words), unit=unit)
            )
        if unit:
            row["hint"] = (row["hint"] + " " if row["hint"] else "") + tx.ui("unit", unit=unit)
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
    langs: Sequence[str] | None = None,
    default_language: str | None = None,
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
    langs : sequence of str, optional
        Working languages of the form (BCP 47 tags, e.g. ``["en", "fr", "ar"]``). Without
        them the form has one ``label`` (``hint``, ``constraint_message``) column in English,
        as before. With them every text column is written once per language, named by the
        XLSForm convention ``label::French (fr)``, in the choices sheet too, from the
        framework's translations (English where one is missing, recorded in
        :attr:`Framework.text_fallbacks`) and the interface catalogue. Names of questions and
        choices (``pol_01``, ``3``, ``na``) are the same in every language, so an export reads
        back the same whatever language the analyst filled it in.
    default_language : str, optional
        The language shown first (``settings`` sheet, ``default_language``); the first of
        ``langs`` by default. It must be one of ``langs``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the phase is unknown or nothing applies in it, the period cannot be parsed, missions
        repeat, or an indicator or dimension id clashes with a field of the form.
    ArgumentError
        If ``path`` does not end in ``.xlsx`` or ``.xlsm``, or a text is longer than an Excel
        cell holds (nothing is written then).
    WriteError
        If the file cannot be written; an existing file is then left as it was (the form is
        written atomically, see :mod:`missionlens.atomic`).

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")  # doctest: +SKIP
    >>> ml.write_xlsform(fw, "form.xlsx", phase="implementation", period="2024-H1",
    ...                  missions=["MINUSCA", "MONUSCO"])  # doctest: +SKIP
    """
    import openpyxl

    from missionlens.errors import ArgumentError

    target = _xlsx_target(path, "write_xlsform")
    if isinstance(langs, str):
        raise ArgumentError(f"langs must be a list of language tags, e.g. [{langs!r}]")
    lang_list = [check_language(x, "langs") for x in langs] if langs is not None else []
    if langs is not None and (not lang_list or len(set(lang_list)) != len(lang_list)):
        raise ArgumentError(
            f"langs must list each language once, at least one, e.g. ['en', 'fr'], not {langs!r}"
        )
    if default_language is not None and default_language not in lang_list:
        raise ArgumentError(
            f"default_language {default_language!r} must be one of langs "
            f"({', '.join(lang_list) or 'none given'})"
        )
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

    from missionlens.assessments.excel_template import _Texts

    builds = {
        code: _form_rows(
            framework,
            indicators,
            mission_list,
            period_label,
            phase,
            _Texts(framework, code, "form."),
        )
        for code in (lang_list or ["en"])
    }
    survey, choices, title = builds[lang_list[0] if lang_list else "en"]
    if form_title is not None:
        title = form_title
    ident = form_id or re.sub(r"[^A-Za-z0-9_.\-]", "_", f"{framework.id}_{phase}")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    settings_header = ["form_title", "form_id", "version", "instance_name"]
    settings = [
        _label(title),
        ident,
        framework.fingerprint,
        "concat(${mission}, ' ', ${period}, ' ', ${rater})",
    ]
    if not lang_list:
        _rows(
            ws, list(SURVEY_COLUMNS), [[row.get(c, "") for c in SURVEY_COLUMNS] for row in survey]
        )
        _rows(
            wb.create_sheet("choices"), ["list_name", "name", "label"], [list(c) for c in choices]
        )
    else:
        default = default_language or lang_list[0]
        if default != lang_list[0]:
            survey, choices, title = builds[default]
            settings[0] = _label(form_title if form_title is not None else title)
        # every language's rows have the same names in the same order (only texts differ)
        columns: list[str] = []
        for column in SURVEY_COLUMNS:
            if column in _TRANSLATED_COLUMNS:
                columns += [_language_column(column, code) for code in lang_list]
            else:
                columns.append(column)
        table = []
        for k, row in enumerate(survey):
            cells = []
            for column in SURVEY_COLUMNS:
                if column in _TRANSLATED_COLUMNS:
                    cells += [builds[code][0][k].get(column, "") for code in lang_list]
                else:
                    cells.append(row.get(column, ""))
            table.append(cells)
        _rows(ws, columns, table)
        choice_rows = [
            [name_list, name, *(builds[code][1][k][2] for code in lang_list)]
            for k, (name_list, name, _) in enumerate(choices)
        ]
        _rows(
            wb.create_sheet("choices"),
            ["list_name", "name", *(_language_column("label", code) for code in lang_list)],
            choice_rows,
        )
        settings_header.append("default_language")
        settings.append(_language_name(default))
    _rows(wb.create_sheet("settings"), settings_header, [settings])
    # written atomically: a crash or a full disk leaves the old file (see missionlens.atomic)
    with atomic_path(target) as temporary:
        wb.save(temporary)
    return target


def _form_rows(
    framework: Framework,
    indicators: Sequence[Indicator],
    mission_list: list[str],
    period_label: str | None,
    phase: str,
    tx: Any,
) -> tuple[list[dict[str, str]], list[tuple[str, str, str]], str]:
    """The survey rows, the choices and the title of the form in one language."""
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
                "label": tx.ui("mission"),
                "required": "yes",
            }
        )
    else:
        survey.append(
            {
                "type": "text",
                "name": "mission",
                "label": tx.ui("mission"),
                "required": "yes",
            }
        )
    if period_label is not None:
        survey.append(
            {"type": "calculate", "name": "period", "calculation": _literal(period_label)}
        )
    else:
        survey.append(
            {
                "type": "text",
                "name": "period",
                "label": tx.ui("period"),
                "hint": tx.ui("period_hint"),
                "required": "yes",
                "constraint": _PERIOD_CONSTRAINT,
                "constraint_message": tx.ui("period_message"),
            }
        )
    survey.append({"type": "calculate", "name": "phase", "calculation": _literal(phase)})
    survey.append({"type": "text", "name": "rater", "label": tx.ui("rater"), "required": "yes"})
    survey.append(
        {
            "type": "note",
            "name": _NOTE_FIELDS[0],
            "label": tx.ui("intro", na=tx.ui("not_applicable_choice")),
        }
    )
    lists: dict[str, list[tuple[str, str]]] = {}
    uses_applies = False
    for dim in framework.dimensions:
        members = [i for i in indicators if framework.dimension_of(i.id) == dim.id]
        if not members:
            continue
        survey.append(
            {
                "type": "begin_group",
                "name": dim.id,
                "label": _label(tx.fw_text("nodes:" + dim.id, "name")),
            }
        )
        for ind in members:
            question = _value_question(framework, ind, lists, tx)
            applies = ind.id + FIELD_SUFFIXES["not_applicable"]
            if question["type"] == "decimal":  # a number cannot say N/A: ask first
                survey.append(
                    {
                        "type": "select_one applies",
                        "name": applies,
                        "label": tx.ui("not_applicable") + f" ({question['label']})",
                        "required": "no",
                    }
                )
                not_applicable = f"${{{applies}}} = '{NOT_APPLICABLE_CHOICE}'"
                answered = f"${{{ind.id}}} != '' or {not_applicable}"
                uses_applies = True
            else:
                not_applicable = f"${{{ind.id}}} = '{NOT_APPLICABLE_CHOICE}'"
                answered = f"${{{ind.id}}} != ''"
            survey.append(question)
            survey += [
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["not_applicable_reason"],
                    "label": tx.ui("not_applicable_reason"),
                    "hint": tx.ui("na_reason_hint"),
                    "required": "yes",
                    "relevant": not_applicable,
                    "appearance": "multiline",
                },
            ]
            survey += [
                {
                    "type": "select_one confidence",
                    "name": ind.id + FIELD_SUFFIXES["confidence"],
                    "label": tx.ui("confidence"),
                    "relevant": answered,
                },
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["evidence"],
                    "label": tx.ui("evidence"),
                    "relevant": answered,
                    "appearance": "multiline",
                },
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["sources"],
                    "label": tx.ui("sources"),
                    "relevant": answered,
                },
                {
                    "type": "text",
                    "name": ind.id + FIELD_SUFFIXES["comment"],
                    "label": tx.ui("comment"),
                    "relevant": answered,
                },
            ]
        survey.append({"type": "end_group", "name": dim.id})

    choices: list[tuple[str, str, str]] = [("missions", m, _label(m)) for m in mission_list]
    choices += [("confidence", level, tx.ui(f"confidence_{level}")) for level in CONFIDENCE_LEVELS]
    if uses_applies:
        choices += [
            ("applies", "yes", tx.ui("applies_yes")),
            ("applies", NOT_APPLICABLE_CHOICE, tx.ui("not_applicable_choice")),
        ]
    for list_name, items in lists.items():
        choices += [(list_name, name, label) for name, label in items]

    phase_label = (
        next(v.label for v in framework.facet("phase").values if v.id == phase)
        and tx.fw_text("facets:phase", f"values.{phase}.label")
    ) or phase
    title = tx.ui("title", title=tx.fw_text("", "title"), phase=phase_label) + (
        f" ({period_label})" if period_label else ""
    )
    return survey, choices, title


#: Survey columns written once per language when the form has several (``label::French (fr)``).
_TRANSLATED_COLUMNS: frozenset[str] = frozenset({"label", "hint", "constraint_message"})


def _language_name(code: str) -> str:
    """``French (fr)``: the XLSForm name of a language (its English name and its tag)."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def _language_column(column: str, code: str) -> str:
    """``label::French (fr)``, the XLSForm column of a text in one language."""
    return f"{column}::{_language_name(code)}"


def _rows(ws: Any, header: list[str], rows: list[list[str]]) -> None:
    from missionlens.text import ooxml_escape

    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            if value == "":
                continue
            xlsx_format.check_cell_text(
                value, f"sheet {ws.title!r}, row {r}, column {header[c - 1]}"
            )
            cell = ws.cell(row=r, column=c)
            cell.value = ooxml_escape(value)
            cell.data_type = "s"


# ------------------------------------------------------------------------------- exports
def looks_like_export(columns: Sequence[str]) -> bool:
    """Whether a table's columns are those of a KoboToolbox or ODK export (not a long table)."""
    lowered = {c.strip().lower() for c in columns}
    return bool(EXPORT_MARKERS.intersection(columns)) and "indicator" not in lowered


def _is_meta(column: str) -> bool:
    """Whether a column is metadata of KoboToolbox or ODK (see :data:`EXPORT_METADATA`)."""
    head = column.split("/", 1)[0]
    return (
        column in EXPORT_METADATA
        or column in EXPORT_MARKERS
        or column.startswith("_")
        or head in ("meta", "formhub")
        or column.startswith(("meta-", "formhub-"))
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


def _split_field(name: str) -> tuple[str, str]:
    """(indicator, field) of a question name: ``pol_01__evidence`` is (``pol_01``, evidence)."""
    for field, suffix in FIELD_SUFFIXES.items():
        if suffix and name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], field
    return name, "value"


def _unknown(column: str, groups: set[str], *, flat: bool) -> tuple[str, str] | None:
    """(indicator, field) of a column that looks like a field of an indicator not known.

    A column in a group (``pol/pol_99``, or ``pol-pol_99`` for a group of the framework) is read
    as a question of that group. A column in no group is read as a question only if ``flat`` is
    true (when no framework tells which questions exist); otherwise ``None``.
    """
    if "/" in column:
        return _split_field(column.rsplit("/", 1)[-1])
    for i, char in enumerate(column):
        if char == "-" and column[:i] in groups:
            return _split_field(column[i + 1 :])
    return _split_field(column) if flat else None


def _column_failure(
    name: str,
    sheet: str,
    header_row: object,
    check: str,
    column: str,
    value: str,
    message: str,
    indicator: str = "",
) -> dict[str, object]:
    """A failure about a whole column of an export, at its header row."""
    return {
        **file_failure(name, check, message, sheet=sheet),
        "row": header_row,
        "column": column,
        "indicator": indicator,
        "value": value,
    }


def _two_columns(columns: list[str], first: int, second: int) -> str:
    """``columns 'a' (3) and 'b' (7)``: two columns by name and position (counted from 1)."""
    return f"columns '{columns[first]}' ({first + 1}) and '{columns[second]}' ({second + 1})"


def _question_labels(framework: Framework) -> dict[str, str]:
    """Question names by label (lower case), in every working language, to recognise an export
    with labels as headers (English, then the interface catalogues and the framework's
    translations)."""
    labels = {label.lower(): field for field, label in _SHARED_LABELS.items()}
    labels.update(
        {label.lower(): f"<indicator>{FIELD_SUFFIXES[f]}" for f, label in _FIELD_LABELS.items()}
    )
    for code in ("en", *LANGUAGE_NAMES, *framework.translations):
        catalogue = ui_catalogue(code)
        for field in _SHARED_LABELS:
            text = catalogue.get(f"form.{field}", "").strip().lower()
            if text:
                labels.setdefault(text, field)
        for field in _FIELD_LABELS:
            text = catalogue.get(f"form.{field}", "").strip().lower()
            if text:
                labels.setdefault(text, f"<indicator>{FIELD_SUFFIXES[field]}")
    for ind in framework.indicators:
        labels.setdefault(_label(ind.name).strip().lower(), ind.id)
        for translation in framework.translations.values():
            name = translation.flat.get(f"indicators.{ind.id}.name", "")
            if name.strip():
                labels.setdefault(_label(name).strip().lower(), ind.id)
    return labels


def _unknown_message(column: str, framework: Framework, candidates: list[str], answers: int) -> str:
    """Why a column is not read, and the question it was probably meant to be."""
    import difflib

    what = (
        f"column '{column}' is neither a question of the form for framework '{framework.id}' "
        f"v{framework.version} nor a KoboToolbox or ODK metadata column"
    )
    held = (
        "it is empty"
        if answers == 0
        else f"{answers} submission{'s' if answers != 1 else ''} answered it, and "
        f"{'those answers are' if answers != 1 else 'that answer is'} not read"
    )
    base = column.rsplit("/", 1)[-1].strip().lower()
    label = _question_labels(framework).get(base)
    if label is not None:
        return (
            f"{what} ({held}): it looks like the label of question {label}. Export the data "
            "with question names as headers (KoboToolbox: 'XML values and headers'; ODK "
            "Central: the default CSV export)"
        )
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(column.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return (
            f"{what} ({held}); did you mean '{lowered[close[0]]}'? Rename the column to the "
            "question it holds"
        )
    return (
        f"{what} ({held}); was a question added to the form after write_xlsform made it? "
        "Rename the column to the question it holds, or remove it if it holds no assessment"
    )


def export_batch(
    frame: pd.DataFrame,
    name: str,
    framework: Framework | None,
    *,
    first_row: int,
    sheet: str = "",
) -> Batch:
    """Melt a wide KoboToolbox/ODK export into raw long entries.

    Every column is a question of the form (an indicator field, a submission-level field, the
    note), a metadata column (:data:`EXPORT_METADATA`), or reported: ``unknown_column`` for a
    column the framework does not know and that is in no group (a column in a group, such as
    ``pol/pol_99``, is read as an indicator and reported as ``unknown_indicator`` if unknown),
    ``duplicate_column`` for a second column holding the same field. Without a framework every
    column that is not metadata or a submission-level field is read as an indicator field.
    """
    frame = frame.reset_index(drop=True)
    columns = [str(c) for c in frame.columns]
    frame.columns = pd.Index(columns)
    cells = frame.astype(object).where(frame.notna(), None)
    cells = cells.mask(cells.map(lambda v: isinstance(v, str) and v.strip() == ""), None)
    rows = np.arange(first_row, first_row + len(frame), dtype="int64")
    header_row: object = first_row - 1 if first_row > 1 else pd.NA

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

    # columns are taken by position: a header may repeat
    failures: list[dict[str, object]] = []
    shared_columns: dict[str, int] = {}
    fields: dict[str, dict[str, int]] = {}
    for pos, col in enumerate(columns):
        base = col.rsplit("/", 1)[-1]
        if col in SHARED_FIELDS or (base in SHARED_FIELDS and not _is_meta(col)):
            taken, field = shared_columns.get(base), base
        elif col in _TIME_COLUMNS or col in _NOTE_FIELDS:
            continue
        else:
            hit = _match(col, known, groups) if known else None
            if hit is None and not _is_meta(col):
                hit = _unknown(col, groups, flat=framework is None)
                if hit is None and framework is not None:
                    failures.append(
                        _column_failure(
                            name,
                            sheet,
                            header_row,
                            "unknown_column",
                            "",
                            col,
                            _unknown_message(
                                col,
                                framework,
                                [*known, *SHARED_FIELDS, "start", "end"],
                                int(cells.iloc[:, pos].notna().sum()),
                            ),
                        )
                    )
            if hit is None:
                continue
            stem, field = hit
            taken = fields.get(stem, {}).get(field)
            if taken is None:
                fields.setdefault(stem, {})[field] = pos
                continue
            failures.append(
                _column_failure(
                    name,
                    sheet,
                    header_row,
                    "duplicate_column",
                    field,
                    col,
                    f"{_two_columns(columns, taken, pos)} both hold the {field} of {stem}; keep "
                    f"one (the answers in column {pos + 1} are not read)",
                    indicator=stem,
                )
            )
            continue
        if taken is None:
            shared_columns[field] = pos
        else:
            failures.append(
                _column_failure(
                    name,
                    sheet,
                    header_row,
                    "duplicate_column",
                    field,
                    col,
                    f"{_two_columns(columns, taken, pos)} both hold the {field}; keep one (the "
                    f"answers in column {pos + 1} are not read)",
                )
            )

    shared = {field: cells.iloc[:, pos] for field, pos in shared_columns.items()}
    time = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for col in _TIME_COLUMNS:
        if col in columns:
            time = time.where(time.notna(), cells.iloc[:, columns.index(col)])

    blocks: list[pd.DataFrame] = []
    for stem, found in fields.items():
        block = pd.DataFrame(
            {f: cells.iloc[:, found[f]] if f in found else None for f in FIELD_SUFFIXES},
            index=frame.index,
        )
        block = _not_applicable_answers(block)
        entered = block.notna().any(axis=1)
        if not bool(entered.any()):
            continue
        block = block[entered].copy()
        for f in ("not_applicable_reason", "confidence", "evidence", "sources", "comment"):
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
    return Batch(file=name, frame=long, failures=failures)


def _not_applicable_answers(block: pd.DataFrame) -> pd.DataFrame:
    """The answers of one indicator's questions with *not applicable* as the record has it.

    A value ``na`` (the choice of rubric and yes/no questions) or an ``applies`` answer ``na``
    (before a numeric question) is ``not_applicable`` true with no value; ``applies`` ``yes`` is
    no answer by itself (the number says the rest). Any other ``applies`` answer is kept as it
    is, so that the checks report it (``bad_not_applicable``).
    """
    value = block["value"]
    applies = block["not_applicable"]
    value_na = value.map(lambda v: isinstance(v, str) and v.strip() == NOT_APPLICABLE_CHOICE)
    text = applies.map(lambda v: v.strip().lower() if isinstance(v, str) else v)
    applies_na = text == NOT_APPLICABLE_CHOICE
    flags = applies.astype(object).where(~((text == "yes") | applies_na), None)
    flags = flags.where(~(value_na | applies_na).to_numpy(), True)
    out = block.copy()
    out["value"] = value.astype(object).where(~value_na.to_numpy(), None)
    out["not_applicable"] = flags
    return out


# --------------------------------------------------------------------- the export reader
def _export_columns(source: Source) -> list[str]:
    """The header of a source, as an export reader sees it (empty if it has none)."""
    if source.frame is not None:
        return [str(c) for c in source.frame.columns]
    if source.path is None:  # pragma: no cover - a Source is a frame or a file
        return []
    if source.path.suffix.lower() in xlsx_format.SUFFIXES:
        sheet = xlsx_format.sheet_table(source)
        return sheet.header if sheet is not None else []
    table = csv_format.csv_table(source)
    return table.header if table is not None else []


def is_export(source: Source) -> bool:
    """Whether a source (CSV, XLSX or DataFrame) is a KoboToolbox/ODK export (its columns)."""
    return looks_like_export(_export_columns(source))


def read_export(source: Source) -> list[Batch]:
    """Read a KoboToolbox/ODK export of a form made by :func:`write_xlsform` (the ``xlsform-export``
    reader): CSV or XLSX files, or a DataFrame, recognised by their columns (:func:`is_export`).
    """
    if source.frame is not None:
        return [export_batch(source.frame, source.name, source.framework, first_row=1)]
    if source.path is not None and source.path.suffix.lower() in xlsx_format.SUFFIXES:
        sheet = xlsx_format.sheet_table(source)
        if sheet is None:  # pragma: no cover - an empty sheet is not sniffed as an export
            return [Batch(file=source.name, frame=pd.DataFrame())]
        return [
            export_batch(sheet.frame, source.name, source.framework, first_row=2, sheet=sheet.sheet)
        ]
    table = csv_format.csv_table(source)
    if table is None:  # pragma: no cover - an empty file is not sniffed as an export
        return [Batch(file=source.name, frame=pd.DataFrame())]
    batch = export_batch(table.frame, source.name, source.framework, first_row=2)
    batch.failures[:0] = table.failures
    return [batch]


register_reader(
    "xlsform-export",
    suffixes=(*csv_format.SUFFIXES, *xlsx_format.SUFFIXES, DATAFRAME),
    read=read_export,
    sniff=is_export,
    priority=10,
    errors=xlsx_format.XLSX_ERRORS,
)
