"""Build the small, cited peacekeeping tables shipped with missionlens.

This script is shipped for provenance only; the library never imports it. It reads the raw
public files described in ``README.md`` of the raw data folder and writes, next to itself,

* ``missions.csv`` -- UN peacekeeping missions from the UN Peace and Security Data Hub;
* ``fatalities_mission_year.csv`` -- peacekeeper fatalities (NOTICAS) per mission and year,
  by type of incident;
* ``personnel_mission_year.csv`` -- mean monthly uniformed personnel per UN mission and year
  (the ``*_backward`` columns of the SIPRI/IPI mission-month file);
* ``mission_year_indicators.csv`` -- the join of the two previous tables, 1993-2016, with
  malicious-act deaths per 1,000 uniformed personnel per year.

The rates are per 1,000 uniformed **person-years**: the deaths of the months that have a
strength figure, divided by the person-years of exposure of those months (the sum of the
monthly strengths over 12). This equals ``deaths / mean strength * 1000 * 12 /
months_reported``, so a mission present for six months is annualised; deaths in calendar months
without a strength figure are listed (``fatalities_outside_reported_months``), never rated.

Every cleaning step that changes a value (decimal commas, swapped coordinates, the garbled
DOMREP name, duplicated casualty records, acronym harmonisation) is an explicit, named constant
below, so that the shipped tables can be traced back to the raw files.

Usage
-----
::

    python build_datasets.py /path/to/shared/data/peacekeeping [--out DIR]

Only pandas (and its dependency numpy) is required. Output files are UTF-8 CSV without an
index column, sorted by mission acronym (and year), so that a rebuild from the same inputs is
byte-identical.

Notes
-----
The raw files are copies of published data found in public repositories, not the publishers'
own downloads; check figures that matter against the publishers (see the data ``README.md``
for the full citations).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

# ----------------------------------------------------------------------------------- inputs
MISSIONS_FILE = "un_psdata_DPPADPOSS-PKO_missions.csv"
FATALITIES_FILE = "un_odp_noticas_fatalities.csv"
PERSONNEL_FILE = "pko_mission_month_personnel.csv"

#: First and last year of the personnel file (and of the joined indicator table).
PERSONNEL_YEARS: tuple[int, int] = (1993, 2016)

# ------------------------------------------------------------------------- missions fixes
#: The Data Hub's DOMREP name is truncated and starts with a stray quote
#: (``"Mission of the Representative of the Secretary-General in the``). The source's own
#: prefix is kept and completed with the country, as in the UN's list of past operations.
NAME_FIXES: Mapping[str, str] = {
    "DOMREP": "Mission of the Representative of the Secretary-General in the Dominican Republic",
}

#: Rows whose longitude and latitude are swapped in the Data Hub file. Each is established by
#: another row of the same file with the same headquarters (UNOSOM for Mogadishu; UNAVEM and
#: MONUA for Luanda; UNEF I and UNEF II for Gaza) or, for the two headquarters that occur
#: once, by their well-known position (Bamako 12.65 N 8.00 W; Athens 37.97 N 23.77 E).
SWAPPED_COORDINATES: frozenset[str] = frozenset(
    {"UNOSOM I", "UNOSOM II", "UNAVEM I", "UNAVEM II", "UNEF", "MINUSMA", "UNSCOB"}
)

ACTIVE_VALUES: Mapping[str, bool] = {"yes": True, "no": False}

#: Missions that have closed although the Data Hub (updated 2024-02-19) still lists them as
#: active without an end date: acronym -> (end date, citation). MINUSMA: Security Council
#: resolution 2690 (2023) ended the mandate on 30 June 2023 and set the withdrawal to be
#: completed by 31 December 2023, which the Secretary-General reported done. The row is set
#: inactive with that end date; its ``correction`` column says so.
CLOSURE_FIXES: Mapping[str, tuple[str, str]] = {
    "MINUSMA": (
        "2023-12-31",
        "end_date and active set from Security Council resolution 2690 (2023): mandate ended "
        "30 June 2023, withdrawal completed 31 December 2023",
    ),
}

#: The hand-entered table of host countries and regions (not in the Data Hub file), next to
#: this script; see the section of ``README.md`` on ``mission_hosts.csv``.
HOSTS_FILE = Path(__file__).resolve().parent / "mission_hosts.csv"

#: Regions of :data:`HOSTS_FILE`, those of the UN Peacekeeping list of operations.
REGIONS: frozenset[str] = frozenset(
    {"Africa", "Americas", "Asia and the Pacific", "Europe", "Middle East"}
)

# ----------------------------------------------------------------------- fatalities mapping
#: Every ``Type_Of_Incident`` value found in the NOTICAS file, mapped to an output column.
#: An unknown value stops the build rather than being silently dropped.
INCIDENT_TYPE_MAP: Mapping[str, str] = {
    "Malicious Act": "fatalities_malicious_act",
    "Accident": "fatalities_accident",
    "Illness": "fatalities_illness",
    "Self-Inflicted": "fatalities_other",
    "To Be Determined": "fatalities_other",
    "Unknown": "fatalities_other",
}
FATALITY_COLUMNS: tuple[str, ...] = (
    "fatalities_total",
    "fatalities_malicious_act",
    "fatalities_accident",
    "fatalities_illness",
    "fatalities_other",
)

#: ``Casualty_Personnel_Type`` values of uniformed personnel (the others are international and
#: local civilians and "Other").
UNIFORMED_TYPES: frozenset[str] = frozenset({"Military", "Military Observer", "Police"})

#: Malicious-act fatalities of uniformed personnel only, the numerator of the whole-of-mission
#: indicator ``env_fatalities_malicious``.
UNIFORMED_MALICIOUS = "fatalities_malicious_uniformed"

# ------------------------------------------------------------------------ acronym mapping
#: Personnel-file acronyms that differ from the NOTICAS / Data Hub acronyms. NOTICAS records
#: UNOSOM I and II under ``UNOSOM`` and UNAVEM I-III under ``UNAVEM`` (the Data Hub also has
#: the combined rows ``UNOSOM`` and ``UNAVEM``), so the personnel figures are combined to match;
#: the combined missions never overlap in time. Other acronyms (MONUC, MONUSCO, UNAMID,
#: MINUSMA, UNMIS, UNMISS, ...) are spelled identically in both files.
PERSONNEL_ACRONYM_MAP: Mapping[str, str] = {
    "UNMIBH ": "UNMIBH",  # trailing space in the source
    "UNOCI (ONUCI)": "UNOCI",
    "UNOSOM II": "UNOSOM",  # the personnel file's "UNOSOM" is UNOSOM I (1993m1-1993m4)
    "UNAVEM II": "UNAVEM",
    "UNAVEM III": "UNAVEM",
}

# ------------------------------------------------------------------------------- the rates
#: Decimals of the per-1,000 rates and of ``person_years``.
RATE_DECIMALS = 3

#: Deaths (all types) of a joined mission-year dated in a month without a strength figure:
#: in the calendar-year counts, in no rate.
OUTSIDE_MONTHS = "fatalities_outside_reported_months"
#: Numerator of ``malicious_deaths_per_1000``: malicious-act deaths (all personnel types) in
#: the months with a strength figure.
MALICIOUS_IN_MONTHS = "malicious_act_in_reported_months"
#: Numerator of ``malicious_deaths_uniformed_per_1000``: malicious-act deaths of uniformed
#: personnel in the months with a strength figure.
UNIFORMED_IN_MONTHS = "malicious_uniformed_in_reported_months"

#: Percentiles printed for the distribution of the uniformed rate (goalposts).
DISTRIBUTION_PERCENTILES: tuple[int, ...] = (50, 75, 90, 95, 99)

PERSONNEL_COLUMNS: Mapping[str, str] = {
    "troops_backward": "troops",
    "police_backward": "police",
    "observers_backward": "observers",
    "totals_backward": "total",
}


# ---------------------------------------------------------------------------------- helpers
def _decimal_comma(values: pd.Series) -> pd.Series:
    """Convert strings such as ``"15,9833"`` to floats (empty strings become NaN)."""
    cleaned = values.fillna("").astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(cleaned.mask(cleaned == ""), errors="raise").astype("float64")


def _iso_date(values: pd.Series) -> pd.Series:
    """Validate ``YYYY-MM-DD`` strings; keep them as strings, empty as missing."""
    text = values.fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(text.mask(text == ""), format="%Y-%m-%d", errors="raise")
    return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as UTF-8 CSV with Unix line ends and no index column."""
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {path.name}: {len(frame)} rows, {path.stat().st_size:,} bytes")


