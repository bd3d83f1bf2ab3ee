"""Small, cited public datasets on UN peace operations that ship with missionlens.

The peacekeeping tables are derived from public sources by ``missionlens/data/build_datasets.py``;
the gender parity targets are entered by hand from the documents they cite. The data folder's
README documents every column, its unit, the derivation and the caveats. Each loader returns a
DataFrame whose ``attrs["source"]`` holds the citation.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from missionlens.errors import ArgumentError

__all__ = [
    "PARITY_CATEGORIES",
    "PARITY_YEARS",
    "SOURCES",
    "gender_parity_targets",
    "load_fatalities",
    "load_mission_year_indicators",
    "load_missions",
    "load_personnel",
    "parity_share_of_target",
    "phase_timelines",
]

_FATALITIES = (
    "United Nations Peacekeeping, peacekeeper fatalities (NOTICAS), UN Open Data Portal; "
    "counted per mission and calendar year"
)
_PERSONNEL = (
    "SIPRI Multilateral Peace Operations Database and IPI Peacekeeping Database, as combined "
    "in a research dataset of mission-month personnel, 1993-2016; mean monthly strength per year"
)
_PARITY = (
    "United Nations Department of Peace Operations, Uniformed Gender Parity Strategy 2018-2028 "
    "(2018), https://peacekeeping.un.org/en/uniformed-gender-parity-strategy-2018-2018-full-text; "
    "each value's own source is in the 'source' column, and 'verified' says whether it was "
    "checked against the UN's own text"
)

#: Citation of each shipped table.
SOURCES: dict[str, str] = {
    "missions.csv": "United Nations, Peace and Security Data Hub, dataset DPPADPOSS-PKO "
    "(last updated 2024-02-19)",
    "fatalities_mission_year.csv": _FATALITIES,
    "personnel_mission_year.csv": _PERSONNEL,
    "mission_year_indicators.csv": f"{_FATALITIES}; {_PERSONNEL}; rates per 1,000 person-years",
    "gender_parity_targets.csv": _PARITY,
    "phase_timelines.csv": "Illustrative phase dating of MINUSMA, UNAMID and UNMIL from the "
    "Security Council resolutions cited in each row's 'source' (check against the mandates)",
}

#: Personnel categories of the Uniformed Gender Parity Strategy 2018-2028, in its order.
PARITY_CATEGORIES: tuple[str, ...] = (
    "military_contingents",
    "staff_officers_military_observers",
    "formed_police_units",
    "individual_police_officers",
    "justice_corrections",
)

#: First and last year of the Uniformed Gender Parity Strategy.
PARITY_YEARS: tuple[int, int] = (2018, 2028)


def _read(name: str, **kwargs: object) -> pd.DataFrame:
    with resources.files("missionlens").joinpath("data").joinpath(name).open("rb") as handle:
        frame = pd.read_csv(handle, **kwargs)  # type: ignore[call-overload]
    frame.attrs["source"] = SOURCES[name]
    return frame


def load_missions() -> pd.DataFrame:
    """UN peacekeeping missions: acronym, name, start and end dates, headquarters.

    Returns
    -------
    pandas.DataFrame
        One row per acronym, columns ``mission, name, start_date, end_date, active,
        location, latitude, longitude`` (dates parsed, coordinates in decimal degrees).
        ``attrs["source"]`` holds the citation.

    Notes
    -----
    Source: United Nations, Peace and Security Data Hub, dataset DPPADPOSS-PKO (last updated
    2024-02-19), cleaned as described in ``missionlens/data/README.md`` (swapped coordinates,
    the DOMREP name).
    """
    return _read("missions.csv", parse_dates=["start_date", "end_date"])


def phase_timelines() -> pd.DataFrame:
    """Example phase timelines of three real missions (MINUSMA, UNAMID, UNMIL).

    Illustrative phase dating, check against the mandates: each row cites the Security Council
    resolutions its dates come from; where a boundary is a judgement (the end of start-up), its
    ``note`` says so. Read them as :class:`~missionlens.PhaseTimeline` objects with
    ``ml.read_timelines(ml.datasets.phase_timelines())``.

    Returns
    -------
    pandas.DataFrame
        Columns ``mission, phase, start, end, source, note`` (dates parsed), one row per
        mission and phase, in order of the phases. ``attrs["source"]`` holds the citation.
    """
    return _read("phase_timelines.csv", parse_dates=["start", "end"])


def load_fatalities() -> pd.DataFrame:
    """Peacekeeper fatalities per mission and calendar year by type of incident (1948-2021).

    Returns
    -------
    pandas.DataFrame
        Columns ``mission, year, fatalities_total, fatalities_malicious_act,
        fatalities_accident, fatalities_illness, fatalities_other,
        fatalities_malicious_uniformed`` (counts of persons, all personnel types except the
        last, which counts military, military observers and police only). Only mission-years
        with at least one fatality are listed.

    Notes
    -----
    Source: United Nations Peacekeeping, peacekeeper fatalities (NOTICAS), UN Open Data
    Portal, records 1948-07-06 to 2021-06-10; six duplicated casualty records are counted once.
    """
    return _read("fatalities_mission_year.csv")


def load_personnel() -> pd.DataFrame:
    """Mean monthly uniformed personnel per UN mission and calendar year (1993-2016).

    Returns
    -------
    pandas.DataFrame
        Columns ``mission, year, troops, police, observers, total`` (persons, mean over the
        months reported, not divided by 12) and ``months_reported`` (1-12).

    Notes
    -----
    Source: SIPRI Multilateral Peace Operations Database and IPI Peacekeeping Database, as
    combined in a research dataset of mission-month personnel (the ``*_backward`` columns).
    """
    return _read("personnel_mission_year.csv")


def load_mission_year_indicators() -> pd.DataFrame:
    """Fatalities joined to personnel per mission-year, with annual malicious-act death rates.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`load_fatalities` (whole calendar year) and
        :func:`load_personnel`, plus

        * ``person_years``: exposure, the sum of the monthly strengths of the months reported
          divided by 12;
        * ``fatalities_outside_reported_months``: deaths (all types) in months without a
          strength figure, counted in the ``fatalities_*`` columns but in no rate;
        * ``malicious_act_in_reported_months``, ``malicious_uniformed_in_reported_months``:
          the numerators of the two rates;
        * ``malicious_deaths_per_1000``: malicious-act deaths (all personnel types) per 1,000
          uniformed personnel per year;
        * ``malicious_deaths_uniformed_per_1000``: the same for uniformed deaths only, the
          data behind the whole-of-mission indicator ``env_fatalities_malicious``.

    Notes
    -----
    The rates are per 1,000 person-years, ``deaths in the months reported / person_years *
    1000`` = ``deaths / total * 1000 * 12 / months_reported``, a crude mortality rate per
    person-time (Rothman, Greenland and Lash, *Modern Epidemiology*, 3rd ed., 2008, ch. 3), so
    part-year mission-years are annualised: MINUSMA 2013, 4 deaths in 6 months of 6,439
    personnel, has 4 / 3,219.5 * 1000 = 1.242. The column names are those of earlier releases,
    whose documented unit was already "per 1,000 per year"; see ``missionlens/data/README.md``.
    Sources: UN NOTICAS fatalities; SIPRI and IPI personnel.
    """
    return _read("mission_year_indicators.csv")


def gender_parity_targets() -> pd.DataFrame:
    """Annual targets of the UN Uniformed Gender Parity Strategy 2018-2028.

    Returns
    -------
    pandas.DataFrame
        One row per year (2018-2028) and category of :data:`PARITY_CATEGORIES`, 55 rows:

        * ``year`` (int) and ``category`` (str);
        * ``target_pct`` (float): the target share of women in that category, in percent;
          **missing (NaN) where no published value was found**, never filled in;
        * ``source`` (str): title, year and URL of the document the value was read in (for a
          missing value, the strategy itself);
        * ``verified`` (bool): True only if the value was checked against the UN's own text;
        * ``note`` (str): the quoted wording, or why the value is missing.

    Notes
    -----
    Source: United Nations Department of Peace Operations, *Uniformed Gender Parity Strategy
    2018-2028* (2018), https://peacekeeping.un.org/en/uniformed-gender-parity-strategy-2018-2018-full-text.
    The strategy's annual table could not be read for this release: 10 values of 55 were found,
    1 of them in the UN's own text; see ``missionlens/data/README.md``.

    Examples
    --------
    >>> import missionlens as ml
    >>> targets = ml.datasets.gender_parity_targets()
    >>> row = targets.query("year == 2028 and category == 'military_contingents'").iloc[0]
    >>> float(row["target_pct"]), bool(row["verified"])
    (15.0, False)
    """
    frame = _read(
        "gender_parity_targets.csv", dtype={"category": str, "source": str, "verified": str}
    )
    frame["verified"] = frame["verified"].map({"true": True, "false": False}).astype(bool)
    frame["target_pct"] = frame["target_pct"].astype("float64")
    return frame


def _as_array(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy()
    if isinstance(values, str) or not isinstance(values, Iterable):
        return np.asarray(values, dtype=object)
    return np.asarray(list(values), dtype=object)


def parity_share_of_target(
    share_pct: Any,
    category: Any,
    year: Any,
    *,
    missing: Literal["raise", "nan"] = "raise",
    verified_only: bool = False,
) -> Any:
    """Share of women as a percentage of that year's Uniformed Gender Parity Strategy target.

    ``share_of_target = share_pct / target_pct * 100``: 100 means the target is met exactly,
    50 means half of it. The three arguments broadcast against each other like NumPy arrays.

    Parameters
    ----------
    share_pct : float, array-like or pandas.Series
        Share of women in the category, in percent (0-100). NaN stays NaN.
    category : str, array-like or pandas.Series
        One of :data:`PARITY_CATEGORIES`.
    year : int, array-like or pandas.Series
        Calendar year. **Years before 2018 use the 2018 target, and years after 2028 the 2028
        target**: the strategy starts from its 2018 targets and ends with the 2028 ones, which
        stay the standard until a new strategy sets others.
    missing : {"raise", "nan"}, default "raise"
        What to do when the table has no value for a requested category and year (most years:
        see :func:`gender_parity_targets`). ``"raise"`` raises :class:`ArgumentError` listing
        every such pair; ``"nan"`` returns NaN for them.
    verified_only : bool, default False
        Treat targets not verified against the UN's own text as missing.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float if every argument is a scalar, a Series (index of the first Series argument,
        name ``share_of_target_pct``) if any is a Series, else an array of floats.

    Raises
    ------
    ArgumentError
        For every problem at once: an unknown category (naming the allowed ones), a year that
        is not a whole number, a share outside 0-100 or not a number, a bad ``missing``, and
        (with ``missing="raise"``) the category-years without a target.

    Notes
    -----
    Targets: United Nations Department of Peace Operations, *Uniformed Gender Parity Strategy
    2018-2028* (2018); see :func:`gender_parity_targets` for each value's own source.

    Examples
    --------
    >>> import missionlens as ml
    >>> ml.datasets.parity_share_of_target(7.5, "military_contingents", 2028)
    50.0
    """
    problems: list[str] = []
    if missing not in ("raise", "nan"):
        problems.append(f"missing={missing!r}: expected 'raise' or 'nan'")
    index = next((a.index for a in (share_pct, category, year) if isinstance(a, pd.Series)), None)
    try:
        shares_raw, cats, years_raw = np.broadcast_arrays(
            _as_array(share_pct), _as_array(category), _as_array(year)
        )
    except ValueError as exc:
        raise ArgumentError(
            f"share_pct, category and year do not broadcast to one shape: {exc}"
        ) from None

    shares = pd.to_numeric(pd.Series(shares_raw.ravel()), errors="coerce").to_numpy(float)
    not_numbers = pd.isna(shares) & ~pd.isna(pd.Series(shares_raw.ravel(), dtype=object))
    if not_numbers.any():
        texts = sorted({repr(v) for v in shares_raw.ravel()[not_numbers]})[:5]
        problems.append(f"share_pct: expected numbers in percent, got {', '.join(texts)}")
    out_of_range = ~pd.isna(shares) & ((shares < 0) | (shares > 100))
    if out_of_range.any():
        values = sorted({float(v) for v in shares[out_of_range]})[:5]
        problems.append(f"share_pct: expected a percentage from 0 to 100, got {values}")

    cat_list = [str(c) for c in cats.ravel()]
    unknown = sorted(set(cat_list) - set(PARITY_CATEGORIES))
    if unknown:
        problems.append(
            f"category: unknown {unknown}; expected one of {', '.join(PARITY_CATEGORIES)}"
        )

    years_num = pd.to_numeric(pd.Series(years_raw.ravel()), errors="coerce").to_numpy(float)
    bad_year = pd.isna(years_num) | (np.mod(np.nan_to_num(years_num), 1) != 0)
    if bad_year.any():
        given = sorted({repr(v) for v in years_raw.ravel()[bad_year]})[:5]
        problems.append(f"year: expected whole calendar years, got {', '.join(given)}")
    if problems:
        raise ArgumentError("parity_share_of_target: " + "; ".join(problems))

    first, last = PARITY_YEARS
    used_years = np.clip(years_num.astype(int), first, last)
    table = gender_parity_targets()
    if verified_only:
        table.loc[~table["verified"], "target_pct"] = np.nan
    lookup = table.set_index(["category", "year"])["target_pct"]
    targets = lookup.reindex(pd.MultiIndex.from_arrays([cat_list, used_years])).to_numpy(float)

    absent = pd.isna(targets)
    if missing == "raise" and absent.any():
        pairs = sorted(
            {
                (c, int(y))
                for c, y in zip(np.array(cat_list)[absent], used_years[absent], strict=True)
            }
        )
        listed = ", ".join(f"{c} {y}" for c, y in pairs[:10])
        more = f" and {len(pairs) - 10} more" if len(pairs) > 10 else ""
        kind = "verified target" if verified_only else "published target"
        raise ArgumentError(
            f"parity_share_of_target: no {kind} in gender_parity_targets.csv for {listed}{more} "
            "(the strategy's annual table could not be read; see "
            "ml.datasets.gender_parity_targets()); pass missing='nan' to get NaN for them"
        )

    result = (shares / targets * 100).reshape(shares_raw.shape)
    if index is not None:
        return pd.Series(result.ravel(), index=index, name="share_of_target_pct")
    if result.ndim == 0:
        return float(result)
    return result
