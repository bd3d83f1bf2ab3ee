"""Periods: the one parser and ordering of period labels, used by validation, scoring and plots.

A period is a year, a half-year, a quarter, a month, a day, a UN financial year (July to June)
or a range of dates (:func:`parse_period`). Every module that reads a period label calls this
module, so that ``2024h1`` and ``2024-H1`` are the same period everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from missionlens.text import text_dtype

__all__ = ["PERIOD_HELP", "YEAR_RANGE", "Period", "parse_period", "parse_periods"]


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
