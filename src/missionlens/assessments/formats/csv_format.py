"""CSV (and ``.tsv``/``.txt``) assessment tables: the ``csv`` reader and writer.

Written as UTF-8 with a byte-order mark (so that Excel shows unicode), comma-separated, with
RFC 4180 quoting (IETF RFC 4180, "Common Format and MIME Type for Comma-Separated Values (CSV)
Files", 2005) and CRLF line ends; text is protected against formula injection with the
apostrophe escape of :func:`missionlens.text.quote_text`. Read as UTF-8 (or UTF-16/UTF-32 after
their byte-order mark, see :func:`~missionlens.assessments.formats.tabular.decode_text`), with
``,``, ``;`` or tab separators, headers in any case.

Files are written with pandas' CSV writer and read with Arrow's CSV parser (``pyarrow.csv``),
which are fast. The parser is trusted only with well-formed text (checked by writing its cells
back, see :func:`_fast_cells`); any other file (a quote inside an unquoted cell, rows longer
than the header, blank lines, ...) is read by Python's :mod:`csv` module, as missionlens always
read CSV, so that odd files are read exactly as before. NUL, which :mod:`csv` does not take
before Python 3.11, is swapped for a character the text does not hold meanwhile.

Reading is strict where silence would lose data: a quoted cell never closed (a file cut short
while it was written, a stray quote) would run to the end of the file, and a quote closed rows
later would make those rows text of one cell; both are ``unreadable`` failures at their row and
column (:func:`_open_quote`, :func:`_line_breaks`), and rows with more cells than the header
are reported too.

The rows of a file are parsed once per read and shared through :func:`csv_table` with the
KoboToolbox/ODK export reader, which takes a CSV whose columns are those of an export.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from missionlens.assessments.formats import Source, register_reader, register_writer
from missionlens.assessments.formats.tabular import (
    decode_text,
    drop_blank_rows,
    table_batch,
    text_frame,
)
from missionlens.assessments.record import (
    ASSESSMENT_COLUMNS,
    FREE_TEXT_COLUMNS,
    Batch,
    file_failure,
)
from missionlens.errors import UnreadableFileError
from missionlens.text import factorize, quote_text, text_dtype, unquote_text

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
    cells : pandas.DataFrame
        The other rows (``""`` for an empty cell; text dtype when pandas' or Arrow's parser read
        them, object otherwise), as wide as the header: short rows are filled with ``""``,
        cells beyond the header are left out (and reported).
    failures : list of dict
        One ``unreadable`` failure per row holding more cells than the header, and one for a
        quoted cell never closed.
    multiline : bool
        Whether a cell may hold a line break (``False`` when the file has no more lines than
        rows, so that no cell can).
    """

    header: list[str]
    cells: pd.DataFrame
    failures: list[dict[str, object]] = field(default_factory=list)
    multiline: bool = True
    _objects: pd.DataFrame | None = field(default=None, init=False, repr=False)

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as an ``object`` DataFrame (made on first use)."""
        if self._objects is None:
            self._objects = self.cells.astype(object)
        return self._objects


def _free_character(text: str) -> str:
    """A character that does not occur in the text (from the private use areas)."""
    for first, last in ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)):
        for code in range(first, last + 1):
            if chr(code) not in text:
                return chr(code)
    raise UnreadableFileError("the file uses every private-use character")  # pragma: no cover


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    """Parse CSV text (RFC 4180 quoting), NUL characters included, with :mod:`csv`.

    Before Python 3.11 the csv module refuses lines holding NUL; NUL is then swapped for a
    character the text does not hold while parsing, and swapped back in every cell.
    """
    if "\x00" not in text:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    stand_in = _free_character(text)
    rows = csv.reader(io.StringIO(text.replace("\x00", stand_in), newline=""), delimiter=delimiter)
    return [[cell.replace(stand_in, "\x00") for cell in row] for row in rows]


def _line_end(head: str) -> str:
    """The line terminator ending the first line (CRLF if it has none)."""
    for end in ("\r\n", "\n", "\r"):
        if head.endswith(end):
            return end
    return "\r\n"


def _header_width(text: str, delimiter: str) -> int | None:
    """The number of cells of the first record, as :mod:`csv` reads it (``None`` if none).

    Only the start of the text is read (a header longer than 1 MiB is read whole).
    """
    for head in (text[: 1 << 20], text):
        rows = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
        try:
            first = next(rows)
        except (csv.Error, StopIteration):
            return None
        lines = head.count("\n") + head.count("\r") - head.count("\r\n")
        if rows.line_num < lines or head is text:  # the record ends inside ``head``
            return len(first)
    return None  # pragma: no cover - the loop returns


def _fast_cells(text: str, delimiter: str, line_end: str) -> pd.DataFrame | None:
    """Every row of a well-formed CSV text parsed by Arrow's CSV parser, or ``None``.

    Arrow's parser and :mod:`csv` read well-formed RFC 4180 text alike, but not malformed text
    (a quote inside an unquoted cell, text after a closing quote, rows longer than the header,
    blank lines). So the cells are accepted only if writing them back with minimal RFC 4180
    quoting gives the text again, byte for byte (:func:`_written_alike`); then :mod:`csv` would
    have read the same cells (the text is the one way of writing them). Otherwise ``None``: the
    caller reads the text with :mod:`csv`. NUL is swapped for a character the text does not
    hold meanwhile (as for :mod:`csv` before Python 3.11).

    Returns
    -------
    pandas.DataFrame or None
        The rows, header first, as columns of the text dtype (``""`` for an empty cell).
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    stand_in = _free_character(text) if "\x00" in text else None
    safe = text.replace("\x00", stand_in) if stand_in is not None else text
    whole = safe if safe.endswith(line_end) else safe + line_end
    width = _header_width(safe, delimiter)
    if width is None:
        return None
    data = whole.encode("utf-8")
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    try:
        columns = [col.combine_chunks().cast(pa.large_string()) for col in table.columns]
        if not columns or not _written_alike(columns, data, delimiter, line_end):
            return None
    except pa.ArrowException:
        return None
    if stand_in is not None:
        import pyarrow.compute as pc

        columns = [pc.replace_substring(col, stand_in, "\x00") for col in columns]
    dtype = text_dtype()
    return pd.DataFrame(
        {i: pd.Series(pd.array(col, dtype=dtype)) for i, col in enumerate(columns)}
        if dtype.storage == "pyarrow"
        else {i: pd.Series(col.to_pylist(), dtype=dtype) for i, col in enumerate(columns)}
    )


