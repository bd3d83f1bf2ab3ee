"""Text cells: the text dtype, formula-injection protection, OOXML escapes, values as text.

One definition of how text is stored (:func:`text_dtype`), protected in spreadsheets and CSV
files (:func:`quote_text`, :func:`unquote_text`), escaped in XLSX (:func:`ooxml_escape`) and how
any value is shown as text (:func:`as_text`). Every reader, writer and check uses these.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FORMULA_TRIGGERS",
    "ILLUSTRATIVE",
    "as_text",
    "cell_text",
    "factorize",
    "illustrative_entries",
    "is_missing",
    "listing",
    "ooxml_escape",
    "ooxml_unescape",
    "protect_series",
    "protect_text",
    "quote_series",
    "quote_text",
    "text_dtype",
    "unescape_series",
    "unquote_series",
    "unquote_text",
]

_PANDAS_2 = int(pd.__version__.split(".")[0]) < 3


def factorize(values: Any, use_na_sentinel: bool = True) -> tuple[np.ndarray, Any]:
    r""":func:`pandas.factorize`, with texts that hold a NUL character kept apart.

    pandas 2 hashes text as C strings, which end at the first NUL: ``"a\x00b"`` and ``"a"``,
    or ``"\x00"`` and ``""``, get one code, and one of the two texts would silently replace
    the other. On pandas 2, values holding such a text are factorised in Python instead
    (codes in order of first appearance, missing values ``-1``, as pandas gives them); pandas
    3 and every other input go to :func:`pandas.factorize` unchanged. Every factorisation of
    the library goes through here.

    >>> codes, uniques = factorize(np.array(["", "\x00", ""], dtype=object))
    >>> codes.tolist(), list(uniques)
    ([0, 1, 0], ['', '\x00'])
    """
    if _PANDAS_2:
        array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if array.dtype == object and any(isinstance(v, str) and "\x00" in v for v in array):
            seen: dict[Any, int] = {}
            codes = np.empty(len(array), dtype=np.intp)
            for k, v in enumerate(array):
                if use_na_sentinel and is_missing(v):
                    codes[k] = -1
                else:
                    codes[k] = seen.setdefault(v, len(seen))
            return codes, pd.Index(list(seen), dtype=object)
    return pd.factorize(values, use_na_sentinel=use_na_sentinel)


def text_dtype() -> pd.StringDtype[Any]:
    """The dtype of text columns: pandas' string dtype with ``NaN`` as the missing value.

    On pandas 2 (the newest pandas for Python 3.10) the Python storage is used: its Arrow
    storage cannot add an empty text column to an object column.
    """
    if _PANDAS_2:
        return pd.StringDtype("python", na_value=np.nan)
    return pd.StringDtype(na_value=np.nan)


# ------------------------------------------------------------------------ illustrative data
#: Words by which a source or comment says that data are not real judgements: the one rule
#: by which plot captions, reports and the command line label such data.
ILLUSTRATIVE = re.compile(r"\b(?:illustrative|synthetic|fictional|fictitious)\b", re.IGNORECASE)


def illustrative_entries(
    entries: pd.DataFrame, columns: tuple[str, ...] = ("sources", "comment")
) -> dict[str, int]:
    """How many entries each column calls illustrative (:data:`ILLUSTRATIVE`); columns with
    none, or absent, are left out.

    >>> import pandas as pd
    >>> illustrative_entries(pd.DataFrame({"sources": ["Illustrative ratings", "SG report"]}))
    {'sources': 1}
    """
    counts = {
        column: int(entries[column].astype(str).str.contains(ILLUSTRATIVE).sum())
        for column in columns
        if column in entries.columns
    }
    return {column: n for column, n in counts.items() if n}


# ---------------------------------------------------------------------------- text escaping
#: Leading characters that spreadsheet programs may run as a formula (OWASP, "CSV Injection"),
#: plus the apostrophe itself so that the escape can be undone.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "'")


def quote_text(text: str) -> str:
    """Protect one text cell for CSV or XLSX (see the module documentation).

    >>> quote_text("=1+2"), quote_text("'hi"), quote_text(""), quote_text("plain")
    ("'=1+2", "''hi", "'", 'plain')
    """
    if text == "":
        return "'"
    if text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


#: Leading characters that a spreadsheet may run as a formula (OWASP, "CSV Injection"):
#: :data:`FORMULA_TRIGGERS` without the apostrophe, which only the lossless escape needs.
FORMULA_STARTS: tuple[str, ...] = tuple(c for c in FORMULA_TRIGGERS if c != "'")


def protect_text(text: str) -> str:
    """Protect one text cell of a table written for reading, not to be read back.

    Scores, summaries, uncertainty tables and profile workbooks are opened by people: a cell
    that a spreadsheet could run as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return first; OWASP, "CSV Injection") gets a leading apostrophe, and nothing else changes:
    an empty text stays an empty cell and a text that starts with an apostrophe is left as it
    is. The assessment formats, which must read back exactly what was written, use the
    lossless :func:`quote_text` instead.

    >>> protect_text("=1+2"), protect_text("'hi"), protect_text(""), protect_text("-3 points")
    ("'=1+2", "'hi", '', "'-3 points")
    """
    if text and text[0] in FORMULA_STARTS:
        return "'" + text
    return text


def protect_series(values: pd.Series) -> pd.Series:
    """:func:`protect_text` over a text column; missing values stay missing."""
    text = values.astype(text_dtype())
    needs = text.str.slice(0, 1).isin(FORMULA_STARTS)
    return text.where(~needs.fillna(False), "'" + text)


def unquote_text(text: str) -> str:
    """Undo :func:`quote_text`: remove one leading apostrophe.

    >>> unquote_text("'=1+2"), unquote_text("''hi"), unquote_text("'"), unquote_text("plain")
    ('=1+2', "'hi", '', 'plain')
    """
    return text[1:] if text.startswith("'") else text


def quote_series(values: pd.Series) -> pd.Series:
    """:func:`quote_text` over a text column; missing values stay missing."""
    text = values.astype(text_dtype())
    first = text.str.slice(0, 1)
    needs = (text == "") | first.isin(FORMULA_TRIGGERS)
    out = text.where(~needs.fillna(False), "'" + text)
    return out


def _text_cells(values: pd.Series) -> pd.Series | None:
    """Mask of the cells of a column that hold text, or ``None`` if none can."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
        return None
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind not in ("string", "mixed", "mixed-integer"):
        return None
    if kind == "string":
        return values.notna()
    return values.map(lambda v: isinstance(v, str)).astype(bool)


