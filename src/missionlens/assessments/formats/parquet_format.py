"""Parquet assessment tables: the ``parquet`` reader and writer (through pyarrow).

Parquet stores the table as it is: dtypes (of extra columns too), text and names unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow

from missionlens.assessments.formats import Source, register_reader, register_writer
from missionlens.assessments.formats.tabular import table_batch
from missionlens.assessments.record import Batch

__all__ = ["read_parquet", "write_parquet"]


def read_parquet(source: Source) -> list[Batch]:
    """Read a Parquet file of an assessment table (the ``parquet`` reader)."""
    if source.path is None:
        raise TypeError("read_parquet reads files, not DataFrames")
    return [table_batch(pd.read_parquet(source.path), source.name, first_row=1)]


def write_parquet(table: pd.DataFrame, target: Path) -> None:
    """Write an assessment table (columns in order) to Parquet (the ``parquet`` writer)."""
    table.to_parquet(target, index=False)


register_reader(
    "parquet",
    suffixes=(".parquet", ".pq"),
    read=read_parquet,
    errors=(pyarrow.ArrowException,),
)
register_writer("parquet", suffixes=(".parquet", ".pq"), write=write_parquet)
