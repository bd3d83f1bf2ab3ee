"""The one definition of every entry check: what makes an assessment entry valid.

Every front door (:func:`~missionlens.read_assessments`, :func:`~missionlens.validate`,
:func:`~missionlens.consolidate`, :func:`~missionlens.agreement` and :func:`~missionlens.score`)
runs :func:`check_entries` over the entries it was given, so that all of them accept exactly
the same entries and report the same problems, with the same rows and messages.

Entries come in one of two *forms*:

``long`` (the assessment record, :data:`~missionlens.ASSESSMENT_COLUMNS`)
    One row per rater, mission, period and indicator. ``mission``, ``period``, ``phase``,
    ``indicator``, ``value`` and ``rater`` are required in every row.
``wide`` (a table of values)
    One row per mission and period, one column per indicator id of the framework, as a
    notebook user types it. ``mission`` and ``period`` are required; ``phase`` is optional (a
    row without a phase is assessed on every indicator). An empty cell is no entry. Each
    filled indicator cell is checked as an entry of that indicator, reported at its row and
    column. Other columns must be read by the recipe (a denominator, a grouping column) or be
    one of ``period_start``, ``period_end``; a misspelt indicator column is refused
    (``unknown_column``) unless ``unknown_columns="ignore"``.

The checks work on factorised codes: each distinct mission, period, phase, indicator, rater,
confidence and value is read once, and rows are mapped through integer codes, so that checking
a million entries costs a few vectorised passes. Messages are built only for the rows that
fail.

Keys are normalised here, once, for every front door: identifiers are taken as text
(``1`` and ``"1"`` are the same mission), stripped of surrounding white space (``"A "`` is
``"A"``), and periods are put in canonical form by :func:`missionlens.parse_period`
(``2024h1`` is ``2024-H1``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.assessments.record import (
    ASSESSMENT_COLUMNS,
    CONFIDENCE_DTYPE,
    CONFIDENCE_LEVELS,
    FRAMEWORK_COLUMNS,
    FREE_TEXT_COLUMNS,
    INTERNAL,
    NOT_APPLICABLE_MARKERS,
    REQUIRED_COLUMNS,
    Batch,
    file_failure,
)
from missionlens.assessments.timelines import timeline_lookup
from missionlens.framework.elements import PHASES, BinaryScale, NumericScale, RubricScale
from missionlens.mission_registry import PhaseTimeline, mission_key, mission_lives
from missionlens.periods import parse_period
from missionlens.suggest import did_you_mean
from missionlens.text import as_text, factorize, text_dtype

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = [
    "CHECKS",
    "FAILURE_COLUMNS",
    "WIDE_UNIT_COLUMNS",
    "Check",
    "CheckedEntries",
    "check_entries",
]

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]

#: Columns of every problem table (:attr:`ValidationReport.failures`,
#: :attr:`ScoringInputError.problems`), in order.
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

#: Columns of a wide table that describe the unit (mission and period) rather than an indicator.
WIDE_UNIT_COLUMNS: tuple[str, ...] = ("mission", "period", "phase", "period_start", "period_end")


class Check(str, Enum):
    """The name of every entry check (the ``check`` column of a problem table).

    The value is the stable name written in problem tables; :data:`CHECKS` gives the meaning of
    each in plain words.
    """

    UNREADABLE = "unreadable"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    UNKNOWN_COLUMN = "unknown_column"
    MISSING_REQUIRED = "missing_required"
    UNKNOWN_INDICATOR = "unknown_indicator"
    UNKNOWN_PHASE = "unknown_phase"
    NOT_APPLICABLE_IN_PHASE = "not_applicable_in_phase"
    NOT_NUMERIC = "not_numeric"
    OUT_OF_SCALE = "out_of_scale"
    BAD_PERIOD = "bad_period"
    BAD_DATE = "bad_date"
    BAD_CONFIDENCE = "bad_confidence"
    DUPLICATE_ENTRY = "duplicate_entry"
    FRAMEWORK_MISMATCH = "framework_mismatch"
    INCONSISTENT_PHASE = "inconsistent_phase"
    DUPLICATE_UNIT = "duplicate_unit"
    BAD_TEXT = "bad_text"
    BAD_NOT_APPLICABLE = "bad_not_applicable"
    VALUE_WITH_NOT_APPLICABLE = "value_with_not_applicable"
    MISSING_REASON = "missing_reason"
    REASON_WITHOUT_NOT_APPLICABLE = "reason_without_not_applicable"
    OUTSIDE_MISSION_LIFE = "outside_mission_life"
    PHASE_CONTRADICTS_TIMELINE = "phase_contradicts_timeline"

    def __str__(self) -> str:
        return self.value


#: Every check, with what it means.
CHECKS: dict[str, str] = {
    Check.UNREADABLE.value: "the file or a part of it cannot be read",
    Check.MISSING_COLUMN.value: "a required column is missing from the file",
    Check.DUPLICATE_COLUMN.value: "two columns hold the same field",
    Check.UNKNOWN_COLUMN.value: "a column is neither a field of the record, an indicator of the "
    "framework, a question of the form nor a column the recipe reads",
    Check.MISSING_REQUIRED.value: "a required field is empty",
    Check.UNKNOWN_INDICATOR.value: "the indicator is not in the framework",
    Check.UNKNOWN_PHASE.value: "the phase is not a lifecycle phase of the framework",
    Check.NOT_APPLICABLE_IN_PHASE.value: "the indicator does not apply in the entry's phase",
    Check.NOT_NUMERIC.value: "the value is not a number",
    Check.OUT_OF_SCALE.value: "the value is outside the indicator's scale",
    Check.BAD_PERIOD.value: "the period is not a period missionlens understands",
    Check.BAD_DATE.value: "the date and time of entry is not a date",
    Check.BAD_CONFIDENCE.value: "the confidence is not low, medium or high",
    Check.DUPLICATE_ENTRY.value: "the same rater entered the same indicator twice for a mission "
    "and period",
    Check.FRAMEWORK_MISMATCH.value: "the entries were made for another framework or version",
    Check.INCONSISTENT_PHASE.value: "raters put the same mission and period in different phases",
    Check.DUPLICATE_UNIT.value: "a table with one column per indicator has more than one row for "
    "a mission and period",
    Check.BAD_TEXT.value: "text that no file can hold or read back: a line break or control "
    "character in an identifier, a lone surrogate anywhere",
    Check.BAD_NOT_APPLICABLE.value: "the not-applicable mark is not yes or no",
    Check.VALUE_WITH_NOT_APPLICABLE.value: "an entry marked not applicable also has a value",
    Check.MISSING_REASON.value: "an entry marked not applicable gives no reason",
    Check.REASON_WITHOUT_NOT_APPLICABLE.value: "an entry gives a reason for not applicable but "
    "is not marked not applicable",
    Check.OUTSIDE_MISSION_LIFE.value: "the mission is a UN peacekeeping operation of the registry "
    "(ml.missions()) and the period does not overlap its life",
    Check.PHASE_CONTRADICTS_TIMELINE.value: "the entry's phase is not the phase the mission's "
    "timeline gives its period",
}

_COLUMN_ORDER = {c: i for i, c in enumerate(ASSESSMENT_COLUMNS)}


# ------------------------------------------------------------------------------- factorising
@dataclass(frozen=True)
class Codes:
    """A column as integer codes into its distinct values as text (``-1``: missing)."""

    codes: IntArray
    names: NDArray[np.object_]

    def text(self, idx: IntArray) -> NDArray[np.object_]:
        """The text of the rows ``idx`` (empty for a missing value)."""
        c = self.codes[idx]
        named = np.append(self.names, "")
        return named[np.where(c >= 0, c, len(self.names))]

    def blank(self) -> BoolArray:
        """Rows that are missing or empty text."""
        empty = np.array([n == "" for n in self.names], dtype=bool)
        return np.append(empty, True)[self.codes]


def take_or(values: NDArray[Any], codes: IntArray, default: object) -> NDArray[Any]:
    """``values[codes]``, with ``default`` where a code is ``-1``."""
    extended = np.empty(len(values) + 1, dtype=values.dtype if default is not None else object)
    extended[:-1] = values
    extended[-1] = default
    return extended[codes]


def factorize_text(values: pd.Series | NDArray[Any], *, strip: bool) -> Codes:
    """Codes of a column read as text: each distinct value converted once.

    ``1`` and ``"1"`` get the same code (both are the text ``"1"``); with ``strip``, so do
    ``"A"`` and ``" A "``. Missing values get ``-1``.
    """
    if (
        isinstance(values, pd.Series)
        and values.dtype.kind == "f"
        and bool(np.isnan(values.to_numpy()).all())
    ):  # an absent column: nothing to convert
        return Codes(np.full(len(values), -1, dtype=np.int64), np.zeros(0, dtype=object))
    try:
        codes, uniques = factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists or mappings from a JSON file): as text first
        as_texts = [as_text(v) for v in np.asarray(values, dtype=object)]
        codes, uniques = factorize(pd.Series(as_texts, dtype=object), use_na_sentinel=True)
    texts = [as_text(u) for u in uniques]
    if strip:
        texts = [t.strip() if t is not None else None for t in texts]
    merged, names = factorize(pd.Series(texts, dtype=object), use_na_sentinel=True)
    merged = np.append(np.asarray(merged, dtype=np.int64), -1)
    return Codes(merged[np.asarray(codes, dtype=np.int64)], np.asarray(names, dtype=object))


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def escaped(text: str) -> str:
    """Text safe to show and store: a lone surrogate written as its ``\\udXXX`` escape."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _bad_names(codes: Codes, *, control: bool) -> BoolArray:
    """Per code (and a last entry for missing): whether the text cannot be kept as it is."""
    pattern = re.compile(f"{_CONTROL.pattern}|{_SURROGATE.pattern}") if control else _SURROGATE
    bad = [pattern.search(str(name)) is not None for name in codes.names]
    return np.array([*bad, False], dtype=bool)