# --------------------------------------------------------------------------------- missions
def build_missions(raw_dir: Path) -> pd.DataFrame:
    """Clean the Data Hub list of missions.

    Parameters
    ----------
    raw_dir : Path
        Folder holding the raw files.

    Returns
    -------
    pandas.DataFrame
        One row per mission: ``mission, name, start_date, end_date, active, location,
        latitude, longitude, host_countries, region, lead_department, last_update,
        correction``, sorted by ``mission``. Host countries and regions come from the
        hand-entered :data:`HOSTS_FILE`; ``correction`` lists every value this function
        changed in the row (empty if none).
    """
    raw = pd.read_csv(raw_dir / MISSIONS_FILE, dtype=str, keep_default_na=False)
    missions = pd.DataFrame(
        {
            "mission": raw["mission_acronym"].str.strip(),
            "name": raw["mission_name"].str.strip(),
            "start_date": _iso_date(raw["start_date"]),
            "end_date": _iso_date(raw["end_date"]),
            "active": raw["mission_isactive"].str.strip().str.lower().map(ACTIVE_VALUES),
            "location": raw["mission_location"].str.strip().replace("", None),
            "latitude": _decimal_comma(raw["mission_latitude"]),
            "longitude": _decimal_comma(raw["mission_longitude"]),
        }
    )
    if missions["active"].isna().any():
        bad = raw.loc[missions["active"].isna(), "mission_isactive"].unique().tolist()
        raise ValueError(f"unknown mission_isactive values: {bad}")
    if missions["mission"].duplicated().any():
        raise ValueError("duplicated mission acronyms in the missions list")

    for acronym, name in NAME_FIXES.items():
        missions.loc[missions["mission"] == acronym, "name"] = name

    swap = missions["mission"].isin(SWAPPED_COORDINATES)
    missing = SWAPPED_COORDINATES - set(missions.loc[swap, "mission"])
    if missing:
        raise ValueError(f"SWAPPED_COORDINATES not found: {sorted(missing)}")
    missions.loc[swap, ["latitude", "longitude"]] = missions.loc[
        swap, ["longitude", "latitude"]
    ].to_numpy()

    # After the fixes, every headquarters must have a single position.
    located = missions.dropna(subset=["location", "latitude"])
    spread = located.groupby("location")[["latitude", "longitude"]].nunique()
    if (spread > 1).any(axis=None):
        raise ValueError(f"inconsistent coordinates: {spread[(spread > 1).any(axis=1)]}")
    if not missions["latitude"].dropna().between(-90, 90).all():
        raise ValueError("latitude out of range")

    missions["active"] = missions["active"].astype(bool)

    corrections: dict[str, list[str]] = {m: [] for m in missions["mission"]}
    for acronym in NAME_FIXES:
        corrections[acronym].append("name completed (truncated in the source)")
    for acronym in sorted(SWAPPED_COORDINATES):
        corrections[acronym].append("latitude and longitude swapped back")
    for acronym, (end, why) in CLOSURE_FIXES.items():
        row = missions["mission"] == acronym
        if not row.any() or missions.loc[row, "end_date"].notna().any():
            raise ValueError(f"CLOSURE_FIXES: {acronym} is absent or already has an end date")
        missions.loc[row, "end_date"] = end
        missions.loc[row, "active"] = False
        corrections[acronym].append(why)

    hosts = load_hosts(HOSTS_FILE)
    unknown = sorted(set(hosts["mission"]) - set(missions["mission"]))
    absent = sorted(set(missions["mission"]) - set(hosts["mission"]))
    if unknown or absent:
        raise ValueError(
            f"{HOSTS_FILE.name} does not match the missions list: not in the list {unknown}, "
            f"without a row {absent}"
        )
    missions = missions.merge(
        hosts[["mission", "host_countries", "region"]], on="mission", how="left"
    )
    source = raw.assign(mission=raw["mission_acronym"].str.strip()).set_index("mission")
    missions["lead_department"] = missions["mission"].map(
        source["lead_department"].str.strip().replace("", None)
    )
    missions["last_update"] = missions["mission"].map(_iso_date(source["last_update"]))
    missions["correction"] = missions["mission"].map(lambda m: "; ".join(corrections[m]))
    missions["correction"] = missions["correction"].replace("", None)
    return missions.sort_values("mission", kind="stable").reset_index(drop=True)


