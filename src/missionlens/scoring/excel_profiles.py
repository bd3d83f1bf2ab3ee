"""Profiles as a formatted Excel workbook for a briefing: :func:`write_profiles_excel`.

One sheet per view of the score table (``tree``, ``context`` and each facet view), beside the
``summary``, the ``critical_flags``, the ``not_applicable`` answers, the ``unused`` values and
the ``method`` (framework, recipe, fingerprints). Every sheet has a frozen, bold header row and
an autofilter; scores are shown with one decimal (``0.0``), shares as percentages (``0%``),
while the cells keep every digit. Text cells are protected against formula injection: a
leading apostrophe where a spreadsheet could read a formula (OWASP, "CSV Injection"; see
:func:`missionlens.text.protect_text`; empty text stays an empty cell), and escaped for XML
with the ``_xHHHH_`` convention of ECMA-376 (:func:`missionlens.text.ooxml_escape`), so that
``=HYPERLINK(...)`` in an analyst's evidence stays text. :meth:`Profiles.save` is the lossless
format; this workbook is for reading.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionlens._version import __version__
from missionlens.assessments.formats.xlsx_format import xlsx_target
from missionlens.assessments.record import EXCEL_CELL_LIMIT, EXCEL_ROW_LIMIT
from missionlens.atomic import atomic_path
from missionlens.errors import ArgumentError
from missionlens.text import as_text, is_missing, ooxml_escape, protect_text

if TYPE_CHECKING:
    from missionlens.scoring.profiles import Profiles

__all__ = ["PERCENT_COLUMNS", "SCORE_COLUMNS", "profile_sheets", "write_profiles_excel"]

#: Columns shown with one decimal (``0.0``): scores on the 0-100 scale and their intervals.
SCORE_COLUMNS: frozenset[str] = frozenset(
    {"score", "lower", "upper", "performance", "context", "value", "difference"}
)

#: Columns shown as percentages (``0%``): shares between 0 and 1.
PERCENT_COLUMNS: frozenset[str] = frozenset(
    {
        "coverage",
        "imputed_share",
        "weight_share",
        "performance_coverage",
        "context_coverage",
    }
)

_SCORE_FORMAT = "0.0"
_PERCENT_FORMAT = "0%"
_MAX_WIDTH = 60


def profile_sheets(profiles: Profiles) -> dict[str, pd.DataFrame]:
    """The sheets of the workbook, in order: name to table.

    ``summary`` (:meth:`Profiles.summary`), one sheet per view of :meth:`Profiles.to_frame`
    (named after the view), ``critical_flags``, ``not_applicable``, ``unused`` and ``method``
    (two columns, ``field`` and ``value``: framework id, version and fingerprint, recipe name,
    fingerprint and steps, data fingerprint, the data's distinct ``sources``, missionlens
    version).
    """
    sheets: dict[str, pd.DataFrame] = {"summary": profiles.summary()}
    table = profiles.to_frame(None)
    for view in table["view"].cat.categories:
        rows = table[table["view"] == view]
        if len(rows):
            sheets[str(view)] = rows.reset_index(drop=True)
    sheets["critical_flags"] = profiles.critical_flags
    sheets["not_applicable"] = profiles.not_applicable
    sheets["unused"] = profiles.unused
    fw, recipe, prints = profiles.framework, profiles.recipe, profiles.fingerprints
    method = [
        ("framework", fw.id),
        ("framework_version", str(fw.version)),
        ("framework_fingerprint", prints["framework"]),
        ("recipe", recipe.name),
        ("recipe_fingerprint", prints["recipe"]),
        ("recipe_steps", " > ".join(step.step for step in recipe.steps)),
        ("data_fingerprint", prints["data"]),
        ("data_sources", _sources(profiles.data)),
        ("missionlens_version", __version__),
        (
            "text_encoding",
            "text starting with = + - @, a tab or a carriage return carries one leading "
            "apostrophe, so that it shows as text (missionlens.text.protect_text)",
        ),
    ]
    sheets["method"] = pd.DataFrame(method, columns=["field", "value"])
    return sheets


def _sources(data: pd.DataFrame) -> str:
    """The distinct ``sources`` of the scored entries, ``; ``-joined (what the data is, e.g.
    that ratings are illustrative), or ``not given``."""
    if "sources" not in data.columns:
        return "not given"
    found = [str(v) for v in dict.fromkeys(data["sources"].dropna()) if str(v).strip()]
    return "; ".join(found) if found else "not given"


def write_profiles_excel(profiles: Profiles, path: str | os.PathLike[str]) -> Path:
    """Write profiles to a formatted Excel workbook (see the module documentation).

    Parameters
    ----------
    profiles : Profiles
        What to write.
    path : str or path
        The workbook, ending in ``.xlsx``; replaced whole, written atomically
        (:func:`missionlens.atomic.atomic_path`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ArgumentError
        If ``path`` does not end in ``.xlsx``, if a sheet has more rows than Excel holds, or if
        text cells are longer than an Excel cell holds (every such cell is named, by sheet, row
        and column; text is never cut and nothing is written).
    WriteError
        If the file cannot be written; an existing file is then left as it was.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    target = xlsx_target(path, "Profiles.to_excel")
    sheets = profile_sheets(profiles)
    problems: list[str] = []
    prepared: dict[str, list[tuple[str, list[Any]]]] = {}
    for name, frame in sheets.items():
        if len(frame) + 1 > EXCEL_ROW_LIMIT:
            problems.append(
                f"sheet {name}: {len(frame)} rows, more than the {EXCEL_ROW_LIMIT - 1} of a sheet"
            )
            continue
        prepared[name] = [
            (str(column), _cells(frame[column], name, str(column), problems))
            for column in frame.columns
        ]
    if problems:
        raise ArgumentError(
            f"Profiles.to_excel: {len(problems)} problem(s), nothing was written (text is never "
            "cut; use Profiles.save or to_csv for text of any length): " + "; ".join(problems)
        )
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, columns in prepared.items():
        sheet = workbook.create_sheet(name)
        sheet.append([ooxml_escape(protect_text(column)) for column, _ in columns])
        n_rows = len(columns[0][1]) if columns else 0
        for i in range(n_rows):
            sheet.append([cells[i] for _, cells in columns])
        for pos, (column, cells) in enumerate(columns, start=1):
            letter = get_column_letter(pos)
            sheet.cell(row=1, column=pos).font = bold
            number_format = (
                _SCORE_FORMAT
                if column in SCORE_COLUMNS
                else _PERCENT_FORMAT
                if column in PERCENT_COLUMNS
                else None
            )
            if number_format is not None:
                for row in range(2, n_rows + 2):
                    sheet.cell(row=row, column=pos).number_format = number_format
            sheet.column_dimensions[letter].width = _width(column, cells)
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(n_rows + 1, 1)}"
    with atomic_path(target) as temporary:
        workbook.save(temporary)
    return target


