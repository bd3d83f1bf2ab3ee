"""Assessment records: the long table of what analysts entered, its periods, reading, writing.

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
``value`` (float64, required)
    The value entered: the value of a rubric level, 1 or 0 on a binary (yes/no) scale, a number
    on a numeric scale.
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
:func:`read_assessments` reads each of them back into an identical table. Text in CSV and XLSX files
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

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd

from missionlens.errors import UnreadableFileError
from missionlens.text import (
    as_text,
    cell_text,
    is_missing,
    ooxml_escape,
    quote_series,
    quote_text,
    text_dtype,
    unescape_series,
    unquote_series,
    unquote_text,
)

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "ASSESSMENT_COLUMNS",
    "CONFIDENCE_DTYPE",
    "CONFIDENCE_LEVELS",
    "EXCEL_CELL_LIMIT",
    "REQUIRED_COLUMNS",
    "read_assessments",
    "unquote_text",
    "write_assessments",
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
FREE_TEXT_COLUMNS: tuple[str, ...] = ("evidence", "sources", "comment")

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


def _match_columns(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Map headers to record columns ignoring case and surrounding spaces; report clashes."""
    failures: list[dict[str, object]] = []
    known = {c: c for c in ASSESSMENT_COLUMNS}
    renames: dict[object, str] = {}
    seen: dict[str, object] = {}
    for col in frame.columns:
        key = str(col).strip().lower() if isinstance(col, str) else None
        target = known.get(key) if key is not None else None
        if target is None:
            continue
        if target in seen:
            failures.append(
                file_failure(
                    file,
                    "duplicate_column",
                    f"columns {seen[target]!r} and {col!r} both hold {target}; keep one",
                )
            )
            continue
        seen[target] = col
        if col != target:
            renames[col] = target
    dropped = [
        c for c in frame.columns if c not in seen.values() and str(c).strip().lower() in known
    ]
    if dropped:
        frame = frame.drop(columns=dropped)
    return frame.rename(columns=renames), failures


def _table_batch(frame: pd.DataFrame, file: str, *, first_row: int, sheet: str = "") -> Batch:
    """A batch from a table whose columns are record columns (DataFrame, CSV, JSON, ...)."""
    frame, failures = _match_columns(frame.reset_index(drop=True), file)
    if any(str(c).startswith(INTERNAL) for c in frame.columns):
        frame = frame[[c for c in frame.columns if not str(c).startswith(INTERNAL)]]
    frame = frame.copy()
    frame[INTERNAL + "sheet"] = sheet
    frame[INTERNAL + "row"] = np.arange(first_row, first_row + len(frame), dtype="int64")
    return Batch(file=file, frame=frame, failures=failures)


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows where every record column is missing (blank lines of a file)."""
    columns = [c for c in frame.columns if not str(c).startswith(INTERNAL)]
    if not columns or frame.empty:
        return frame
    blank = frame[columns].isna().all(axis=1)
    return frame.loc[~blank]


# ------------------------------------------------------------------------------------- reading
def _is_export(columns: Sequence[object]) -> bool:
    from missionlens.assessments.xlsform import looks_like_export

    return looks_like_export([str(c) for c in columns])


def load_sources(
    source: AssessmentSource | Sequence[AssessmentSource], framework: Framework | None
) -> list[Batch]:
    """Read every source into raw batches (no checks beyond what reading needs)."""
    if isinstance(source, pd.DataFrame | str | os.PathLike):
        sources: list[AssessmentSource] = [source]
    elif isinstance(source, Sequence):
        sources = list(source)
    else:
        raise TypeError(
            "source must be a DataFrame, a file path or a list of them, "
            f"not {type(source).__name__}"
        )
    batches: list[Batch] = []
    for i, item in enumerate(sources):
        batches.extend(_load_one(item, framework, i))
    return batches


def _load_one(source: AssessmentSource, framework: Framework | None, position: int) -> list[Batch]:
    if isinstance(source, pd.DataFrame):
        name = f"<DataFrame {position + 1}>"
        if _is_export(list(source.columns)):
            from missionlens.assessments.xlsform import export_batch

            return [export_batch(source, name, framework, first_row=1)]
        return [_table_batch(source, name, first_row=1)]
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"cannot read assessments from a {type(source).__name__}")
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"assessment file not found: {path}")
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            return [_read_csv(path, name, framework)]
        if suffix == ".json":
            return [_read_json(path, name)]
        if suffix in (".parquet", ".pq"):
            return [_table_batch(pd.read_parquet(path), name, first_row=1)]
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, name, framework)
    except FileNotFoundError:
        raise
    except UnreadableFileError as exc:
        return [unreadable_batch(name, str(exc))]
    except _unreadable_errors() as exc:
        return [unreadable_batch(name, f"cannot read the file ({type(exc).__name__}): {exc}")]
    return [
        unreadable_batch(name, f"unknown file type {suffix!r}: use .csv, .json, .parquet or .xlsx")
    ]


def unreadable_batch(name: str, message: str, *, sheet: str = "") -> Batch:
    """An empty batch carrying one ``unreadable`` failure for the file (or one of its sheets)."""
    return Batch(
        file=name,
        frame=pd.DataFrame(),
        failures=[file_failure(name, "unreadable", message, sheet=sheet)],
    )


def _unreadable_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean a file's content cannot be read (reported as ``unreadable``)."""
    import zipfile

    import pyarrow
    from openpyxl.utils.exceptions import InvalidFileException

    return (
        OSError,
        ValueError,
        KeyError,
        csv.Error,
        zipfile.BadZipFile,
        InvalidFileException,
        pyarrow.ArrowException,
    )


