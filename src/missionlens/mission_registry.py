"""Missions and their timelines: the registry of UN peacekeeping operations and phase dating.

(The module is not named ``missions``: a submodule of that name would replace the function
``missionlens.missions`` on the package as soon as it is imported.)

:func:`missions` is the bundled registry of every UN peacekeeping operation of the UN Peace and
Security Data Hub list (81 rows, 1948 to today), with host countries and regions from a
hand-entered, documented table (``missionlens/data/mission_hosts.csv``); :func:`mission` gives
one record. The registry gives a real mission its real life: an entry whose mission is a
registry acronym and whose period does not overlap that life is refused by every front door
(the check ``outside_mission_life`` of :mod:`missionlens.assessments.checks`, using
:func:`mission_lives`).

A :class:`PhaseTimeline` dates a mission's lifecycle phases (mandate design, start-up,
implementation, drawdown, transition, exit); :meth:`PhaseTimeline.phase_of` places a period in
its phase. Timelines are read from YAML or a table by :func:`missionlens.read_timelines`.

Acronyms are matched without regard to case or surrounding spaces (``" Minusma"`` is MINUSMA):
an acronym names one real operation however it is typed. A mission that is not in the registry
(a fictional ``Mission A``, an internal code) is not checked against any life.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from missionlens import datasets
from missionlens.errors import ArgumentError, NotFoundError
from missionlens.periods import parse_period
from missionlens.suggest import did_you_mean

__all__ = [
    "MISSION_COLUMNS",
    "TIMELINE_COLUMNS",
    "MissionRecord",
    "PhaseSpan",
    "PhaseTimeline",
    "life_text",
    "mission",
    "mission_key",
    "mission_lives",
    "missions",
]

#: Columns of :func:`missions`, in order.
MISSION_COLUMNS: tuple[str, ...] = (
    "mission",
    "name",
    "host_countries",
    "region",
    "start_date",
    "end_date",
    "active",
    "location",
    "latitude",
    "longitude",
    "lead_department",
    "last_update",
    "correction",
)

#: Columns of a table of phase timelines (:meth:`PhaseTimeline.to_frame`, the input of
#: :func:`missionlens.read_timelines`), in order.
TIMELINE_COLUMNS: tuple[str, ...] = ("mission", "phase", "start", "end", "source", "note")


def mission_key(name: object) -> str:
    """The registry key of a mission name: stripped and upper case (``" Minusma"`` -> ``MINUSMA``).

    Examples
    --------
    >>> from missionlens.mission_registry import mission_key
    >>> mission_key(" Minusma ")
    'MINUSMA'
    """
    return str(name).strip().upper()


@functools.lru_cache(maxsize=1)
def _registry() -> pd.DataFrame:
    frame = datasets.load_missions()
    missing = [c for c in MISSION_COLUMNS if c not in frame.columns]
    if missing:  # pragma: no cover - the shipped file is built with every column
        raise RuntimeError(f"missions.csv lacks the columns {missing}; rebuild it")
    out = frame[list(MISSION_COLUMNS)].copy()
    out["last_update"] = pd.to_datetime(out["last_update"])
    for col in ("name", "host_countries", "region", "location", "lead_department", "correction"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out.attrs["source"] = (
        f"{frame.attrs['source']}; host countries and regions: missionlens/data/"
        "mission_hosts.csv (hand-entered from the mission names and mandates; see its README)"
    )
    return out


def missions(*, active: bool | None = None) -> pd.DataFrame:
    """The registry of UN peacekeeping operations (UN Peace and Security Data Hub list).

    Parameters
    ----------
    active : bool, optional
        Only the active (``True``) or closed (``False``) missions; all by default.

    Returns
    -------
    pandas.DataFrame
        One row per acronym, sorted by acronym, columns :data:`MISSION_COLUMNS`:

        * ``mission``: the acronym, as the Data Hub spells it (the key of the assessment
          record's ``mission`` column);
        * ``name``: the full name;
        * ``host_countries``: the host country or countries, ``;``-joined, the main one first
          (a territory such as Western Sahara or Kosovo is named as such; missing for UNFOR,
          which could not be identified);
        * ``region``: Africa, Americas, Asia and the Pacific, Europe or Middle East;
        * ``start_date``, ``end_date``: the mission's life (``datetime64``; ``end_date`` is
          missing for active missions, and both for the three rows the source gives no date);
        * ``active``: whether the mission is active;
        * ``location``, ``latitude``, ``longitude``: the headquarters as the Data Hub gives it;
        * ``lead_department``, ``last_update``: as in the Data Hub;
        * ``correction``: every value the build script changed in the row and why (missing if
          none), e.g. MINUSMA's end date, which the Data Hub of 2024-02-19 still lacks.

        ``attrs["source"]`` holds the citation.

    Notes
    -----
    Source: United Nations, Peace and Security Data Hub, dataset DPPADPOSS-PKO (last updated
    2024-02-19), built by ``missionlens/data/build_datasets.py``; host countries and regions
    from ``missionlens/data/mission_hosts.csv``. The data README documents every change and
    what could not be verified. The list has combined rows beside their parts (UNEF and UNEF I
    and II, UNAVEM and UNAVEM I to III, UNOSOM and UNOSOM I and II) and a few entries that are
    not peacekeeping operations (UNGCI, UNOHCI, UNSMA, UNSCOB).

    Examples
    --------
    >>> import missionlens as ml
    >>> m = ml.missions()
    >>> len(m), m.loc[m["mission"] == "MINUSMA", "host_countries"].item()
    (81, 'Mali')
    """
    if active is not None and not isinstance(active, bool | np.bool_):
        raise ArgumentError(f"missions: active must be True, False or None, not {active!r}")
    frame = _registry()
    out = frame if active is None else frame[frame["active"] == bool(active)]
    out = out.reset_index(drop=True).copy()
    out.attrs["source"] = frame.attrs["source"]
    return out


class MissionRecord(BaseModel):
    """One mission of the registry (:func:`mission`).

    Attributes
    ----------
    mission, name : str
        Acronym and full name.
    host_countries : tuple of str
        Host countries, main first (empty if unknown).
    region : str or None
    start_date, end_date : datetime.date or None
        The mission's life; ``end_date`` is ``None`` for an active mission.
    active : bool
    location : str or None
        Headquarters.
    correction : str or None
        What the build changed in the Data Hub row, if anything.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str
    name: str
    host_countries: tuple[str, ...] = ()
    region: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    active: bool = False
    location: str | None = None
    correction: str | None = None

    def life(self) -> str:
        """The mission's life in words (see :func:`life_text`)."""
        return life_text(self.mission, self.start_date, self.end_date, self.active)

    def overlaps(self, period: object) -> bool | None:
        """Whether a period overlaps the mission's life (``None`` if the life is not known).

        Examples
        --------
        >>> import missionlens as ml
        >>> ml.mission("MINUSMA").overlaps("1990"), ml.mission("MINUSMA").overlaps("2023-H2")
        (False, True)
        """
        if self.start_date is None:
            return None
        p = parse_period(period)
        if p.end.date() < self.start_date:
            return False
        end = self.end_date
        return not (end is not None and p.start.date() > end)


