"""Assessments: the record, its file formats, templates, exports, validation, consolidation.

Importing this package registers every built-in format with the registry
:mod:`missionlens.assessments.formats` (each format module registers itself on import; the
registry imports none of them).
"""

from missionlens.assessments import excel_template, xlsform
from missionlens.assessments.formats import (
    csv_format,
    frame_format,
    json_format,
    parquet_format,
    xlsx_format,
)

__all__ = [
    "csv_format",
    "excel_template",
    "frame_format",
    "json_format",
    "parquet_format",
    "xlsform",
    "xlsx_format",
]
