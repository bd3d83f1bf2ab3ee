"""The mission registry, phase timelines, and the checks that use them (outside_mission_life,
phase_contradicts_timeline), at every front door."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
import missionlens.assessments.timelines as timelines_module
import missionlens.mission_registry as registry_module
from missionlens.assessments.checks import CHECKS, Check
from missionlens.errors import ArgumentError, NotFoundError, ScoringInputError

RAW = Path(__file__).parents[2] / "shared" / "data" / "peacekeeping"
HUB = RAW / "un_psdata_DPPADPOSS-PKO_missions.csv"
DATA = Path(ml.__file__).parent / "data"


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework("whole-of-mission")


def _everywhere(fw: ml.Framework, ind: ml.Indicator) -> bool:
    """A rubric performance indicator that applies in every phase."""
    every = set(fw.facet("phase").value_ids)
    kind = fw.scale_of(ind.id).kind
    return kind == "rubric" and ind.role == "performance" and set(ind.phases or every) == every


def _entries(fw: ml.Framework, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Long entries, one per (mission, period, phase), each rating one rubric indicator that
    applies in every phase."""
    ind = next(i.id for i in fw.indicators if _everywhere(fw, i))
    return pd.DataFrame(
        [
            {"mission": m, "period": p, "phase": ph, "indicator": ind, "value": 3, "rater": "r"}
            for m, p, ph in rows
        ]
    )


def test_doctests() -> None:
    for module in (registry_module, timelines_module):
        assert doctest.testmod(module).failed == 0


# ---------------------------------------------------------------------------------- registry
def test_missions_has_every_data_hub_mission_with_its_dates() -> None:
    m = ml.missions()
    assert list(m.columns) == list(registry_module.MISSION_COLUMNS)
    assert len(m) == 81 and m["mission"].is_unique and m.attrs["source"]
    assert m["start_date"].dtype.kind == "M" and m["end_date"].dtype.kind == "M"
    minusma = m.set_index("mission").loc["MINUSMA"]
    assert minusma["start_date"] == pd.Timestamp("2013-04-25")
    assert minusma["end_date"] == pd.Timestamp("2023-12-31") and not minusma["active"]
    assert "2690" in minusma["correction"]
    untso = m.set_index("mission").loc["UNTSO"]
    assert untso["start_date"] == pd.Timestamp("1948-05-29") and untso["active"]
    assert pd.isna(untso["end_date"])
    assert (
        ml.missions(active=True)["active"].all() and not ml.missions(active=False)["active"].any()
    )
    assert len(ml.missions(active=True)) + len(ml.missions(active=False)) == 81
    # every row has hosts and a region, except UNFOR (could not be identified)
    no_host = set(m.loc[m["host_countries"].isna(), "mission"])
    assert no_host == {"UNFOR"} and set(m.loc[m["region"].isna(), "mission"]) == {"UNFOR"}
    assert (
        m.set_index("mission").loc["MINURCAT", "host_countries"] == "Central African Republic;Chad"
    )
    with pytest.raises(ArgumentError, match="active must be"):
        ml.missions(active="yes")  # type: ignore[arg-type]


@pytest.mark.skipif(not HUB.exists(), reason="the raw data folder is not beside the checkout")
def test_registry_dates_are_the_data_hub_dates() -> None:
    """Read independently with the csv module: every acronym and its dates, as the Data Hub
    gives them, except MINUSMA's end (the one CLOSURE_FIXES entry)."""
    with HUB.open(encoding="utf-8", newline="") as f:
        hub = {r["mission_acronym"].strip(): r for r in csv.DictReader(f)}
    m = ml.missions().set_index("mission")
    assert set(hub) == set(m.index)
    for acronym, row in hub.items():
        for col in ("start_date", "end_date"):
            ours = m.loc[acronym, col]
            text = "" if pd.isna(ours) else ours.strftime("%Y-%m-%d")
            if acronym == "MINUSMA" and col == "end_date":
                assert row[col] == "" and text == "2023-12-31"
            else:
                assert text == row[col].strip(), (acronym, col)


def test_hosts_table_covers_the_registry() -> None:
    hosts = pd.read_csv(DATA / "mission_hosts.csv", dtype=str, keep_default_na=False)
    assert sorted(hosts["mission"]) == sorted(ml.missions()["mission"])
    assert set(hosts["basis"]) <= {"name", "knowledge", "unknown"}