def _positions(names: NDArray[np.object_], known: Sequence[str]) -> IntArray:
    """Position of each name among ``known`` (``-1`` if absent), without hashing broken text."""
    where = {k: i for i, k in enumerate(known)}
    return np.array([where.get(str(name), -1) for name in names], dtype=np.int64)


@dataclass(frozen=True)
class CanonicalPeriods:
    """A column of period labels, each distinct label parsed once by :func:`parse_period`.

    Attributes
    ----------
    codes : Codes
        Per row, the code of its canonical label (``2024h1`` and ``2024-H1`` share one); a label
        that is not a period keeps its text as its own code.
    start, end : numpy.ndarray
        First and last day of each canonical label (``NaT`` for one that is not a period).
    errors : numpy.ndarray
        Per distinct label as written (indexed by the raw codes), why it is not a period, or
        ``None``.
    bad : numpy.ndarray
        Per row, whether its label is not a period.
    """

    codes: Codes
    start: NDArray[Any]
    end: NDArray[Any]
    errors: NDArray[np.object_]
    bad: BoolArray


def canonical_periods(raw: Codes) -> CanonicalPeriods:
    """Parse each distinct label of a period column once (the one place that canonicalises)."""
    n = len(raw.names)
    labels = np.empty(n, dtype=object)
    starts = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    ends = starts.copy()
    errors = np.full(n, None, dtype=object)
    for k, name in enumerate(raw.names):
        labels[k] = name
        if name == "":
            continue
        try:
            parsed = parse_period(name)
        except ValueError as exc:
            errors[k] = str(exc)
            continue
        labels[k], starts[k], ends[k] = parsed.label, parsed.start, parsed.end
    merged, names = factorize(pd.Series(labels, dtype=object), use_na_sentinel=True)
    merged = np.asarray(merged, dtype=np.int64)
    first = np.zeros(len(names), dtype=np.int64)
    first[merged[::-1]] = np.arange(n)[::-1]  # the first raw label of each canonical one
    bad_label = np.array([e is not None for e in errors], dtype=bool)
    return CanonicalPeriods(
        codes=Codes(
            take_or(merged, raw.codes, -1).astype(np.int64), np.asarray(names, dtype=object)
        ),
        start=starts[first],
        end=ends[first],
        errors=errors,
        bad=take_or(bad_label, raw.codes, False).astype(bool),
    )


def _repeated(key: IntArray) -> BoolArray:
    """Which elements repeat an earlier one (``Series.duplicated(keep="first")``), counted with
    ``bincount`` when the keys are dense enough, else hashed."""
    if key.size == 0:
        return np.zeros(0, dtype=bool)
    top = int(key.max()) + 1
    if top <= 4 * key.size + 1024:
        counts = np.bincount(key, minlength=top)
        if counts.max() <= 1:
            return np.zeros(key.size, dtype=bool)
    return np.asarray(pd.Series(key).duplicated(keep="first").to_numpy(), dtype=bool)


def combine_codes(*parts: IntArray) -> IntArray:
    """One code per distinct combination of several code arrays (all codes >= 0)."""
    key = np.zeros(parts[0].shape, dtype=np.int64)
    size = 1
    for part in parts:
        width = int(part.max()) + 1 if part.size else 1
        if size * width > 2**62:
            key = np.asarray(factorize(key)[0], dtype=np.int64)
            size = int(key.max()) + 1 if key.size else 1
        key = key * width + part
        size *= width
    return key


def _parse_number(value: object) -> float | None:
    """A number from one distinct raw value, or ``None`` if it is not a number.

    Booleans, complex numbers, text that is not a decimal number (``"three"``, ``"3,5"``,
    ``"nan"``) and integers too large for a float are not numbers.
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text or "_" in text:
            return None
        try:
            number = float(text)
        except (ValueError, OverflowError):
            return None
        return None if math.isnan(number) else number
    if type(value).__name__ == "Decimal":
        try:
            number = float(value)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return None
        return None if math.isnan(number) else number
    return None


def parse_values(raw: pd.Series) -> tuple[FloatArray, BoolArray]:
    """Numbers from a raw value column: (values, mask of present cells that are not numbers)."""
    dtype = raw.dtype
    if pd.api.types.is_bool_dtype(dtype):
        present = raw.notna().to_numpy()
        return np.full(len(raw), np.nan), present
    if pd.api.types.is_complex_dtype(dtype):
        return np.full(len(raw), np.nan), raw.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(dtype):
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, np.zeros(len(raw), dtype=bool)
    codes, uniques = factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = np.array(
        [np.nan if (v := _parse_number(u)) is None else v for u in uniques], dtype=np.float64
    )
    bad_unique = np.array([_parse_number(u) is None for u in uniques], dtype=bool)
    has = codes >= 0
    safe = np.maximum(codes, 0)
    values = np.where(has, parsed[safe] if parsed.size else np.nan, np.nan)
    not_numeric = has & (bad_unique[safe] if bad_unique.size else False)
    return values.astype(np.float64), np.asarray(not_numeric, dtype=bool)


_YES = frozenset({"true", "yes", "y", "1", "1.0"})
_NO = frozenset({"false", "no", "n", "0", "0.0", ""})


def _flag_of(value: object) -> bool | None:
    """``True``/``False`` from one distinct raw not-applicable mark, or ``None`` if it is none."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if value == 1:
            return True
        if value == 0:
            return False
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    return None


def parse_flags(raw: pd.Series) -> tuple[BoolArray, BoolArray]:
    """The ``not_applicable`` marks of a raw column: (marks, mask of cells that are no mark).

    A missing or empty cell is ``False`` (the column is optional); a boolean, ``1``/``0`` or the
    words ``true``/``false``, ``yes``/``no``, ``y``/``n`` (any case, surrounding spaces ignored)
    are marks; anything else fails ``bad_not_applicable``.
    """
    n = len(raw)
    if pd.api.types.is_bool_dtype(raw.dtype):
        marks = raw.fillna(False).to_numpy(dtype=bool)
        return marks, np.zeros(n, dtype=bool)
    if raw.dtype.kind == "f" and bool(np.isnan(raw.to_numpy()).all()):  # absent or empty
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    try:
        codes, uniques = factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
    except TypeError:  # unhashable cells: none is a mark
        codes, uniques = factorize(
            np.array([as_text(v) for v in raw.to_numpy(dtype=object)], dtype=object),
            use_na_sentinel=True,
        )
    parsed = [_flag_of(u) for u in uniques]
    mark = np.array([p is True for p in parsed] + [False], dtype=bool)
    bad = np.array([p is None for p in parsed] + [False], dtype=bool)
    at = np.where(codes >= 0, codes, len(parsed))
    return mark[at], bad[at]


def not_applicable_markers(raw: pd.Series) -> BoolArray:
    """Which cells of a raw value column hold a text meaning "not applicable" (``N/A``, ...)."""
    if not (pd.api.types.is_object_dtype(raw.dtype) or pd.api.types.is_string_dtype(raw.dtype)):
        return np.zeros(len(raw), dtype=bool)
    try:
        codes, uniques = factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): none is a marker
        return np.zeros(len(raw), dtype=bool)
    hit = np.array(
        [isinstance(u, str) and u.strip().lower() in NOT_APPLICABLE_MARKERS for u in uniques]
        + [False],
        dtype=bool,
    )
    return hit[np.where(codes >= 0, codes, len(uniques))]


