"""Helpers shared by the table formats: header matching, batches, text decoding, cell text.

Nothing here registers a format; the format modules (``csv_format``, ``json_format``, ...)
and the readers of templates and exports build on these helpers.
"""

from __future__ import annotations

import codecs
import json
import re

import numpy as np
import pandas as pd

from missionlens.assessments.record import ASSESSMENT_COLUMNS, INTERNAL, Batch, file_failure
from missionlens.errors import UnreadableFileError
from missionlens.text import as_text, factorize, quote_series, text_dtype

__all__ = [
    "column_problems",
    "column_text",
    "decode_text",
    "drop_blank_rows",
    "escape_surrogates",
    "has_surrogate",
    "is_text_column",
    "iso_dates",
    "iso_times",
    "match_columns",
    "surrogate_failures",
    "table_batch",
    "text_frame",
]


# ------------------------------------------------------------------------------ batches
def match_columns(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Map headers to record columns ignoring case and surrounding spaces; report clashes.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as read from a source, headers as the source gives them.
    file : str
        The source's name, for the failures.

    Returns
    -------
    (pandas.DataFrame, list of dict)
        The table with record columns renamed to their canonical names (a second column holding
        the same record column is dropped), and one ``duplicate_column`` failure per such clash.
    """
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


def table_batch(frame: pd.DataFrame, file: str, *, first_row: int, sheet: str = "") -> Batch:
    """A batch from a table whose columns are record columns (DataFrame, CSV, JSON, ...).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, text already un-escaped.
    file : str
        The source's name.
    first_row : int
        The row number (as the analyst sees it) of the first entry: 2 below a header row, 1 for
        a DataFrame or a JSON list.
    sheet : str
        The sheet the table is on, if any.
    """
    problems = column_problems(frame, file, sheet=sheet)
    if problems is not None:
        return Batch(file=file, frame=pd.DataFrame(), failures=problems)
    frame, repeated = _drop_repeated(frame.reset_index(drop=True), file, sheet)
    frame, failures = match_columns(frame, file)
    failures[:0] = repeated
    frame = _nested_as_text(frame)
    if any(str(c).startswith(INTERNAL) for c in frame.columns):
        frame = frame[[c for c in frame.columns if not str(c).startswith(INTERNAL)]]
    frame = frame.copy()
    frame[INTERNAL + "sheet"] = sheet
    frame[INTERNAL + "row"] = np.arange(first_row, first_row + len(frame), dtype="int64")
    return Batch(file=file, frame=frame, failures=failures)


def column_problems(
    frame: pd.DataFrame, file: str, *, sheet: str = ""
) -> list[dict[str, object]] | None:
    """``unreadable`` failures for a table whose column names cannot be read, or ``None``.

    Columns of several levels (a ``MultiIndex``) and names that are not text (``0``, ``1.5``,
    ``None``: a DataFrame made without a header) are refused: a name is matched as text, and
    writing such a table would change the names silently.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"a table must be a pandas DataFrame, not {type(frame).__name__}")
    if isinstance(frame.columns, pd.MultiIndex):
        return [
            file_failure(
                file,
                "unreadable",
                f"the columns have {frame.columns.nlevels} levels (a MultiIndex); give one "
                "level of column names, e.g. with frame.columns = ['_'.join(map(str, c)) for c "
                "in frame.columns]",
                sheet=sheet,
            )
        ]
    odd = [(i, c) for i, c in enumerate(frame.columns) if not isinstance(c, str)]
    if not odd:
        return None
    shown = ", ".join(f"column {i + 1} is {c!r} ({type(c).__name__})" for i, c in odd[:5])
    more = f" and {len(odd) - 5} more" if len(odd) > 5 else ""
    return [
        {
            **file_failure(
                file,
                "unreadable",
                f"column names must be text: {shown}{more}; name the columns (mission, period, "
                "phase, indicator, value, rater, ...), e.g. read the file with a header row",
                sheet=sheet,
            ),
            "value": "" if is_missing_name(odd[0][1]) else str(odd[0][1]),
        }
    ]


def is_missing_name(name: object) -> bool:
    """Whether a column name is missing (``None`` or NaN)."""
    return name is None or (isinstance(name, float) and name != name)


