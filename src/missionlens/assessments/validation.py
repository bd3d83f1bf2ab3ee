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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from missionlens.assessments.formats import load_sources
from missionlens.assessments.record import (
    ASSESSMENT_COLUMNS,
    CONFIDENCE_DTYPE,
    CONFIDENCE_LEVELS,
    FRAMEWORK_COLUMNS,
    FREE_TEXT_COLUMNS,
    IDENTIFIER_COLUMNS,
    INTERNAL,
    REQUIRED_COLUMNS,
    AssessmentSource,
    Batch,
    file_failure,
)
from missionlens.errors import ValidationError, format_table
from missionlens.framework.elements import PHASES, BinaryScale, NumericScale, RubricScale
from missionlens.periods import parse_periods
from missionlens.text import as_text, text_dtype

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = ["CHECKS", "FAILURE_COLUMNS", "ValidationReport", "validate"]

#: Columns of :attr:`ValidationReport.failures`, in order.
FAILURE_COLUMNS: tuple[str, ...] = (
    "file",
    "sheet",
    "row",
    "column",
    "mission",
    "period",
    "indicator",
    "rater",
    "check",
    "value",
    "message",
)

#: Every check, with what it means.
CHECKS: dict[str, str] = {
    "unreadable": "the file or a part of it cannot be read",
    "missing_column": "a required column is missing from the file",
    "duplicate_column": "two columns hold the same field",
    "unknown_column": "a column of a KoboToolbox or ODK export is not a question of the form",
    "missing_required": "a required field is empty",
    "unknown_indicator": "the indicator is not in the framework",
    "unknown_phase": "the phase is not a lifecycle phase of the framework",
    "not_applicable_in_phase": "the indicator does not apply in the entry's phase",
    "not_numeric": "the value is not a number",
    "out_of_scale": "the value is outside the indicator's scale",
    "bad_period": "the period is not a period missionlens understands",
    "bad_date": "the date and time of entry is not a date",
    "bad_confidence": "the confidence is not low, medium or high",
    "duplicate_entry": "the same rater entered the same indicator twice for a mission and period",
    "framework_mismatch": "the entries were made for another framework or version",
    "inconsistent_phase": "raters put the same mission and period in different phases",
}

_COLUMN_ORDER = {c: i for i, c in enumerate(ASSESSMENT_COLUMNS)}


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
        table: pd.DataFrame | None = None,
        *,
        n_entries: int | None = None,
        entries_per_source: Mapping[str, int] | None = None,
    ) -> None:
        missing = [c for c in FAILURE_COLUMNS if c not in failures.columns]
        if missing:
            raise ValueError(f"failures lack the columns {', '.join(missing)}")
        self.failures = failures[list(FAILURE_COLUMNS)].reset_index(drop=True)
        self.table = table
        self.n_entries = (
            int(n_entries) if n_entries is not None else (0 if table is None else len(table))
        )
        self.entries_per_source: dict[str, int] = (
            {str(k): int(v) for k, v in entries_per_source.items()}
            if entries_per_source is not None
            else {}
        )

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
            return f"OK: {self.n_entries} entr{plural}, no problems{tail}"
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
        lines += ["", f"First {min(max_rows, len(self.failures))} problems:"]
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
    framework: Framework | None = None,
) -> ValidationReport:
    """Check assessments and report every problem at once.

    Parameters
    ----------
    source : DataFrame, path, or a list of them
        Anything :func:`~missionlens.read_assessments` reads.
    framework : Framework, optional
        The framework to check against. Without it, indicators, scales, applicability and the
        framework version are not checked, and phases are checked against the default phases.

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
    reported, naming the first) and ``framework_mismatch`` (reported once per file and sheet).

    Examples
    --------
    >>> import pandas as pd, missionlens as ml
    >>> report = ml.validate(pd.DataFrame({
    ...     "mission": ["M"], "period": ["2024-H3"], "phase": ["implementation"],
    ...     "indicator": ["x"], "value": [1], "rater": ["r"]}))
    >>> report.failures[["row", "column", "check"]].to_dict("records")
    [{'row': 1, 'column': 'period', 'check': 'bad_period'}]
    """
    batches = load_sources(source, framework)
    return check_batches(batches, framework)