# ------------------------------------------------------------------------------ framework facts
@dataclass(frozen=True)
class ScaleFacts:
    """What the checks need to know about a framework's indicators, as arrays."""

    ids: tuple[str, ...]
    kind: NDArray[np.object_]  # rubric, binary, numeric
    lo: FloatArray
    hi: FloatArray
    expect: NDArray[np.object_]  # what a value must be, in words
    levels: dict[int, FloatArray]  # indicator position -> allowed values (rubric, binary)
    applies: BoolArray  # indicators x phases
    applies_text: NDArray[np.object_]
    phases: tuple[str, ...]


def _num(value: float) -> str:
    text = as_text(float(value))
    return text if text is not None else ""


def scale_facts(fw: Framework) -> ScaleFacts:
    """Per-indicator facts of a framework for the vectorised checks (one pass over indicators)."""
    phases = tuple(fw.facet("phase").value_ids)
    n = len(fw.indicators)
    kind = np.empty(n, dtype=object)
    lo = np.full(n, -np.inf)
    hi = np.full(n, np.inf)
    expect = np.empty(n, dtype=object)
    levels: dict[int, FloatArray] = {}
    applies = np.ones((n, len(phases)), dtype=bool)
    applies_text = np.empty(n, dtype=object)
    for j, ind in enumerate(fw.indicators):
        scale = fw.scale(ind.scale)
        if isinstance(scale, RubricScale):
            kind[j] = "rubric"
            expect[j] = (
                f"one of the levels {', '.join(_num(v) for v in scale.values)} of rubric "
                f"'{scale.id}'"
            )
            levels[j] = np.array(scale.values, dtype=np.float64)
        elif isinstance(scale, BinaryScale):
            kind[j] = "binary"
            expect[j] = f"1 ({scale.true_label}) or 0 ({scale.false_label})"
            levels[j] = np.array([0.0, 1.0])
        else:
            if not isinstance(scale, NumericScale):  # pragma: no cover - the union is closed
                raise TypeError(f"unknown scale kind {scale!r}")
            kind[j] = "numeric"
            lo[j] = -np.inf if scale.minimum is None else float(scale.minimum)
            hi[j] = np.inf if scale.maximum is None else float(scale.maximum)
            unit = f" ({scale.unit})" if scale.unit else ""
            if scale.minimum is not None and scale.maximum is not None:
                expect[j] = f"a number from {_num(lo[j])} to {_num(hi[j])}{unit}"
            elif scale.minimum is not None:
                expect[j] = f"a number of at least {_num(lo[j])}{unit}"
            elif scale.maximum is not None:
                expect[j] = f"a number of at most {_num(hi[j])}{unit}"
            else:
                expect[j] = f"a finite number{unit}"
        if ind.phases:
            applies[j] = np.isin(np.array(phases, dtype=object), np.array(ind.phases, dtype=object))
        applies_text[j] = ", ".join(ind.phases)
    return ScaleFacts(
        ids=tuple(fw.indicator_ids),
        kind=kind,
        lo=lo,
        hi=hi,
        expect=expect,
        levels=levels,
        applies=applies,
        applies_text=applies_text,
        phases=phases,
    )


# ---------------------------------------------------------------------------------- the result
@dataclass
class CheckedEntries:
    """Entries after the checks: factorised keys, parsed values, and every problem found.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem, columns :data:`FAILURE_COLUMNS`.
    n : int
        Number of entries checked.
    form : str
        ``"long"``, ``"wide"`` or ``"mixed"`` (some sources of each).
    mission, rater : Codes
        Mission and rater of each entry.
    period : Codes
        Canonical period label of each entry (a bad label keeps its text).
    period_start, period_end : numpy.ndarray
        First and last day of each distinct period (``datetime64[ns]``, NaT for a bad one),
        indexed by period code.
    phase : Codes
        Phase of each entry.
    indicator : numpy.ndarray
        Framework position of each entry's indicator (``-1`` unknown or no framework).
    values : numpy.ndarray
        The value of each entry as a number (NaN where missing or not a number).
    confidence : numpy.ndarray
        0, 1, 2 for low, medium, high; ``-1`` for no (or a bad) confidence.
    not_applicable : numpy.ndarray of bool
        Whether each entry is the answer *not applicable* (its value is then NaN).
    """

    problems: pd.DataFrame
    n: int
    form: str
    mission: Codes
    period: Codes
    period_start: NDArray[Any]
    period_end: NDArray[Any]
    phase: Codes
    indicator: IntArray
    indicator_names: Codes
    rater: Codes
    values: FloatArray
    confidence: IntArray
    raw: pd.DataFrame = field(repr=False)
    not_applicable: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    batch_files: tuple[str, ...] = ()
    batch: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    extras: tuple[str, ...] = ()
    framework: Framework | None = field(default=None, repr=False)
    _table: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Whether no check failed."""
        return self.problems.empty

    def table(self) -> pd.DataFrame:
        """The typed assessment table (:data:`~missionlens.ASSESSMENT_COLUMNS`, then extras).

        Built on first use: identifiers as checked (stripped, canonical periods), ``value`` as a
        number (missing where it is not one), ``confidence`` as an ordered category, free text
        exactly as entered.
        """
        if self._table is None:
            self._table = _typed_table(self)
        return self._table


def _text_column(codes: Codes) -> pd.Series:
    """A column of text from its codes; text that cannot be stored (it failed ``bad_text``) is
    left missing, as every value that failed a check is in the report's table."""
    names = np.array([None if _SURROGATE.search(str(n)) else n for n in codes.names], dtype=object)
    return pd.Series(take_or(names, codes.codes, None), dtype=object).astype(text_dtype())