def _drop_repeated(
    frame: pd.DataFrame, file: str, sheet: str
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Keep the first of columns with the very same name; one ``duplicate_column`` each."""
    repeated = frame.columns.duplicated()
    if not repeated.any():
        return frame, []
    names = [str(c) for c in frame.columns[repeated].unique()]
    failures = [
        {
            **file_failure(
                file,
                "duplicate_column",
                f"{int((frame.columns == name).sum())} columns are named {name!r}; keep one "
                "(only the first is read)",
                sheet=sheet,
            ),
            "column": name,
        }
        for name in names
    ]
    return frame.loc[:, ~repeated], failures


#: Kinds of :func:`pandas.api.types.infer_dtype` that hold no list, array or mapping.
_PLAIN_KINDS = frozenset(
    {
        "string",
        "empty",
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "datetime",
        "datetime64",
        "date",
        "timedelta",
        "timedelta64",
        "time",
        "period",
        "bytes",
        "complex",
    }
)


def _nested_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists, arrays and mappings in record columns as text (a cell holds one value).

    Such cells (a Parquet list column, a JSON list, a DataFrame of lists) are no value of any
    check; as text they are reported at their row and column as any other wrong value.
    """
    for col in frame.columns:
        if col not in ASSESSMENT_COLUMNS or frame[col].dtype != object:
            continue
        values = frame[col]
        if pd.api.types.infer_dtype(values, skipna=True) in _PLAIN_KINDS:
            continue  # every cell is text, a number, a date... (checked in C, fast)
        nested = values.map(lambda v: isinstance(v, list | tuple | dict | set | np.ndarray))
        if bool(nested.any()):
            frame = frame.copy()
            frame[col] = values.where(~nested, values[nested].map(_nested_text))
    return frame


def _nested_text(value: object) -> str:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, set | tuple):
        value = list(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (half of a UTF-16 pair; no UTF-8 text can)."""
    return _SURROGATE.search(text) is not None


def escape_surrogates(text: str) -> str:
    """``text`` with every lone surrogate written as ``\\udXXX`` (other characters kept)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def surrogate_failures(
    frame: pd.DataFrame, file: str, *, first_row: int, sheet: str = "", escape: str
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Report text cells holding a lone surrogate (half of a character), and escape them.

    A lone surrogate cannot be in UTF-8 text, but a file may spell one with an escape: JSON
    ``"\\ud800"``, XLSX ``_xD800_``. Such text can be neither compared, written nor shown, so
    each cell holding one gets an ``unreadable`` failure at its row and column, and the cell is
    kept with the surrogate written as ``\\ud800`` (the checks then see ordinary text).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read (object columns).
    file, sheet : str
        Where the table is, for the failures.
    first_row : int
        The row number of the table's first row.
    escape : str
        How the file spells such a character, for the message (``"\\ud800"``).
    """
    failures: list[dict[str, object]] = []
    out = frame
    for pos, col in enumerate(frame.columns):
        values = frame.iloc[:, pos]
        if values.dtype != object:
            continue
        bad = values.map(lambda v: isinstance(v, str) and has_surrogate(v))
        if not bool(bad.any()):
            continue
        if out is frame:
            out = frame.copy()
        fixed = values[bad].map(escape_surrogates)
        rows = np.flatnonzero(bad.to_numpy(dtype=bool))
        for row, shown in zip(rows, fixed.astype(str), strict=True):
            failures.append(
                {
                    **file_failure(
                        file,
                        "unreadable",
                        f"the text holds a lone surrogate, half of a character (written "
                        f"{escape} in the file): it cannot be compared, written or shown. "
                        "Fix the text in the program that made the file",
                        sheet=sheet,
                    ),
                    "row": first_row + int(row),
                    "column": str(col),
                    "value": shown[:80],
                }
            )
        out.iloc[:, pos] = values.where(~bad, fixed)
    return out, failures


def drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows where every record column is missing (blank lines of a file)."""
    columns = [c for c in frame.columns if not str(c).startswith(INTERNAL)]
    if not columns or frame.empty:
        return frame
    blank = frame[columns].isna().all(axis=1)
    return frame.loc[~blank]


# ------------------------------------------------------------------------------ decoding
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


# ------------------------------------------------------------------------------ cell text
def iso_dates(values: pd.Series) -> pd.Series:
    """ISO 8601 dates (``2024-01-01``) of date values, as text."""
    stamps = pd.to_datetime(values)
    return stamps.dt.strftime("%Y-%m-%d").astype(text_dtype())


def iso_times(values: pd.Series) -> pd.Series:
    """ISO 8601 text of UTC timestamps, as short as exact (``2024-03-05T08:00:00+00:00``)."""
    stamps = pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[ns, UTC]")
    return stamps.map(pd.Timestamp.isoformat, na_action="ignore").astype(text_dtype())


def is_text_column(values: pd.Series) -> bool:
    """Whether a column holds text (not numbers, dates or booleans)."""
    return not (
        pd.api.types.is_numeric_dtype(values.dtype)
        or pd.api.types.is_datetime64_any_dtype(values.dtype)
        or pd.api.types.is_bool_dtype(values.dtype)
    )


def column_text(values: pd.Series) -> pd.Series:
    """:func:`~missionlens.text.as_text` of every cell of a column, as text (missing stay so).

    A column of pandas' string dtype is already text; a column of any other dtype but
    ``object`` is shown once per distinct value (values equal in one dtype show alike), which
    gives the same text as showing every cell. An ``object`` column, whose cells may be of
    different types (``1``, ``1.0`` and ``True`` are equal), is shown cell by cell.
    """
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(text_dtype())
    if values.dtype == object:
        return values.map(as_text, na_action="ignore").astype(text_dtype())
    codes, uniques = factorize(values, use_na_sentinel=True)
    shown = np.array([as_text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(shown[codes], index=values.index, dtype=text_dtype())


def text_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Every column as text for CSV: numbers in shortest round-trip form, text escaped."""
    out = pd.DataFrame(index=table.index)
    for col in table.columns:
        values = table[col]
        if col in ("period_start", "period_end"):
            out[col] = iso_dates(values)
        elif col == "entered_at":
            out[col] = iso_times(values)
        elif is_text_column(values):
            out[col] = quote_series(column_text(values))
        else:
            out[col] = column_text(values)
    return out
