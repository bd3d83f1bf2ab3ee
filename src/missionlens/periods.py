"""Periods: the one parser and ordering of period labels, used by validation, scoring and plots.

A period is a year, a half-year, a quarter, a month, a day, a UN financial year (July to June)
or a range of dates (:func:`parse_period`). Every module that reads a period label calls this
module, so that ``2024h1`` and ``2024-H1`` are the same period everywhere.

It also owns the one chronological order of periods (:func:`period_key`, :func:`sort_periods`,
:func:`period_order`), used by scoring (last observation carried forward), the plots' time
axis and every table that puts periods in order, and the time since a date
(:func:`years_since`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.errors import ArgumentError
from missionlens.text import text_dtype

__all__ = [
    "DAYS_PER_YEAR",
    "PERIOD_HELP",
    "YEAR_RANGE",
    "Period",
    "parse_period",
    "parse_periods",
    "period_key",
    "period_order",
    "sort_periods",
    "years_since",
]


class Period(NamedTuple):
    """A parsed period: its canonical label and its first and last day (both included)."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp


#: The earliest and latest year a period may fall in.
YEAR_RANGE: tuple[int, int] = (1900, 2199)

PERIOD_HELP = (
    "use a year (2024), a half-year (2024-H1), a quarter (2024-Q3), a month (2024-03), a date "
    "(2024-03-15), a UN financial year running July to June (2023/24) or a range of dates "
    "(2024-01-01/2024-06-30)"
)

_PERIOD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"(\d{4})")),
    ("half", re.compile(r"(\d{4})[-\s]?[HS]([12])", re.IGNORECASE)),
    ("quarter", re.compile(r"(\d{4})[-\s]?Q([1-4])", re.IGNORECASE)),
    ("month", re.compile(r"(\d{4})-(\d{2})")),
    ("date", re.compile(r"(\d{4})-(\d{2})-(\d{2})")),
    ("financial", re.compile(r"(\d{4})/(\d{2})")),
    ("range", re.compile(r"(\d{4})-(\d{2})-(\d{2})/(\d{4})-(\d{2})-(\d{2})")),
)


def _day(year: int, month: int, day: int) -> pd.Timestamp:
    return pd.Timestamp(year=year, month=month, day=day)


def _month_end(year: int, month: int) -> pd.Timestamp:
    return _day(year, month, calendar.monthrange(year, month)[1])