def _free_text(values: pd.Series) -> pd.Series:
    """A free-text column as text, exactly as entered (numbers shown without a needless .0)."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.astype(text_dtype()).reset_index(drop=True)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        try:
            return (
                values.astype(object).where(values.notna(), None).astype(text_dtype())
            ).reset_index(drop=True)
        except UnicodeEncodeError:  # a lone surrogate (reported as bad_text): left missing
            pass
    codes = factorize_text(values, strip=False)
    return _text_column(codes)


def _not_applicable(entries: CheckedEntries) -> NDArray[np.bool_]:
    if entries.not_applicable.size == entries.n:
        return entries.not_applicable.astype(bool)
    return np.zeros(entries.n, dtype=bool)


def _typed_table(entries: CheckedEntries) -> pd.DataFrame:
    raw = entries.raw
    p = entries.period.codes
    has_p = p >= 0
    safe = np.maximum(p, 0)
    start = entries.period_start
    end = entries.period_end
    starts = (
        np.where(has_p, start[safe], np.datetime64("NaT"))
        if start.size
        else np.full(entries.n, np.datetime64("NaT"), dtype="datetime64[ns]")
    )
    ends = (
        np.where(has_p, end[safe], np.datetime64("NaT"))
        if end.size
        else np.full(entries.n, np.datetime64("NaT"), dtype="datetime64[ns]")
    )
    confidence = pd.Categorical.from_codes(entries.confidence, dtype=CONFIDENCE_DTYPE)
    entered, _ = _parse_times(raw["entered_at"])
    table = pd.DataFrame(
        {
            "mission": _text_column(entries.mission),
            "period": _text_column(entries.period),
            "period_start": pd.Series(starts).astype("datetime64[ns]"),
            "period_end": pd.Series(ends).astype("datetime64[ns]"),
            "phase": _text_column(entries.phase),
            "indicator": _text_column(entries.indicator_names),
            "value": entries.values,
            "not_applicable": _not_applicable(entries),
            "not_applicable_reason": _free_text(raw["not_applicable_reason"]),
            "rater": _text_column(entries.rater),
            "confidence": confidence,
            "evidence": _free_text(raw["evidence"]),
            "sources": _free_text(raw["sources"]),
            "comment": _free_text(raw["comment"]),
            "entered_at": entered.reset_index(drop=True),
        }
    )
    fw = entries.framework
    recorded = (fw.id, fw.version, fw.fingerprint) if fw is not None else (None, None, None)
    for col, value in zip(FRAMEWORK_COLUMNS, recorded, strict=True):
        text = _text_column(factorize_text(raw[col], strip=True))
        table[col] = text if value is None else text.fillna(value)
    for col in entries.extras:
        table[col] = raw[col].to_numpy()
    return table


# ------------------------------------------------------------------------------------ checking
def wide_to_long(frame: pd.DataFrame, fw: Framework) -> tuple[pd.DataFrame, list[str]]:
    """The filled indicator cells of a wide table as long entries (row and column kept).

    Returns the long frame (with the internal columns ``__ml_row`` and ``__ml_column``) and the
    names of the columns that are neither indicator ids nor unit columns.
    """
    ids = set(fw.indicator_ids)
    columns = [c for c in frame.columns if not str(c).startswith(INTERNAL)]
    indicator_cols = [c for c in columns if isinstance(c, str) and c in ids]
    others = [c for c in columns if c not in indicator_cols and c not in WIDE_UNIT_COLUMNS]
    n = len(frame)
    rows = frame[INTERNAL + "row"].to_numpy() if INTERNAL + "row" in frame else np.arange(1, n + 1)
    pieces: list[pd.DataFrame] = []
    for col in indicator_cols:
        cell = frame[col]
        filled = np.array(cell.notna().to_numpy(), dtype=bool)
        if pd.api.types.is_object_dtype(cell.dtype) or pd.api.types.is_string_dtype(cell.dtype):
            filled &= (
                cell.astype(object).map(lambda v: not (isinstance(v, str) and not v.strip()))
            ).to_numpy(dtype=bool)
        if not filled.any():
            continue
        idx = np.flatnonzero(filled)
        piece = pd.DataFrame(
            {
                "mission": frame["mission"].to_numpy(dtype=object)[idx]
                if "mission" in frame
                else None,
                "period": frame["period"].to_numpy(dtype=object)[idx]
                if "period" in frame
                else None,
                "phase": frame["phase"].to_numpy(dtype=object)[idx] if "phase" in frame else None,
                "indicator": col,
                "value": cell.to_numpy(dtype=object)[idx],
            }
        )
        for extra in ("period_start", "period_end"):
            if extra in frame:
                piece[extra] = frame[extra].to_numpy(dtype=object)[idx]
        piece[INTERNAL + "row"] = rows[idx]
        piece[INTERNAL + "column"] = col
        piece[INTERNAL + "sheet"] = (
            frame[INTERNAL + "sheet"].to_numpy(dtype=object)[idx]
            if INTERNAL + "sheet" in frame
            else ""
        )
        pieces.append(piece)
    if not pieces:
        empty = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("mission", "period", "indicator", "value")}
        )
        empty[INTERNAL + "row"] = pd.Series(dtype="int64")
        empty[INTERNAL + "column"] = pd.Series(dtype=object)
        return empty, others
    return pd.concat(pieces, ignore_index=True), others


def is_wide(frame: pd.DataFrame, fw: Framework | None) -> bool:
    """Whether a table is in the wide form: a framework is given and the table has neither an
    ``indicator`` nor a ``value`` column (its indicator columns are then checked)."""
    if fw is None:
        return False
    names = {str(c).strip().lower() for c in frame.columns}
    return "indicator" not in names and "value" not in names


class _Collector:
    """Collects masks of failing entries and builds the problem rows for them only."""

    def __init__(self, entries: _Work) -> None:
        self.w = entries
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: BoolArray,
        column: str | NDArray[np.object_],
        check: Check,
        message: str | Callable[[IntArray], Sequence[str] | NDArray[np.object_] | pd.Series],
        value: Callable[[IntArray], Sequence[str] | NDArray[np.object_]] | None = None,
    ) -> None:
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        col = column if isinstance(column, str) else column[idx]
        shown_col = column if isinstance(column, str) else "value"
        shown = value(idx) if value is not None else self.w.display(shown_col, idx)
        text = message(idx) if callable(message) else message
        shown_text = np.array([escaped(str(s)) for s in shown], dtype=object)
        message_text: object = (
            escaped(text)
            if isinstance(text, str)
            else np.array([escaped(str(m)) for m in text], dtype=object)
        )
        self.parts.append(
            pd.DataFrame(
                {
                    "_pos": idx,
                    "column": col,
                    "check": check.value,
                    "value": pd.Series(shown_text, dtype=object),
                    "message": pd.Series(message_text, dtype=object)
                    if not isinstance(message_text, str)
                    else message_text,
                }
            )
        )


@dataclass
class _Work:
    """The raw entries of every batch, concatenated, with where each one is."""

    raw: pd.DataFrame
    files: NDArray[np.object_]
    batch: IntArray
    sheet: Codes
    row: NDArray[Any]
    column_of_value: NDArray[np.object_]  # "value", or the wide table's indicator column
    codes: dict[str, Codes] = field(default_factory=dict)

    def display(self, column: str, idx: IntArray) -> NDArray[np.object_]:
        if column in self.codes:
            return self.codes[column].text(idx)
        values = self.raw[column].to_numpy(dtype=object)[idx]
        return np.array(["" if (t := as_text(v)) is None else t for v in values], dtype=object)


def _concat(
    batches: list[Batch],
    fw: Framework | None,
    file_failures: list[dict[str, object]],
    *,
    wide_allowed: Sequence[str],
    unknown_columns: str,
) -> tuple[_Work, str, list[str]]:
    frames: list[pd.DataFrame] = []
    forms: set[str] = set()
    for bi, batch in enumerate(batches):
        for f in batch.failures:
            file_failures.append({**f, INTERNAL + "batch": bi})
        frame = batch.frame
        if frame.empty:
            continue
        wide = is_wide(frame, fw)
        if wide:
            forms.add("wide")
            if fw is None:  # pragma: no cover - is_wide needs a framework
                raise RuntimeError("wide tables need a framework")
            long, others = wide_to_long(frame, fw)
            if not set(map(str, frame.columns)) & set(fw.indicator_ids):
                file_failures.append(
                    {
                        **file_failure(
                            batch.file,
                            Check.MISSING_COLUMN.value,
                            f"no column is an indicator of framework '{fw.id}' (such as "
                            f"{', '.join(fw.indicator_ids[:3])}) and there are no indicator "
                            "and value columns: a table needs one column per indicator id, or "
                            "the columns mission, period, phase, indicator, value and rater",
                        ),
                        "column": "indicator",
                        INTERNAL + "batch": bi,
                    }
                )
            for col in ("mission", "period"):
                if col not in frame.columns:
                    file_failures.append(
                        {
                            **file_failure(
                                batch.file,
                                Check.MISSING_COLUMN.value,
                                f"there is no '{col}' column; a table with one column per "
                                "indicator needs mission and period columns",
                            ),
                            "column": col,
                            INTERNAL + "batch": bi,
                        }
                    )
                    long[INTERNAL + "absent__" + col] = True
            if unknown_columns == "error":
                for col in others:
                    if str(col) in wide_allowed:
                        continue
                    hint = did_you_mean(str(col), fw.indicator_ids)
                    file_failures.append(
                        {
                            **file_failure(
                                batch.file,
                                Check.UNKNOWN_COLUMN.value,
                                f"column '{col}' is not an indicator of framework '{fw.id}' and "
                                f"no recipe step reads it{hint} (pass unknown_columns='ignore' "
                                "to keep such columns unused)",
                            ),
                            "column": str(col),
                            "value": str(col),
                            INTERNAL + "batch": bi,
                        }
                    )
            file_failures.extend(
                {**f, INTERNAL + "batch": bi} for f in _wide_row_problems(frame, batch.file)
            )
            long[INTERNAL + "absent__rater"] = True
            if "phase" not in frame.columns:
                long[INTERNAL + "absent__phase"] = True
            long[INTERNAL + "phase_optional"] = True
            frame = long
        else:
            forms.add("long")
            frame = frame.copy() if INTERNAL + "column" in frame.columns else frame
            for col in REQUIRED_COLUMNS:
                if col not in frame.columns and col not in batch.fixed:
                    sheets = (
                        sorted({str(s) for s in frame[INTERNAL + "sheet"].dropna()})
                        if (INTERNAL + "sheet" in frame)
                        else []
                    )
                    file_failures.append(
                        {
                            **file_failure(
                                batch.file,
                                Check.MISSING_COLUMN.value,
                                f"there is no '{col}' column; every entry needs a {col} (columns "
                                "are matched by name, ignoring case)",
                                sheet=sheets[0] if len(sheets) == 1 else "",
                            ),
                            "column": col,
                            INTERNAL + "batch": bi,
                        }
                    )
                    frame = frame.assign(**{INTERNAL + "absent__" + col: True})
        frames.append(frame.assign(**{INTERNAL + "batch": bi}))
    if not frames:
        raw = pd.DataFrame({INTERNAL + "batch": pd.Series(dtype="int64")})
    elif len(frames) == 1:
        raw = frames[0].reset_index(drop=True)
    else:
        raw = pd.concat(frames, ignore_index=True, sort=False)
    n = len(raw)
    absent = [
        c
        for c in (*ASSESSMENT_COLUMNS, INTERNAL + "sheet", INTERNAL + "row", INTERNAL + "column")
        if c not in raw.columns
    ]
    if absent:  # an all-missing float column costs nothing to add or to factorise
        raw = raw.assign(**{c: np.full(n, np.nan) for c in absent})
    files = np.array([b.file for b in batches] or [""], dtype=object)
    batch_idx = raw[INTERNAL + "batch"].to_numpy(dtype=np.int64)
    column_codes = factorize_text(raw[INTERNAL + "column"], strip=False)
    value_col = np.append(column_codes.names, "value").astype(object)[
        np.where(column_codes.codes >= 0, column_codes.codes, len(column_codes.names))
    ]
    form = "mixed" if len(forms) > 1 else (forms.pop() if forms else "long")
    extras = [
        c for c in raw.columns if c not in ASSESSMENT_COLUMNS and not str(c).startswith(INTERNAL)
    ]
    work = _Work(
        raw=raw,
        files=files,
        batch=batch_idx,
        sheet=factorize_text(raw[INTERNAL + "sheet"], strip=False),
        row=raw[INTERNAL + "row"].to_numpy(),
        column_of_value=value_col.astype(object),
    )
    return work, form, extras


def _wide_row_problems(frame: pd.DataFrame, file: str) -> list[dict[str, object]]:
    """Rows of a wide table without a mission or period, and rows that repeat a mission and
    period (after the first such row)."""
    if "mission" not in frame.columns or "period" not in frame.columns or frame.empty:
        return []
    mission = factorize_text(frame["mission"], strip=True)
    period = factorize_text(frame["period"], strip=True)
    rows = (
        frame[INTERNAL + "row"].to_numpy()
        if INTERNAL + "row" in frame.columns
        else np.arange(1, len(frame) + 1)
    )
    out: list[dict[str, object]] = []
    for col, codes in (("mission", mission), ("period", period)):
        for pos in np.flatnonzero(codes.blank()):
            out.append(
                {
                    **file_failure(
                        file,
                        Check.MISSING_REQUIRED.value,
                        f"{col} is required but empty; every row of a table with one column "
                        "per indicator needs a mission and a period",
                    ),
                    "row": rows[pos],
                    "column": col,
                    "mission": mission.text(np.array([pos]))[0],
                }
            )
    periods = canonical_periods(period)
    present = ~mission.blank() & ~period.blank()
    if not present.any():
        return out
    sub = np.flatnonzero(present)
    key = combine_codes(mission.codes[sub], periods.codes.codes[sub])
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    if not dup.any():
        return out
    first = pd.Series(sub).groupby(key).transform("first").to_numpy(dtype=np.int64)
    for pos, f in zip(sub[dup], first[dup], strict=True):
        m = mission.text(np.array([pos]))[0]
        p = periods.codes.text(np.array([pos]))[0]
        out.append(
            {
                **file_failure(
                    file,
                    Check.DUPLICATE_UNIT.value,
                    f"{m} {p} has more than one row (also row {rows[f]}); a table with one "
                    "column per indicator has one row per mission and period",
                ),
                "row": rows[pos],
                "column": "period",
                "mission": m,
                "period": p,
                "value": p,
            }
        )
    return out


def _flag(raw: pd.DataFrame, name: str) -> BoolArray:
    col = INTERNAL + name
    if col not in raw.columns:
        return np.zeros(len(raw), dtype=bool)
    return raw[col].fillna(False).to_numpy(dtype=bool)


def check_entries(
    batches: list[Batch],
    framework: Framework | None,
    *,
    wide_allowed: Sequence[str] = (),
    unknown_columns: str = "error",
    timelines: Any = None,
) -> CheckedEntries:
    """Run every entry check over raw batches (the one definition used by every front door).

    Parameters
    ----------
    batches : list of Batch
        What the readers yielded (see :func:`missionlens.assessments.record.Batch`).
    framework : Framework or None
        The framework to check against; without it, indicators, scales, applicability and the
        framework version are not checked and phases are checked against the default phases.
    wide_allowed : sequence of str
        Extra columns a wide table may hold (the columns the recipe reads).
    unknown_columns : {"error", "ignore"}
        What to do with other columns of a wide table.
    timelines : optional
        Phase timelines (anything :func:`~missionlens.read_timelines` reads): an entry whose
        phase is not the one its mission's timeline gives its period fails
        ``phase_contradicts_timeline``; a row of a wide table without a phase takes the
        timeline's.

    Returns
    -------
    CheckedEntries
        Factorised keys, values and every problem (:data:`FAILURE_COLUMNS`).

    Notes
    -----
    The mission life check (``outside_mission_life``) needs no argument: an entry whose mission
    is an acronym of :func:`missionlens.missions` (case and surrounding spaces ignored) and
    whose period has no day within the mission's life (``start_date`` to ``end_date``; no end
    for an active mission) fails. A mission not in the registry is not checked.
    """
    if unknown_columns not in ("error", "ignore"):
        raise ValueError("unknown_columns must be 'error' or 'ignore'")
    fw = framework
    file_failures: list[dict[str, object]] = []
    w, form, extras = _concat(
        batches, fw, file_failures, wide_allowed=wide_allowed, unknown_columns=unknown_columns
    )
    raw = w.raw
    n = len(raw)
    out = _Collector(w)

    ident = {
        c: factorize_text(raw[c], strip=True)
        for c in ("mission", "period", "phase", "indicator", "rater")
    }
    w.codes.update(ident)
    confidence_raw = factorize_text(raw["confidence"], strip=False)
    w.codes["confidence"] = confidence_raw

    # not applicable: the mark of the not_applicable column, or a value cell reading "N/A"
    na_mark, bad_mark = parse_flags(raw["not_applicable"])
    na_text = not_applicable_markers(raw["value"])
    not_applicable = na_mark | na_text
    value_raw = raw["value"]
    if pd.api.types.is_numeric_dtype(value_raw.dtype) and not (
        pd.api.types.is_bool_dtype(value_raw.dtype)
    ):
        value_empty = value_raw.isna().to_numpy()  # numbers: only a missing value is empty
    else:
        value_empty = factorize_text(value_raw, strip=True).blank()

    # required fields
    optional_phase = _flag(raw, "phase_optional")
    for col in REQUIRED_COLUMNS:
        absent = _flag(raw, "absent__" + col)
        # a not-applicable entry has no value (nor has one whose mark is unreadable: that mark
        # is reported instead)
        empty = value_empty & ~not_applicable & ~bad_mark if col == "value" else ident[col].blank()
        if col == "phase":
            empty &= ~optional_phase
        if col in ("mission", "period"):
            empty &= ~optional_phase  # a wide table's rows are checked once per row
        out.add(
            empty & ~absent,
            col,
            Check.MISSING_REQUIRED,
            f"{col} is required but empty"
            + ("; leave the whole row empty if you do not assess it" if col == "value" else ""),
        )

    # periods: each distinct label parsed once
    period = ident["period"]
    periods = canonical_periods(period)
    canonical = periods.codes
    errors = periods.errors
    out.add(
        periods.bad,
        "period",
        Check.BAD_PERIOD,
        lambda idx: take_or(errors, period.codes[idx], None),
    )
    nat = np.datetime64("NaT", "ns")
    derived_start = take_or(periods.start, canonical.codes, nat)
    derived_end = take_or(periods.end, canonical.codes, nat)
    for col, derived in (("period_start", derived_start), ("period_end", derived_end)):
        given = raw[col]
        if not bool(given.notna().any()):
            continue
        stamps = _parse_days(given).to_numpy(dtype="datetime64[ns]")
        present = given.notna().to_numpy()
        unreadable = present & np.isnat(stamps)
        differs = present & ~np.isnat(stamps) & ~np.isnat(derived) & (stamps != derived)
        out.add(
            unreadable,
            col,
            Check.BAD_PERIOD,
            f"{col} is not a date (it is derived from period; leave it empty)",
        )
        out.add(
            differs,
            col,
            Check.BAD_PERIOD,
            lambda idx, col=col, derived=derived: [  # type: ignore[misc]
                f"{col} does not match the period {p} "
                f"({pd.Timestamp(d).strftime('%Y-%m-%d') if not np.isnat(d) else ''}); "
                "leave it empty or correct it"
                for p, d in zip(w.display("period", idx), derived[idx], strict=True)
            ],
        )

    # phases
    allowed_phases = tuple(fw.facet("phase").value_ids) if fw is not None else PHASES
    phase = ident["phase"]
    phase_pos_of_name = _positions(phase.names, allowed_phases)
    has_phase = (phase.codes >= 0) & ~phase.blank()
    phase_pos = np.append(np.asarray(phase_pos_of_name, dtype=np.int64), -1)[phase.codes]
    out.add(
        has_phase & (phase_pos < 0),
        "phase",
        Check.UNKNOWN_PHASE,
        lambda idx: [
            f"'{p}' is not a lifecycle phase; phases are: {', '.join(allowed_phases)}"
            + did_you_mean(p, allowed_phases)
            for p in phase.text(idx)
        ],
    )

    mission = ident["mission"]
    _mission_life_check(w, out, mission, canonical, derived_start, derived_end)
    lookup = timeline_lookup(timelines, allowed_phases) if timelines is not None else {}
    if lookup:
        phase_pos = _timeline_checks(
            w,
            out,
            lookup,
            mission=mission,
            canonical=canonical,
            phase_pos=phase_pos,
            has_phase=has_phase,
            fill=optional_phase & phase.blank(),
            allowed_phases=allowed_phases,
        )
    phase_text = np.array([*allowed_phases, ""], dtype=object)

    # values
    values, not_numeric = parse_values(raw["value"])
    # "N/A" is the answer not applicable, not a wrong number; nor is the empty value beside a mark
    not_numeric = not_numeric & ~na_text & ~(na_mark & value_empty)
    value_column = w.column_of_value
    indicator = ident["indicator"]
    ind_pos = np.full(n, -1, dtype=np.int64)
    if fw is not None:
        facts = scale_facts(fw)
        of_name = _positions(indicator.names, facts.ids)
        ind_pos = np.append(np.asarray(of_name, dtype=np.int64), -1)[indicator.codes]
        known = ind_pos >= 0
        has_indicator = ~indicator.blank()
        out.add(
            has_indicator & ~known,
            "indicator",
            Check.UNKNOWN_INDICATOR,
            lambda idx: [
                f"'{name}' is not an indicator of framework '{fw.id}' v{fw.version}"
                + did_you_mean(name, facts.ids)
                for name in indicator.text(idx)
            ],
        )
        expect = np.append(facts.expect, "a number")
        safe_pos = np.where(known, ind_pos, len(facts.ids))
        out.add(
            not_numeric,
            value_column,
            Check.NOT_NUMERIC,
            lambda idx: [
                f"'{v}' is not a number; {i} takes {e}"
                for v, i, e in zip(
                    w.display("value", idx), indicator.text(idx), expect[safe_pos[idx]], strict=True
                )
            ],
            value=lambda idx: w.display("value", idx),
        )
        present = ~np.isnan(values)
        finite = np.isfinite(values)
        bad = np.zeros(n, dtype=bool)
        is_numeric = np.append(facts.kind == "numeric", False)[ind_pos]
        lo = np.append(facts.lo, -np.inf)[ind_pos]
        hi = np.append(facts.hi, np.inf)[ind_pos]
        with np.errstate(invalid="ignore"):
            in_bounds = (values >= lo) & (values <= hi) & finite
        bad |= known & present & is_numeric & ~in_bounds
        listed = known & present & ~is_numeric
        if listed.any():
            # rubric and binary: the value must be one of the indicator's levels; one lookup in
            # a table of (indicator, level) over the union of all levels
            union = np.unique(np.concatenate([lv for lv in facts.levels.values()]))
            allowed = np.zeros((len(facts.ids) + 1, union.size), dtype=bool)
            for j, lv in facts.levels.items():
                allowed[j, np.searchsorted(union, lv)] = True
            at = np.clip(np.searchsorted(union, np.where(finite, values, 0.0)), 0, union.size - 1)
            is_level = finite & (union[at] == values) & allowed[ind_pos, at]
            bad |= listed & ~is_level
        out.add(
            bad,
            value_column,
            Check.OUT_OF_SCALE,
            lambda idx: [
                f"value {v} is outside the scale of {i}: expected {e}"
                for v, i, e in zip(
                    w.display("value", idx), indicator.text(idx), expect[safe_pos[idx]], strict=True
                )
            ],
            value=lambda idx: w.display("value", idx),
        )
        applies = facts.applies
        phase_known = phase_pos >= 0
        applicable = np.ones(n, dtype=bool)
        sel = known & phase_known
        applicable[sel] = applies[ind_pos[sel], phase_pos[sel]]
        out.add(
            sel & ~applicable,
            "phase",
            Check.NOT_APPLICABLE_IN_PHASE,
            lambda idx: [
                f"{i} does not apply in phase {p} (it applies in: {a})"
                for i, p, a in zip(
                    indicator.text(idx),
                    phase_text[phase_pos[idx]],
                    facts.applies_text[ind_pos[idx]],
                    strict=True,
                )
            ],
        )
    else:
        out.add(
            not_numeric,
            value_column,
            Check.NOT_NUMERIC,
            lambda idx: [f"'{v}' is not a number" for v in w.display("value", idx)],
            value=lambda idx: w.display("value", idx),
        )
        out.add(
            ~np.isnan(values) & ~np.isfinite(values),
            value_column,
            Check.OUT_OF_SCALE,
            lambda idx: [f"value {v} is not a finite number" for v in w.display("value", idx)],
            value=lambda idx: w.display("value", idx),
        )

    _not_applicable_checks(
        w,
        out,
        indicator=ident["indicator"],
        na_mark=na_mark,
        bad_mark=bad_mark,
        na_text=na_text,
        value_given=~value_empty,
        value_column=value_column,
    )

    # text that cannot be stored or read back: a line break (or another control character) in
    # an identifier, a lone surrogate anywhere
    for col in ("mission", "period", "phase", "indicator", "rater"):
        out.add(
            _bad_names(ident[col], control=True)[ident[col].codes],
            col,
            Check.BAD_TEXT,
            f"{col} holds a line break, a tab or another control character, or a broken "
            f"character (a lone surrogate); a {col} is one line of text",
        )
    for col in FREE_TEXT_COLUMNS:
        if not bool(raw[col].notna().any()):
            continue
        free = factorize_text(raw[col], strip=False)
        w.codes[col] = free
        out.add(
            _bad_names(free, control=False)[free.codes],
            col,
            Check.BAD_TEXT,
            f"{col} holds a broken character (a lone surrogate, half of a pair), which no file "
            "can store; retype the text or remove the character",
        )

    # confidence
    conf_names = np.array(
        [
            CONFIDENCE_LEVELS.index(c)
            if (c := str(nm).strip().lower()) in CONFIDENCE_LEVELS
            else -1
            for nm in confidence_raw.names
        ],
        dtype=np.int64,
    )
    conf = np.append(conf_names, -1)[confidence_raw.codes]
    bad_conf = (confidence_raw.codes >= 0) & (conf < 0)
    out.add(
        bad_conf,
        "confidence",
        Check.BAD_CONFIDENCE,
        lambda idx: [
            f"'{c}' is not a confidence level; use "
            + ", ".join(CONFIDENCE_LEVELS[:-1])
            + f" or {CONFIDENCE_LEVELS[-1]}, or leave it empty"
            for c in confidence_raw.text(idx)
        ],
    )

    # entered_at
    if bool(raw["entered_at"].notna().any()):
        _, bad_date = _parse_times(raw["entered_at"])
        out.add(
            bad_date.to_numpy(dtype=bool),
            "entered_at",
            Check.BAD_DATE,
            lambda idx: [
                f"'{v}' is not a date and time from 1678 to 2261; use ISO 8601, e.g. "
                "2024-03-15T14:30:00Z (a time without a zone is read as UTC)"
                for v in w.display("entered_at", idx)
            ],
        )

    # framework version
    if fw is not None:
        _framework_mismatch(w, fw, out)

    # duplicates: the same rater, mission, period and indicator more than once
    rater = ident["rater"]
    mission = ident["mission"]
    keyed = (
        (rater.codes >= 0) & (mission.codes >= 0) & (canonical.codes >= 0) & (indicator.codes >= 0)
    )
    keyed &= ~rater.blank() & ~mission.blank() & ~indicator.blank()
    if keyed.any():
        sub = np.flatnonzero(keyed)
        key = combine_codes(
            np.maximum(rater.codes[sub], -1) + 1,
            mission.codes[sub],
            canonical.codes[sub],
            indicator.codes[sub],
        )
        dup_sub = _repeated(key)
        if dup_sub.any():
            first_pos = pd.Series(sub).groupby(key).transform("first").to_numpy(dtype=np.int64)
            mask = np.zeros(n, dtype=bool)
            mask[sub[dup_sub]] = True
            first_of_row = np.full(n, -1, dtype=np.int64)
            first_of_row[sub] = first_pos

            def _dup_message(idx: IntArray) -> list[str]:
                first = first_of_row[idx]
                out_msgs = []
                for i, f in zip(idx, first, strict=True):
                    where = f"row {w.row[f]}"
                    sheet_name = w.sheet.text(np.array([f]))[0]
                    if sheet_name:
                        where += f" of sheet {sheet_name}"
                    if w.files[w.batch[f]] != w.files[w.batch[i]]:
                        where += f" of {w.files[w.batch[f]]}"
                    one = np.array([i])
                    who, what = rater.text(one)[0], indicator.text(one)[0]
                    unit = f"{mission.text(one)[0]} {canonical.text(one)[0]}"
                    out_msgs.append(
                        f"rater {who} already entered {what} for {unit} ({where}); keep one entry"
                    )
                return out_msgs

            out.add(mask, value_column, Check.DUPLICATE_ENTRY, _dup_message)

    # phases of one mission and period must agree
    with_phase = (mission.codes >= 0) & (canonical.codes >= 0) & (phase_pos >= 0)
    if with_phase.any():
        sub = np.flatnonzero(with_phase)
        unit = combine_codes(mission.codes[sub], canonical.codes[sub])
        n_phases = len(allowed_phases)
        if int(unit.max()) + 1 > 4 * unit.size + 1024:  # sparse keys: number the units densely
            unit = np.unique(unit, return_inverse=True)[1].reshape(-1)
        seen = np.zeros((int(unit.max()) + 1) * n_phases, dtype=bool)
        seen[unit * n_phases + phase_pos[sub]] = True
        phases_per_unit = seen.reshape(-1, n_phases).sum(axis=1)
        conflicted_units = np.flatnonzero(phases_per_unit > 1)
        if conflicted_units.size:
            in_conflict = np.isin(unit, conflicted_units)
            first_rows = pd.Series(sub[in_conflict]).groupby(unit[in_conflict]).first()
            mask = np.zeros(n, dtype=bool)
            mask[first_rows.to_numpy(dtype=np.int64)] = True
            unit_of_row = np.full(n, -1, dtype=np.int64)
            unit_of_row[sub] = unit

            def _phase_message(idx: IntArray) -> list[str]:
                msgs = []
                for i in idx:
                    members = sub[unit == unit_of_row[i]]
                    found = []
                    for pp in pd.unique(phase_pos[members]):
                        who = sorted(
                            {str(r) for r in rater.text(members[phase_pos[members] == pp])}
                        )
                        found.append(f"{allowed_phases[pp]} ({', '.join(who)})")
                    msgs.append(
                        f"raters put {mission.text(np.array([i]))[0]} "
                        f"{canonical.text(np.array([i]))[0]} in different phases: "
                        f"{', '.join(found)}; agree on one phase first"
                    )
                return msgs

            out.add(
                mask,
                "phase",
                Check.INCONSISTENT_PHASE,
                _phase_message,
                value=lambda idx: np.array([""] * len(idx), dtype=object),
            )

    problems = _assemble(w, out, file_failures, mission, canonical, indicator, rater)
    return CheckedEntries(
        problems=problems,
        n=n,
        form=form,
        mission=mission,
        period=canonical,
        period_start=periods.start,
        period_end=periods.end,
        phase=Codes(
            np.where(phase_pos >= 0, phase_pos, -1).astype(np.int64),
            np.array(allowed_phases, dtype=object),
        ),
        indicator=ind_pos,
        indicator_names=indicator,
        rater=rater,
        values=np.where(not_numeric | not_applicable, np.nan, values),
        confidence=conf,
        raw=raw,
        not_applicable=not_applicable & ~bad_mark,
        batch_files=tuple(str(f) for f in w.files),
        batch=w.batch,
        extras=tuple(extras),
        framework=fw,
    )


def _mission_life_check(
    w: _Work,
    out: _Collector,
    mission: Codes,
    canonical: Codes,
    period_start: NDArray[Any],
    period_end: NDArray[Any],
) -> None:
    """``outside_mission_life``: a registry mission (:func:`missionlens.missions`) with a period
    that has no day in its life. Each distinct mission is looked up once."""
    if not len(mission.names):
        return
    known, life_start, life_end, life_words = mission_lives(mission.names)
    if not known.any():
        return
    rows = (mission.codes >= 0) & (canonical.codes >= 0) & ~np.isnat(period_start)
    rows &= take_or(known, mission.codes, False).astype(bool)
    if not rows.any():
        return
    sub = np.flatnonzero(rows)
    code = mission.codes[sub]
    before = period_end[sub] < life_start[code]
    ends = life_end[code]
    after = ~np.isnat(ends) & (period_start[sub] > ends)
    mask = np.zeros(len(w.raw), dtype=bool)
    mask[sub[before | after]] = True
    out.add(
        mask,
        "period",
        Check.OUTSIDE_MISSION_LIFE,
        lambda idx: [
            f"{life_words[c]}; period {p} is outside it: correct the period or the mission "
            "(the dates are those of ml.missions())"
            for c, p in zip(mission.codes[idx], canonical.text(idx), strict=True)
        ],
        value=lambda idx: canonical.text(idx),
    )


def _timeline_checks(
    w: _Work,
    out: _Collector,
    lookup: dict[str, PhaseTimeline],
    *,
    mission: Codes,
    canonical: Codes,
    phase_pos: IntArray,
    has_phase: BoolArray,
    fill: BoolArray,
    allowed_phases: tuple[str, ...],
) -> IntArray:
    """``phase_contradicts_timeline``, and the phase of wide rows without one from the timeline.

    Each distinct (mission, period) with a timeline is placed once
    (:meth:`~missionlens.PhaseTimeline.phase_of`). Returns the phase positions with the filled
    ones.
    """
    timeline_of = [lookup.get(mission_key(m)) for m in mission.names]
    if not any(t is not None for t in timeline_of):
        return phase_pos
    rows = (mission.codes >= 0) & (canonical.codes >= 0)
    rows &= np.array([t is not None for t in timeline_of] + [False], dtype=bool)[mission.codes]
    if not rows.any():
        return phase_pos
    sub = np.flatnonzero(rows)
    pairs = combine_codes(mission.codes[sub], canonical.codes[sub])
    uniq, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
    placed = np.full(uniq.size, -1, dtype=np.int64)
    for k, at in enumerate(sub[first]):
        t = timeline_of[mission.codes[at]]
        label = canonical.names[canonical.codes[at]]
        try:
            ph = t.phase_of(label) if t is not None else None
        except ValueError:  # a bad period: reported by bad_period
            ph = None
        placed[k] = allowed_phases.index(ph) if ph is not None else -1
    expected = np.full(len(w.raw), -1, dtype=np.int64)
    expected[sub] = placed[inverse.reshape(-1)]
    wrong = has_phase & (phase_pos >= 0) & (expected >= 0) & (phase_pos != expected)
    names = np.array(allowed_phases, dtype=object)

    def message(idx: IntArray) -> list[str]:
        msgs = []
        for i in idx:
            t = timeline_of[mission.codes[i]]
            tl_phase = str(names[expected[i]])
            span = t.span_text(tl_phase) if t is not None else ""
            msgs.append(
                f"{mission.names[mission.codes[i]]} {canonical.names[canonical.codes[i]]} is "
                f"entered in phase {names[phase_pos[i]]}, but the mission's timeline puts it in "
                f"{tl_phase} ({span}); correct the phase, or the timeline"
            )
        return msgs

    out.add(
        wrong,
        "phase",
        Check.PHASE_CONTRADICTS_TIMELINE,
        message,
        value=lambda idx: names[phase_pos[idx]],
    )
    filled = fill & (phase_pos < 0) & (expected >= 0)
    return np.where(filled, expected, phase_pos).astype(np.int64)


def _not_applicable_checks(
    w: _Work,
    out: _Collector,
    *,
    indicator: Codes,
    na_mark: BoolArray,
    bad_mark: BoolArray,
    na_text: BoolArray,
    value_given: BoolArray,
    value_column: NDArray[np.object_],
) -> None:
    """The checks of the answer *not applicable* (see :data:`NOT_APPLICABLE_MARKERS`).

    * ``bad_not_applicable``: the ``not_applicable`` cell is neither yes nor no;
    * ``value_with_not_applicable``: an entry marked not applicable also has a value (a value
      cell reading ``N/A`` is the mark itself, not a value);
    * ``missing_reason``: a not-applicable entry without a reason (blank or only spaces). A
      wide table has no reason column, so an ``N/A`` cell there always fails, with a message
      pointing to the long form;
    * ``reason_without_not_applicable``: a reason on an entry that is not marked not applicable
      (most likely a forgotten mark; refused rather than kept as unexplained text).
    """
    raw = w.raw
    not_applicable = na_mark | na_text
    out.add(
        bad_mark,
        "not_applicable",
        Check.BAD_NOT_APPLICABLE,
        lambda idx: [
            f"'{v}' is not a not-applicable mark; use yes or no (true/false, 1/0), or leave it "
            "empty for no"
            for v in w.display("not_applicable", idx)
        ],
    )
    out.add(
        na_mark & ~na_text & value_given,
        value_column,
        Check.VALUE_WITH_NOT_APPLICABLE,
        lambda idx: [
            f"{i} is marked not applicable but also has the value {v}; an entry is either rated "
            "or not applicable: clear the value, or clear the not-applicable mark"
            for i, v in zip(indicator.text(idx), w.display("value", idx), strict=True)
        ],
        value=lambda idx: w.display("value", idx),
    )
    reason = factorize_text(raw["not_applicable_reason"], strip=True)
    has_reason = ~reason.blank()
    missing = not_applicable & ~has_reason
    # where each entry's value is: "value", or a wide table's indicator column (looked at only
    # when something failed: comparing a million texts costs more than every check above)
    wide_row = (
        np.asarray(value_column != "value", dtype=bool)
        if missing.any()
        else np.zeros(len(raw), dtype=bool)
    )

    def _missing_message(idx: IntArray) -> list[str]:
        msgs = []
        for i, v, wide in zip(
            indicator.text(idx), w.display("value", idx), wide_row[idx], strict=True
        ):
            if wide:
                msgs.append(
                    f"'{v}' (not applicable) needs a reason, and a table with one column per "
                    "indicator has no place for one: enter this entry in the long form (columns "
                    "mission, period, phase, indicator, value, rater, not_applicable, "
                    "not_applicable_reason), or leave the cell empty if it is missing"
                )
            else:
                msgs.append(
                    f"{i} is marked not applicable without a reason; say why it does not apply "
                    "in not_applicable_reason (e.g. 'the mission is not in Africa: no AU "
                    "partnership')"
                )
        return msgs

    out.add(
        missing,
        np.where(wide_row, value_column, "not_applicable_reason").astype(object)
        if missing.any()
        else "not_applicable_reason",
        Check.MISSING_REASON,
        _missing_message,
        value=lambda idx: np.where(wide_row[idx], w.display("value", idx), "").astype(object),
    )
    out.add(
        has_reason & ~not_applicable & ~bad_mark,
        "not_applicable_reason",
        Check.REASON_WITHOUT_NOT_APPLICABLE,
        lambda idx: [
            f"{i} gives a not-applicable reason but is not marked not applicable; set "
            "not_applicable to yes (and leave the value empty), or clear the reason"
            for i in indicator.text(idx)
        ],
    )


def _framework_mismatch(w: _Work, fw: Framework, out: _Collector) -> None:
    raw = w.raw
    expected = (fw.id, fw.version, fw.fingerprint)
    got = [factorize_text(raw[c], strip=True) for c in FRAMEWORK_COLUMNS]
    differs = np.zeros(len(raw), dtype=bool)
    for codes, value in zip(got, expected, strict=True):
        not_it = np.array([nm != value for nm in codes.names], dtype=bool)
        differs |= np.append(not_it, False)[codes.codes]
    if not differs.any():
        return
    sub = np.flatnonzero(differs)
    key = combine_codes(
        w.batch[sub],
        w.sheet.codes[sub] + 1,
        *[np.maximum(c.codes[sub], -1) + 1 for c in got],
    )
    first = ~pd.Series(key).duplicated(keep="first").to_numpy()
    counts = pd.Series(key).map(pd.Series(key).value_counts()).to_numpy()
    mask = np.zeros(len(raw), dtype=bool)
    mask[sub[first]] = True
    count_of = np.zeros(len(raw), dtype=np.int64)
    count_of[sub] = counts

    def message(idx: IntArray) -> list[str]:
        msgs = []
        for i in idx:
            made = [c.text(np.array([i]))[0] or "?" for c in got]
            k = count_of[i]
            msgs.append(
                f"{k} entr{'y was' if k == 1 else 'ies were'} made for framework '{made[0]}' "
                f"v{made[1]} (fingerprint {made[2]}), not for '{fw.id}' v{fw.version} "
                f"(fingerprint {fw.fingerprint}); re-enter them in a template made from this "
                "framework, or validate them against the framework they were made for"
            )
        return msgs

    out.add(
        mask,
        "framework_fingerprint",
        Check.FRAMEWORK_MISMATCH,
        message,
        value=lambda idx: got[2].text(idx),
    )


def _assemble(
    w: _Work,
    out: _Collector,
    file_failures: list[dict[str, object]],
    mission: Codes,
    period: Codes,
    indicator: Codes,
    rater: Codes,
) -> pd.DataFrame:
    raw = w.raw
    columns = [*FAILURE_COLUMNS, "_batch", "_pos"]
    pieces: list[pd.DataFrame] = []
    if file_failures:
        head = pd.DataFrame(file_failures).rename(columns={INTERNAL + "batch": "_batch"})
        head["_pos"] = -1
        pieces.append(head.reindex(columns=columns))
    if out.parts:
        body = pd.concat(out.parts, ignore_index=True)
        idx = body["_pos"].to_numpy(dtype=np.int64)
        body["file"] = w.files[w.batch[idx]]
        body["sheet"] = w.sheet.text(idx)
        body["row"] = np.asarray(w.row[idx], dtype=object)
        for col, codes in (("mission", mission), ("indicator", indicator), ("rater", rater)):
            body[col] = pd.Series([escaped(str(v)) for v in codes.text(idx)], dtype=object)
        body["period"] = pd.Series(
            [escaped(str(v)) for v in np.where(period.codes[idx] >= 0, period.text(idx), "")],
            dtype=object,
        )
        for col in ASSESSMENT_COLUMNS:
            override = INTERNAL + "row__" + col
            if override not in raw.columns:
                continue
            rows = raw[override].to_numpy(dtype=object)[idx]
            shared = (body["column"] == col).to_numpy() & pd.notna(rows)
            if shared.any():
                body.loc[shared, "row"] = rows[shared]
                body.loc[shared, "indicator"] = ""
        body["_batch"] = w.batch[idx]
        body = body.drop_duplicates(
            subset=[c for c in FAILURE_COLUMNS if c != "message"], keep="first"
        )
        pieces.append(body.reindex(columns=columns))
    if not pieces:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})
        return failure_dtypes(empty)
    frame = pd.concat(pieces, ignore_index=True)
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    frame["_col"] = frame["column"].map(_COLUMN_ORDER).fillna(len(_COLUMN_ORDER))
    frame["_row"] = frame["row"].astype("float64").fillna(-1)
    frame = frame.sort_values(
        ["_batch", "sheet", "_row", "_col", "check"], kind="stable", na_position="first"
    )
    return failure_dtypes(frame[list(FAILURE_COLUMNS)].reset_index(drop=True))


def failure_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """A problem table with its documented dtypes: ``row`` as ``Int64``, the rest as text."""
    frame = frame.copy()
    for col in FAILURE_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if col == "row":
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
        else:
            frame[col] = (
                frame[col].astype(object).where(frame[col].notna(), "").astype(text_dtype())
            )
    return frame[list(FAILURE_COLUMNS)]


# ----------------------------------------------------------------------------------- dates
def _parse_days(raw: pd.Series) -> pd.Series:
    """Days (``datetime64[ns]``, time of day dropped) from a column of dates; NaT if unreadable."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        stamps = pd.Series(raw)
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_localize(None)
        return stamps.dt.normalize().astype("datetime64[ns]")
    codes = factorize_text(raw, strip=True)
    parsed = pd.to_datetime(
        pd.Series(codes.names, dtype=object), format="ISO8601", errors="coerce", utc=True
    )
    days = pd.Series(parsed).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]").to_numpy()
    out = np.where(
        codes.codes >= 0,
        days[np.maximum(codes.codes, 0)] if days.size else np.datetime64("NaT"),
        np.datetime64("NaT"),
    )
    return pd.Series(out.astype("datetime64[ns]"), index=raw.index)