# ------------------------------------------------------------------------------------- engine
def _to_text(values: pd.Series) -> pd.Series:
    """A raw column as text (vectorised when it already holds text)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.astype(text_dtype())
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        return values.astype(object).where(values.notna(), None).astype(text_dtype())
    return values.map(as_text, na_action="ignore").astype(text_dtype())


def _parse_values(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from a raw value column: (float values, mask of present but non-numeric cells).

    Numbers are kept; text is stripped and parsed (``"3"``, ``" 2.5 "``, ``"1e3"``); anything
    else present (``"three"``, ``"nan"``, ``"3,5"``, a formula) is not numeric.
    """
    if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.astype("float64"), pd.Series(False, index=raw.index)
    present = raw.notna()
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    if kind in ("floating", "integer", "mixed-integer-float", "decimal", "empty"):
        numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    else:
        stripped = _to_text(raw).str.strip()
        numbers = pd.to_numeric(stripped.astype(object), errors="coerce").astype("float64")
    return numbers, present & numbers.isna()


def _framework_tables(
    fw: Framework,
) -> tuple[pd.DataFrame, set[tuple[str, float]], set[tuple[str, str]]]:
    """Per-indicator facts for vectorised checks."""
    rows = []
    levels: set[tuple[str, float]] = set()
    phases: set[tuple[str, str]] = set()
    for ind in fw.indicators:
        scale = fw.scale(ind.scale)
        lo, hi = -np.inf, np.inf
        if isinstance(scale, RubricScale):
            kind = "rubric"
            values = ", ".join(_num(v) for v in scale.values)
            expect = f"one of the levels {values} of rubric '{scale.id}'"
            levels.update((ind.id, float(v)) for v in scale.values)
        elif isinstance(scale, BinaryScale):
            kind = "binary"
            expect = f"1 ({scale.true_label}) or 0 ({scale.false_label})"
            levels.update(((ind.id, 0.0), (ind.id, 1.0)))
        else:
            if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
                raise TypeError(f"unknown scale kind {scale!r}")
            kind = "numeric"
            lo = -np.inf if scale.minimum is None else float(scale.minimum)
            hi = np.inf if scale.maximum is None else float(scale.maximum)
            unit = f" ({scale.unit})" if scale.unit else ""
            if scale.minimum is not None and scale.maximum is not None:
                expect = f"a number from {_num(lo)} to {_num(hi)}{unit}"
            elif scale.minimum is not None:
                expect = f"a number of at least {_num(lo)}{unit}"
            elif scale.maximum is not None:
                expect = f"a number of at most {_num(hi)}{unit}"
            else:
                expect = f"a finite number{unit}"
        applies = ", ".join(ind.phases) if ind.phases else ""
        phases.update((ind.id, p) for p in ind.phases)
        rows.append(
            {
                "indicator": ind.id,
                "kind": kind,
                "lo": lo,
                "hi": hi,
                "expect": expect,
                "applies": applies,
                "restricted": bool(ind.phases),
            }
        )
    info = pd.DataFrame(rows).set_index("indicator")
    return info, levels, phases


def _num(value: float) -> str:
    text = as_text(float(value))
    return text if text is not None else ""


def _pairs_in(
    a: pd.Series, b: pd.Series, allowed: set[tuple[str, float]] | set[tuple[str, str]]
) -> pd.Series:
    """Whether each (a, b) pair is in a set of allowed pairs (vectorised)."""
    if not allowed:
        return pd.Series(False, index=a.index)
    index = pd.MultiIndex.from_arrays([a.astype(object).to_numpy(), b.astype(object).to_numpy()])
    return pd.Series(index.isin(list(allowed)), index=a.index)