def load_hosts(path: Path) -> pd.DataFrame:
    """Read and check the hand-entered table of host countries and regions.

    Parameters
    ----------
    path : Path
        ``mission_hosts.csv``: ``mission, host_countries, region, basis, note``.

    Returns
    -------
    pandas.DataFrame
        The table, with empty cells as missing values.

    Raises
    ------
    ValueError
        If an acronym repeats, a region is not one of :data:`REGIONS`, a ``basis`` is not
        ``name``, ``knowledge`` or ``unknown``, or a row has hosts but no region (or the
        reverse).
    """
    hosts = pd.read_csv(path, dtype=str, keep_default_na=False).apply(lambda c: c.str.strip())
    hosts = hosts.replace("", None)
    problems = []
    if hosts["mission"].duplicated().any():
        problems.append(
            f"repeated acronyms {sorted(hosts.loc[hosts['mission'].duplicated(), 'mission'])}"
        )
    bad_region = hosts["region"].notna() & ~hosts["region"].isin(REGIONS)
    if bad_region.any():
        problems.append(f"unknown regions {sorted(set(hosts.loc[bad_region, 'region']))}")
    bad_basis = ~hosts["basis"].isin({"name", "knowledge", "unknown"})
    if bad_basis.any():
        problems.append(f"unknown basis {sorted(set(hosts.loc[bad_basis, 'basis'].astype(str)))}")
    half = hosts["host_countries"].isna() != hosts["region"].isna()
    if half.any():
        problems.append(
            f"hosts without a region or the reverse: {sorted(hosts.loc[half, 'mission'])}"
        )
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return hosts