def _record_starts(text: str) -> list[int]:
    """Offsets where each line of ``text`` starts, lines split as :mod:`csv` splits them."""
    starts, offset = [], 0
    for line in io.StringIO(text, newline=""):
        starts.append(offset)
        offset += len(line)
    return starts


def _open_quote(text: str, delimiter: str, rows: list[list[str]]) -> tuple[int, int, int] | None:
    """Where the last record of ``text`` opens a quoted cell that is never closed, or ``None``.

    Python's :mod:`csv` (not strict) reads an unterminated quoted cell to the end of the file
    without a word: the rows after the quote become text of one cell, and a file cut short in a
    quoted cell loses its end silently. Only the last record can hold such a quote (it runs to
    the end of the file), so only the last record is scanned, with the rules of :mod:`csv`
    (RFC 4180 quoting, a quote inside an unquoted cell is text).

    Returns
    -------
    (int, int, int) or None
        The record's position (0 for the header), the line (from 1) where the quote opened,
        and the cell's position in the record.
    """
    if '"' not in text:
        return None
    # NUL (which csv refuses before Python 3.11) changes no line: a space stands in for it
    safe = text.replace("\x00", " ") if "\x00" in text else text
    reader = csv.reader(io.StringIO(safe, newline=""), delimiter=delimiter)
    first_line = 1
    count = 0
    for count, _ in enumerate(reader, start=1):
        if count == len(rows):
            break
        first_line = reader.line_num + 1
    del count
    starts = _record_starts(text)
    if first_line - 1 >= len(starts):
        return None
    offset = starts[first_line - 1]
    state, cell, opened = "start", 0, -1
    for pos in range(offset, len(text)):
        char = text[pos]
        if state == "quoted":
            if char == '"':
                state = "quote"
        elif state == "quote":  # a quote inside a quoted cell: doubled, or the end of the cell
            if char == '"':
                state = "quoted"
            elif char == delimiter:
                state, cell = "start", cell + 1
            elif char in "\r\n":
                return None  # the record ends; a later one would be another record
            else:
                state = "field"
        elif char == delimiter:
            state, cell = "start", cell + 1
        elif char in "\r\n":
            return None
        elif state == "start" and char == '"':
            state, opened = "quoted", pos
        elif state == "start":
            state = "field"
    if state != "quoted":
        return None
    line = first_line + len(re.findall(r"\r\n|\r|\n", text[offset:opened]))
    return len(rows) - 1, line, cell


