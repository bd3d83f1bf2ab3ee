"""JSON assessment tables: the ``json`` reader and writer.

A JSON file is a list of records (objects), one per entry, ``null`` for a missing value, text as
it is (JSON, IETF RFC 8259, holds every character), dates as ISO 8601 text. A file holding an
object with a ``records`` list is read too. Read as UTF-8 (or UTF-16/UTF-32 after their
byte-order mark).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from missionlens.assessments.formats import Source, register_reader, register_writer
from missionlens.assessments.formats.tabular import (
    decode_text,
    escape_surrogates,
    has_surrogate,
    iso_dates,
    iso_times,
    table_batch,
)
from missionlens.assessments.record import Batch, file_failure
from missionlens.errors import UnreadableFileError
from missionlens.text import as_text, is_missing

__all__ = ["MAX_INT_DIGITS", "MAX_JSON_DEPTH", "read_json", "write_json"]


#: Deepest nesting of lists and objects a JSON assessment file may have. A record is an object of
#: plain values (depth 2 in the list of records); anything deeper is refused rather than parsed
#: (deep nesting is a mistake, or an attack exhausting Python's recursion limit).
MAX_JSON_DEPTH = 64

#: Most digits of an integer in a JSON file read as a number: a longer one does not fit a
#: float (the largest is about 1.8e308; Python also refuses to convert integers of more than
#: 4,300 digits, see :func:`sys.set_int_max_str_digits`), so it is kept as its text, like
#: ``1e400``, and the checks report it at its row and column.
MAX_INT_DIGITS = 308


class _Record(dict[str, object]):
    """A JSON object as parsed, remembering the keys it held more than once."""

    repeated: list[str]


#: Numbers whose text must be kept: exponents of three digits or more (``1e400``; ``1e100``
#: is caught too and read alike), integers of more than :data:`MAX_INT_DIGITS` digits, and
#: ``NaN``/``Infinity`` (the text of a string may match: the file is then only read slower).
_ODD_NUMBERS = re.compile(r"[eE][+-]?\d{3}|NaN|Infinity|\d{" + str(MAX_INT_DIGITS + 1) + "}")


class _Seen:
    """What the objects of one file held: keys given twice, objects or lists in objects."""

    def __init__(self) -> None:
        self.repeated = False
        self.nested = False

    def pairs(self, pairs: list[tuple[str, object]]) -> _Record:
        """The ``object_pairs_hook`` of :func:`json.loads`."""
        record = _Record(pairs)
        if len(record) == len(pairs):
            record.repeated = []
        else:
            record.repeated = _repeated(pairs)
            self.repeated = True
        if not self.nested and any(isinstance(v, dict | list) for _, v in pairs):
            self.nested = True
        return record


def _holds_lists(data: list[object] | dict[str, object]) -> bool:
    """Whether a list of records (or an object) holds a list below its top level."""
    items = data.values() if isinstance(data, dict) else data
    return any(isinstance(item, list) for item in items)


def _repeated(pairs: list[tuple[str, object]]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for key, _ in pairs:
        if key in seen and key not in out:
            out.append(key)
        seen.add(key)
    return out


def _number(text: str) -> object:
    """An integer of the file, or its text if it has too many digits for a float."""
    digits = len(text) - (text[:1] == "-")
    return int(text) if digits <= MAX_INT_DIGITS else text


def _float(text: str) -> object:
    """A decimal number of the file, or its text if it is too large for a float (``1e400``)."""
    value = float(text)
    return value if math.isfinite(value) else text


def _constant(text: str) -> object:
    """``NaN``, ``Infinity`` and ``-Infinity`` (not JSON, RFC 8259 section 6) stay text."""
    return text


def _depth_over(value: object, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` deep in ``value`` (no recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return False


def read_json(source: Source) -> list[Batch]:
    """Read a JSON file of an assessment table (the ``json`` reader).

    The file is read strictly: an object repeating a key (JSON parsers keep the last value
    silently) is reported at its record (``unreadable``, naming the key); lists and objects
    nested more than :data:`MAX_JSON_DEPTH` deep make the file ``unreadable``; a number too
    large for a float (``1e400``), an integer of more than :data:`MAX_INT_DIGITS` digits and
    ``NaN``/``Infinity`` are kept as text, so that the checks report them at their row and
    column instead of reading ``inf``.

    Raises
    ------
    UnreadableFileError
        If the file is not JSON, nests too deep, or does not hold a list of records (reported
        as ``unreadable``).
    """
    if source.path is None:
        raise TypeError("read_json reads files, not DataFrames")
    name = source.path.name
    text = decode_text(source.path.read_bytes(), name, kind="JSON")
    seen = _Seen()
    try:
        if _ODD_NUMBERS.search(text):  # numbers too large, NaN or Infinity: keep their text
            data = json.loads(
                text,
                object_pairs_hook=seen.pairs,
                parse_int=_number,
                parse_float=_float,
                parse_constant=_constant,
            )
        else:  # Python's own number parsers (in C) take every number of such a file
            data = json.loads(text, object_pairs_hook=seen.pairs)
    except RecursionError:
        raise UnreadableFileError(
            f"{name}: lists and objects are nested too deep to read (more than "
            f"{MAX_JSON_DEPTH} levels)"
        ) from None
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    deep = seen.nested or (isinstance(data, list | dict) and _holds_lists(data))
    if deep and _depth_over(data, MAX_JSON_DEPTH):
        raise UnreadableFileError(
            f"{name}: lists and objects are nested more than {MAX_JSON_DEPTH} deep; a JSON "
            "assessment file is a list of records whose values are numbers, text or null"
        )
    failures: list[dict[str, object]] = []
    if isinstance(data, dict):
        if seen.repeated:
            failures += _repeats(source.name, data, None)
        if isinstance(data.get("records"), list):
            data = data["records"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UnreadableFileError(
            f"{name}: a JSON assessment file holds a list of records (objects), or an object "
            "whose 'records' is such a list"
        )
    if re.search(r"\\u[dD][89a-fA-F]", text):  # an escape that may be half a character
        failures += _halves(source.name, data)
    columns: list[str] = []
    for i, record in enumerate(data):
        if seen.repeated:
            failures += _repeats(source.name, record, i + 1)
        for key in record:
            if key not in columns:
                columns.append(key)
    frame = pd.DataFrame.from_records(data, columns=columns) if data else pd.DataFrame()
    frame = frame.astype(object).where(frame.notna(), None) if not frame.empty else frame
    batch = table_batch(frame, source.name, first_row=1)
    batch.failures[:0] = failures
    return [batch]


def _halves(file: str, records: list[dict[str, object]]) -> list[dict[str, object]]:
    """Report (and escape) text holding a lone surrogate, as ``"\\ud800"`` spells one.

    See :func:`~missionlens.assessments.formats.tabular.surrogate_failures`; keys are checked
    too (a key holding one is renamed to its escaped form).
    """
    out: list[dict[str, object]] = []
    for i, record in enumerate(records):
        for key in list(record):
            value = record[key]
            bad_key = has_surrogate(key)
            if bad_key or (isinstance(value, str) and has_surrogate(value)):
                name = escape_surrogates(key)
                shown = escape_surrogates(value) if isinstance(value, str) else value
                out.append(
                    {
                        **file_failure(
                            file,
                            "unreadable",
                            f"the {'key' if bad_key else 'text'} holds a lone surrogate, half "
                            "of a character (an escape such as \\ud800 in the file): it "
                            "cannot be compared, written or shown. Fix it in the program that "
                            "made the file",
                        ),
                        "row": i + 1,
                        "column": name,
                        "value": str(shown)[:80],
                    }
                )
                if bad_key:
                    del record[key]
                record[name] = shown
    return out


def _repeats(file: str, value: object, row: int | None) -> list[dict[str, object]]:
    """One ``unreadable`` failure per key repeated in an object of a record (nested ones too)."""
    out: list[dict[str, object]] = []
    stack = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key in getattr(item, "repeated", ()):
                top = where == ""
                out.append(
                    {
                        **file_failure(
                            file,
                            "unreadable",
                            (f"record {row}" if row is not None else "the top-level object")
                            + f" holds the key {where + key!r} more than once; a JSON reader "
                            "would keep the last value silently. Keep one",
                        ),
                        "row": row if row is not None else pd.NA,
                        "column": key if top else "",
                        "value": key if top else where + key,
                    }
                )
            stack.extend((v, f"{where}{k}.") for k, v in item.items() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{j}].") for j, v in enumerate(item) if isinstance(v, dict))
    return out


def _json_value(value: object) -> object:
    """A JSON-ready value: numbers, text and booleans as they are, anything else as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str | bool | int | float):
        return value
    return as_text(value)


def write_json(table: pd.DataFrame, target: Path) -> None:
    """Write an assessment table (columns in order) to JSON (the ``json`` writer)."""
    records = []
    columns = [str(c) for c in table.columns]
    plain = pd.DataFrame(index=table.index)
    for col in table.columns:
        values = table[col]
        if col in ("period_start", "period_end"):
            plain[col] = iso_dates(values)
        elif col == "entered_at":
            plain[col] = iso_times(values)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            plain[col] = values.astype(object)
        else:
            plain[col] = values
    for row in plain.itertuples(index=False, name=None):
        pairs = zip(columns, row, strict=True)
        records.append({c: (None if is_missing(v) else _json_value(v)) for c, v in pairs})
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")


register_reader("json", suffixes=(".json",), read=read_json)
register_writer("json", suffixes=(".json",), write=write_json)