def unquote_series(values: pd.Series) -> pd.Series:
    """:func:`unquote_text` over a column; cells that are not text pass through unchanged."""
    is_text = _text_cells(values)
    if is_text is None:
        return values
    starts = values.where(is_text).astype(object).str.startswith("'").eq(True)
    if not bool(starts.any()):
        return values
    out = values.astype(object).copy()
    out[starts] = values[starts].astype(object).str.slice(1)
    return out


def unescape_series(values: pd.Series) -> pd.Series:
    """:func:`ooxml_unescape` over a column of spreadsheet cells (only cells holding ``_x``)."""
    is_text = _text_cells(values)
    if is_text is None:
        return values
    tokens = values.where(is_text).astype(object).str.contains("_x", regex=False).eq(True)
    if not bool(tokens.any()):
        return values
    out = values.astype(object).copy()
    out[tokens] = values[tokens].map(ooxml_unescape)
    return out


_OOXML_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4})")
_OOXML_CHARS = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_OOXML_TOKEN = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    """Escape text for an XLSX cell with the ``_xHHHH_`` convention of ECMA-376 (ST_Xstring).

    Characters XML cannot hold (and the carriage return, which XML would turn into a line feed)
    become ``_x000D_`` and the like; an underscore that would otherwise start such a token is
    written ``_x005F_``, so that :func:`ooxml_unescape` restores the text exactly.
    """
    text = _OOXML_LITERAL.sub("_x005F_", text)
    return _OOXML_CHARS.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def ooxml_unescape(text: str) -> str:
    """Decode ``_xHHHH_`` tokens of an XLSX cell (as Excel writes them) into characters."""
    if "_x" not in text:
        return text
    return _OOXML_TOKEN.sub(lambda m: chr(int(m.group(1), 16)), text)


def cell_text(value: object) -> object:
    """A spreadsheet cell read as data: text decoded, numbers and dates kept, empty as ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        return ooxml_unescape(value)
    return value


def as_text(value: object) -> str | None:
    """A cell or table value shown as text (numbers without a needless ``.0``, dates in ISO)."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number) and number == int(number) and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(value, dt.datetime | pd.Timestamp):
        stamp = pd.Timestamp(value)
        if stamp == stamp.normalize() and stamp.tzinfo is None:
            return stamp.strftime("%Y-%m-%d")
        return stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def is_missing(value: object) -> bool:
    """Whether a single value is missing (None, NA, NaT or NaN)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def listing(items: object, *, quote: bool = True, limit: int = 12) -> str:
    """Items for a message, in plain words: ``'a', 'b', 'c'`` (never a Python list's repr).

    Numbers are shown without a needless ``.0``; past ``limit`` items, ``and N more``.
    """
    values = list(items) if not isinstance(items, str) else [items]  # type: ignore[call-overload]
    shown = []
    for value in values[:limit]:
        text = as_text(value) if not isinstance(value, str) else value
        text = "" if text is None else text
        shown.append(f"'{text}'" if quote and isinstance(value, str) else text)
    more = len(values) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
