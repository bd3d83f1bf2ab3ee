"""The shipped public data: shape, citations, and figures checked against the raw files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import missionlens as ml

RAW = Path(__file__).parents[2] / "shared" / "data" / "peacekeeping"
UNIFORMED = {"Military", "Military Observer", "Police"}


def test_every_table_loads_with_its_citation() -> None:
    loaders = (
        ml.datasets.load_missions,
        ml.datasets.load_fatalities,
        ml.datasets.load_personnel,
        ml.datasets.load_mission_year_indicators,
    )
    for load in loaders:
        table = load()
        assert len(table) > 50 and table.attrs["source"]


def test_minusma_2014_figures() -> None:
    # UN NOTICAS: 28 MINUSMA fatalities from malicious acts in 2014, all uniformed; mean
    # uniformed strength 9,494 (SIPRI/IPI): 28 / 9494 * 1000 = 2.949 per 1,000
    data = ml.datasets.load_mission_year_indicators().set_index(["mission", "year"])
    row = data.loc[("MINUSMA", 2014)]
    assert row["fatalities_malicious_act"] == 28 and row["fatalities_malicious_uniformed"] == 28
    assert row["total"] == 9494 and row["malicious_deaths_uniformed_per_1000"] == 2.949


@pytest.mark.skipif(not RAW.exists(), reason="the raw data folder is not beside the checkout")
def test_uniformed_counts_match_the_raw_noticas_file() -> None:
    raw = pd.read_csv(RAW / "un_odp_noticas_fatalities.csv", encoding="utf-8-sig", dtype=str)
    raw = raw.apply(lambda c: c.str.strip()).drop_duplicates("Casualty_ID")
    malicious = raw[
        (raw["Type_Of_Incident"] == "Malicious Act")
        & raw["Casualty_Personnel_Type"].isin(UNIFORMED)
    ]
    expected = malicious.groupby(
        [malicious["Mission_Acronym"], malicious["Incident_Date"].str[:4].astype(int)]
    ).size()
    shipped = ml.datasets.load_fatalities().set_index(["mission", "year"])
    got = shipped["fatalities_malicious_uniformed"]
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()
