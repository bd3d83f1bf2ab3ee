"""CSV (and ``.tsv``/``.txt``) assessment tables: the ``csv`` reader and writer.

Written as UTF-8 with a byte-order mark (so that Excel shows unicode), comma-separated, with
RFC 4180 quoting (IETF RFC 4180, "Common Format and MIME Type for Comma-Separated Values (CSV)
Files", 2005) and CRLF line ends; text is protected against formula injection with the
apostrophe escape of :func:`missionlens.text.quote_text`. Read as UTF-8 (or UTF-16/UTF-32 after
their byte-order mark, see :func:`~missionlens.assessments.formats.tabular.decode_text`), with
``,``, ``;`` or tab separators, headers in any case.

The rows of a file are parsed once per read and shared through :func:`csv_table` with the
KoboToolbox/ODK export reader, which takes a CSV whose columns are those of an export.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from missionlens.assessments.formats import Source, register_reader, register_writer
from missionlens.assessments.formats.tabular import (
    decode_text,
    drop_blank_rows,
    table_batch,
    text_frame,
)
from missionlens.assessments.record import Batch, file_failure
from missionlens.errors import UnreadableFileError
from missionlens.text import is_missing, quote_text, unquote_series, unquote_text

__all__ = ["SUFFIXES", "CsvTable", "csv_table", "read_csv", "write_csv"]

#: Suffixes read as delimited text.
SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt")


@dataclass
class CsvTable:
    """The cells of a CSV file as written: nothing un-escaped, every cell text.

    Attributes
    ----------
    header : list of str
        The cells of the first row.
    frame : pandas.DataFrame
        The other rows (object dtype, ``""`` for an empty cell), as wide as the header: short
        rows are filled with ``""``, cells beyond the header are left out (and reported).
    failures : list of dict
        One ``unreadable`` failure per row holding more cells than the header.
    """

    header: list[str]
    frame: pd.DataFrame
    failures: list[dict[str, object]] = field(default_factory=list)


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


def _parse(path: Path, name: str) -> CsvTable | None:
    text = decode_text(path.read_bytes(), path.name)
    head = io.StringIO(text, newline="").readline()
    delimiter = (
        ","
        if head.count(",") >= max(head.count(";"), head.count("\t"))
        else (";" if head.count(";") >= head.count("\t") else "\t")
    )
    rows = _csv_rows(text, delimiter)
    if not rows:
        return None
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
    return CsvTable(header=header, frame=frame, failures=failures)


def csv_table(source: Source) -> CsvTable | None:
    """The parsed cells of a CSV source (``None`` for a file without a single row), parsed once.

    Raises
    ------
    UnreadableFileError
        If the file is not UTF-8 (see :func:`~.tabular.decode_text`).
    """
    if source.path is None:
        raise TypeError("csv_table reads files, not DataFrames")
    path = source.path
    return source.cached("csv:table", lambda: _parse(path, source.name))


def read_csv(source: Source) -> list[Batch]:
    """Read a CSV file of an assessment table (the ``csv`` reader)."""
    table = csv_table(source)
    if table is None:
        return [Batch(file=source.name, frame=pd.DataFrame())]
    # an empty cell is a missing value; text (headers too) is un-escaped (a lone apostrophe is
    # the empty text)
    frame = table.frame.copy()
    frame.columns = pd.Index([unquote_text(h) for h in table.header], dtype=object)
    frame = frame.mask(frame == "")
    frame = frame.apply(unquote_series)
    batch = table_batch(frame, source.name, first_row=2)
    batch.frame = drop_blank_rows(batch.frame)
    batch.failures[:0] = table.failures
    return [batch]


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


def write_csv(table: pd.DataFrame, target: Path) -> None:
    """Write an assessment table (columns in order) to CSV (the ``csv`` writer)."""
    text = text_frame(table)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(_csv_line(quote_text(str(c)) for c in text.columns))
        handle.writelines(
            _csv_line("" if is_missing(v) else str(v) for v in row)
            for row in text.itertuples(index=False, name=None)
        )


register_reader("csv", suffixes=SUFFIXES, read=read_csv)
register_writer("csv", suffixes=(".csv",), write=write_csv)