def _date_or_none(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def life_text(acronym: str, start: dt.date | None, end: dt.date | None, active: bool) -> str:
    """A mission's life in words, as the ``outside_mission_life`` message gives it.

    Examples
    --------
    >>> import datetime as dt
    >>> from missionlens.mission_registry import life_text
    >>> life_text("MINUSMA", dt.date(2013, 4, 25), dt.date(2023, 12, 31), False)
    'MINUSMA ran from 2013-04-25 to 2023-12-31'
    >>> life_text("UNMISS", dt.date(2011, 7, 8), None, True)
    'UNMISS has run since 2011-07-08 (active)'
    """
    if start is None:
        return f"{acronym} has no known start date"
    if end is None:
        state = "active" if active else "end date unknown"
        return f"{acronym} has run since {start.isoformat()} ({state})"
    return f"{acronym} ran from {start.isoformat()} to {end.isoformat()}"


def mission(acronym: str) -> MissionRecord:
    """One mission of the registry, by acronym (case and surrounding spaces ignored).

    Parameters
    ----------
    acronym : str
        E.g. ``"MINUSMA"`` or ``"minusma"``.

    Returns
    -------
    MissionRecord

    Raises
    ------
    ArgumentError
        If ``acronym`` is not text.
    NotFoundError
        If no mission has that acronym; the message suggests the nearest acronyms.

    Examples
    --------
    >>> import missionlens as ml
    >>> m = ml.mission("minusma")
    >>> m.name, str(m.start_date), str(m.end_date)
    ('United Nations Multidimensional Integrated Stabilization Mission in Mali', '2013-04-25', '2023-12-31')
    """  # noqa: E501
    if not isinstance(acronym, str):
        raise ArgumentError(f"mission: acronym must be text, not {type(acronym).__name__}")
    frame = _registry()
    keys = frame["mission"].map(mission_key)
    hit = frame[keys == mission_key(acronym)]
    if hit.empty:
        raise NotFoundError(
            f"no UN peacekeeping mission has the acronym {acronym!r} in the registry "
            f"(ml.missions(), {len(frame)} missions)"
            + did_you_mean(mission_key(acronym), list(frame["mission"]))
        )
    row = hit.iloc[0]
    hosts = row["host_countries"]
    return MissionRecord(
        mission=str(row["mission"]),
        name=str(row["name"]),
        host_countries=tuple(hosts.split(";")) if isinstance(hosts, str) and hosts else (),
        region=row["region"],
        start_date=_date_or_none(row["start_date"]),
        end_date=_date_or_none(row["end_date"]),
        active=bool(row["active"]),
        location=row["location"],
        correction=row["correction"],
    )


def mission_lives(
    names: Sequence[object] | NDArray[Any],
) -> tuple[NDArray[np.bool_], NDArray[Any], NDArray[Any], list[str]]:
    """The registry life of each of several mission names (for the ``outside_mission_life`` check).

    Parameters
    ----------
    names : sequence
        Mission names as entered (matched by :func:`mission_key`).

    Returns
    -------
    known : numpy.ndarray of bool
        Whether each name is a registry acronym with a known start date.
    start, end : numpy.ndarray of datetime64[ns]
        The life of each name (``NaT``: not known, or, for ``end``, still running).
    text : list of str
        The life in words (:func:`life_text`), empty for an unknown name.
    """
    frame = _registry()
    by_key = {mission_key(m): i for i, m in enumerate(frame["mission"])}
    n = len(names)
    known = np.zeros(n, dtype=bool)
    start = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    end = start.copy()
    text = [""] * n
    starts = frame["start_date"].to_numpy(dtype="datetime64[ns]")
    ends = frame["end_date"].to_numpy(dtype="datetime64[ns]")
    for k, name in enumerate(names):
        i = by_key.get(mission_key(name))
        if i is None or np.isnat(starts[i]):
            continue
        known[k] = True
        start[k], end[k] = starts[i], ends[i]
        row = frame.iloc[i]
        text[k] = life_text(
            str(row["mission"]),
            _date_or_none(row["start_date"]),
            _date_or_none(row["end_date"]),
            bool(row["active"]),
        )
    return known, start, end, text


# ------------------------------------------------------------------------------ phase timelines
_PHASE_ID = re.compile(r"[a-z][a-z0-9_]*")


class PhaseSpan(BaseModel):
    """One phase of a mission's timeline: from ``start`` to ``end`` (both days included).

    Attributes
    ----------
    phase : str
        A lifecycle phase id (``start_up``, ``implementation``, ``drawdown``, ...), checked
        against the framework's phases when the timeline is used.
    start : datetime.date
        First day of the phase.
    end : datetime.date, optional
        Last day of the phase; by default the day before the next phase starts, and open (to
        the mission's end) for the last phase.
    source : str
        Where the dating comes from (a resolution, a plan); required, so that every date is
        cited.
    note : str, optional
        Anything else to say about the dating (e.g. that it is illustrative).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    phase: str
    start: dt.date
    end: dt.date | None = None
    source: str = Field(min_length=1)
    note: str | None = None

    @field_validator("phase")
    @classmethod
    def _phase_id(cls, value: str) -> str:
        text = value.strip()
        if not _PHASE_ID.fullmatch(text):
            raise ValueError(
                f"phase {value!r} is not a phase id (lower case, e.g. start_up, drawdown)"
            )
        return text

    @field_validator("source")
    @classmethod
    def _source_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source is empty; cite the resolution or plan the dates come from")
        return value.strip()

    @model_validator(mode="after")
    def _ordered(self) -> PhaseSpan:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"phase {self.phase} ends ({self.end}) before it starts ({self.start})"
            )
        return self


class PhaseTimeline(BaseModel):
    """The dated lifecycle phases of one mission.

    Phases are given in order of their start dates and do not overlap; a phase without an
    ``end`` lasts until the day before the next one starts (the last one stays open). Gaps
    between phases are allowed: a day in a gap is in no phase.

    Attributes
    ----------
    mission : str
        The mission (matched to the entries' ``mission`` by :func:`mission_key`: case and
        surrounding spaces ignored).
    phases : list of PhaseSpan

    Examples
    --------
    >>> import missionlens as ml
    >>> t = ml.PhaseTimeline(mission="X", phases=[
    ...     {"phase": "start_up", "start": "2013-04-25", "source": "S/RES/2100 (2013)"},
    ...     {"phase": "implementation", "start": "2014-01-01", "source": "S/RES/2164 (2014)"}])
    >>> t.phase_of("2013"), t.phase_of("2013-H1"), t.phase_of("2020")
    ('start_up', 'start_up', 'implementation')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    mission: str = Field(min_length=1)
    phases: tuple[PhaseSpan, ...] = Field(min_length=1)

    @field_validator("mission")
    @classmethod
    def _mission_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("mission is empty")
        return value.strip()

    @model_validator(mode="after")
    def _no_overlap(self) -> PhaseTimeline:
        problems = []
        spans = self.phases
        for a, b in itertools.pairwise(spans):
            if b.start <= a.start:
                problems.append(
                    f"{b.phase} starts on {b.start}, not after {a.phase} ({a.start}); give the "
                    "phases in order of their start dates"
                )
            elif a.end is not None and a.end >= b.start:
                problems.append(f"{a.phase} ends on {a.end}, after {b.phase} starts ({b.start})")
        if problems:
            raise ValueError(f"timeline of {self.mission}: " + "; ".join(problems))
        return self

    def spans(self) -> list[tuple[str, pd.Timestamp, pd.Timestamp | None, str]]:
        """Each phase with its first and last day (``None``: open), in order."""
        out: list[tuple[str, pd.Timestamp, pd.Timestamp | None, str]] = []
        for k, span in enumerate(self.phases):
            end: pd.Timestamp | None
            if span.end is not None:
                end = pd.Timestamp(span.end)
            elif k + 1 < len(self.phases):
                end = pd.Timestamp(self.phases[k + 1].start) - pd.Timedelta(days=1)
            else:
                end = None
            out.append((span.phase, pd.Timestamp(span.start), end, span.source))
        return out

    def days_in_phases(self, period: object) -> dict[str, int]:
        """How many days of a period fall in each phase (phases with none left out)."""
        p = parse_period(period)
        out: dict[str, int] = {}
        for phase, start, end, _ in self.spans():
            first = max(start, p.start)
            last = p.end if end is None else min(end, p.end)
            days = int((last - first) / pd.Timedelta(days=1)) + 1
            if days > 0:
                out[phase] = out.get(phase, 0) + days
        return out

    def phase_of(self, period: object) -> str | None:
        """The phase a period is in: the phase that covers most of its days.

        A period within one phase is in that phase. A period spanning two or more phases is in
        the one covering the most of its days; on a tie, the later phase (a year split evenly
        between implementation and drawdown is read as drawdown: the mission has entered it).
        Days outside every phase (before the first, in a gap) count for none. A period with no
        day in any phase is in none (``None``).

        Parameters
        ----------
        period : str, int, float or datetime.date
            A period (see :func:`missionlens.parse_period`).

        Returns
        -------
        str or None

        Raises
        ------
        ValueError
            If ``period`` is not a period.
        """
        days = self.days_in_phases(period)
        if not days:
            return None
        order = {phase: k for k, (phase, *_rest) in enumerate(self.spans())}
        return max(days, key=lambda ph: (days[ph], order[ph]))

    def span_text(self, phase: str) -> str:
        """The dates of a phase in words, e.g. ``drawdown from 2023-07-01 to 2023-12-31``."""
        parts = []
        for name, start, end, source in self.spans():
            if name != phase:
                continue
            until = f"to {end:%Y-%m-%d}" if end is not None else "onwards"
            parts.append(f"{name} from {start:%Y-%m-%d} {until} ({source})")
        return "; ".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """The timeline as a table, columns :data:`TIMELINE_COLUMNS` (``end`` as given)."""
        return pd.DataFrame(
            [
                {
                    "mission": self.mission,
                    "phase": s.phase,
                    "start": pd.Timestamp(s.start),
                    "end": pd.Timestamp(s.end) if s.end is not None else pd.NaT,
                    "source": s.source,
                    "note": s.note,
                }
                for s in self.phases
            ],
            columns=list(TIMELINE_COLUMNS),
        )

    def periods(self, labels: Iterable[object]) -> pd.DataFrame:
        """Place several periods: columns ``period``, ``phase`` (missing if in none), and
        ``days_in_phase`` / ``days`` (how much of the period the phase covers)."""
        rows = []
        for label in labels:
            p = parse_period(label)
            phase = self.phase_of(p.label)
            days = self.days_in_phases(p.label)
            rows.append(
                {
                    "period": p.label,
                    "phase": phase,
                    "days_in_phase": days.get(phase, 0) if phase else 0,
                    "days": int((p.end - p.start) / pd.Timedelta(days=1)) + 1,
                }
            )
        return pd.DataFrame(rows, columns=["period", "phase", "days_in_phase", "days"])