def check_batches(batches: list[Batch], framework: Framework | None) -> ValidationReport:
    """Run every check over the raw batches; return the report with the typed table."""
    file_failures: list[dict[str, object]] = []
    frames: list[pd.DataFrame] = []
    per_source: dict[str, int] = {}
    for bi, batch in enumerate(batches):
        for f in batch.failures:
            file_failures.append({**f, INTERNAL + "batch": bi})
        frame = batch.frame
        per_source[batch.file] = per_source.get(batch.file, 0) + len(frame)
        if frame.empty:
            continue
        frame = frame.copy()
        frame[INTERNAL + "batch"] = bi
        frame[INTERNAL + "file"] = batch.file
        for col in REQUIRED_COLUMNS:
            if col not in frame.columns and col not in batch.fixed:
                sheets = sorted({str(s) for s in frame[INTERNAL + "sheet"].dropna()})
                file_failures.append(
                    {
                        **file_failure(
                            batch.file,
                            "missing_column",
                            f"there is no '{col}' column; every entry needs a {col} (columns "
                            "are matched by name, ignoring case)",
                            sheet=sheets[0] if len(sheets) == 1 else "",
                        ),
                        "column": col,
                        INTERNAL + "batch": bi,
                    }
                )
                frame[INTERNAL + "absent__" + col] = True
        if framework is not None:
            for col, value in zip(
                FRAMEWORK_COLUMNS,
                (framework.id, framework.version, framework.fingerprint),
                strict=True,
            ):
                if col not in frame.columns:
                    frame[col] = value
        frames.append(frame)

    raw = pd.concat(frames, ignore_index=True, sort=False) if frames else pd.DataFrame()
    for col in (*ASSESSMENT_COLUMNS, INTERNAL + "sheet", INTERNAL + "row", INTERNAL + "file"):
        if col not in raw.columns:
            raw[col] = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    if INTERNAL + "batch" not in raw.columns:
        raw[INTERNAL + "batch"] = pd.Series(0, index=raw.index, dtype="int64")

    checker = _Checker(raw, framework)
    table = checker.run()
    failures = checker.failures(file_failures)
    return ValidationReport(failures, table, n_entries=len(table), entries_per_source=per_source)


