"""The example portfolio (``ml.datasets.load_portfolio``): real missions, real phases and data,
illustrative ratings that say so everywhere they appear."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import warnings
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from matplotlib.figure import Figure

import missionlens as ml
from missionlens.errors import ArgumentError, IncompleteScoreWarning
from missionlens.plot.theme import caption_text

DATA = Path(__file__).resolve().parents[1] / "src" / "missionlens" / "data"
FRAMEWORK = "whole-of-mission"
RATE, COUNT = "env_fatalities_malicious", "env_fatalities_malicious_count"


@pytest.fixture(scope="module")
def entries() -> pd.DataFrame:
    return ml.datasets.load_portfolio()


@pytest.fixture(scope="module")
def timelines() -> pd.DataFrame:
    return ml.datasets.portfolio_timelines()


@pytest.fixture(scope="module")
def profiles(entries: pd.DataFrame, timelines: pd.DataFrame) -> ml.Profiles:
    with warnings.catch_warnings():
        warnings.simplefilter("error", IncompleteScoreWarning)  # none may be raised
        return ml.score(entries, framework=FRAMEWORK, timelines=timelines)


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_build_portfolio", DATA / "build_portfolio.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ten_real_missions_several_periods_in_their_timeline_phase(
    entries: pd.DataFrame, timelines: pd.DataFrame
) -> None:
    assert set(entries["mission"]) == set(ml.datasets.PORTFOLIO_MISSIONS)
    assert len(ml.datasets.PORTFOLIO_MISSIONS) >= 10
    periods = entries.groupby("mission")["period"].nunique()
    assert periods.between(2, 5).all(), periods
    read = ml.read_timelines(timelines)
    assert set(read) == set(ml.datasets.PORTFOLIO_MISSIONS)
    units = entries.drop_duplicates(["mission", "period"])
    for mission, period, phase in units[["mission", "period", "phase"]].itertuples(index=False):
        assert read[mission].phase_of(period) == phase, (mission, period)
    # real phases at different points of the missions' lives
    assert {"start_up", "implementation", "drawdown", "transition", "exit"} <= set(units["phase"])


def test_timelines_cite_resolutions_and_periods_fall_in_the_mission_life(
    entries: pd.DataFrame, timelines: pd.DataFrame
) -> None:
    assert list(timelines.columns) == list(ml.datasets.phase_timelines().columns)
    assert timelines["source"].str.contains(r"S/RES/\d+ \(\d{4}\)").all()
    assert timelines["note"].str.contains("illustrative phase dating").all()
    registry = ml.missions().set_index("mission")
    for mission, period in entries[["mission", "period"]].drop_duplicates().itertuples(index=False):
        start, end = registry.loc[mission, "start_date"], registry.loc[mission, "end_date"]
        year = int(period)
        assert start.year <= year and (pd.isna(end) or year <= end.year), (mission, period)
    # every phase lies inside the registry's life of its mission
    life = timelines.join(registry[["start_date", "end_date"]], on="mission")
    assert (life["start"] >= life["start_date"]).all()
    closed = life["end_date"].notna()
    assert (life.loc[closed, "end"] <= life.loc[closed, "end_date"]).all()


def test_two_or_three_raters_with_evidence_and_confidence(entries: pd.DataFrame) -> None:
    ratings = entries[entries["rater"] != "data-officer"]
    raters = ratings.groupby(["mission", "period"])["rater"].nunique()
    assert raters.between(2, 3).all() and set(raters) == {2, 3}
    assert entries["evidence"].str.len().gt(20).all()
    assert entries["confidence"].isin(["low", "medium", "high"]).all()
    assert ratings["evidence"].str.startswith("Illustrative").all()
    assert (
        ratings["sources"]
        .eq("missionlens example portfolio (illustrative ratings; not a published judgement)")
        .all()
    )
    numeric = entries[entries["rater"] == "data-officer"]
    assert set(numeric["indicator"]) == {RATE, COUNT}
    assert numeric["sources"].str.contains("NOTICAS").all()
    assert not numeric["sources"].str.contains("illustrative", case=False).any()
    assert list(entries.columns) == list(ml.datasets.PORTFOLIO_COLUMNS)
    assert set(entries.columns) <= set(ml.ASSESSMENT_COLUMNS)


def test_not_applicable_answers_have_reasons(entries: pd.DataFrame) -> None:
    na = entries[entries["not_applicable"]]
    assert len(na) and na["value"].isna().all()
    assert na["not_applicable_reason"].str.len().gt(10).all()
    assert entries.loc[~entries["not_applicable"], "not_applicable_reason"].isna().all()
    unficyp = na[na["mission"] == "UNFICYP"]
    assert {"pol_spoilers", "unau_joint_work", "env_humanitarian_access"} <= set(
        unficyp["indicator"]
    )
    # the theatre outside Africa: the UN-AU partnership indicators do not apply
    for mission in ("UNIFIL", "MINUSTAH", "UNFICYP"):
        rows = entries[
            (entries["mission"] == mission) & entries["indicator"].str.startswith("unau")
        ]
        assert len(rows) and rows["not_applicable"].all(), mission


def test_unficyp_crimes_answer_matches_the_fatality_data(entries: pd.DataFrame) -> None:
    """No UNFICYP malicious-act death in the 36 months before 2008 and 2017, recounted from
    UN NOTICAS (fatalities_mission_year.csv; a mission-year without a row had no death)."""
    with (DATA / "fatalities_mission_year.csv").open(encoding="utf-8", newline="") as handle:
        malicious = {
            int(r["year"]): int(r["fatalities_malicious_act"])
            for r in csv.DictReader(handle)
            if r["mission"] == "UNFICYP"
        }
    na = entries[
        (entries["indicator"] == "crimes_against_peacekeepers") & entries["not_applicable"]
    ]
    years = set(na.loc[na["mission"] == "UNFICYP", "period"])
    assert years == {"2008", "2017"}
    for year in map(int, years):
        assert sum(malicious.get(y, 0) for y in range(year - 2, year + 1)) == 0


def test_numeric_values_are_recomputed_from_the_shipped_table(
    entries: pd.DataFrame, profiles: ml.Profiles
) -> None:
    """The rate and count equal an independent recomputation, with the standard library,
    from mission_year_indicators.csv (UN NOTICAS fatalities, SIPRI/IPI personnel): the rate is
    malicious_uniformed_in_reported_months / person_years * 1000, person_years = total *
    months_reported / 12 (data README, "The rates are annual"); absent where no row exists."""
    with (DATA / "mission_year_indicators.csv").open(encoding="utf-8", newline="") as handle:
        table = {(r["mission"], r["year"]): r for r in csv.DictReader(handle)}
    fw = profiles.framework
    units = entries.drop_duplicates(["mission", "period"])
    numeric = entries[entries["rater"] == "data-officer"].set_index(["mission", "period"])
    n_present = 0
    for mission, period, phase in units[["mission", "period", "phase"]].itertuples(index=False):
        applies = phase in fw.indicator(RATE).phases
        row = table.get((mission, period))
        if row is None or not applies:
            assert (mission, period) not in numeric.index, (mission, period)
            continue
        n_present += 1
        got = numeric.loc[[(mission, period)]].set_index("indicator")["value"]
        person_years = float(row["total"]) * int(row["months_reported"]) / 12
        rate = int(row["malicious_uniformed_in_reported_months"]) / person_years * 1000
        assert got[RATE] == pytest.approx(rate, abs=5e-4), (mission, period)
        assert got[COUNT] == int(row["fatalities_malicious_uniformed"])
    assert n_present >= 20
    # worked case of the data README: MINUSMA 2013, 4 deaths in 6 months of 6,439 -> 1.242
    assert numeric.loc[[("MINUSMA", "2013")]].set_index("indicator").loc[RATE, "value"] == 1.242
    # personnel data end in 2016: later years have no numeric entry
    later = numeric.reset_index()
    assert later["period"].astype(int).max() <= 2016


def test_validates_clean_and_scores_complete(
    entries: pd.DataFrame, timelines: pd.DataFrame, profiles: ml.Profiles
) -> None:
    report = ml.validate(entries, framework=FRAMEWORK, timelines=timelines)
    assert report.ok, str(report)
    summary = profiles.summary()
    assert len(summary) == len(entries.drop_duplicates(["mission", "period"]))
    assert summary["complete"].all() and summary["performance"].notna().all()
    assert summary["context"].notna().all()
    # every dimension is rated in every mission-period (its performance or context indicators)
    fw = profiles.framework
    rated = entries[entries["value"].notna()].assign(
        dimension=lambda t: t["indicator"].map(fw.dimension_of)
    )
    per_unit = rated.groupby(["mission", "period"])["dimension"].nunique()
    assert per_unit.eq(len(fw.dimensions)).all(), per_unit
    # and scored wherever indicators of it apply (in exit, environment has only context ones)
    table = profiles.to_frame(view=None)
    dims = table[(table["node_type"] == "dimension") & table["view"].isin(["tree", "context"])]
    # the only dimension computed without a child is performance, without perf_parity (the
    # gender parity shares have no shipped data and are left unrated)
    gaps = dims[~dims["complete"].astype(bool)]
    assert set(gaps["node"]) == {"performance"} and gaps["missing_children"].eq("perf_parity").all()
    applies = dims["n_indicators"] > 0
    assert dims.loc[applies, "score"].notna().all() and dims.loc[~applies, "score"].isna().all()
    per_unit = applies.groupby([dims["mission"], dims["period"]], observed=True).sum()
    assert per_unit.ge(len(fw.dimensions)).all()
    assert len(profiles.not_applicable) > 0


def test_illustrative_label_everywhere(
    entries: pd.DataFrame, profiles: ml.Profiles, tmp_path: Path
) -> None:
    assert entries.attrs["illustrative"] is True
    assert entries.attrs["note"] == ml.datasets.PORTFOLIO_NOTE
    assert "illustrative" in entries.attrs["source"].lower()
    assert ml.datasets.PORTFOLIO_NOTE.startswith("Illustrative")
    for name in ("portfolio.csv", "portfolio_evidence.csv", "portfolio_timelines.csv"):
        assert name in ml.datasets.SOURCES
    evidence = pd.read_csv(DATA / "portfolio_evidence.csv", dtype={"period": str})
    rated = evidence[evidence["basis"] != "data"]
    assert (
        rated["illustrative"].all()
        and not evidence.loc[evidence["basis"] == "data", "illustrative"].any()
    )
    assert rated["evidence"].str.startswith("Illustrative").all()
    # plots: the caption says it first
    assert (caption_text(profiles, None) or "").startswith("Illustrative ratings")
    fig = Figure()
    ml.plot_profile(profiles, mission="UNMIL", period="2014", ax=fig.subplots())
    captions = [
        t.get_text() for t in fig.findobj() if getattr(t, "get_gid", lambda: None)() == "caption"
    ]
    assert captions and captions[0].startswith("Illustrative ratings")
    # reports: the banner
    from missionlens.reports import write_reports

    written = write_reports(profiles, tmp_path, mission="UNMIL")
    assert "Illustrative data" in written["mission"].read_text(encoding="utf-8")


def test_rebuild_is_byte_identical_and_small(tmp_path: Path) -> None:
    build = _build_script()
    assert build.main(["--out", str(tmp_path)]) == 0
    for name in ("portfolio.csv", "portfolio_evidence.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    assert (DATA / "portfolio.csv").stat().st_size < 300_000


def test_build_refuses_a_design_that_contradicts_the_timeline(tmp_path: Path) -> None:
    build = _build_script()
    for name in ("portfolio_timelines.csv", "mission_year_indicators.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    design = (DATA / "portfolio_design.yaml").read_text(encoding="utf-8")
    wrong = design.replace(
        'period: "2014"\n        phase: drawdown', 'period: "2014"\n        phase: exit', 1
    )
    assert wrong != design
    (tmp_path / "portfolio_design.yaml").write_text(wrong, encoding="utf-8")
    with pytest.raises(
        ArgumentError, match=r"2014: design phase 'exit', timeline phase 'drawdown'"
    ):
        build.build(tmp_path)
