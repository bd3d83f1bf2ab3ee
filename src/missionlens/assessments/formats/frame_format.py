"""DataFrames of assessments: the ``dataframe`` reader.

A DataFrame whose columns are record columns (matched ignoring case and surrounding spaces) is
read as it is; one whose columns are those of a KoboToolbox/ODK export goes to the export reader
of :mod:`missionlens.assessments.xlsform` instead (it sniffs the columns first).
"""

from __future__ import annotations

from missionlens.assessments.formats import DATAFRAME, Source, register_reader
from missionlens.assessments.formats.tabular import table_batch
from missionlens.assessments.record import Batch

__all__ = ["read_frame"]


def read_frame(source: Source) -> list[Batch]:
    """Read a DataFrame of an assessment table (the ``dataframe`` reader)."""
    if source.frame is None:
        raise TypeError("read_frame reads DataFrames, not files")
    return [table_batch(source.frame, source.name, first_row=1)]


register_reader("dataframe", suffixes=(DATAFRAME,), read=read_frame)