#: Byte-order marks and the codec that reads text starting with each (longest marks first:
#: the UTF-32 little-endian mark begins with the UTF-16 little-endian one).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

_SAVE_AS_UTF8 = (
    "Save it as UTF-8 and read it again: in Excel, File > Save As > 'CSV UTF-8 (Comma "
    "delimited) (*.csv)'; in LibreOffice Calc, Save As > 'Text CSV', tick 'Edit filter "
    "settings' and choose the character set 'Unicode (UTF-8)'."
)


def decode_text(data: bytes, name: str, *, kind: str = "CSV") -> str:
    """The text of a file, read as UTF-8 (or UTF-16/UTF-32 when it starts with their mark).

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for the message (the full path is in the ``file`` column of the
        report; the name alone keeps the message short).
    kind : str
        What the file is (``CSV``, ``JSON``), for the message.

    Returns
    -------
    str
        The text, without its byte-order mark. Nothing else is changed: line endings and every
        character stay as they are.

    Raises
    ------
    UnreadableFileError
        If the text is not UTF-8 (Excel's plain "CSV" is saved in the computer's local encoding,
        e.g. Windows-1252), is UTF-16 without a byte-order mark, or is damaged: the message
        names the file, where the first unreadable byte is, and how to save the file as UTF-8.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)  # the codec drops the mark, and only the mark
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"{name} starts with a {label} byte-order mark but cannot be read as "
                    f"{label} (byte {exc.start:,} of the file: {exc.reason}); is it damaged? "
                    + _SAVE_AS_UTF8
                ) from None
    if len(data) >= 4 and (
        (data[0] != 0 and data[1] == 0 and data[2] != 0 and data[3] == 0)
        or (data[0] == 0 and data[1] != 0 and data[2] == 0 and data[3] != 0)
    ):
        raise UnreadableFileError(
            f"{name} looks like UTF-16 text without a byte-order mark, which cannot be read "
            "safely. " + _SAVE_AS_UTF8
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnreadableFileError(
            f"{name} is not UTF-8 text: byte 0x{data[exc.start]:02X} on line {line} cannot be "
            f"read as UTF-8. A {kind} file must be saved as UTF-8; this one was "
            "probably saved in a local encoding such as Windows-1252 (Excel's plain 'CSV "
            "(Comma delimited)' does that). " + _SAVE_AS_UTF8
        ) from None


def _free_character(text: str) -> str:
    """A character that does not occur in the text (from the private use areas)."""
    for first, last in ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)):
        for code in range(first, last + 1):
            if chr(code) not in text:
                return chr(code)
    raise UnreadableFileError("the file uses every private-use character")  # pragma: no cover


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    """Parse CSV text (RFC 4180 quoting), NUL characters included.

    Before Python 3.11 the csv module refuses lines holding NUL; NUL is then swapped for a
    character the text does not hold while parsing, and swapped back in every cell.
    """
    if "\x00" not in text:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    stand_in = _free_character(text)
    rows = csv.reader(io.StringIO(text.replace("\x00", stand_in), newline=""), delimiter=delimiter)
    return [[cell.replace(stand_in, "\x00") for cell in row] for row in rows]


def _read_csv(path: Path, name: str, framework: Framework | None) -> Batch:
    text = decode_text(path.read_bytes(), path.name)
    head = io.StringIO(text, newline="").readline()
    delimiter = (
        ","
        if head.count(",") >= max(head.count(";"), head.count("\t"))
        else (";" if head.count(";") >= head.count("\t") else "\t")
    )
    rows = _csv_rows(text, delimiter)
    if not rows:
        return Batch(file=name, frame=pd.DataFrame())
    header, body = rows[0], rows[1:]
    width = len(header)
    fixed = [r + [""] * (width - len(r)) if len(r) < width else r for r in body]
    failures = [
        {
            **file_failure(
                name,
                "unreadable",
                f"row {i + 2} has {len(r)} cells but the header has {width}; the cells beyond "
                "the last column are not read (is a separator missing from the header, or a "
                "quote from a cell?)",
            ),
            "row": i + 2,
        }
        for i, r in enumerate(body)
        if len(r) > width
    ]
    frame = pd.DataFrame([r[:width] for r in fixed], columns=header, dtype=object)
    if _is_export(header):
        from missionlens.assessments.xlsform import export_batch

        batch = export_batch(frame, name, framework, first_row=2)
        batch.failures[:0] = failures
        return batch
    # an empty cell is a missing value; text (headers too) is un-escaped (a lone apostrophe is
    # the empty text)
    frame.columns = pd.Index([unquote_text(h) for h in header], dtype=object)
    frame = frame.mask(frame == "")
    frame = frame.apply(unquote_series)
    batch = _table_batch(frame, name, first_row=2)
    batch.frame = _drop_blank_rows(batch.frame)
    batch.failures[:0] = failures
    return batch


def _read_json(path: Path, name: str) -> Batch:
    data = json.loads(decode_text(path.read_bytes(), path.name, kind="JSON"))
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueError("a JSON assessment file holds a list of records (objects)")
    columns: list[str] = []
    for record in data:
        for key in record:
            if key not in columns:
                columns.append(key)
    frame = pd.DataFrame.from_records(data, columns=columns) if data else pd.DataFrame()
    frame = frame.astype(object).where(frame.notna(), None) if not frame.empty else frame
    return _table_batch(frame, name, first_row=1)


def _read_xlsx(path: Path, name: str, framework: Framework | None) -> list[Batch]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        meta = read_meta(workbook)
        kind = meta.get("format", "")
        if kind == "missionlens-template":
            from missionlens.assessments.excel_template import template_batches

            # an unfilled template gives no batch; one empty batch keeps the file in the report
            return template_batches(workbook, meta, name) or [
                Batch(file=name, frame=pd.DataFrame())
            ]
        sheet = (
            workbook[TABLE_SHEET] if TABLE_SHEET in workbook.sheetnames else workbook.worksheets[0]
        )
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        return [Batch(file=name, frame=pd.DataFrame())]
    header = [as_text(cell_text(v)) or f"column {i + 1}" for i, v in enumerate(rows[0])]
    width = len(header)
    body = [(r + [None] * (width - len(r)))[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.apply(unescape_series)
    if _is_export(header):
        from missionlens.assessments.xlsform import export_batch

        return [export_batch(frame, name, framework, first_row=2, sheet=sheet.title)]
    frame.columns = pd.Index([unquote_text(h) for h in header], dtype=object)
    frame = frame.apply(unquote_series)
    batch = _table_batch(frame, name, first_row=2, sheet=sheet.title)
    batch.frame = _drop_blank_rows(batch.frame)
    return [batch]


def read_meta(workbook: Any) -> dict[str, str]:
    """The key/value pairs of a workbook's hidden ``_missionlens`` sheet (empty if none)."""
    if META_SHEET not in workbook.sheetnames:
        return {}
    meta: dict[str, str] = {}
    for row in workbook[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if not row or row[0] is None:
            break
        key = as_text(cell_text(row[0]))
        value = as_text(cell_text(row[1] if len(row) > 1 else None))
        if key is not None:
            meta[key] = value if value is not None else ""
    return meta


def read_assessments(
    source: AssessmentSource | Sequence[AssessmentSource],
    *,
    framework: Framework | None = None,
) -> pd.DataFrame:
    """Read assessments from a table, files, filled templates or XLSForm exports, and check them.

    Parameters
    ----------
    source : DataFrame, path, or a list of them
        A DataFrame; a ``.csv``, ``.json``, ``.parquet`` or ``.xlsx`` file written by
        :func:`write_assessments` or made by hand with the columns of :data:`ASSESSMENT_COLUMNS`
        (headers are matched ignoring case); an Excel template made by
        :func:`~missionlens.write_template` and filled in; or a KoboToolbox or ODK Central export
        (CSV or XLSX, or a DataFrame) of a form made by :func:`~missionlens.write_xlsform`,
        recognised by its columns. A list is read source by source and concatenated, so several
        analysts' workbooks are read in one call.
    framework : Framework, optional
        The framework the entries are checked against (indicators, scales, phases, version).
        Without one, only the checks that need no framework are run.

    Returns
    -------
    pandas.DataFrame
        The assessment table: the columns of :data:`ASSESSMENT_COLUMNS` (see the module
        documentation for their dtypes and meaning), then any other columns of the source.

    Raises
    ------
    ValidationError
        If anything is wrong; its ``report`` lists every problem with its file, sheet, row and
        column (see :func:`~missionlens.validate`).
    FileNotFoundError
        If a path does not exist.

    Examples
    --------
    >>> import pandas as pd, missionlens as ml
    >>> fw = ml.load_framework("tests/data/frameworks/small.yaml")  # doctest: +SKIP
    >>> table = ml.read_assessments(pd.DataFrame({  # doctest: +SKIP
    ...     "mission": ["MINUSCA"], "period": ["2024-H1"], "phase": ["implementation"],
    ...     "indicator": ["pol_01"], "value": [4], "rater": ["amina"]}), framework=fw)
    """
    from missionlens.assessments.validation import check_batches

    batches = load_sources(source, framework)
    report = check_batches(batches, framework)
    report.raise_if_failed()
    if report.table is None:  # pragma: no cover - check_batches always sets it
        raise RuntimeError("validation returned no table")
    return report.table


# -------------------------------------------------------------------------------------- writing
def _require_columns(table: pd.DataFrame) -> None:
    missing = [c for c in ASSESSMENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            "not an assessment table: columns "
            + ", ".join(missing)
            + " are missing (read it with read_assessments first)"
        )


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    extras = [c for c in table.columns if c not in ASSESSMENT_COLUMNS]
    return table[[*ASSESSMENT_COLUMNS, *extras]].reset_index(drop=True)


def _iso_dates(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    return stamps.dt.strftime("%Y-%m-%d").astype(text_dtype())


def _iso_times(values: pd.Series) -> pd.Series:
    """ISO 8601 text of UTC timestamps, as short as exact (``2024-03-05T08:00:00+00:00``)."""
    stamps = pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[ns, UTC]")
    return stamps.map(pd.Timestamp.isoformat, na_action="ignore").astype(text_dtype())


def _is_text_column(values: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(values.dtype)
        or pd.api.types.is_datetime64_any_dtype(values.dtype)
        or pd.api.types.is_bool_dtype(values.dtype)
    )


def _text_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Every column as text for CSV: numbers in shortest round-trip form, text escaped."""
    out = pd.DataFrame(index=table.index)
    for col in table.columns:
        values = table[col]
        if col in ("period_start", "period_end"):
            out[col] = _iso_dates(values)
        elif col == "entered_at":
            out[col] = _iso_times(values)
        elif _is_text_column(values):
            out[col] = quote_series(values.map(as_text, na_action="ignore"))
        else:
            out[col] = values.map(as_text, na_action="ignore").astype(text_dtype())
    return out


def write_assessments(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write an assessment table to CSV, JSON, Parquet or XLSX, chosen by the file suffix.

    :func:`read_assessments` reads the file back into an identical table: unicode, line breaks,
    empty strings and missing values, very long text and dtypes all survive.

    Parameters
    ----------
    table : pandas.DataFrame
        An assessment table (as returned by :func:`read_assessments`); extra columns are written
        after the standard ones.
    path : str or path
        ``.csv`` (UTF-8 with a byte-order mark so that Excel shows unicode, comma-separated,
        RFC 4180 quoting), ``.json`` (a list of records; missing values are ``null``),
        ``.parquet`` or ``.xlsx`` (sheet ``assessments`` and a hidden sheet ``_missionlens``).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the table lacks assessment columns, the suffix is unknown, or (XLSX only) a text cell
        is longer than 32,767 characters, the most an Excel cell holds: the error names the cells
        and suggests CSV, JSON or Parquet, which have no limit. Text is never cut.

    Notes
    -----
    In CSV and XLSX, text starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or an
    apostrophe gets one more leading apostrophe, and the empty string is written as ``'``, so that
    spreadsheet programs never run text as a formula; reading removes it again. Column names are
    text like any other: an extra column named ``=X()`` has the header ``'=X()`` and is read back
    as ``=X()``. JSON and Parquet store text and names as they are. CSV is written by
    missionlens itself (RFC 4180 quoting), so that every character, NUL included, is written on
    every Python version; :func:`read_assessments` reads it back on every Python version too.
    """
    _require_columns(table)
    target = Path(path)
    suffix = target.suffix.lower()
    ordered = _ordered(table)
    if suffix == ".csv":
        text = _text_frame(ordered)
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            handle.write(_csv_line(quote_text(str(c)) for c in text.columns))
            handle.writelines(
                _csv_line("" if is_missing(v) else str(v) for v in row)
                for row in text.itertuples(index=False, name=None)
            )
    elif suffix == ".json":
        records = []
        columns = [str(c) for c in ordered.columns]
        plain = pd.DataFrame(index=ordered.index)
        for col in ordered.columns:
            values = ordered[col]
            if col in ("period_start", "period_end"):
                plain[col] = _iso_dates(values)
            elif col == "entered_at":
                plain[col] = _iso_times(values)
            elif isinstance(values.dtype, pd.CategoricalDtype):
                plain[col] = values.astype(object)
            else:
                plain[col] = values
        for row in plain.itertuples(index=False, name=None):
            pairs = zip(columns, row, strict=True)
            records.append({c: (None if is_missing(v) else _json_value(v)) for c, v in pairs})
        target.write_text(
            json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    elif suffix in (".parquet", ".pq"):
        ordered.to_parquet(target, index=False)
    elif suffix in (".xlsx", ".xlsm"):
        _write_xlsx(ordered, target)
    else:
        raise ValueError(f"unknown file type {suffix!r}: use .csv, .json, .parquet or .xlsx")
    return target


_CSV_SPECIAL = re.compile('[",\r\n]')


def _csv_field(text: str) -> str:
    """One CSV field, RFC 4180: quoted (inner quotes doubled) if it holds ``"``, ``,``, CR or LF."""
    if _CSV_SPECIAL.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _csv_line(fields: Iterable[str]) -> str:
    """One CSV record with its CRLF terminator.

    Written by hand rather than with :mod:`csv`, whose writer cannot write a NUL character
    before Python 3.11 ("need to escape"): every character of the table must survive.
    """
    return ",".join(map(_csv_field, fields)) + "\r\n"


def _json_value(value: object) -> object:
    """A JSON-ready value: numbers, text and booleans as they are, anything else as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str | bool | int | float):
        return value
    return as_text(value)


def _write_xlsx(table: pd.DataFrame, target: Path) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    if len(table) + 1 > EXCEL_ROW_LIMIT:
        raise ValueError(
            f"{len(table)} entries do not fit in one Excel sheet (at most "
            f"{EXCEL_ROW_LIMIT - 1}); write CSV, JSON or Parquet instead"
        )
    columns: list[tuple[str, str, pd.Series]] = []
    too_long = [
        f"row 1, header of column {pos + 1} ({len(name):,} chars)"
        for pos, name in enumerate(quote_text(str(c)) for c in table.columns)
        if len(name) > EXCEL_CELL_LIMIT
    ]
    for col in table.columns:
        values = table[col]
        if col in ("period_start", "period_end"):
            columns.append((str(col), "date", pd.to_datetime(values).astype("datetime64[ns]")))
        elif col == "entered_at":
            columns.append((str(col), "text", _iso_times(values)))
        elif _is_text_column(values):
            quoted = quote_series(values.map(as_text, na_action="ignore"))
            lengths = quoted.str.len()
            for pos in np.flatnonzero((lengths > EXCEL_CELL_LIMIT).fillna(False).to_numpy()):
                too_long.append(f"row {pos + 2}, column {col} ({int(lengths.iloc[pos]):,} chars)")
            columns.append((str(col), "text", quoted))
        elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        ):
            columns.append((str(col), "number", values.astype("float64")))
        else:  # booleans, dates and the like of extra columns: as text
            columns.append((str(col), "text", values.map(as_text, na_action="ignore")))
    if too_long:
        shown = "; ".join(too_long[:10]) + (
            f"; and {len(too_long) - 10} more" if len(too_long) > 10 else ""
        )
        raise ValueError(
            f"{len(too_long)} text cell(s) are longer than the {EXCEL_CELL_LIMIT:,} characters an "
            f"Excel cell holds ({shown}); nothing was written. Write CSV, JSON or Parquet, which "
            "keep text of any length."
        )
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(TABLE_SHEET)
    # headers are text like any other cell: protected, so that '=X()' is never a formula
    sheet.append([ooxml_escape(quote_text(name)) for name, _, _ in columns])
    arrays = [(kind, s.to_numpy(dtype=object)) for _, kind, s in columns]
    for i in range(len(table)):
        row: list[object] = []
        for kind, array in arrays:
            value = array[i]
            if is_missing(value):
                row.append(None)
            elif kind == "text":
                row.append(ooxml_escape(str(value)))
            elif kind == "date":
                cell = WriteOnlyCell(sheet, value=pd.Timestamp(value).to_pydatetime())
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            else:
                row.append(float(value))
        sheet.append(row)
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    from missionlens._version import __version__

    for key, value in (
        ("format", "missionlens-assessments"),
        ("format_version", "1"),
        ("text_encoding", "apostrophe escape, see missionlens.assessments.record"),
        ("missionlens_version", __version__),
    ):
        meta.append([key, value])
    workbook.save(target)