class _Checker:
    """One validation run over the concatenated raw entries."""

    def __init__(self, raw: pd.DataFrame, framework: Framework | None) -> None:
        self.raw = raw
        self.fw = framework
        self.parts: list[pd.DataFrame] = []
        self.text: dict[str, pd.Series] = {}
        for col in ASSESSMENT_COLUMNS:
            if col in ("value", "period_start", "period_end", "entered_at"):
                continue
            self.text[col] = _to_text(raw[col])
        for col in IDENTIFIER_COLUMNS:
            self.text[col] = self.text[col].str.strip()
        self.display: dict[str, pd.Series] = {c: s.fillna("") for c, s in self.text.items()}
        self.display["value"] = _to_text(raw["value"]).fillna("")
        self.display["entered_at"] = _to_text(raw["entered_at"]).fillna("")
        self.display["period_start"] = _to_text(raw["period_start"]).fillna("")
        self.display["period_end"] = _to_text(raw["period_end"]).fillna("")

    def absent(self, col: str) -> pd.Series:
        name = INTERNAL + "absent__" + col
        if name not in self.raw.columns:
            return pd.Series(False, index=self.raw.index)
        return self.raw[name].fillna(False).astype(bool)

    def add(
        self,
        mask: pd.Series,
        column: str,
        check: str,
        message: pd.Series | str,
        value: pd.Series | None = None,
    ) -> None:
        mask = mask.fillna(False).astype(bool)
        if not bool(mask.any()):
            return
        idx = mask.index[mask.to_numpy()]
        shown = (value if value is not None else self.display[column]).loc[idx]
        part = pd.DataFrame(
            {
                INTERNAL + "idx": idx.to_numpy(),
                "column": column,
                "check": check,
                "value": shown.astype(object).fillna("").to_numpy(),
            }
        )
        if isinstance(message, pd.Series):
            part["message"] = message.loc[idx].astype(object).to_numpy()
        else:
            part["message"] = message
        self.parts.append(part)

    # ----------------------------------------------------------------------------- checks
    def run(self) -> pd.DataFrame:
        raw, text = self.raw, self.text
        fw = self.fw

        # required fields
        for col in REQUIRED_COLUMNS:
            if col == "value":
                empty = raw["value"].isna() | (_to_text(raw["value"]).str.strip() == "").fillna(
                    False
                )
            else:
                empty = text[col].isna() | (text[col] == "")
            self.add(
                empty & ~self.absent(col),
                col,
                "missing_required",
                f"{col} is required but empty"
                + ("; leave the whole row empty if you do not assess it" if col == "value" else ""),
            )

        # periods
        periods = parse_periods(text["period"].where(text["period"] != ""))
        bad_period = periods["error"].notna()
        self.add(bad_period, "period", "bad_period", periods["error"].fillna(""))
        for col, derived in (("period_start", periods["start"]), ("period_end", periods["end"])):
            given = raw[col]
            if not bool(given.notna().any()):
                continue
            stamps = _parse_days(given)
            unreadable = given.notna() & stamps.isna()
            differs = given.notna() & stamps.notna() & derived.notna() & (stamps != derived)
            self.add(
                unreadable,
                col,
                "bad_period",
                f"{col} is not a date (it is derived from period; leave it empty)",
            )
            self.add(
                differs,
                col,
                "bad_period",
                f"{col} does not match the period "
                + self.display["period"]
                + " ("
                + derived.dt.strftime("%Y-%m-%d").fillna("")
                + "); leave it empty or correct it",
            )

        # phases
        allowed_phases = fw.facet("phase").value_ids if fw is not None else PHASES
        phase = text["phase"]
        bad_phase = phase.notna() & (phase != "") & ~phase.isin(allowed_phases)
        self.add(
            bad_phase,
            "phase",
            "unknown_phase",
            "'"
            + self.display["phase"]
            + "' is not a lifecycle phase; phases are: "
            + ", ".join(allowed_phases),
        )

        # values
        values, not_numeric = _parse_values(raw["value"])
        indicator = text["indicator"]
        if fw is not None:
            info, levels, applicability = _framework_tables(fw)
            known = indicator.isin(info.index)
            self.add(
                indicator.notna() & (indicator != "") & ~known,
                "indicator",
                "unknown_indicator",
                "'" + self.display["indicator"] + f"' is not an indicator of framework '{fw.id}' "
                f"v{fw.version}",
            )
            expect = indicator.map(info["expect"]).fillna("a number")
            kind = indicator.map(info["kind"])
            self.add(
                not_numeric,
                "value",
                "not_numeric",
                "'"
                + self.display["value"]
                + "' is not a number; "
                + self.display["indicator"]
                + " takes "
                + expect,
            )
            finite = np.isfinite(values.to_numpy())
            listed = _pairs_in(indicator, values, levels)
            lo = indicator.map(info["lo"]).astype("float64")
            hi = indicator.map(info["hi"]).astype("float64")
            in_bounds = (values >= lo) & (values <= hi)
            ok = pd.Series(
                np.where(
                    kind.isin(["rubric", "binary"]).to_numpy(),
                    listed.to_numpy(),
                    in_bounds.to_numpy(),
                )
                & finite,
                index=values.index,
            )
            self.add(
                known & values.notna() & ~ok,
                "value",
                "out_of_scale",
                "value "
                + self.display["value"]
                + " is outside the scale of "
                + self.display["indicator"]
                + ": expected "
                + expect,
            )
            restricted = indicator.map(info["restricted"]).eq(True)
            phase_ok = phase.isin(allowed_phases)
            applies = _pairs_in(indicator, phase, applicability)
            self.add(
                known & phase_ok & restricted & ~applies,
                "phase",
                "not_applicable_in_phase",
                self.display["indicator"]
                + " does not apply in phase "
                + self.display["phase"]
                + " (it applies in: "
                + indicator.map(info["applies"]).fillna("")
                + ")",
            )
        else:
            self.add(
                not_numeric,
                "value",
                "not_numeric",
                "'" + self.display["value"] + "' is not a number",
            )
            self.add(
                values.notna() & ~np.isfinite(values),
                "value",
                "out_of_scale",
                "value " + self.display["value"] + " is not a finite number",
            )

        # confidence
        confidence = text["confidence"].str.strip().str.lower()
        bad_conf = text["confidence"].notna() & ~confidence.isin(CONFIDENCE_LEVELS)
        self.add(
            bad_conf,
            "confidence",
            "bad_confidence",
            "'"
            + self.display["confidence"]
            + "' is not a confidence level; use "
            + ", ".join(CONFIDENCE_LEVELS[:-1])
            + f" or {CONFIDENCE_LEVELS[-1]}, or leave it empty",
        )

        # entered_at
        entered, bad_date = _parse_times(raw["entered_at"])
        self.add(
            bad_date,
            "entered_at",
            "bad_date",
            "'" + self.display["entered_at"] + "' is not a date and time; use ISO 8601, e.g. "
            "2024-03-15T14:30:00Z (a time without a zone is read as UTC)",
        )

        # framework version
        if fw is not None:
            self._framework_mismatch(fw)

        # duplicates
        self._duplicates(periods["label"])

        # the typed table
        table = pd.DataFrame(
            {
                "mission": text["mission"],
                "period": periods["label"].where(periods["label"].notna(), text["period"]),
                "period_start": periods["start"],
                "period_end": periods["end"],
                "phase": text["phase"],
                "indicator": text["indicator"],
                "value": values.where(~not_numeric),
                "rater": text["rater"],
                "confidence": confidence.where(~bad_conf).astype(object).astype(CONFIDENCE_DTYPE),
                "evidence": text["evidence"],
                "sources": text["sources"],
                "comment": text["comment"],
                "entered_at": entered,
                "framework_id": text["framework_id"],
                "framework_version": text["framework_version"],
                "framework_fingerprint": text["framework_fingerprint"],
            },
            index=raw.index,
        )
        for col in (*IDENTIFIER_COLUMNS, *FREE_TEXT_COLUMNS, *FRAMEWORK_COLUMNS):
            table[col] = table[col].astype(text_dtype())
        extras = [
            c
            for c in raw.columns
            if c not in ASSESSMENT_COLUMNS and not str(c).startswith(INTERNAL)
        ]
        for col in extras:
            table[col] = raw[col]
        return table.reset_index(drop=True)

    def _framework_mismatch(self, fw: Framework) -> None:
        expected = (fw.id, fw.version, fw.fingerprint)
        got = [self.text[c] for c in FRAMEWORK_COLUMNS]
        differs = pd.Series(False, index=self.raw.index)
        for series, value in zip(got, expected, strict=True):
            differs |= series.notna() & (series != value)
        if not bool(differs.any()):
            return
        keys = [
            self.raw[INTERNAL + "batch"],
            self.raw[INTERNAL + "sheet"].astype(object).fillna(""),
            *[s.fillna("") for s in got],
        ]
        frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})[differs]
        first = ~frame.duplicated(keep="first")
        counts = frame.groupby(list(frame.columns), sort=False, dropna=False)["k0"].transform(
            "size"
        )
        mask = pd.Series(False, index=self.raw.index)
        mask.loc[frame.index[first.to_numpy()]] = True
        n = pd.Series(0, index=self.raw.index)
        n.loc[frame.index] = counts.to_numpy()
        made_for = (
            "'"
            + got[0].fillna("?")
            + "' v"
            + got[1].fillna("?")
            + " (fingerprint "
            + got[2].fillna("?")
            + ")"
        )
        message = (
            n.astype(str)
            + " entr"
            + np.where(n == 1, "y was", "ies were")
            + " made for framework "
            + made_for
            + f", not for '{fw.id}' v{fw.version} (fingerprint {fw.fingerprint}); "
            "re-enter them in a template made from this framework, or validate them against "
            "the framework they were made for"
        )
        self.add(
            mask, "framework_fingerprint", "framework_mismatch", message, value=got[2].fillna("")
        )

    def _duplicates(self, period: pd.Series) -> None:
        keys = {
            "rater": self.text["rater"],
            "mission": self.text["mission"],
            "period": period,
            "indicator": self.text["indicator"],
        }
        frame = pd.DataFrame(keys)
        valid = frame.notna().all(axis=1) & (frame != "").all(axis=1)
        sub = frame[valid]
        if sub.empty:
            return
        dup = sub.duplicated(keep="first")
        if not bool(dup.any()):
            return
        order = pd.Series(sub.index, index=sub.index)
        first = order.groupby([sub[c] for c in sub.columns], sort=False).transform("first")
        first_pos = first.to_numpy(dtype="int64")
        files = self.raw[INTERNAL + "file"].to_numpy(dtype=object)
        sheets = self.raw[INTERNAL + "sheet"].astype(object).fillna("").to_numpy(dtype=object)
        rows = self.raw[INTERNAL + "row"].to_numpy(dtype=object)
        where = _where_series(
            files[first_pos],
            sheets[first_pos],
            rows[first_pos],
            files[sub.index.to_numpy()],
            sub.index,
        )
        mask = pd.Series(False, index=self.raw.index)
        mask.loc[sub.index[dup.to_numpy()]] = True
        message = pd.Series("", index=self.raw.index, dtype=object)
        message.loc[sub.index] = (
            "rater "
            + sub["rater"]
            + " already entered "
            + sub["indicator"]
            + " for "
            + sub["mission"]
            + " "
            + sub["period"]
            + " ("
            + where
            + "); keep one entry"
        ).to_numpy()
        self.add(mask, "value", "duplicate_entry", message)

    # ---------------------------------------------------------------------------- output
    def failures(self, file_failures: list[dict[str, object]]) -> pd.DataFrame:
        raw = self.raw
        columns = [*FAILURE_COLUMNS, INTERNAL + "batch", INTERNAL + "pos"]
        pieces: list[pd.DataFrame] = []
        if file_failures:
            head = pd.DataFrame(file_failures)
            head[INTERNAL + "pos"] = -1
            pieces.append(head.reindex(columns=columns))
        if self.parts:
            body = pd.concat(self.parts, ignore_index=True)
            idx = body[INTERNAL + "idx"].to_numpy()
            body["file"] = raw[INTERNAL + "file"].to_numpy()[idx]
            body["sheet"] = raw[INTERNAL + "sheet"].astype(object).fillna("").to_numpy()[idx]
            body["row"] = raw[INTERNAL + "row"].to_numpy()[idx]
            for col in ("mission", "period", "indicator", "rater"):
                body[col] = self.display[col].to_numpy()[idx]
            for col in ASSESSMENT_COLUMNS:
                override = INTERNAL + "row__" + col
                if override not in raw.columns:
                    continue
                rows = raw[override].to_numpy()[idx]
                shared = (body["column"] == col).to_numpy() & pd.notna(rows)
                if shared.any():
                    body.loc[shared, "row"] = rows[shared]
                    body.loc[shared, "indicator"] = ""
            body[INTERNAL + "batch"] = raw[INTERNAL + "batch"].to_numpy()[idx]
            body[INTERNAL + "pos"] = idx
            body = body.drop_duplicates(
                subset=[c for c in FAILURE_COLUMNS if c != "message"], keep="first"
            )
            pieces.append(body.reindex(columns=columns))
        if not pieces:
            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})
            empty["row"] = empty["row"].astype("Int64")
            return _failure_dtypes(empty)
        out = pd.concat(pieces, ignore_index=True)
        out["row"] = pd.to_numeric(out["row"], errors="coerce").astype("Int64")
        out["_col"] = out["column"].map(_COLUMN_ORDER).fillna(len(_COLUMN_ORDER))
        out["_row"] = out["row"].astype("float64").fillna(-1)
        out = out.sort_values(
            [INTERNAL + "batch", "sheet", "_row", "_col", "check"],
            kind="stable",
            na_position="first",
        )
        return _failure_dtypes(out[list(FAILURE_COLUMNS)].reset_index(drop=True))


