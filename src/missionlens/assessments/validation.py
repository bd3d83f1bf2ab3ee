"""Lazy validation of assessments: every problem of every entry, as one table.

:func:`validate` reads assessments from any source :func:`~missionlens.read_assessments` takes and
runs every check over the whole table at once (vectorised pandas operations, one pass per check),
collecting the problems instead of stopping at the first, in the style of pandera's lazy
validation. The result is a :class:`ValidationReport` whose ``failures`` table has one row per
problem, with the columns of :data:`FAILURE_COLUMNS`:

``file``
    The file (or ``<DataFrame n>`` for the n-th DataFrame given).
``sheet``
    The worksheet, for Excel files; empty otherwise.
``row``
    Where the entry is, numbered as the analyst sees it (missing for a problem about a whole file):
    the spreadsheet row number in Excel (templates and tables alike); for CSV, the row number a
    spreadsheet program shows, the header being row 1 and the first entry row 2 (a line break
    inside a quoted cell does not start a new row); for a DataFrame, a Parquet file or a JSON
    file, the position of the entry counted from 1 (``df.iloc[row - 1]``); for a KoboToolbox or
    ODK export, the row of the submission (header = 1). A field shared by many entries (the
    rater or period cell at the top of a template sheet, the mission of a submission) is reported
    once, at its own row, with an empty ``indicator``.
``column``
    The record column at fault (``value``, ``period``, ``rater``...; see
    :data:`~missionlens.ASSESSMENT_COLUMNS`), whatever the header of the source.
``mission``, ``period``, ``indicator``, ``rater``
    The entry's identifiers as entered, to find it by content.
``check``
    A short, stable name of the check that failed (see :data:`CHECKS`).
``value``
    The offending value as text (empty when the problem is that a value is missing).
``message``
    What is wrong and what is expected, in plain words.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from missionlens.assessments.checks import (
    CHECKS,
    FAILURE_COLUMNS,
    CheckedEntries,
    check_entries,
)
from missionlens.assessments.formats import load_sources
from missionlens.assessments.record import AssessmentSource, Batch
from missionlens.errors import ArgumentError, ValidationError, format_table
from missionlens.framework.model import Framework
from missionlens.framework.registry import load_framework


class ReadsColumns(Protocol):
    """Anything that says which data columns it reads (a :class:`~missionlens.Recipe` does)."""

    def data_columns(self) -> set[str]:
        """Columns of a wide table read besides the indicators."""
        ...


__all__ = ["CHECKS", "FAILURE_COLUMNS", "ValidationReport", "validate"]


class ValidationReport:
    """The result of :func:`validate`: every problem found, as a table.

    Attributes
    ----------
    failures : pandas.DataFrame
        One row per problem, columns :data:`FAILURE_COLUMNS` (see the module documentation).
    table : pandas.DataFrame or None
        The assessment table as read, with the values that failed a check left missing
        (``value`` that is not a number, ``period_start`` of a bad period, ...).
    n_entries : int
        How many entries were read.
    n_not_applicable : int
        How many of them are the answer *not applicable* (``not_applicable`` true).
    entries_per_source : dict of str to int
        How many entries each source (file, or ``<DataFrame n>``) gave, in the order the sources
        were given; empty when not known.

    Notes
    -----
    :attr:`ok` means that nothing failed, not that anything was read: an empty file or an
    unfilled template gives no entries and no problems. :meth:`headline` (and so ``str()``)
    says so plainly, naming the sources (:attr:`empty_sources`) in which no entries were found.
    """

    def __init__(
        self,
        failures: pd.DataFrame,
        table: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
        *,
        n_entries: int | None = None,
        entries_per_source: Mapping[str, int] | None = None,
        n_not_applicable: int = 0,
    ) -> None:
        missing = [c for c in FAILURE_COLUMNS if c not in failures.columns]
        if missing:
            raise ValueError(f"failures lack the columns {', '.join(missing)}")
        self.failures = failures[list(FAILURE_COLUMNS)].reset_index(drop=True)
        self._table = table
        if n_entries is None and callable(table):
            raise ValueError("n_entries is required when the table is built on demand")
        self.n_entries = (
            int(n_entries) if n_entries is not None else (0 if table is None else len(table))  # type: ignore[arg-type]
        )
        self.n_not_applicable = int(n_not_applicable)
        self.entries_per_source: dict[str, int] = (
            {str(k): int(v) for k, v in entries_per_source.items()}
            if entries_per_source is not None
            else {}
        )

    @property
    def table(self) -> pd.DataFrame | None:
        """The assessment table as read (built on first use), or ``None``."""
        if callable(self._table):
            self._table = self._table()
        return self._table

    @property
    def ok(self) -> bool:
        """Whether nothing failed (also true when no entries were found: see :attr:`n_entries`)."""
        return self.failures.empty

    @property
    def empty_sources(self) -> list[str]:
        """The sources in which no entries were found, in the order they were given."""
        return [name for name, n in self.entries_per_source.items() if n == 0]

    def _no_entries(self) -> str:
        """'no entries found in a.csv, b.xlsx' for empty sources without problems of their own."""
        named = set(self.failures["file"].astype(str))
        quiet = [name for name in self.empty_sources if name not in named]
        if not quiet:
            return ""
        shown = ", ".join(quiet[:5]) + (f" and {len(quiet) - 5} more" if len(quiet) > 5 else "")
        return f"no entries found in {shown}"

    def summary(self) -> pd.DataFrame:
        """How many problems of each check, most frequent first.

        Returns
        -------
        pandas.DataFrame
            Columns ``check``, ``failures`` (the count) and ``meaning`` (a plain description).
        """
        counts = self.failures["check"].value_counts(sort=False)
        frame = pd.DataFrame(
            {
                "check": counts.index.astype(str),
                "failures": counts.to_numpy(dtype="int64"),
            }
        )
        frame["meaning"] = frame["check"].map(CHECKS).fillna("")
        order = {c: i for i, c in enumerate(CHECKS)}
        frame["_order"] = frame["check"].map(order).fillna(len(order))
        frame = frame.sort_values(["failures", "_order"], ascending=[False, True], kind="stable")
        return frame.drop(columns="_order").reset_index(drop=True)

    def headline(self) -> str:
        """One line: how many problems of which kinds, or that all is well.

        Sources in which no entries were found are named: ``"No entries found in a.csv:
        nothing was checked"`` when nothing was read at all, else ``"; no entries found in
        a.csv"`` after the count.
        """
        empty = self._no_entries()
        if self.ok and self.n_entries == 0:
            return (empty[:1].upper() + empty[1:] if empty else "No entries found") + (
                ": nothing was checked"
            )
        tail = f"; {empty}" if empty else ""
        if self.ok:
            plural = "y" if self.n_entries == 1 else "ies"
            na = f" ({self.n_not_applicable} not applicable)" if self.n_not_applicable else ""
            return f"OK: {self.n_entries} entr{plural}{na}, no problems{tail}"
        n = len(self.failures)
        files = self.failures["file"].nunique()
        counts = ", ".join(f"{r.check}: {r.failures}" for r in self.summary().itertuples())
        return (
            f"{n} problem{'s' if n != 1 else ''} in {files} source{'s' if files != 1 else ''} "
            f"({counts}){tail}"
        )

    def to_text(self, max_rows: int = 20, max_width: int = 60) -> str:
        """The headline, the counts per check and the first problems, as plain text."""
        if self.ok:
            return self.headline()
        lines = [self.headline(), ""]
        for r in self.summary().itertuples():
            lines.append(f"  {r.check:<24} {r.failures:>6}  {r.meaning}")
        shown_n = min(max_rows, len(self.failures))
        lines += ["", "The problem:" if shown_n == 1 else f"First {shown_n} problems:"]
        shown = self.failures.copy()
        shown["row"] = shown["row"].astype(object).where(shown["row"].notna(), "")
        lines.append(format_table(shown, max_rows=max_rows, max_width=max_width))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<ValidationReport {self.headline()}>"

    def _repr_html_(self, max_rows: int = 50) -> str:
        """Notebook display: headline, counts per check and the first problems."""
        esc = html.escape
        if self.ok:
            return f"<div><strong>{esc(self.headline())}</strong></div>"
        parts = [f"<div><strong>{esc(self.headline())}</strong></div>", "<table><thead><tr>"]
        parts.append("<th>check</th><th>failures</th><th>meaning</th></tr></thead><tbody>")
        for r in self.summary().itertuples():
            parts.append(
                f"<tr><td><code>{esc(str(r.check))}</code></td><td>{r.failures}</td>"
                f"<td>{esc(str(r.meaning))}</td></tr>"
            )
        parts.append("</tbody></table><table><thead><tr>")
        parts += [f"<th>{esc(c)}</th>" for c in FAILURE_COLUMNS]
        parts.append("</tr></thead><tbody>")
        for row in self.failures.head(max_rows).itertuples(index=False):
            cells = ["" if _is_na(v) else str(v) for v in row]
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
        if len(self.failures) > max_rows:
            parts.append(f"<div>... and {len(self.failures) - max_rows} more</div>")
        return "".join(parts)

    def raise_if_failed(self) -> None:
        """Raise :class:`~missionlens.ValidationError` carrying this report if anything failed."""
        if not self.ok:
            raise ValidationError(self)


def _is_na(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def validate(
    source: AssessmentSource | Sequence[AssessmentSource],
    *,
    framework: Framework | str | None = None,
    recipe: ReadsColumns | None = None,
    unknown_columns: str = "error",
    timelines: Any = None,
) -> ValidationReport:
    """Check assessments and report every problem at once.

    Parameters
    ----------
    source : DataFrame, path, or a list of them
        Anything :func:`~missionlens.read_assessments` reads.
    framework : Framework or str, optional
        The framework to check against (an object, or the name or path of one, as
        :func:`~missionlens.load_framework` takes it). Without it, indicators, scales,
        applicability and the framework version are not checked, phases are checked against
        the default phases, and a wide table (one column per indicator) cannot be recognised.
    recipe : Recipe, optional
        For a wide table: the recipe it will be scored with, whose steps may read extra columns
        (a denominator, a grouping column). By default the default recipe.
    unknown_columns : {"error", "ignore"}
        For a wide table: refuse (default) or keep unused the columns that are neither indicator
        ids, unit columns nor columns the recipe reads, exactly as :func:`~missionlens.score`.
    timelines : optional
        Phase timelines of the missions (anything :func:`~missionlens.read_timelines` reads:
        a YAML or CSV path, a DataFrame, :class:`~missionlens.PhaseTimeline` objects): an
        entry whose phase contradicts its mission's timeline fails
        ``phase_contradicts_timeline``, and a row of a wide table without a phase takes the
        timeline's phase.

    Returns
    -------
    ValidationReport
        ``report.ok`` is true when nothing failed; ``report.failures`` has one row per problem;
        ``report.table`` is the table as read. An empty file or an unfilled template is not a
        failure, but ``report.n_entries`` is 0 and ``report.headline()`` says "no entries found
        in" and names it.

    Notes
    -----
    The checks (:data:`CHECKS`): ``unreadable`` (also a CSV or JSON file that is not UTF-8, with how
    to save it as UTF-8), ``missing_column``, ``duplicate_column``, ``unknown_column`` (a column of
    a KoboToolbox or ODK export that is neither a question of the form nor a known metadata column;
    see :mod:`~missionlens.assessments.xlsform`), ``missing_required`` (mission, period, phase,
    indicator, value
    and rater must be filled), ``unknown_indicator``, ``unknown_phase``,
    ``not_applicable_in_phase``, ``not_numeric``, ``out_of_scale`` (a rubric value that is not a
    level, a binary value other than 0 and 1, a number outside a numeric scale's bounds, or a value
    that is not finite), ``bad_period`` (see :func:`~missionlens.parse_period`; also
    ``period_start``/``period_end`` values that disagree with the period), ``bad_date``
    (``entered_at`` is not an ISO 8601 date and time), ``bad_confidence``, ``duplicate_entry`` (the
    same rater, mission, period and indicator more than once: every repetition after the first is
    reported, naming the first), ``framework_mismatch`` (reported once per file and sheet), and
    the checks of the answer *not applicable* (see :mod:`~missionlens.assessments.record`):
    ``bad_not_applicable`` (the mark is neither yes nor no), ``value_with_not_applicable``,
    ``missing_reason`` (also every ``N/A`` cell of a wide table, which has no place for a reason)
    and ``reason_without_not_applicable``. A not-applicable entry is not missing: its empty value
    is no ``missing_required``. ``outside_mission_life``: the mission is an acronym of
    :func:`~missionlens.missions` (case ignored) and the period has no day in its life (a 1990
    period for MINUSMA, which ran from 2013-04-25 to 2023-12-31); missions that are not in the
    registry are not checked. ``phase_contradicts_timeline``: see ``timelines``.

    Examples
    --------
    >>> import pandas as pd, missionlens as ml
    >>> report = ml.validate(pd.DataFrame({
    ...     "mission": ["M"], "period": ["2024-H3"], "phase": ["implementation"],
    ...     "indicator": ["x"], "value": [1], "rater": ["r"]}))
    >>> report.failures[["row", "column", "check"]].to_dict("records")
    [{'row': 1, 'column': 'period', 'check': 'bad_period'}]
    """
    fw = resolve_framework(framework, "validate")
    if unknown_columns not in ("error", "ignore"):
        raise ArgumentError(
            f"validate: unknown_columns must be 'error' or 'ignore', not {unknown_columns!r}"
        )
    if recipe is not None and not callable(getattr(recipe, "data_columns", None)):
        raise ArgumentError(
            "validate: recipe must be a Recipe (for a dict or YAML, pass "
            f"ml.Recipe.from_dict(...) or ml.Recipe.from_yaml(...)), not {type(recipe).__name__}"
        )
    batches = load_sources(source, fw)
    return check_batches(
        batches, fw, recipe=recipe, unknown_columns=unknown_columns, timelines=timelines
    )


def resolve_framework(framework: Framework | str | None, where: str) -> Framework | None:
    """The framework object for a ``framework=`` argument: an object, a name or a path."""
    if framework is None or isinstance(framework, Framework):
        return framework
    if isinstance(framework, str | os.PathLike):
        if isinstance(framework, str) and not framework.strip():
            raise ArgumentError(
                f"{where}: framework is an empty name; give a Framework, or the name or path "
                "of one (see ml.list_frameworks())"
            )
        return load_framework(framework)
    raise ArgumentError(
        f"{where}: framework must be a Framework, or the name or path of one (see "
        f"ml.list_frameworks()), not {type(framework).__name__}"
    )


def check_batches(
    batches: list[Batch],
    framework: Framework | None,
    *,
    recipe: ReadsColumns | None = None,
    unknown_columns: str = "error",
    timelines: Any = None,
) -> ValidationReport:
    """Run every entry check (:func:`~missionlens.assessments.checks.check_entries`) over the
    raw batches; return the report with the typed table (built on first use)."""
    checked = check_entries(
        batches,
        framework,
        wide_allowed=sorted(recipe_columns(recipe)),
        unknown_columns=unknown_columns,
        timelines=timelines,
    )
    return report_of(checked, batches)


def recipe_columns(recipe: ReadsColumns | None) -> set[str]:
    """The data columns a recipe reads (the default recipe's when ``None``)."""
    if recipe is None:
        return set()
    columns = getattr(recipe, "data_columns", None)
    if columns is None:
        raise ArgumentError(
            f"recipe must be a Recipe (or have data_columns()), not {type(recipe).__name__}"
        )
    return set(columns())


def report_of(checked: CheckedEntries, batches: list[Batch]) -> ValidationReport:
    """The :class:`ValidationReport` of checked entries."""
    per_source: dict[str, int] = {}
    counts = np.bincount(checked.batch, minlength=len(batches)) if batches else np.zeros(0)
    for bi, batch in enumerate(batches):
        per_source[batch.file] = per_source.get(batch.file, 0) + int(counts[bi])
    return ValidationReport(
        checked.problems,
        checked.table,
        n_entries=checked.n,
        entries_per_source=per_source,
        n_not_applicable=int(checked.not_applicable.sum()) if checked.ok else 0,
    )
