"""JSON assessment tables: the ``json`` reader and writer.

A JSON file is a list of records (objects), one per entry, ``null`` for a missing value, text as
it is (JSON, IETF RFC 8259, holds every character), dates as ISO 8601 text. A file holding an
object with a ``records`` list is read too. Read as UTF-8 (or UTF-16/UTF-32 after their
byte-order mark).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from missionlens.assessments.formats import Source, register_reader, register_writer
from missionlens.assessments.formats.tabular import decode_text, iso_dates, iso_times, table_batch
from missionlens.assessments.record import Batch
from missionlens.text import as_text, is_missing

__all__ = ["read_json", "write_json"]


def read_json(source: Source) -> list[Batch]:
    """Read a JSON file of an assessment table (the ``json`` reader).

    Raises
    ------
    ValueError
        If the file does not hold a list of records (reported as ``unreadable``).
    """
    if source.path is None:
        raise TypeError("read_json reads files, not DataFrames")
    data = json.loads(decode_text(source.path.read_bytes(), source.path.name, kind="JSON"))
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
    return [table_batch(frame, source.name, first_row=1)]


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
