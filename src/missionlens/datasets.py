"""Small, cited public datasets on UN peace operations that ship with missionlens.

The tables are derived from public sources by ``missionlens/data/build_datasets.py``; the data
folder's README documents every column, the derivation and the caveats. Each loader returns a
DataFrame whose ``attrs["source"]`` holds the citation.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = [
    "SOURCES",
    "load_fatalities",
    "load_mission_year_indicators",
    "load_missions",
    "load_personnel",
]

_FATALITIES = (
    "United Nations Peacekeeping, peacekeeper fatalities (NOTICAS), UN Open Data Portal; "
    "counted per mission and calendar year"
)
_PERSONNEL = (
    "SIPRI Multilateral Peace Operations Database and IPI Peacekeeping Database, as combined "
    "in a research dataset of mission-month personnel, 1993-2016; mean monthly strength per year"
)

#: Citation of each shipped table.
SOURCES: dict[str, str] = {
    "missions.csv": "United Nations, Peace and Security Data Hub, dataset DPPADPOSS-PKO "
    "(last updated 2024-02-19)",
    "fatalities_mission_year.csv": _FATALITIES,
    "personnel_mission_year.csv": _PERSONNEL,
    "mission_year_indicators.csv": f"{_FATALITIES}; {_PERSONNEL}",
}


def _read(name: str, **kwargs: object) -> pd.DataFrame:
    with resources.files("missionlens").joinpath("data").joinpath(name).open("rb") as handle:
        frame = pd.read_csv(handle, **kwargs)  # type: ignore[call-overload]
    frame.attrs["source"] = SOURCES[name]
    return frame


def load_missions() -> pd.DataFrame:
    """UN peacekeeping missions: acronym, name, start and end dates, headquarters.

    Columns ``mission, name, start_date, end_date, active, location, latitude, longitude``
    (dates parsed). Source: UN Peace and Security Data Hub (DPPADPOSS-PKO).
    """
    return _read("missions.csv", parse_dates=["start_date", "end_date"])


def load_fatalities() -> pd.DataFrame:
    """Peacekeeper fatalities per mission and year by type of incident (1948-2021).

    Columns ``mission, year, fatalities_total, fatalities_malicious_act, fatalities_accident,
    fatalities_illness, fatalities_other``. Source: UN Peacekeeping NOTICAS data.
    """
    return _read("fatalities_mission_year.csv")


def load_personnel() -> pd.DataFrame:
    """Mean monthly uniformed personnel per UN mission and year (1993-2016).

    Columns ``mission, year, troops, police, observers, total, months_reported``.
    Source: SIPRI and IPI peacekeeping databases.
    """
    return _read("personnel_mission_year.csv")


def load_mission_year_indicators() -> pd.DataFrame:
    """Fatalities joined to personnel per mission-year, with the malicious-act rate.

    Columns of :func:`load_fatalities` and :func:`load_personnel` plus
    ``fatalities_malicious_uniformed`` (malicious-act fatalities of military, military
    observers and police), ``malicious_deaths_per_1000`` (all malicious-act fatalities per
    1,000 uniformed personnel per year) and ``malicious_deaths_uniformed_per_1000`` (uniformed
    ones only: the data behind the whole-of-mission indicator ``env_fatalities_malicious``).
    """
    return _read("mission_year_indicators.csv")