def test_mission_record_and_did_you_mean() -> None:
    rec = ml.mission(" minusma ")
    assert rec.mission == "MINUSMA" and rec.host_countries == ("Mali",)
    assert rec.start_date == dt.date(2013, 4, 25) and rec.end_date == dt.date(2023, 12, 31)
    assert rec.life() == "MINUSMA ran from 2013-04-25 to 2023-12-31"
    assert rec.overlaps("1990") is False and rec.overlaps("2013") is True
    assert rec.overlaps("2023-12-31") is True and rec.overlaps("2024-01") is False
    assert ml.mission("UNMISS").life() == "UNMISS has run since 2011-07-08 (active)"
    assert ml.mission("UNMISS").overlaps("2100") is True
    assert ml.mission("UNFOR").overlaps("2000") is None  # no dates: not known
    with pytest.raises(NotFoundError, match="did you mean 'MINUSMA'"):
        ml.mission("MINUSAM")
    with pytest.raises(ArgumentError, match="must be text"):
        ml.mission(3)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ mission life check
def test_minusma_1990_is_refused_by_validate_and_score_with_the_same_row(
    fw: ml.Framework,
) -> None:
    data = _entries(
        fw, [("MINUSMA", "1990", "implementation"), ("MINUSMA", "2020", "implementation")]
    )
    report = ml.validate(data, framework=fw)
    failures = report.failures
    assert list(failures["check"]) == ["outside_mission_life"]
    row = failures.iloc[0]
    assert (row["row"], row["column"], row["mission"], row["period"]) == (
        1,
        "period",
        "MINUSMA",
        "1990",
    )
    expected = "MINUSMA ran from 2013-04-25 to 2023-12-31; period 1990 is outside it"
    assert row["message"].startswith(expected)
    with pytest.raises(ScoringInputError) as caught:
        ml.score(data, framework=fw)
    pd.testing.assert_frame_equal(caught.value.problems, failures)
    with pytest.raises(ml.ValidationError, match="period 1990 is outside it"):
        ml.read_assessments(data, framework=fw)


def test_mission_life_boundaries(fw: ml.Framework) -> None:
    """A period with any day in the life passes; the day before the start and the day after
    the end fail; an active mission has no end; unknown missions are not checked; acronyms
    match whatever their case."""
    rows = [
        ("MINUSMA", "2013-04-25", "start_up"),  # first day: passes
        ("MINUSMA", "2013-04-24", "start_up"),  # the day before: fails
        ("MINUSMA", "2013", "start_up"),  # overlaps: passes
        ("MINUSMA", "2023-12-31", "exit"),  # last day: passes
        ("minusma", "2024-01-01", "exit"),  # the day after, any case: fails
        ("MINUSMA", "2023/24", "exit"),  # financial year overlapping the end: passes
        ("UNMISS", "2099", "implementation"),  # active: no end
        ("UNMISS", "2010", "implementation"),  # before 2011-07-08: fails
        ("Mission A", "1950", "implementation"),  # not in the registry: not checked
        ("UNFOR", "1950", "implementation"),  # no dates in the registry: not checked
    ]
    failures = ml.validate(_entries(fw, rows), framework=fw).failures
    assert list(failures["check"].unique()) == ["outside_mission_life"]
    assert list(failures["row"]) == [2, 5, 8]
    assert failures.iloc[2]["message"].startswith(
        "UNMISS has run since 2011-07-08 (active); period 2010 is outside it"
    )


def test_mission_life_check_without_framework() -> None:
    data = pd.DataFrame(
        {
            "mission": ["UNMIL"],
            "period": ["2019"],
            "phase": ["exit"],
            "indicator": ["x"],
            "value": [1],
            "rater": ["r"],
        }
    )
    failures = ml.validate(data).failures
    assert list(failures["check"]) == ["outside_mission_life"]
    assert "UNMIL ran from 2003-09-01 to 2018-03-01" in failures.iloc[0]["message"]


def test_new_checks_are_documented() -> None:
    for check in (Check.OUTSIDE_MISSION_LIFE, Check.PHASE_CONTRADICTS_TIMELINE):
        assert CHECKS.get(check.value)


# -------------------------------------------------------------------------------- timelines
def _timeline() -> ml.PhaseTimeline:
    return ml.PhaseTimeline(
        mission="MINUSMA",
        phases=[
            {"phase": "start_up", "start": "2013-04-25", "end": "2013-12-31", "source": "a"},
            {"phase": "implementation", "start": "2014-01-01", "source": "b"},
            {"phase": "drawdown", "start": "2023-07-01", "end": "2023-12-31", "source": "c"},
        ],
    )


