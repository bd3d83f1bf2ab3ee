"""The shipped annual fatality rates, recomputed independently from a raw-file extract.

``tests/data/raw_sample/`` holds an unchanged line-for-line extract of the two raw public
files (UN NOTICAS fatality records; SIPRI/IPI mission-month personnel) for 15 mission-years:
start-up and closure years, the highest rates, zero-death years and large missions (see its
README). The rates are recomputed here with the standard library only, sharing no code with
``build_datasets.py``, from the definition in ``missionlens/data/README.md``: malicious-act
deaths in the months with a strength figure per 1,000 person-years of those months, a crude
mortality rate per person-time (Rothman, Greenland and Lash, *Modern Epidemiology*, 3rd ed.,
2008, ch. 3).
"""

from __future__ import annotations

import csv
import filecmp
import importlib.util
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

import missionlens as ml

SAMPLE_DIR = Path(__file__).parent / "data" / "raw_sample"
REPO = Path(__file__).resolve().parents[1]
RAW_CANDIDATES = (
    Path("/work/shared/data/peacekeeping"),
    REPO.parent / "shared" / "data" / "peacekeeping",
)
RAW = next((p for p in RAW_CANDIDATES if (p / "un_odp_noticas_fatalities.csv").exists()), None)
BUILT = (
    "missions.csv",
    "fatalities_mission_year.csv",
    "personnel_mission_year.csv",
    "mission_year_indicators.csv",
)

#: The personnel file's acronyms for the harmonised ones (data README, "Acronym mapping").
ACRONYMS = {
    "UNOSOM II": "UNOSOM",
    "UNAVEM II": "UNAVEM",
    "UNAVEM III": "UNAVEM",
    "UNMIBH ": "UNMIBH",
    "UNOCI (ONUCI)": "UNOCI",
}
UNIFORMED = {"Military", "Military Observer", "Police"}
HALF_UNIT = 0.0005 + 1e-12  # the table rounds rates to 3 decimals


def _recompute() -> dict[tuple[str, int], dict[str, float]]:
    """Per mission-year: months, person-years, numerators and rates, from the raw extract."""
    strength: dict[tuple[str, int, int], int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    with (SAMPLE_DIR / "pko_mission_month_personnel.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["org"] != "1" or (row["missionid"], row["date"]) in seen:
                continue  # one row per conflict episode: count a mission-month once
            seen.add((row["missionid"], row["date"]))
            year, month = (int(part) for part in row["date"].split("m"))
            mission = ACRONYMS.get(row["mission"], row["mission"]).strip()
            strength[(mission, year, month)] += int(float(row["totals_backward"]))

    out: dict[tuple[str, int], dict[str, float]] = {}
    for (mission, year, _month), persons in strength.items():
        cell = out.setdefault(
            (mission, year),
            dict.fromkeys(
                (
                    "months",
                    "strength_months",
                    "malicious",
                    "uniformed",
                    "uniformed_year",
                    "outside",
                ),
                0,
            ),
        )
        cell["months"] += 1
        cell["strength_months"] += persons

    ids: set[str] = set()
    with (SAMPLE_DIR / "un_odp_noticas_fatalities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            row = {k: v.strip() for k, v in row.items()}
            if row["Type_of_Casualty"] != "Fatality" or row["Casualty_ID"] in ids:
                continue
            ids.add(row["Casualty_ID"])
            year, month = int(row["Incident_Date"][:4]), int(row["Incident_Date"][5:7])
            cell = out[(row["Mission_Acronym"], year)]
            reported = (row["Mission_Acronym"], year, month) in strength
            malicious = row["Type_Of_Incident"] == "Malicious Act"
            uniformed = malicious and row["Casualty_Personnel_Type"] in UNIFORMED
            cell["outside"] += not reported
            cell["malicious"] += malicious and reported
            cell["uniformed"] += uniformed and reported
            cell["uniformed_year"] += uniformed

    for cell in out.values():
        person_years = cell["strength_months"] / 12
        cell["person_years"] = person_years
        cell["rate"] = cell["malicious"] / person_years * 1000
        cell["rate_uniformed"] = cell["uniformed"] / person_years * 1000
    return out


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return ml.datasets.load_mission_year_indicators().set_index(["mission", "year"])


def test_the_sample_covers_the_cases_that_matter(shipped: pd.DataFrame) -> None:
    cells = _recompute()
    assert len(cells) >= 12
    assert sum(c["months"] < 12 for c in cells.values()) >= 6  # start-up and closure years
    assert sum(c["uniformed"] == 0 for c in cells.values()) >= 3  # zero-death years
    assert sum(c["outside"] > 0 for c in cells.values()) >= 2  # deaths outside the months
    assert max(c["person_years"] for c in cells.values()) > 15_000  # a large mission
    rate = shipped["malicious_deaths_uniformed_per_1000"]
    big = rate[shipped["total"] >= 1000]
    assert {rate.idxmax(), big.idxmax()} <= set(
        cells
    )  # the highest rates (UNMOT 1998, UNOSOM 1993)


def test_shipped_rates_equal_the_independent_recomputation(shipped: pd.DataFrame) -> None:
    for key, cell in sorted(_recompute().items()):
        row = shipped.loc[key]
        assert row["months_reported"] == cell["months"], key
        assert abs(row["person_years"] - cell["person_years"]) <= HALF_UNIT, key
        assert row["malicious_act_in_reported_months"] == cell["malicious"], key
        assert row["malicious_uniformed_in_reported_months"] == cell["uniformed"], key
        assert row["fatalities_malicious_uniformed"] == cell["uniformed_year"], key
        assert row["fatalities_outside_reported_months"] == cell["outside"], key
        assert abs(row["malicious_deaths_per_1000"] - cell["rate"]) <= HALF_UNIT, key
        assert (
            abs(row["malicious_deaths_uniformed_per_1000"] - cell["rate_uniformed"]) <= HALF_UNIT
        ), key


def test_minusma_2013_is_annualised(shipped: pd.DataFrame) -> None:
    # Worked case of the data README: 4 uniformed malicious-act deaths (NOTICAS, October and
    # December 2013) over 6 months of 6,439 personnel (SIPRI/IPI) = 3,219.5 person-years;
    # 4 / 3219.5 * 1000 = 1.2424 per 1,000 per year (the unannualised 0.621 was shipped before).
    row = shipped.loc[("MINUSMA", 2013)]
    assert row["months_reported"] == 6 and row["total"] == 6439 and row["person_years"] == 3219.5
    assert row["malicious_deaths_uniformed_per_1000"] == round(4 / 3219.5 * 1000, 3) == 1.242


def test_full_years_keep_deaths_over_mean_strength(shipped: pd.DataFrame) -> None:
    full = shipped[shipped["months_reported"] == 12]
    plain = (full["fatalities_malicious_uniformed"] / full["total"] * 1000).round(3)
    assert (full["malicious_deaths_uniformed_per_1000"] - plain).abs().max() <= 0.001


@pytest.mark.skipif(RAW is None, reason="the raw data folder is not beside the checkout")
def test_a_rebuild_gives_byte_identical_files(tmp_path: Path) -> None:
    script = REPO / "src" / "missionlens" / "data" / "build_datasets.py"
    spec = importlib.util.spec_from_file_location("_build_datasets", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(RAW), "--out", str(tmp_path)]) == 0
    shipped_dir = script.parent
    for name in BUILT:
        assert filecmp.cmp(tmp_path / name, shipped_dir / name, shallow=False), name