# ------------------------------------------------------------------------------- fatalities
def load_fatalities(raw_dir: Path) -> pd.DataFrame:
    """Read the NOTICAS file: fatalities only, one row per casualty.

    The file starts with a byte-order mark (read as ``utf-8-sig``). Six casualties appear
    twice, once with nationality "Montenegro" and once with "Serbia and Montenegro"
    (same ``Casualty_ID``, date, mission and incident); they are counted once.

    Parameters
    ----------
    raw_dir : Path
        Folder holding the raw files.

    Returns
    -------
    pandas.DataFrame
        Columns ``Casualty_ID, mission, year, month, Casualty_Personnel_Type, column`` where
        ``year`` and ``month`` are those of ``Incident_Date`` and ``column`` is the output
        column of the incident type.
    """
    raw = pd.read_csv(
        raw_dir / FATALITIES_FILE, dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    raw = raw.apply(lambda col: col.str.strip())
    raw = raw[raw["Type_of_Casualty"] == "Fatality"]
    unknown = sorted(set(raw["Type_Of_Incident"]) - set(INCIDENT_TYPE_MAP))
    if unknown:
        raise ValueError(f"unmapped Type_Of_Incident values: {unknown}")
    n_rows = len(raw)
    raw = raw.drop_duplicates(subset="Casualty_ID", keep="first")
    print(f"NOTICAS: {n_rows} fatality rows, {n_rows - len(raw)} duplicated Casualty_ID dropped")
    dates = pd.to_datetime(raw["Incident_Date"], format="%Y-%m-%d", errors="raise")
    return pd.DataFrame(
        {
            "Casualty_ID": raw["Casualty_ID"],
            "mission": raw["Mission_Acronym"],
            "year": dates.dt.year.astype("int64"),
            "month": dates.dt.month.astype("int64"),
            "Casualty_Personnel_Type": raw["Casualty_Personnel_Type"],
            "column": raw["Type_Of_Incident"].map(INCIDENT_TYPE_MAP),
        }
    )


def build_fatalities(records: pd.DataFrame) -> pd.DataFrame:
    """Count fatalities per mission, calendar year and type of incident.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`load_fatalities`.

    Returns
    -------
    pandas.DataFrame
        ``mission, year`` and the counts in :data:`FATALITY_COLUMNS`; only mission-years with
        at least one recorded fatality, sorted by mission and year.
    """
    counts = records.groupby(["mission", "year", "column"]).size().unstack("column", fill_value=0)
    counts = counts.reindex(columns=list(FATALITY_COLUMNS[1:]), fill_value=0)
    counts.insert(0, "fatalities_total", counts.sum(axis=1))
    uniformed = records[
        (records["column"] == "fatalities_malicious_act")
        & records["Casualty_Personnel_Type"].isin(UNIFORMED_TYPES)
    ]
    counts[UNIFORMED_MALICIOUS] = (
        uniformed.groupby(["mission", "year"]).size().reindex(counts.index, fill_value=0)
    )
    out = counts.reset_index()
    out.columns.name = None
    columns = [*FATALITY_COLUMNS, UNIFORMED_MALICIOUS]
    out[columns] = out[columns].astype("int64")
    return out.sort_values(["mission", "year"], kind="stable").reset_index(drop=True)


# -------------------------------------------------------------------------------- personnel
def load_personnel_months(raw_dir: Path) -> pd.DataFrame:
    """Uniformed personnel per UN mission (``org == 1``) and calendar month.

    The raw file has one row per conflict episode and mission-month, so a mission-month's
    figures are repeated for each conflict in the same country (same ``missionid``); they are
    counted once, after checking that the copies are identical. UNPROFOR has one
    ``missionid`` per country (Bosnia-Herzegovina, Croatia); the components are summed per
    month. Acronyms are harmonised with :data:`PERSONNEL_ACRONYM_MAP`.

    Parameters
    ----------
    raw_dir : Path
        Folder holding the raw files.

    Returns
    -------
    pandas.DataFrame
        ``mission, year, month, troops, police, observers, total`` (persons, whole numbers),
        one row per harmonised mission and month, sorted.
    """
    raw = pd.read_csv(raw_dir / PERSONNEL_FILE, low_memory=False)
    raw = raw[raw["org"] == 1].copy()
    raw["source_mission"] = raw["mission"].astype(str)
    values = list(PERSONNEL_COLUMNS)

    spread = raw.groupby(["missionid", "date"])[values].nunique()
    if (spread > 1).any(axis=None):
        raise ValueError("figures differ between rows of the same missionid and month")
    monthly = raw.drop_duplicates(subset=["missionid", "date"])
    if monthly[values].isna().any(axis=None):
        raise ValueError("missing *_backward figures in a UN mission-month")
    parts = monthly["troops_backward"] + monthly["police_backward"]
    if not (parts + monthly["observers_backward"] == monthly["totals_backward"]).all():
        raise ValueError("totals_backward != troops + police + observers")

    monthly = monthly.assign(
        mission=monthly["source_mission"].replace(dict(PERSONNEL_ACRONYM_MAP)).str.strip()
    )
    overlap = monthly.groupby(["mission", "date"])["source_mission"].nunique()
    if (overlap > 1).any():
        raise ValueError(f"harmonised missions overlap: {overlap[overlap > 1].head()}")

    month_parts = monthly["date"].str.extract(r"^(\d{4})m(\d{1,2})$").astype("int64")
    monthly = monthly.assign(year=month_parts[0], month=month_parts[1])
    if not monthly["month"].between(1, 12).all():
        raise ValueError("month out of range in date column")

    per_month = monthly.groupby(["mission", "year", "month"])[values].sum()
    per_month = per_month.rename(columns=PERSONNEL_COLUMNS).reset_index()
    return per_month.sort_values(["mission", "year", "month"], kind="stable").reset_index(drop=True)


def build_personnel(months: pd.DataFrame) -> pd.DataFrame:
    """Mean monthly uniformed personnel per UN mission and calendar year.

    Parameters
    ----------
    months : pandas.DataFrame
        Output of :func:`load_personnel_months`.

    Returns
    -------
    pandas.DataFrame
        ``mission, year, troops, police, observers, total, months_reported``; personnel
        figures are means over the months reported in that year (not divided by 12),
        rounded to 0.1.
    """
    values = list(PERSONNEL_COLUMNS.values())
    grouped = months.groupby(["mission", "year"])
    per_year = grouped[values].mean().round(1)
    per_year["months_reported"] = grouped.size().astype("int64")
    out = per_year.reset_index()
    return out.sort_values(["mission", "year"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------- join
def _per_1000_person_years(deaths: pd.Series, strength_months: pd.Series) -> pd.Series:
    """Deaths per 1,000 person-years, rounded to :data:`RATE_DECIMALS`.

    ``strength_months`` is the sum of the monthly strengths of the months reported, so
    ``strength_months / 12`` is the person-years of exposure and the rate is
    ``deaths / (strength_months / 12) * 1000`` = ``deaths / mean strength * 1000 * 12 /
    months_reported`` (the crude mortality rate per person-time of epidemiology; see e.g.
    Rothman, Greenland and Lash, *Modern Epidemiology*, 3rd ed., 2008, ch. 3, "incidence
    rate").
    """
    return (deaths * 12_000 / strength_months).round(RATE_DECIMALS)


def build_indicators(
    records: pd.DataFrame, fatalities: pd.DataFrame, months: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Join fatalities and personnel per mission-year and compute the annual rates.

    Rows are the personnel mission-years (1993-2016) with mean personnel above zero, for
    missions that have at least one NOTICAS record; a year without records counts as zero
    fatalities. The ``fatalities_*`` counts cover the whole calendar year, as in
    ``fatalities_mission_year.csv``. The rates count only the deaths of the months that have
    a strength figure and divide them by the person-years of those months
    (:func:`_per_1000_person_years`): ``malicious_deaths_per_1000`` counts malicious-act
    deaths of all personnel types, ``malicious_deaths_uniformed_per_1000`` those of military,
    military observers and police only (the definition of the whole-of-mission indicator
    ``env_fatalities_malicious``). Deaths in months without a strength figure are counted in
    ``fatalities_outside_reported_months`` and listed in the returned ``outside_months``.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`load_fatalities` (one row per casualty).
    fatalities : pandas.DataFrame
        Output of :func:`build_fatalities`.
    months : pandas.DataFrame
        Output of :func:`load_personnel_months`.

    Returns
    -------
    indicators : pandas.DataFrame
        The joined table, sorted by mission and year.
    personnel_only : pandas.DataFrame
        Personnel missions absent from NOTICAS (not joined), with their years.
    fatalities_only : pandas.DataFrame
        NOTICAS fatalities in 1993-2016 that fall in no personnel mission-year, per mission.
    outside_months : pandas.DataFrame
        Casualties in a joined mission-year but in a month without a strength figure (in the
        calendar-year counts, in no rate), one row per casualty.
    """
    first, last = PERSONNEL_YEARS
    personnel = build_personnel(months)
    keep = personnel["year"].between(first, last) & (personnel["total"] > 0)
    pers = personnel[keep]
    fat_missions = set(fatalities["mission"])

    joinable = pers["mission"].isin(fat_missions)
    personnel_only = (
        pers[~joinable]
        .groupby("mission")["year"]
        .agg(first_year="min", last_year="max", years="size")
        .reset_index()
    )

    indicators = pers[joinable].merge(fatalities, on=["mission", "year"], how="left")
    counted = [*FATALITY_COLUMNS, UNIFORMED_MALICIOUS]
    indicators[counted] = indicators[counted].fillna(0).astype("int64")

    # Exposure: the sum of the monthly strengths of the months reported (whole persons).
    strength_months = months.groupby(["mission", "year"])["total"].sum().rename("_strength")
    indicators = indicators.merge(strength_months.reset_index(), on=["mission", "year"])
    indicators["person_years"] = (indicators["_strength"] / 12).round(RATE_DECIMALS)

    # Numerators: the casualties of the months that have a strength figure.
    reported = months[["mission", "year", "month"]].assign(_reported=True)
    dated = records.merge(reported, on=["mission", "year", "month"], how="left")
    dated["_reported"] = dated["_reported"].eq(True)  # months without a strength figure: False
    in_rows = dated.merge(indicators[["mission", "year"]], on=["mission", "year"])
    malicious = in_rows["column"] == "fatalities_malicious_act"
    uniformed = malicious & in_rows["Casualty_Personnel_Type"].isin(UNIFORMED_TYPES)
    key = ["mission", "year"]
    numerators = pd.DataFrame(
        {
            OUTSIDE_MONTHS: (~in_rows["_reported"]).groupby([in_rows[k] for k in key]).sum(),
            MALICIOUS_IN_MONTHS: (malicious & in_rows["_reported"])
            .groupby([in_rows[k] for k in key])
            .sum(),
            UNIFORMED_IN_MONTHS: (uniformed & in_rows["_reported"])
            .groupby([in_rows[k] for k in key])
            .sum(),
        }
    ).reset_index()
    indicators = indicators.merge(numerators, on=key, how="left")
    extra = [OUTSIDE_MONTHS, MALICIOUS_IN_MONTHS, UNIFORMED_IN_MONTHS]
    indicators[extra] = indicators[extra].fillna(0).astype("int64")
    if (indicators[MALICIOUS_IN_MONTHS] > indicators["fatalities_malicious_act"]).any() or (
        indicators[UNIFORMED_IN_MONTHS] > indicators[UNIFORMED_MALICIOUS]
    ).any():
        raise ValueError("more deaths in the reported months than in the calendar year")

    indicators["malicious_deaths_per_1000"] = _per_1000_person_years(
        indicators[MALICIOUS_IN_MONTHS], indicators["_strength"]
    )
    indicators["malicious_deaths_uniformed_per_1000"] = _per_1000_person_years(
        indicators[UNIFORMED_IN_MONTHS], indicators["_strength"]
    )
    columns = [
        "mission",
        "year",
        *FATALITY_COLUMNS,
        UNIFORMED_MALICIOUS,
        "troops",
        "police",
        "observers",
        "total",
        "months_reported",
        "person_years",
        OUTSIDE_MONTHS,
        MALICIOUS_IN_MONTHS,
        UNIFORMED_IN_MONTHS,
        "malicious_deaths_per_1000",
        "malicious_deaths_uniformed_per_1000",
    ]
    indicators = indicators[columns].sort_values(key, kind="stable")

    outside_months = (
        in_rows.loc[
            ~in_rows["_reported"],
            ["mission", "year", "month", "Casualty_ID", "Casualty_Personnel_Type", "column"],
        ]
        .sort_values(["mission", "year", "month", "Casualty_ID"], kind="stable")
        .reset_index(drop=True)
    )

    fat_in_range = fatalities[fatalities["year"].between(first, last)]
    left = fat_in_range.merge(pers[key], on=key, how="left", indicator=True)
    fatalities_only = (
        left[left["_merge"] == "left_only"]
        .groupby("mission")
        .agg(
            years=("year", "size"),
            first_year=("year", "min"),
            last_year=("year", "max"),
            fatalities_total=("fatalities_total", "sum"),
            fatalities_malicious_act=("fatalities_malicious_act", "sum"),
        )
        .reset_index()
    )
    fatalities_only["mission_in_personnel_file"] = fatalities_only["mission"].isin(
        set(pers["mission"])
    )
    return indicators.reset_index(drop=True), personnel_only, fatalities_only, outside_months


def rate_distribution(
    indicators: pd.DataFrame, column: str = "malicious_deaths_uniformed_per_1000"
) -> pd.DataFrame:
    """Distribution of an annual rate over mission-years, for setting goalposts.

    Percentiles use linear interpolation between order statistics (Hyndman and Fan 1996,
    definition 7; the default of :func:`numpy.percentile`).

    Parameters
    ----------
    indicators : pandas.DataFrame
        Output of :func:`build_indicators`.
    column : str
        The rate column.

    Returns
    -------
    pandas.DataFrame
        One row per subset (``all`` mission-years, and those with ``total >= 1000``):
        ``subset, mission_years, zero_share_pct, p50, p75, p90, p95, p99, max, max_at``.
    """
    rows: list[dict[str, object]] = []
    for subset, frame in (
        ("all mission-years", indicators),
        ("total >= 1000", indicators[indicators["total"] >= 1000]),
    ):
        rate = frame[column]
        top = frame.iloc[int(rate.to_numpy().argmax())]
        row: dict[str, object] = {
            "subset": subset,
            "mission_years": len(frame),
            "zero_share_pct": round(float((rate == 0).mean() * 100), 1),
        }
        for q in DISTRIBUTION_PERCENTILES:
            row[f"p{q}"] = round(float(rate.quantile(q / 100, interpolation="linear")), 3)
        row["max"] = float(rate.max())
        row["max_at"] = f"{top['mission']} {top['year']}"
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Build every table from the raw folder given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path, help="folder with the raw peacekeeping files")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output folder (default: the folder of this script)",
    )
    args = parser.parse_args(argv)
    raw_dir: Path = args.raw_dir
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    missions = build_missions(raw_dir)
    records = load_fatalities(raw_dir)
    fatalities = build_fatalities(records)
    months = load_personnel_months(raw_dir)
    personnel = build_personnel(months)
    indicators, personnel_only, fatalities_only, outside_months = build_indicators(
        records, fatalities, months
    )

    _write_csv(missions, out / "missions.csv")
    _write_csv(fatalities, out / "fatalities_mission_year.csv")
    _write_csv(personnel, out / "personnel_mission_year.csv")
    _write_csv(indicators, out / "mission_year_indicators.csv")

    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print("\nPersonnel missions with no NOTICAS record (not joined):")
        print(personnel_only.to_string(index=False))
        print("\nNOTICAS fatalities 1993-2016 outside any personnel mission-year:")
        print(fatalities_only.to_string(index=False))
        print(
            "\nCasualties in joined mission-years, in months without a strength figure "
            "(in the calendar-year counts, in no rate):"
        )
        print(outside_months.to_string(index=False))
        print(
            "\nDistribution of malicious_deaths_uniformed_per_1000 "
            "(deaths per 1,000 uniformed person-years) over the mission-years of "
            "mission_year_indicators.csv:"
        )
        print(rate_distribution(indicators).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