def _checked_year(text: str, label: str) -> int:
    year = int(text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValueError(
            f"period {label!r}: the year must be between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}"
        )
    return year


def _checked_date(y: str, m: str, d: str, label: str) -> pd.Timestamp:
    year = _checked_year(y, label)
    try:
        return pd.Timestamp(dt.date(year, int(m), int(d)))
    except ValueError:
        raise ValueError(f"period {label!r}: {y}-{m}-{d} is not a date") from None


def parse_period(label: object) -> Period:
    """Parse a period label or a date into its canonical label and date range.

    Parameters
    ----------
    label : str, int, float or datetime.date
        One of (case and a missing dash before ``H``/``S``/``Q`` do not matter):

        * ``2024``: a calendar year, 2024-01-01 to 2024-12-31; the number ``2024`` (an integer,
          or a float that is a whole number such as ``2024.0``, as a spreadsheet cell gives it)
          is the same year;
        * ``2024-H1``, ``2024-H2``: a half-year (``2024-S1``, semester, is read as ``2024-H1``);
        * ``2024-Q3``: a quarter, 2024-07-01 to 2024-09-30;
        * ``2024-03``: a month;
        * ``2024-03-15``: one day (start and end are that day); a ``datetime.date`` or a
          timestamp at midnight is read as that day;
        * ``2023/24``: a UN peacekeeping financial year, 1 July 2023 to 30 June 2024;
        * ``2024-01-01/2024-06-30``: an ISO 8601 range of two dates, both included.

        Years must lie between 1900 and 2199.

    Returns
    -------
    Period
        ``(label, start, end)``: the canonical label (``2024-h1`` becomes ``2024-H1``,
        ``2024S2`` becomes ``2024-H2``) and the first and last day as timestamps.

    Raises
    ------
    ValueError
        If the label is none of the above (a number that is not a whole year, such as
        ``2024.5``, a boolean, a year outside 1900 to 2199, ...), with a plain explanation.

    Examples
    --------
    >>> import missionlens as ml
    >>> ml.parse_period("2024-h1")
    Period(label='2024-H1', start=Timestamp('2024-01-01 00:00:00'), end=Timestamp('2024-06-30 00:00:00'))
    >>> ml.parse_period("2023/24").end
    Timestamp('2024-06-30 00:00:00')
    >>> ml.parse_period(2024) == ml.parse_period(2024.0) == ml.parse_period("2024")
    True
    """  # noqa: E501
    if isinstance(label, bool | np.bool_):
        raise ValueError(f"period {label!r} is not a period; {PERIOD_HELP}")
    if isinstance(label, int | np.integer | float | np.floating):
        if isinstance(label, float | np.floating):
            number = float(label)
            if not (math.isfinite(number) and number.is_integer()):
                raise ValueError(f"period {label!r} is not a whole year; {PERIOD_HELP}")
            label = int(number)
        year = _checked_year(str(int(label)), str(int(label)))
        return Period(f"{year:04d}", _day(year, 1, 1), _day(year, 12, 31))
    if isinstance(label, dt.datetime | pd.Timestamp):
        stamp = pd.Timestamp(label)
        if stamp != stamp.normalize():
            raise ValueError(f"period {label!s}: a period is a day, not a time of day")
        label = stamp.date()
    if isinstance(label, dt.date):
        day = pd.Timestamp(label)
        _checked_year(str(day.year), str(label))
        return Period(day.strftime("%Y-%m-%d"), day, day)
    if not isinstance(label, str):
        raise ValueError(f"period {label!r} is not text or a year; {PERIOD_HELP}")
    text = label.strip()
    for kind, pattern in _PERIOD_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        g = match.groups()
        if kind == "year":
            year = _checked_year(g[0], label)
            return Period(f"{year:04d}", _day(year, 1, 1), _day(year, 12, 31))
        if kind == "half":
            year, half = _checked_year(g[0], label), int(g[1])
            first = 1 if half == 1 else 7
            return Period(f"{year:04d}-H{half}", _day(year, first, 1), _month_end(year, first + 5))
        if kind == "quarter":
            year, quarter = _checked_year(g[0], label), int(g[1])
            first = 3 * quarter - 2
            return Period(
                f"{year:04d}-Q{quarter}", _day(year, first, 1), _month_end(year, first + 2)
            )
        if kind == "month":
            year, month = _checked_year(g[0], label), int(g[1])
            if not 1 <= month <= 12:
                raise ValueError(f"period {label!r}: {g[1]} is not a month (01 to 12)")
            return Period(f"{year:04d}-{month:02d}", _day(year, month, 1), _month_end(year, month))
        if kind == "date":
            day = _checked_date(g[0], g[1], g[2], label)
            return Period(day.strftime("%Y-%m-%d"), day, day)
        if kind == "financial":
            year = _checked_year(g[0], label)
            if int(g[1]) != (year + 1) % 100:
                raise ValueError(
                    f"period {label!r}: a UN financial year runs July to June across two "
                    f"consecutive years, e.g. {year}/{(year + 1) % 100:02d}"
                )
            _checked_year(str(year + 1), label)
            return Period(
                f"{year:04d}/{(year + 1) % 100:02d}", _day(year, 7, 1), _day(year + 1, 6, 30)
            )
        start = _checked_date(g[0], g[1], g[2], label)
        end = _checked_date(g[3], g[4], g[5], label)
        if end < start:
            raise ValueError(f"period {label!r}: the range ends before it starts")
        return Period(f"{start:%Y-%m-%d}/{end:%Y-%m-%d}", start, end)
    raise ValueError(f"{label!r} is not a period; {PERIOD_HELP}")


def parse_periods(values: pd.Series) -> pd.DataFrame:
    """Parse a column of period labels, each distinct label once (vectorised over the rows).

    Returns
    -------
    pandas.DataFrame
        Same index as ``values``; columns ``label`` (canonical, missing if the label is missing
        or bad), ``start``, ``end`` (``datetime64[ns]``) and ``error`` (the explanation for a bad
        label, missing otherwise).
    """
    labels: dict[object, object] = {}
    starts: dict[object, object] = {}
    ends: dict[object, object] = {}
    errors: dict[object, object] = {}
    for raw in pd.unique(values.dropna().to_numpy(dtype=object)):
        try:
            p = parse_period(raw)
            labels[raw], starts[raw], ends[raw] = p.label, p.start, p.end
        except ValueError as exc:
            errors[raw] = str(exc)
    present = values.notna()
    frame = pd.DataFrame(index=values.index)
    frame["label"] = values.map(labels).where(present).astype(object).astype(text_dtype())
    frame["start"] = pd.to_datetime(values.map(starts).where(present)).astype("datetime64[ns]")
    frame["end"] = pd.to_datetime(values.map(ends).where(present)).astype("datetime64[ns]")
    frame["error"] = values.map(errors).where(present).astype(object).astype(text_dtype())
    return frame


# ------------------------------------------------------------------------------------ ordering
def _label_text(value: object) -> str | None:
    """A label as text (``None`` if missing): ``2024`` for 2024.0, a midnight stamp as its day."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else str(number)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def period_key(label: object) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """The sort key of a period: its midpoint, then its first day, then its last day.

    This is the one chronological order of the library. Periods of different lengths
    interleave by where they sit in time: ``2024-Q1`` (midpoint 15 February) comes before
    ``2024-H1`` (1 April), which comes before ``2024`` (2 July) and ``2024-H2``
    (1 October). The midpoint is ``start + (end + 1 day - start) / 2``, the centre of the days
    the period covers, which is where the plots place it on their time axis, so that the
    order of a table and the left-to-right order of a plot are the same. Two periods with the
    same midpoint are ordered by their first day, then their last.

    Parameters
    ----------
    label : str, int, float or datetime.date
        A period label (see :func:`parse_period`).

    Returns
    -------
    tuple of pandas.Timestamp
        ``(midpoint, start, end)``.

    Raises
    ------
    ValueError
        If the label is not a period (the message of :func:`parse_period`).

    Examples
    --------
    >>> from missionlens.periods import period_key
    >>> period_key("2024")[0]
    Timestamp('2024-07-02 00:00:00')
    """
    period = parse_period(label)
    after = period.end + pd.Timedelta(days=1)
    return period.start + (after - period.start) / 2, period.start, period.end


def sort_periods(labels: Iterable[Any]) -> list[str]:
    """Distinct period labels in chronological order (:func:`period_key`).

    Labels are read by :func:`parse_period`; granularities may be mixed (years, halves,
    quarters, months, days, UN financial years, ranges of dates). Labels that name the same
    period (``2024-h1`` and ``2024-H1``) are both kept, next to each other, in the order
    given. The labels are returned as given (as text), not in canonical form. If any label is
    not a period (``cycle 2``), there is no chronological order to give and all labels keep
    the order in which they were first given.

    Parameters
    ----------
    labels : iterable
        Period labels (text, whole numbers or dates); repeats and missing values are dropped.

    Returns
    -------
    list of str
        The distinct labels, as text.

    Examples
    --------
    >>> from missionlens.periods import sort_periods
    >>> sort_periods(["2024-H2", "2023-Q4", "2024", "2024-H1", "2023-Q4"])
    ['2023-Q4', '2024-H1', '2024', '2024-H2']
    >>> sort_periods(["2023/24", "2021/22", "2022/23"])
    ['2021/22', '2022/23', '2023/24']
    >>> sort_periods(["cycle 2", "cycle 1"])
    ['cycle 2', 'cycle 1']
    """
    texts = [t for t in dict.fromkeys(_label_text(v) for v in labels) if t is not None]
    keys: list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]] = []
    for text in texts:
        try:
            keys.append(period_key(text))
        except ValueError:
            return texts
    order = sorted(range(len(texts)), key=lambda i: (keys[i], i))
    return [texts[i] for i in order]


def period_order(labels: Iterable[Any]) -> NDArray[np.int64]:
    """Per label, the rank of its period in chronological order (0 = earliest).

    Labels that name the same period share a rank (``2024h1`` and ``2024-H1``), and ranks
    are dense (0, 1, 2, ... with no gaps). The order is that of :func:`sort_periods`: by
    midpoint, then start, then end (:func:`period_key`). A missing label gets ``-1``. If any
    label is not a period, the ranks follow the order in which the distinct labels first
    appear (as :func:`sort_periods` keeps the given order then).

    Parameters
    ----------
    labels : iterable
        Period labels, one per element (e.g. the ``period`` column of a table of units).

    Returns
    -------
    numpy.ndarray of int64
        One rank per element, in the order of ``labels``.

    Examples
    --------
    >>> from missionlens.periods import period_order
    >>> period_order(["2024-H2", "2024-h1", "2023", "2024-H1"]).tolist()
    [2, 1, 0, 1]
    """
    values = list(labels)
    texts = [_label_text(v) for v in values]
    distinct = [t for t in dict.fromkeys(texts) if t is not None]
    canonical: dict[str, object] = {}
    keys: dict[object, tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]] = {}
    chronological = True
    for text in distinct:
        try:
            parsed = parse_period(text)
        except ValueError:
            chronological = False
            break
        canonical[text] = parsed.label
        keys[parsed.label] = period_key(parsed.label)
    if chronological:
        ranked = sorted(keys, key=lambda k: keys[k])
        rank = {k: i for i, k in enumerate(ranked)}
        of_text = {t: rank[canonical[t]] for t in distinct}
    else:
        of_text = {t: i for i, t in enumerate(distinct)}
    return np.array([-1 if t is None else of_text[t] for t in texts], dtype=np.int64)


#: Mean length of a calendar year in days (the Gregorian cycle of 400 years has 146,097 days).
DAYS_PER_YEAR: float = 365.2425


def years_since(label: object, start_date: object, *, at: str = "start") -> float:
    """Years from a date (a mission's start) to a period, in mean Gregorian years.

    The time is counted in days and divided by 365.2425, the mean length of a year of the
    Gregorian calendar (400 years of 146,097 days), so that ``years_since`` of the period
    one calendar year after the start date is 1 to within a day.

    Parameters
    ----------
    label : str, int, float or datetime.date
        A period (see :func:`parse_period`).
    start_date : str, datetime.date or pandas.Timestamp
        The date counted from, e.g. a mission's ``start_date`` from :func:`missionlens.missions`.
    at : {"start", "midpoint", "end"}
        Which day of the period is measured: its first day (the default), its midpoint
        (:func:`period_key`) or its last day.

    Returns
    -------
    float
        Years (negative if the period lies before the date).

    Raises
    ------
    ValueError
        If ``label`` is not a period.
    ArgumentError
        If ``start_date`` is not a date or ``at`` is none of the three.

    Examples
    --------
    >>> from missionlens.periods import years_since
    >>> round(years_since("2014", "2013-04-25"), 3)
    0.687
    >>> years_since("2024-H1", "2024-01-01")
    0.0
    """
    if at not in ("start", "midpoint", "end"):
        raise ArgumentError(f"at must be 'start', 'midpoint' or 'end', not {at!r}")
    try:
        origin = pd.Timestamp(start_date)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        origin = pd.NaT
    if origin is pd.NaT or pd.isna(origin):
        raise ArgumentError(f"start_date {start_date!r} is not a date; use e.g. '2013-04-25'")
    middle, start, end = period_key(label)
    day = {"start": start, "midpoint": middle, "end": end}[at]
    return float((day - origin.normalize()) / pd.Timedelta(days=1) / DAYS_PER_YEAR)