def _written_alike(columns: list[Any], data: bytes, delimiter: str, line_end: str) -> bool:
    """Whether writing the cells with minimal RFC 4180 quoting gives ``data`` exactly.

    The same as comparing ``cells.to_csv(sep=delimiter, header=False, index=False,
    quoting=csv.QUOTE_MINIMAL, lineterminator=line_end)`` with the text, computed with Arrow's
    vectorised string kernels: a cell is quoted, its quotes doubled, when it holds the
    delimiter, a quote, CR or LF, as :mod:`csv` does; a row of one empty cell is written
    ``""`` (so that it is not a blank line), as :mod:`csv` does.

    Parameters
    ----------
    columns : list of pyarrow.LargeStringArray
        The cells, column by column, header row first.
    data : bytes
        The file's text as UTF-8, ending with a line terminator.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    large = pa.large_string()
    quote, nothing = pa.scalar('"', large), pa.scalar("", large)
    special = "[" + re.escape(delimiter + '"') + "\\r\\n]"
    specials = [char.encode("utf-8") for char in (delimiter, '"', "\r", "\n")]
    written = []
    for values in columns:
        cells = values.buffers()[2]
        stored = cells.to_pybytes() if cells is not None else b""
        if len(columns) > 1 and not any(char in stored for char in specials):
            written.append(values)  # no cell of the column holds a special character
            continue
        needs = pc.match_substring_regex(values, special)
        if len(columns) == 1:
            needs = pc.or_(needs, pc.equal(pc.binary_length(values), 0))
        if pc.any(needs).as_py():
            doubled = pc.replace_substring(values, '"', '""')
            quoted = pc.binary_join_element_wise(quote, doubled, quote, nothing)
            values = pc.if_else(needs, quoted, values)
        written.append(values)
    rows = pc.binary_join_element_wise(*written, pa.scalar(delimiter, large))
    lines = pc.binary_join_element_wise(rows, pa.scalar(line_end, large), nothing)
    if lines.null_count:  # pragma: no cover - no cell is null
        return False
    _, offsets, buffer = lines.buffers()
    if offsets is None or buffer is None:  # pragma: no cover - a file has a header
        return data == b""
    ends = np.frombuffer(offsets, dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    start, stop = int(ends[0]), int(ends[-1])
    return bool(buffer.slice(start, stop - start).equals(pa.py_buffer(data)))


def _parse(path: Path, name: str) -> CsvTable | None:
    text = decode_text(path.read_bytes(), path.name)
    head = io.StringIO(text, newline="").readline()
    delimiter = (
        ","
        if head.count(",") >= max(head.count(";"), head.count("\t"))
        else (";" if head.count(";") >= head.count("\t") else "\t")
    )
    cells = _fast_cells(text, delimiter, _line_end(head)) if text else None
    # line terminators, CRLF counted once: no more of them than rows means no cell holds one
    lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if cells is not None:
        header = [str(h) for h in cells.iloc[0]]
        frame = cells.iloc[1:].reset_index(drop=True)
        frame.columns = pd.Index(header, dtype=object)
        return CsvTable(header=header, cells=frame, multiline=lines > len(cells))
    rows = _csv_rows(text, delimiter)
    if not rows:
        return None
    open_quote = _open_quote(text, delimiter, rows)
    if open_quote is not None and len(rows) == 1:
        raise UnreadableFileError(
            f"{path.name}: the quote opened on line {open_quote[1]} of the header is never "
            "closed, so the header runs to the end of the file; close the quote (or save the "
            "file again if it was cut short)"
        )
    header, body = rows[0], rows[1:]
    width = len(header)
    cut: list[dict[str, object]] = []
    if open_quote is not None:
        record, line, cell = open_quote
        row_number = record + 1
        column = header[cell] if cell < len(header) else f"cell {cell + 1}"
        text_read = body[-1][cell] if cell < len(body[-1]) else ""
        cut.append(
            {
                **file_failure(
                    name,
                    "unreadable",
                    f"row {row_number}: the quote opened on line {line} in column "
                    f"{unquote_text(column)!r} is never closed, so everything after it to the "
                    f"end of the file ({len(text_read):,} characters) would be one cell; the "
                    "row is not read. Close the quote, or save the file again if it was cut "
                    "short (a file whose writing was interrupted ends this way)",
                ),
                "row": row_number,
                "column": unquote_text(column),
                "value": text_read[:80] + ("..." if len(text_read) > 80 else ""),
            }
        )
        body = body[:-1]
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
    return CsvTable(header=header, cells=frame, failures=failures + cut)


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


def _unquote_cells(cells: pd.Series) -> pd.Series:
    """Cells of a CSV column as values: ``""`` is missing, one leading apostrophe removed.

    The same as :func:`~missionlens.text.unquote_series` after masking empty cells, with the
    string methods of the text dtype (every cell of a CSV file is text).
    """
    text = cells.astype(text_dtype())
    text = text.mask(text == "")
    quoted = text.str.startswith("'").fillna(False).astype(bool)
    if bool(quoted.any()):
        text = text.where(~quoted, text.str.slice(1))
    return text


def read_csv(source: Source) -> list[Batch]:
    """Read a CSV file of an assessment table (the ``csv`` reader)."""
    table = csv_table(source)
    if table is None:
        return [Batch(file=source.name, frame=pd.DataFrame())]
    # an empty cell is a missing value; text (headers too) is un-escaped (a lone apostrophe is
    # the empty text)
    frame = pd.DataFrame(
        {i: _unquote_cells(table.cells.iloc[:, i]) for i in range(len(table.header))},
        index=table.cells.index,
    )
    frame.columns = pd.Index([unquote_text(h) for h in table.header], dtype=object)
    batch = table_batch(frame, source.name, first_row=2)
    batch.frame = drop_blank_rows(batch.frame)
    batch.failures[:0] = table.failures + (
        _line_breaks(frame, source.name) if table.multiline else []
    )
    return [batch]


#: Record columns whose values never hold a line break (free text columns may).
_ONE_LINE: frozenset[str] = frozenset(ASSESSMENT_COLUMNS) - set(FREE_TEXT_COLUMNS)


def _line_breaks(frame: pd.DataFrame, name: str) -> list[dict[str, object]]:
    """One ``unreadable`` failure per identifier or value cell holding a line break.

    A quote opened by mistake in one row and closed in a later one (``"amina`` ... ``amina"``)
    makes the rows between text of one cell, and the file stays well formed: those rows would be
    lost without a word. No mission, period, indicator, value or rater holds a line break, so
    such a cell is reported, at its row and column.
    """
    out: list[dict[str, object]] = []
    for pos, col in enumerate(frame.columns):
        if str(col).strip().lower() not in _ONE_LINE:
            continue
        values = frame.iloc[:, pos]
        # identifier columns hold few distinct values: look at each once
        codes, uniques = factorize(values, use_na_sentinel=True)
        bad = [i for i, u in enumerate(uniques) if "\n" in str(u) or "\r" in str(u)]
        if not bad:
            continue
        for row in np.flatnonzero(np.isin(codes, bad)):
            text = str(values.iloc[row])
            n = len(re.findall(r"\r\n|\r|\n", text))
            out.append(
                {
                    **file_failure(
                        name,
                        "unreadable",
                        f"row {row + 2}: the {str(col).strip()} cell runs over {n + 1} lines, "
                        f"which no {str(col).strip()} does: a quote opened in it was closed "
                        f"only {n} line(s) later, so those lines (rows of the file, perhaps) "
                        "were read as text of this cell. Close the quote where the cell ends",
                    ),
                    "row": row + 2,
                    "column": str(col).strip().lower(),
                    "value": text[:80] + ("..." if len(text) > 80 else ""),
                }
            )
    return out


def write_csv(table: pd.DataFrame, target: Path) -> None:
    """Write an assessment table (columns in order) to CSV (the ``csv`` writer).

    Every cell is text (:func:`~.tabular.text_frame`), written by pandas with minimal RFC 4180
    quoting (a cell is quoted if it holds ``"``, ``,``, CR or LF; inner quotes are doubled) and
    CRLF line ends. NUL, which :mod:`csv` (under pandas) cannot write before Python 3.11, is
    swapped for a character the table does not hold and swapped back in the text written.
    """
    text = text_frame(table)
    header = [quote_text(str(c)) for c in text.columns]
    has_nul = any("\x00" in h for h in header) or any(
        bool(text[c].str.contains("\x00", regex=False).fillna(False).any()) for c in text.columns
    )
    options: dict[str, Any] = {
        "index": False,
        "quoting": csv.QUOTE_MINIMAL,
        "lineterminator": "\r\n",
        "na_rep": "",
    }
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        if not has_nul:
            text.to_csv(handle, header=header, **options)
            return
        stand_in = _free_character(
            "".join(header) + "".join("".join(text[c].dropna()) for c in text.columns)
        )
        swapped = text.apply(lambda col: col.str.replace("\x00", stand_in, regex=False))
        written = swapped.to_csv(
            None, header=[h.replace("\x00", stand_in) for h in header], **options
        )
        handle.write(written.replace(stand_in, "\x00"))


register_reader("csv", suffixes=SUFFIXES, read=read_csv)
register_writer("csv", suffixes=(".csv",), write=write_csv)
