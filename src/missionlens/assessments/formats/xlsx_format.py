"""XLSX assessment tables: the ``xlsx`` reader and writer (through openpyxl).

Written as a workbook with the sheet ``assessments`` and a hidden sheet ``_missionlens`` that
says what the workbook is (``format: missionlens-assessments``). Text is protected against
formula injection with the apostrophe escape of :func:`missionlens.text.quote_text`, and
characters XML cannot hold are written with the ``_xHHHH_`` escape of Office Open XML (ECMA-376
Part 1, 22.9.2.19, ``ST_Xstring``). A cell holds at most
:data:`~missionlens.assessments.record.EXCEL_CELL_LIMIT` characters: longer text is refused,
never cut.

A workbook is opened once per read (:func:`workbook`) and shared with the other readers of
``.xlsx`` files: the Excel template reader (:mod:`missionlens.assessments.excel_template`)
takes a workbook whose hidden sheet says ``missionlens-template`` (:func:`workbook_meta`), the
KoboToolbox/ODK export reader (:mod:`missionlens.assessments.xlsform`) one whose first sheet has
the columns of an export (:func:`sheet_table`).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from missionlens._version import __version__
from missionlens.assessments.formats import Source, register_reader, register_writer
from missionlens.assessments.formats.tabular import (
    drop_blank_rows,
    is_text_column,
    iso_times,
    surrogate_failures,
    table_batch,
)
from missionlens.assessments.record import (
    EXCEL_CELL_LIMIT,
    EXCEL_ROW_LIMIT,
    META_SHEET,
    TABLE_SHEET,
    Batch,
    file_failure,
)
from missionlens.errors import ArgumentError, UnreadableFileError
from missionlens.text import (
    as_text,
    cell_text,
    is_missing,
    ooxml_escape,
    ooxml_unescape,
    quote_series,
    quote_text,
    unquote_series,
    unquote_text,
)

__all__ = [
    "MAX_XLSX_RATIO",
    "MAX_XLSX_UNCOMPRESSED",
    "SUFFIXES",
    "XLSX_ERRORS",
    "XlsxTable",
    "check_archive",
    "check_cell_text",
    "read_meta",
    "read_xlsx",
    "sheet_table",
    "workbook",
    "workbook_meta",
    "write_xlsx",
    "xlsx_target",
]

#: Suffixes read and written as XLSX workbooks.
SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")

#: Errors (besides the generic ones) that mean a workbook cannot be read: not a zip archive,
#: broken XML inside it (``xml.etree.ElementTree.ParseError``, a ``SyntaxError``), a damaged
#: compressed member (``zlib.error``, ``EOFError``).
XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ElementTree.ParseError,
    zlib.error,
    EOFError,
)

#: Most bytes the XML members of a workbook may hold once uncompressed (256 MiB). A workbook
#: is a zip archive; one of 300 KB can unpack to gigabytes (a "zip bomb"), so the sizes the
#: archive declares are checked before it is opened. A full Excel sheet of assessments needs
#: more; write such tables as CSV or Parquet.
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024

#: Highest ratio of uncompressed to compressed size of a workbook member larger than 1 MiB
#: (workbooks written by Excel, LibreOffice or openpyxl stay well below it).
MAX_XLSX_RATIO = 100


@dataclass
class XlsxTable:
    """The cells of the table sheet of a workbook, ``_xHHHH_`` decoded, not un-escaped.

    Attributes
    ----------
    header : list of str
        The first row as text (``column 3`` for an empty header cell).
    frame : pandas.DataFrame
        The other rows (object dtype, ``None`` for an empty cell), as wide as the header;
        empty rows at the end are left out.
    sheet : str
        The sheet's title.
    """

    header: list[str]
    frame: pd.DataFrame
    sheet: str


def workbook(source: Source) -> Any:
    """The workbook of an XLSX source, opened read-only once and closed after the read.

    Raises
    ------
    UnreadableFileError
        If openpyxl does not take the file for a workbook.
    """
    if source.path is None:
        raise TypeError("workbook reads files, not DataFrames")
    path = source.path

    def open_workbook() -> Any:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        check_archive(path)
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except InvalidFileException as exc:
            raise UnreadableFileError(
                f"cannot read the file ({type(exc).__name__}): {exc}"
            ) from None
        source.on_close(book.close)
        return book

    return source.cached("xlsx:workbook", open_workbook)


def check_archive(path: Path) -> None:
    """Refuse a workbook whose members would unpack to too much (see :data:`MAX_XLSX_UNCOMPRESSED`).

    Raises
    ------
    UnreadableFileError
        If the members' declared sizes add up to more than :data:`MAX_XLSX_UNCOMPRESSED`, or
        a member over 1 MiB unpacks to more than :data:`MAX_XLSX_RATIO` times its compressed
        size.
    zipfile.BadZipFile
        If the file is not a zip archive (reported as ``unreadable``).
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise UnreadableFileError(
            f"{path.name} would unpack to {total:,} bytes, more than the "
            f"{MAX_XLSX_UNCOMPRESSED:,} a workbook of assessments may hold (a damaged or "
            "malicious file, or a table too large for XLSX: write it as CSV or Parquet)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > MAX_XLSX_RATIO:
            raise UnreadableFileError(
                f"{path.name}: its part {member.filename} unpacks to {ratio:,.0f} times its "
                f"compressed size ({member.file_size:,} bytes), more than the "
                f"{MAX_XLSX_RATIO} of any real workbook; the file is refused as a possible zip "
                "bomb (write large tables as CSV or Parquet)"
            )


def read_meta(book: Any) -> dict[str, str]:
    """The key/value pairs of a workbook's hidden ``_missionlens`` sheet (empty if none)."""
    if META_SHEET not in book.sheetnames:
        return {}
    meta: dict[str, str] = {}
    for row in book[META_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if not row or row[0] is None:
            break
        key = as_text(cell_text(row[0]))
        value = as_text(cell_text(row[1] if len(row) > 1 else None))
        if key is not None:
            meta[key] = value if value is not None else ""
    return meta


def workbook_meta(source: Source) -> dict[str, str]:
    """The hidden ``_missionlens`` sheet of an XLSX source (see :func:`read_meta`), read once."""
    return source.cached("xlsx:meta", lambda: read_meta(workbook(source)))


def _sheet_table(source: Source) -> XlsxTable | None:
    book = workbook(source)
    sheet = book[TABLE_SHEET] if TABLE_SHEET in book.sheetnames else book.worksheets[0]
    if hasattr(sheet, "reset_dimensions"):
        # read-only sheets trust the <dimension> the file declares, which may be stale (a
        # workbook edited by another program): rows beyond it would be dropped silently
        sheet.reset_dimensions()
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        return None
    header = [as_text(cell_text(v)) or f"column {i + 1}" for i, v in enumerate(rows[0])]
    width = len(header)
    body = [(r + [None] * (width - len(r)))[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.apply(_unescape_cells)
    return XlsxTable(header=header, frame=frame, sheet=str(sheet.title))


def _unescape_cells(values: pd.Series) -> pd.Series:
    """``_xHHHH_`` tokens of a column decoded, the column kept as ``object``.

    Like :func:`~missionlens.text.unescape_series`, but the result is never converted to a
    string dtype, which cannot hold the lone surrogate a token such as ``_xD800_`` decodes to
    (it is reported by :func:`~.tabular.surrogate_failures`).
    """
    if values.dtype != object:
        return values
    tokens = values.map(lambda v: isinstance(v, str) and "_x" in v).to_numpy(dtype=bool)
    if not tokens.any():
        return values
    cells = values.to_numpy(dtype=object).copy()
    for pos in np.flatnonzero(tokens):
        cells[pos] = ooxml_unescape(cells[pos])
    return pd.Series(cells, index=values.index, dtype=object, name=values.name)


def sheet_table(source: Source) -> XlsxTable | None:
    """The table sheet of an XLSX source (``assessments``, else the first), read once.

    ``None`` if the sheet is empty.
    """
    return source.cached("xlsx:table", lambda: _sheet_table(source))


def read_xlsx(source: Source) -> list[Batch]:
    """Read an XLSX workbook of an assessment table (the ``xlsx`` reader)."""
    table = sheet_table(source)
    if table is None:
        return [Batch(file=source.name, frame=pd.DataFrame())]
    frame, failures = surrogate_failures(
        table.frame, source.name, first_row=2, sheet=table.sheet, escape="_xD800_"
    )
    failures[:0] = _long_cells(table, source.name)
    frame = frame.copy() if frame is table.frame else frame
    frame.columns = pd.Index([unquote_text(h) for h in table.header], dtype=object)
    frame = frame.apply(unquote_series)
    batch = table_batch(frame, source.name, first_row=2, sheet=table.sheet)
    batch.frame = drop_blank_rows(batch.frame)
    batch.failures[:0] = failures
    return [batch]


def _long_cells(table: XlsxTable, file: str) -> list[dict[str, object]]:
    """One ``unreadable`` failure per cell longer than an Excel cell can be (not made by Excel)."""
    out: list[dict[str, object]] = []
    for pos, name in enumerate(table.header):
        if len(name) > EXCEL_CELL_LIMIT:
            out.append(_long_cell(file, table.sheet, 1, f"column {pos + 1}", len(name)))
    for pos, name in enumerate(table.header):
        column = table.frame.iloc[:, pos]
        lengths = column.map(lambda v: len(v) if isinstance(v, str) else 0)
        for row in np.flatnonzero(lengths.to_numpy(dtype="int64") > EXCEL_CELL_LIMIT):
            out.append(
                _long_cell(file, table.sheet, int(row) + 2, unquote_text(name), lengths.iloc[row])
            )
    return out


def _long_cell(file: str, sheet: str, row: int, column: str, length: int) -> dict[str, object]:
    return {
        **file_failure(
            file,
            "unreadable",
            f"the cell holds {length:,} characters, more than the {EXCEL_CELL_LIMIT:,} an Excel "
            "cell can hold: the workbook was not made by Excel and its text cannot be trusted; "
            "keep long text in CSV, JSON or Parquet",
            sheet=sheet,
        ),
        "row": row,
        "column": column,
        "value": f"{length:,} characters",
    }


def write_xlsx(table: pd.DataFrame, target: Path) -> None:
    """Write an assessment table (columns in order) to XLSX (the ``xlsx`` writer).

    Raises
    ------
    ValueError
        If the table has more rows than a sheet holds, or a text cell (or header) is longer
        than :data:`~missionlens.assessments.record.EXCEL_CELL_LIMIT` characters: nothing is
        written then.
    """
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
            columns.append((str(col), "text", iso_times(values)))
        elif is_text_column(values):
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

    for key, value in (
        ("format", "missionlens-assessments"),
        ("format_version", "1"),
        ("text_encoding", "apostrophe escape, see missionlens.assessments.record"),
        ("missionlens_version", __version__),
    ):
        meta.append([key, value])
    workbook.save(target)  # write_assessments gives a temporary path (see missionlens.atomic)


def xlsx_target(path: str | os.PathLike[str], what: str) -> Path:
    """The path of a workbook to write, refused unless it ends in ``.xlsx`` or ``.xlsm``.

    Raises
    ------
    ArgumentError
        If the suffix is another one: a workbook written under ``.csv`` would be read as
        (garbled) CSV.
    """
    if not isinstance(path, str | os.PathLike):
        raise ArgumentError(f"{what}: path must be a file path, not {type(path).__name__}")
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise ArgumentError(
            f"{what}: path {str(target)!r} must end in .xlsx (an Excel workbook is written), "
            f"not {target.suffix or 'nothing'!r}"
        )
    return target


def check_cell_text(value: str, where: str) -> None:
    """Refuse text an Excel cell cannot hold whole (longer than the cell limit once escaped).

    Raises
    ------
    ArgumentError
        Naming ``where`` (the field or cell) and the length; never cut.
    """
    stored = len(ooxml_escape(value))
    if stored > EXCEL_CELL_LIMIT:
        raise ArgumentError(
            f"{where} is {stored:,} characters long (as stored), more than the "
            f"{EXCEL_CELL_LIMIT:,} an Excel cell holds; nothing was written (text is never cut)"
        )


register_reader("xlsx", suffixes=SUFFIXES, read=read_xlsx, errors=XLSX_ERRORS)
register_writer("xlsx", suffixes=SUFFIXES, write=write_xlsx)