def _cells(values: pd.Series, sheet: str, column: str, problems: list[str]) -> list[Any]:
    """The cells of one column: numbers as numbers, booleans as booleans, text protected."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return [None if is_missing(v) else bool(v) for v in values]
    if pd.api.types.is_numeric_dtype(values.dtype):
        return [None if is_missing(v) else _number(v) for v in values.to_numpy(dtype=object)]
    out: list[Any] = []
    for row, value in enumerate(values.astype(object).to_numpy(), start=2):
        if is_missing(value):
            out.append(None)
        elif isinstance(value, bool | np.bool_):
            out.append(bool(value))
        elif isinstance(value, int | float | np.integer | np.floating):
            out.append(_number(value))
        else:
            text = ooxml_escape(protect_text(as_text(value) or ""))
            if len(text) > EXCEL_CELL_LIMIT:
                problems.append(
                    f"sheet {sheet}, row {row}, column {column}: {len(text):,} characters (at "
                    f"most {EXCEL_CELL_LIMIT:,})"
                )
            out.append(text)
    return out


def _number(value: object) -> float | int:
    if isinstance(value, int | np.integer):
        return int(value)
    return float(value)  # type: ignore[arg-type]


def _width(header: str, cells: Sequence[Any]) -> float:
    """A column width that fits the header and the longest of the first cells (capped)."""
    longest = len(header)
    for cell in cells[:500]:
        if isinstance(cell, float):
            longest = max(longest, 6)
        elif cell is not None:
            longest = max(longest, max((len(p) for p in str(cell).split("\n")), default=0))
    return float(min(longest + 2, _MAX_WIDTH))
