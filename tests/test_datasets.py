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
        ml.datasets.gender_parity_targets,
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


def test_mission_year_indicators_document_their_new_columns() -> None:
    data = ml.datasets.load_mission_year_indicators()
    new = {
        "person_years",
        "fatalities_outside_reported_months",
        "malicious_act_in_reported_months",
        "malicious_uniformed_in_reported_months",
    }
    assert new <= set(data.columns)
    doc = ml.datasets.load_mission_year_indicators.__doc__ or ""
    assert all(name in doc for name in new)
    # nothing silently dropped: calendar-year deaths = deaths rated + deaths outside the months
    assert (data["malicious_act_in_reported_months"] <= data["fatalities_malicious_act"]).all()
    assert data["fatalities_outside_reported_months"].sum() == 7


def test_gender_parity_targets_cover_every_year_and_category() -> None:
    targets = ml.datasets.gender_parity_targets()
    assert list(targets.columns) == ["year", "category", "target_pct", "source", "verified", "note"]
    assert len(targets) == 11 * 5 and not targets.duplicated(["year", "category"]).any()
    assert set(targets["year"]) == set(range(2018, 2029))
    assert set(targets["category"]) == set(ml.datasets.PARITY_CATEGORIES)
    assert targets["source"].str.len().gt(20).all() and targets["note"].str.len().gt(0).all()
    assert targets.attrs["source"].startswith("United Nations Department of Peace Operations")
    # a missing value is missing, never filled in, and never claims to be verified
    assert not targets.loc[targets["target_pct"].isna(), "verified"].any()
    assert targets["target_pct"].dropna().between(0, 100).all()


def test_parity_targets_read_from_their_sources() -> None:
    # UN Police (police.un.org, 2022): FPU women "14.4% in 2022, surpassing the target of 12%";
    # 2028 end targets 15 / 25 / 20 / 30 per cent (Elsie Initiative Fund, citing DPO).
    t = ml.datasets.gender_parity_targets().set_index(["category", "year"])
    assert t.loc[("formed_police_units", 2022), "target_pct"] == 12.0
    assert bool(t.loc[("formed_police_units", 2022), "verified"])
    ends = [15.0, 25.0, 20.0, 30.0]
    assert [t.loc[(c, 2028), "target_pct"] for c in ml.datasets.PARITY_CATEGORIES[:4]] == ends


def test_parity_share_of_target_scalars_arrays_and_series() -> None:
    share = ml.datasets.parity_share_of_target
    assert share(7.5, "military_contingents", 2028) == 50.0  # 7.5 / 15 * 100
    assert share(6.0, "formed_police_units", 2022) == 50.0  # 6 / 12 * 100
    series = pd.Series([6.0, 12.0, float("nan")], index=["a", "b", "c"])
    got = share(series, "formed_police_units", 2022)
    assert isinstance(got, pd.Series) and list(got.index) == ["a", "b", "c"]
    assert got.name == "share_of_target_pct" and got.iloc[:2].tolist() == [50.0, 100.0]
    assert pd.isna(got.iloc[2])
    arr = share([4.0, 9.0], ["military_contingents", "staff_officers_military_observers"], 2021)
    assert arr.tolist() == pytest.approx([50.0, 50.0])  # 4 / 8 and 9 / 18


def test_parity_years_outside_the_strategy_use_its_first_and_last_targets() -> None:
    share = ml.datasets.parity_share_of_target
    assert share(15.0, "military_contingents", 2040) == share(15.0, "military_contingents", 2028)
    with pytest.raises(ml.errors.ArgumentError, match="military_contingents 2018"):
        share(3.0, "military_contingents", 2010)  # uses 2018, which has no published value


def test_parity_missing_targets_raise_or_give_nan() -> None:
    share = ml.datasets.parity_share_of_target
    with pytest.raises(ml.errors.ArgumentError, match="missing='nan'") as info:
        share([1.0, 2.0], "justice_corrections", [2019, 2020])
    assert "justice_corrections 2019, justice_corrections 2020" in str(info.value)
    got = share([1.0, 7.5], "military_contingents", [2019, 2028], missing="nan")
    assert pd.isna(got[0]) and got[1] == 50.0
    with pytest.raises(ml.errors.ArgumentError, match="no verified target"):
        share(7.5, "military_contingents", 2028, verified_only=True)


def test_parity_bad_arguments_are_all_reported_at_once() -> None:
    with pytest.raises(ml.errors.ArgumentError) as info:
        ml.datasets.parity_share_of_target([120.0, "x"], "military", 2020.5, missing="skip")
    text = str(info.value)
    for part in ("missing='skip'", "0 to 100", "'x'", "unknown ['military']", "whole calendar"):
        assert part in text
    assert "military_contingents, staff_officers_military_observers" in text