def test_phase_of_by_the_majority_of_days_ties_to_the_later_phase() -> None:
    t = _timeline()
    assert t.phase_of("2013") == "start_up"  # 251 of its days are in start-up, none elsewhere
    assert t.phase_of("2014-Q1") == "implementation"
    # 2023: 1 Jan to 30 Jun = 181 days of implementation, 1 Jul to 31 Dec = 184 of drawdown
    assert t.days_in_phases("2023") == {"implementation": 181, "drawdown": 184}
    assert t.phase_of("2023") == "drawdown"
    # 2023/24 (1 Jul 2023 to 30 Jun 2024): 184 days of drawdown, the rest after the timeline
    assert t.phase_of("2023/24") == "drawdown"
    assert t.phase_of("2012") is None and t.phase_of("2030") is None
    # a tie: 2 days of each phase -> the later one
    assert t.days_in_phases("2013-12-30/2014-01-02") == {"start_up": 2, "implementation": 2}
    assert t.phase_of("2013-12-30/2014-01-02") == "implementation"
    placed = t.periods(["2013", "2023"])
    assert list(placed.columns) == ["period", "phase", "days_in_phase", "days"]
    assert placed.to_dict("list") == {
        "period": ["2013", "2023"],
        "phase": ["start_up", "drawdown"],
        "days_in_phase": [251, 184],
        "days": [365, 365],
    }


def test_timeline_refuses_overlaps_and_uncited_phases() -> None:
    with pytest.raises(ValueError, match="ends on 2014-06-30, after implementation starts"):
        ml.PhaseTimeline(
            mission="X",
            phases=[
                {"phase": "start_up", "start": "2013-01-01", "end": "2014-06-30", "source": "a"},
                {"phase": "implementation", "start": "2014-01-01", "source": "b"},
            ],
        )
    with pytest.raises(ValueError, match="in order of their start dates"):
        ml.PhaseTimeline(
            mission="X",
            phases=[
                {"phase": "implementation", "start": "2014-01-01", "source": "b"},
                {"phase": "start_up", "start": "2013-01-01", "source": "a"},
            ],
        )
    with pytest.raises(ValueError, match="cite the resolution"):
        ml.PhaseSpan(phase="exit", start="2020-01-01", source="  ")


def test_read_timelines_yaml_csv_frame_and_objects(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "timelines:\n"
        "  - mission: MINUSMA\n"
        "    phases:\n"
        "      - {phase: start_up, start: 2013-04-25, end: 2013-12-31, source: a}\n"
        "      - {phase: implementation, start: 2014-01-01, source: b}\n"
        "      - {phase: drawdown, start: 2023-07-01, end: 2023-12-31, source: c}\n",
        encoding="utf-8",
    )
    from_yaml = ml.read_timelines(path)
    assert from_yaml == {"MINUSMA": _timeline()}
    frame = _timeline().to_frame()
    assert list(frame.columns) == list(registry_module.TIMELINE_COLUMNS)
    assert ml.read_timelines(frame) == from_yaml
    frame.to_csv(tmp_path / "t.csv", index=False)
    assert ml.read_timelines(tmp_path / "t.csv") == from_yaml
    assert ml.read_timelines([_timeline()]) == from_yaml
    assert ml.read_timelines(from_yaml) == from_yaml
    shipped = ml.read_timelines(ml.datasets.phase_timelines())
    assert list(shipped) == ["MINUSMA", "UNAMID", "UNMIL"]
    assert shipped["MINUSMA"].phase_of("2023") == "exit"
    assert shipped["UNMIL"].phase_of("2017") == "drawdown"


