"""Assessment records: the long table of what analysts entered, its columns and dtypes.

An *assessment* is what one analyst (the *rater*) judged about one indicator of a framework, for
one mission, one period and one lifecycle phase. missionlens keeps assessments in one tidy long
table with one row per entry and these columns, in this order (:data:`ASSESSMENT_COLUMNS`):

``mission`` (str, required)
    The mission the entry is about, e.g. ``MINUSCA``.
``period`` (str, required)
    The period, as a canonical label (see :func:`parse_period`), e.g. ``2024-H1``.
``period_start``, ``period_end`` (datetime64[ns], derived)
    The first and the last day of the period, both included.
``phase`` (str, required)
    The lifecycle phase: a value of the framework's ``phase`` facet (by default
    ``mandate_design``, ``start_up``, ``implementation``, ``drawdown``, ``transition``, ``exit``).
``indicator`` (str, required)
    The id of an indicator of the framework.
``value`` (float64, required unless the entry is *not applicable*)
    The value entered: the value of a rubric level, 1 or 0 on a binary (yes/no) scale, a number
    on a numeric scale.
``not_applicable`` (bool, optional; absent or empty = ``False``)
    The analyst's answer that the indicator does not apply to this mission and period (the
    UN-AU partnership outside Africa, a country not on the Peacebuilding Commission's agenda).
    Such an entry has no ``value``: it is neither missing nor the worst level, and the scores
    leave the indicator out of the unit's weight and coverage. Written ``TRUE``/``FALSE`` in CSV,
    ``true``/``false`` in JSON, a boolean in Parquet and XLSX; read from a boolean, ``1``/``0``,
    ``true``/``false``, ``yes``/``no`` or ``y``/``n`` (any case). A value cell holding
    ``N/A`` (or ``n/a``, ``NA``, ``not applicable``, the template's ``N/A — not applicable``)
    means the same as ``not_applicable`` true.
``not_applicable_reason`` (str, required when ``not_applicable``)
    Why the indicator does not apply, in the analyst's words (free text, kept exactly). A reason
    on an entry that is not marked not applicable is refused (it would be a forgotten mark).
``rater`` (str, required)
    Who entered it: the name or code of the analyst.
``confidence`` (ordered category ``low`` < ``medium`` < ``high``, optional)
    How sure the rater is of the value.
``evidence``, ``sources``, ``comment`` (str, optional)
    Free text: the evidence the value rests on, where it comes from, anything else.
``entered_at`` (datetime64[ns, UTC], optional)
    When the entry was made.
``framework_id``, ``framework_version``, ``framework_fingerprint`` (str, derived)
    The framework the entry was made for: its id, version and
    :attr:`~missionlens.Framework.fingerprint`.

Text columns use pandas' string dtype with ``NaN`` for missing values. In the free-text columns
(``evidence``, ``sources``, ``comment``) an empty string and a missing value are different things
and both survive every reader and writer. Identifier columns (``mission``, ``period``, ``phase``,
``indicator``, ``rater``) are stripped of surrounding white space, ``confidence`` is lower-cased and
``period`` is put in canonical form; nothing else an analyst entered is changed. Columns of an input
table that are not in :data:`ASSESSMENT_COLUMNS` are kept, after them, unchanged (written to a file
and read back they keep their type in Parquet; CSV gives them back as text, JSON and XLSX as text
and numbers).

``derived`` columns are filled by :func:`read_assessments`: ``period_start`` and ``period_end`` from
``period`` (values supplied for them must agree with it), ``framework_*`` from the framework the
entries are read with, unless the source records the framework it was made for (a filled
template, an XLSForm export or a table written by :func:`write_assessments`), in which case the
recorded values are kept and checked against the framework.

Files
-----
:func:`write_assessments` writes CSV, JSON, Parquet or XLSX, chosen by the suffix, and
:func:`read_assessments` reads each of them back into an identical table. The readers and writers
are formats of the registry :mod:`missionlens.assessments.formats` (this module holds only the
record); more can be registered there. Text in CSV and XLSX files
is protected against formula injection with a reversible *apostrophe escape*:

* text that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or an apostrophe is
  written with one more apostrophe in front (``=SUM(A1)`` is written ``'=SUM(A1)``, ``'quoted'`` is
  written ``''quoted'``), so that spreadsheet programs show it as text and never run it;
* the empty string is written as a lone apostrophe ``'`` and a missing value as an empty cell;
* on reading, one leading apostrophe is removed from every text cell, which gives back exactly the
  text that was written.

Column names (the header row) are escaped and un-escaped the same way, so that an extra column
named ``=X()`` is neither run as a formula nor renamed.

CSV (and ``.tsv``/``.txt``) and JSON files are read as UTF-8, with or without a byte-order mark;
a file that starts with a UTF-16 or UTF-32 byte-order mark (Excel's "Unicode Text") is read in
that encoding. Any other file that is not UTF-8 (Excel's plain "CSV", saved in the computer's
local encoding such as Windows-1252) is reported as ``unreadable``, naming the file and the line,
with how to save it as UTF-8; its text is never guessed.

In XLSX files, characters that XML cannot hold (control characters and the carriage return) are
written with the ``_xHHHH_`` escape of the Office Open XML standard (ECMA-376 Part 1, 22.9.2.19,
``ST_Xstring``), which Excel also uses, and decoded on reading. An XLSX cell holds at most 32,767
characters: :func:`write_assessments` refuses, with an error naming the cells, to write longer text
to XLSX rather than cut it; CSV, JSON and Parquet have no such limit.

See ``docs/assessments.md`` for a tour.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Union

import pandas as pd

# re-exported: ``unquote_text`` was importable from here before the formats moved out
from missionlens.text import unquote_text

__all__ = [
    "ASSESSMENT_COLUMNS",
    "CONFIDENCE_DTYPE",
    "CONFIDENCE_LEVELS",
    "EXCEL_CELL_LIMIT",
    "EXCEL_ROW_LIMIT",
    "FRAMEWORK_COLUMNS",
    "FREE_TEXT_COLUMNS",
    "IDENTIFIER_COLUMNS",
    "INTERNAL",
    "META_SHEET",
    "NOT_APPLICABLE_CHOICE",
    "NOT_APPLICABLE_MARKERS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TABLE_SHEET",
    "TEXT_COLUMNS",
    "AssessmentSource",
    "Batch",
    "file_failure",
    "unquote_text",
    "unreadable_batch",
]

#: Columns of an assessment table, in order.
ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "period_start",
    "period_end",
    "phase",
    "indicator",
    "value",
    "not_applicable",
    "not_applicable_reason",
    "rater",
    "confidence",
    "evidence",
    "sources",
    "comment",
    "entered_at",
    "framework_id",
    "framework_version",
    "framework_fingerprint",
)

#: Columns every entry must fill.
REQUIRED_COLUMNS: tuple[str, ...] = ("mission", "period", "phase", "indicator", "value", "rater")

#: Identifier columns: stripped of surrounding white space on reading.
IDENTIFIER_COLUMNS: tuple[str, ...] = ("mission", "period", "phase", "indicator", "rater")

#: Free-text columns: kept exactly as entered.
FREE_TEXT_COLUMNS: tuple[str, ...] = ("not_applicable_reason", "evidence", "sources", "comment")

#: Columns a table may lack (written and read back as "not applicable: no").
OPTIONAL_COLUMNS: tuple[str, ...] = ("not_applicable", "not_applicable_reason")

#: Texts of a value cell that mean "not applicable" (compared stripped and in lower case).
NOT_APPLICABLE_MARKERS: tuple[str, ...] = (
    "n/a",
    "na",
    "n.a.",
    "not applicable",
    "n/a — not applicable",
    "n/a - not applicable",
)

#: What the Excel template's value drop-down offers for "not applicable".
NOT_APPLICABLE_CHOICE = "N/A — not applicable"

#: Columns recording the framework an entry was made for.
FRAMEWORK_COLUMNS: tuple[str, ...] = ("framework_id", "framework_version", "framework_fingerprint")

#: All columns held as text.
TEXT_COLUMNS: tuple[str, ...] = (
    *IDENTIFIER_COLUMNS,
    *FREE_TEXT_COLUMNS,
    *FRAMEWORK_COLUMNS,
)

#: Confidence levels, lowest first.
CONFIDENCE_LEVELS: tuple[str, ...] = ("low", "medium", "high")

#: The dtype of the ``confidence`` column.
CONFIDENCE_DTYPE = pd.CategoricalDtype(list(CONFIDENCE_LEVELS), ordered=True)

#: Most characters an Excel cell holds.
EXCEL_CELL_LIMIT = 32_767

#: Most rows of an Excel worksheet.
EXCEL_ROW_LIMIT = 1_048_576

#: Prefix of internal bookkeeping columns (never part of a result).
INTERNAL = "__ml_"

#: Name of the hidden metadata sheet of workbooks written by missionlens.
META_SHEET = "_missionlens"

#: Sheet of an assessments workbook written by :func:`write_assessments`.
TABLE_SHEET = "assessments"

AssessmentSource = Union[pd.DataFrame, str, "os.PathLike[str]"]


# ------------------------------------------------------------------------------ raw batches
@dataclass
class Batch:
    """What one source yielded before validation.

    ``frame`` holds the raw values of the record columns found in the source (any type), extra
    columns, and the internal columns ``__ml_sheet`` and ``__ml_row`` (where each entry is, as the
    analyst sees it). For fields shared by many entries (the rater of a template sheet, the
    mission of a submission), a column ``__ml_row__<field>`` gives the row where that field is,
    so that one bad rater cell is reported once. ``failures`` are problems found while reading
    (rows of :data:`~missionlens.assessments.validation.FAILURE_COLUMNS`). ``fixed`` lists
    record columns the
    reader filled itself (they are never reported as missing columns).
    """

    file: str
    frame: pd.DataFrame
    failures: list[dict[str, object]] = field(default_factory=list)
    fixed: tuple[str, ...] = ()


def file_failure(file: str, check: str, message: str, *, sheet: str = "") -> dict[str, object]:
    """One failure about a whole file or sheet."""
    return {
        "file": file,
        "sheet": sheet,
        "row": pd.NA,
        "column": "",
        "mission": "",
        "period": "",
        "indicator": "",
        "rater": "",
        "check": check,
        "value": "",
        "message": message,
    }


def unreadable_batch(name: str, message: str, *, sheet: str = "") -> Batch:
    """An empty batch carrying one ``unreadable`` failure for the file (or one of its sheets)."""
    return Batch(
        file=name,
        frame=pd.DataFrame(),
        failures=[file_failure(name, "unreadable", message, sheet=sheet)],
    )