def _in_range(stamps: pd.Series) -> pd.Series:
    """Timestamps (UTC) inside the nanosecond range pandas stores (1677-09-21 to 2262-04-11)."""
    low = pd.Timestamp.min.tz_localize("UTC")
    high = pd.Timestamp.max.tz_localize("UTC")
    return stamps.isna() | ((stamps >= low) & (stamps <= high))


def _parse_times(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UTC timestamps from a raw column: (timestamps, mask of present but unreadable cells).

    Timestamps with a time zone are converted to UTC; those without one are taken as UTC. A
    date outside the range pandas stores (before 1677 or after 2262) is unreadable.
    """
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        stamps = pd.Series(raw)
        if stamps.dt.tz is None:
            stamps = stamps.dt.tz_localize("UTC")
        stamps = stamps.dt.tz_convert("UTC")
        fits = _in_range(stamps)
        utc = stamps.where(fits).astype("datetime64[ns, UTC]")
        return utc, pd.Series(~fits.to_numpy(), index=raw.index)
    codes = factorize_text(raw, strip=True)
    names = pd.Series(codes.names, dtype=object)
    present_names = names != ""
    parsed = pd.Series(
        pd.to_datetime(names.where(present_names), format="ISO8601", utc=True, errors="coerce")
    )
    parsed = parsed.where(_in_range(parsed)).astype("datetime64[ns, UTC]")
    bad_names = (present_names & parsed.isna()).to_numpy()
    has = codes.codes >= 0
    safe = np.maximum(codes.codes, 0)
    if len(names):
        stamps = parsed.iloc[safe].reset_index(drop=True).where(pd.Series(has))
        bad = pd.Series(has & bad_names[safe], index=raw.index)
    else:
        stamps = pd.Series(pd.NaT, index=range(len(raw)), dtype="datetime64[ns, UTC]")
        bad = pd.Series(False, index=raw.index)
    stamps.index = raw.index
    return stamps.astype("datetime64[ns, UTC]"), bad