def test_read_timelines_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- mission: A\n"
        "  phases:\n"
        "    - {phase: Start Up, start: 2013-04-25, source: a}\n"
        "- mission: B\n"
        "  phases:\n"
        "    - {phase: exit, start: 2013-04-25, end: 2013-01-01, source: a}\n",
        encoding="utf-8",
    )
    with pytest.raises(ArgumentError) as caught:
        ml.read_timelines(path)
    text = str(caught.value)
    assert "timeline 1 (A) phases.0.phase" in text and "'Start Up' is not a phase id" in text
    assert "timeline 2 (B)" in text and "ends (2013-01-01) before it starts" in text
    dup = tmp_path / "dup.yaml"
    dup.write_text("- mission: A\n  mission: B\n  phases: []\n", encoding="utf-8")
    with pytest.raises(ArgumentError, match="mission"):
        ml.read_timelines(dup)
    with pytest.raises(ArgumentError, match="more than one timeline"):
        ml.read_timelines([_timeline(), _timeline()])
    with pytest.raises(ArgumentError, match="unknown column"):
        ml.read_timelines(_timeline().to_frame().assign(stage=1))
    with pytest.raises(NotFoundError):
        ml.read_timelines(tmp_path / "none.yaml")
    with pytest.raises(ArgumentError, match="must be a PhaseTimeline"):
        ml.read_timelines(3)


def test_phase_contradicting_the_timeline_is_refused_everywhere(fw: ml.Framework) -> None:
    rows = [
        ("MINUSMA", "2014", "implementation"),  # agrees
        ("MINUSMA", "2023", "implementation"),  # the timeline says drawdown (184 of 365 days)
        ("MINUSMA", "2012-H2", "start_up"),  # before the timeline (and the mission): no phase
        ("UNMISS", "2020", "exit"),  # no timeline: not checked
    ]
    data = _entries(fw, rows)
    failures = ml.validate(data, framework=fw, timelines=[_timeline()]).failures
    assert list(failures["check"]) == ["phase_contradicts_timeline", "outside_mission_life"]
    bad = failures.iloc[0]
    assert (bad["row"], bad["column"], bad["value"]) == (2, "phase", "implementation")
    assert bad["message"] == (
        "MINUSMA 2023 is entered in phase implementation, but the mission's timeline puts it in "
        "drawdown (drawdown from 2023-07-01 to 2023-12-31 (c)); correct the phase, or the "
        "timeline"
    )
    with pytest.raises(ScoringInputError) as caught:
        ml.score(data, framework=fw, timelines=[_timeline()])
    pd.testing.assert_frame_equal(caught.value.problems, failures)
    # without timelines the phase is not checked
    assert list(ml.validate(data, framework=fw).failures["check"]) == ["outside_mission_life"]


def test_timeline_phase_unknown_to_the_framework(fw: ml.Framework) -> None:
    t = ml.PhaseTimeline(
        mission="MINUSMA", phases=[{"phase": "drawn_down", "start": "2013-04-25", "source": "a"}]
    )
    with pytest.raises(ArgumentError, match=r"'drawn_down'.*did you mean 'drawdown'"):
        ml.validate(
            _entries(fw, [("MINUSMA", "2014", "implementation")]), framework=fw, timelines=t
        )


def test_wide_row_without_phase_takes_the_timeline_phase(fw: ml.Framework) -> None:
    only_early = [i.id for i in fw.indicators if i.phases and "drawdown" not in i.phases]
    everywhere = [i.id for i in fw.indicators if _everywhere(fw, i)]
    assert only_early and everywhere
    wide = pd.DataFrame(
        {"mission": ["MINUSMA", "MINUSMA"], "period": ["2014", "2023"], everywhere[0]: [3, 4]}
    )
    report = ml.validate(wide, framework=fw, timelines=[_timeline()])
    assert report.ok
    assert list(report.table["phase"]) == ["implementation", "drawdown"]
    profiles = ml.score(wide, framework=fw, timelines=[_timeline()])
    units = profiles.to_frame()[["mission", "period", "phase"]].drop_duplicates()
    assert dict(zip(units["period"], units["phase"], strict=True)) == {
        "2014": "implementation",
        "2023": "drawdown",
    }
    # an indicator that does not apply in drawdown, in the 2023 row: refused as it would be
    # with the phase typed
    wide[only_early[0]] = [3, 3]
    failures = ml.validate(wide, framework=fw, timelines=[_timeline()]).failures
    assert list(failures["check"]) == ["not_applicable_in_phase"]
    assert "does not apply in phase drawdown" in failures.iloc[0]["message"]


def test_mission_lives_vectorised() -> None:
    known, start, end, text = registry_module.mission_lives(["MINUSMA", "x", "unmiss", "UNFOR"])
    np.testing.assert_array_equal(known, [True, False, True, False])
    assert start[0] == np.datetime64("2013-04-25") and np.isnat(end[2])
    assert text[1] == "" and text[2].startswith("UNMISS has run since")
