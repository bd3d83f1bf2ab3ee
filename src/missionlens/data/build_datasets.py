"""Build the small, cited peacekeeping tables shipped with missionlens.

This script is shipped for provenance only; the library never imports it. It reads the raw
public files described in ``README.md`` of the raw data folder and writes, next to itself,

* ``missions.csv`` -- UN peacekeeping missions from the UN Peace and Security Data Hub;
* ``fatalities_mission_year.csv`` -- peacekeeper fatalities (NOTICAS) per mission and year,
  by type of incident;
* ``personnel_mission_year.csv`` -- mean monthly uniformed personnel per UN mission and year
  (the ``*_backward`` columns of the SIPRI/IPI mission-month file);
* ``mission_year_indicators.csv`` -- the join of the two previous tables, 1993-2016, with
  malicious-act deaths per 1,000 uniformed personnel.

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
        latitude, longitude``, sorted by ``mission``.
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
    return missions.sort_values("mission", kind="stable").reset_index(drop=True)


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
        Columns ``Casualty_ID, mission, year, Casualty_Personnel_Type, column`` where
        ``column`` is the output column of the incident type.
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
def build_personnel(raw_dir: Path) -> pd.DataFrame:
    """Mean monthly uniformed personnel per UN mission (``org == 1``) and calendar year.

    The raw file has one row per conflict episode and mission-month, so a mission-month's
    figures are repeated for each conflict in the same country (same ``missionid``); they are
    counted once. UNPROFOR has one ``missionid`` per country (Bosnia-Herzegovina, Croatia);
    the components are summed per month. Acronyms are harmonised with
    :data:`PERSONNEL_ACRONYM_MAP`.

    Parameters
    ----------
    raw_dir : Path
        Folder holding the raw files.

    Returns
    -------
    pandas.DataFrame
        ``mission, year, troops, police, observers, total, months_reported``; personnel
        figures are means over the months reported in that year, rounded to 0.1.
    """
    raw = pd.read_csv(raw_dir / PERSONNEL_FILE, low_memory=False)
    raw = raw[raw["org"] == 1].copy()
    raw["source_mission"] = raw["mission"].astype(str)
    values = list(PERSONNEL_COLUMNS)

    spread = raw.groupby(["missionid", "date"])[values].nunique()
    if (spread > 1).any(axis=None):
        raise ValueError("figures differ between rows of the same missionid and month")
    monthly = raw.drop_duplicates(subset=["missionid", "date"])
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
    per_year = per_month.groupby(["mission", "year"]).mean().rename(columns=PERSONNEL_COLUMNS)
    per_year = per_year.round(1)
    per_year["months_reported"] = per_month.groupby(["mission", "year"]).size().astype("int64")
    out = per_year.reset_index()
    return out.sort_values(["mission", "year"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------- join
def build_indicators(
    fatalities: pd.DataFrame, personnel: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Join fatalities and personnel per mission-year and compute the malicious-act rate.

    Rows are the personnel mission-years (1993-2016) with mean personnel above zero, for
    missions that have at least one NOTICAS record; a year without records counts as zero
    fatalities. ``malicious_deaths_per_1000`` is ``fatalities_malicious_act / total * 1000``
    (all personnel types); ``malicious_deaths_uniformed_per_1000`` counts uniformed personnel
    only (military, military observers, police), the definition of the whole-of-mission
    indicator ``env_fatalities_malicious``.

    Parameters
    ----------
    fatalities : pandas.DataFrame
        Output of :func:`build_fatalities`.
    personnel : pandas.DataFrame
        Output of :func:`build_personnel`.

    Returns
    -------
    indicators : pandas.DataFrame
        The joined table, sorted by mission and year.
    personnel_only : pandas.DataFrame
        Personnel missions absent from NOTICAS (not joined), with their years.
    fatalities_only : pandas.DataFrame
        NOTICAS fatalities in 1993-2016 that fall in no personnel mission-year, per mission.
    """
    first, last = PERSONNEL_YEARS
    pers = personnel[personnel["year"].between(first, last) & (personnel["total"] > 0)]
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
    indicators["malicious_deaths_per_1000"] = (
        indicators["fatalities_malicious_act"] / indicators["total"] * 1000
    ).round(3)
    indicators["malicious_deaths_uniformed_per_1000"] = (
        indicators[UNIFORMED_MALICIOUS] / indicators["total"] * 1000
    ).round(3)
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
        "malicious_deaths_per_1000",
        "malicious_deaths_uniformed_per_1000",
    ]
    indicators = indicators[columns].sort_values(["mission", "year"], kind="stable")

    fat_in_range = fatalities[fatalities["year"].between(first, last)]
    left = fat_in_range.merge(
        pers[["mission", "year"]], on=["mission", "year"], how="left", indicator=True
    )
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
    return indicators.reset_index(drop=True), personnel_only, fatalities_only


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
    personnel = build_personnel(raw_dir)
    indicators, personnel_only, fatalities_only = build_indicators(fatalities, personnel)

    _write_csv(missions, out / "missions.csv")
    _write_csv(fatalities, out / "fatalities_mission_year.csv")
    _write_csv(personnel, out / "personnel_mission_year.csv")
    _write_csv(indicators, out / "mission_year_indicators.csv")

    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print("\nPersonnel missions with no NOTICAS record (not joined):")
        print(personnel_only.to_string(index=False))
        print("\nNOTICAS fatalities 1993-2016 outside any personnel mission-year:")
        print(fatalities_only.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