def _failure_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    for col in FAILURE_COLUMNS:
        if col == "row":
            frame[col] = frame[col].astype("Int64")
        else:
            frame[col] = (
                frame[col].astype(object).where(frame[col].notna(), "").astype(text_dtype())
            )
    return frame


def _where_series(
    files: np.ndarray, sheets: np.ndarray, rows: np.ndarray, this_files: np.ndarray, index: pd.Index
) -> pd.Series:
    """Vectorised 'row 12 [of sheet S] [of file F]' for the first occurrence of each entry."""
    place = "row " + pd.Series(rows, index=index).astype(str)
    sheet = pd.Series(sheets, index=index).astype(str)
    place = place.where(sheet == "", place + " of sheet " + sheet)
    other = pd.Series(files != this_files, index=index)
    return place.where(~other, place + " of " + pd.Series(files, index=index).astype(str))


def _parse_days(raw: pd.Series) -> pd.Series:
    """Days (``datetime64[ns]``, time of day dropped) from a column of dates; NaT if unreadable."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        stamps = pd.Series(raw)
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_localize(None)
        return stamps.dt.normalize().astype("datetime64[ns]")
    text = _to_text(raw).str.strip()
    stamps = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    return (
        pd.Series(stamps, index=raw.index)
        .dt.tz_localize(None)
        .dt.normalize()
        .astype("datetime64[ns]")
    )


def _parse_times(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UTC timestamps from a raw column: (timestamps, mask of present but unreadable cells).

    Timestamps with a time zone are converted to UTC; those without one are taken as UTC.
    """
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        stamps = pd.Series(raw)
        if stamps.dt.tz is None:
            stamps = stamps.dt.tz_localize("UTC")
        utc = stamps.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        return utc, pd.Series(False, index=raw.index)
    text = _to_text(raw).str.strip()
    present = text.notna() & (text != "")
    stamps = pd.to_datetime(text.where(present), format="ISO8601", utc=True, errors="coerce")
    stamps = pd.Series(stamps, index=raw.index).astype("datetime64[ns, UTC]")
    return stamps, present & stamps.isna()
