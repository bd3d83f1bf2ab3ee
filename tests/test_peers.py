"""Comparing missions fairly (ml.compare_missions, rank_missions, nearest_peers,
strengths_weaknesses) on a small example worked by hand.

The framework is tests/data/frameworks/peers.yaml: every indicator is a percentage with goalposts
0 and 100, so its score is its value; the dimensions ``pol`` and ``sec`` are unweighted
arithmetic means of their two indicators and the root the mean of the two (OECD/JRC 2008,
*Handbook on Constructing Composite Indicators*, 1.7, linear aggregation). Every expected
number below is worked out by hand in the comments from the values of :func:`_entries`.
Ranks follow COINr's ``rank_df`` (``rank(-x, ties.method = "min")``, Becker et al. 2022).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import missionlens as ml

PEERS_YAML = Path(__file__).parent / "data" / "frameworks" / "peers.yaml"


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework(PEERS_YAML)


def _entries(**phases: str) -> pd.DataFrame:
    """Four missions in 2024 (D rated for 2024-H2), A also in 2023.

    Scores (pol = mean(pol_1, pol_2), sec = mean(sec_1, sec_2), index = mean(pol, sec)):

    ======  =======  =====  =====  =====  =====  ===  ===  =====  =====
    unit    phase    pol_1  pol_2  sec_1  sec_2  pol  sec  index  env_c
    ======  =======  =====  =====  =====  =====  ===  ===  =====  =====
    A 2023  start_up    20     20     20     20   20   20     20     20
    A 2024  impl.       80     60     40     20   70   30     50     30
    B 2024  impl.       50     50     70     90   50   80     65     60
    C 2024  impl.       60     40     60     40   50   50     50     90
    D 2024-H2 impl.     90     70      -     30   80   30     55     10
    ======  =======  =====  =====  =====  =====  ===  ===  =====  =====
    """
    data = pd.DataFrame(
        {
            "mission": ["A", "A", "B", "C", "D"],
            "period": ["2023", "2024", "2024", "2024", "2024-H2"],
            "phase": ["start_up"] + ["implementation"] * 4,
            "pol_1": [20, 80, 50, 60, 90],
            "pol_2": [20, 60, 50, 40, 70],
            "sec_1": [20, 40, 70, 60, np.nan],
            "sec_2": [20, 20, 90, 40, 30],
            "env_c": [20, 30, 60, 90, 10],
        }
    )
    for mission, phase in phases.items():
        data.loc[(data["mission"] == mission) & (data["period"] != "2023"), "phase"] = phase
    return data


def _score(fw: ml.Framework, data: pd.DataFrame) -> ml.Profiles:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        return ml.score(data, framework=fw)


@pytest.fixture(scope="module")
def profiles(fw: ml.Framework) -> ml.Profiles:
    return _score(fw, _entries())


def _by(table: pd.DataFrame, node: str, column: str) -> dict[str, object]:
    rows = table[table["node"] == node]
    return dict(zip(rows["mission"], rows[column], strict=True))


def test_compare_missions_by_calendar_period_across_labels(profiles: ml.Profiles) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ml.MixedPhasesWarning)  # all in implementation
        table = ml.compare_missions(profiles, period="2024")
    assert tuple(table.columns) == ml.analysis.peers.COMPARISON_COLUMNS
    # D's 2024-H2 overlaps 2024; A's latest overlapping period is 2024, not 2023
    assert dict(zip(table["mission"], table["period"], strict=True)) == {
        "A": "2024",
        "B": "2024",
        "C": "2024",
        "D": "2024-H2",
    }
    assert _by(table, "pol", "score") == {"A": 70, "B": 50, "C": 50, "D": 80}
    assert _by(table, "sec", "score") == {"A": 30, "B": 80, "C": 50, "D": 30}
    wide = table.pivot(index="mission", columns="node", values="score")
    assert list(wide.columns) == ["pol", "sec"] and wide.loc["B", "sec"] == 80


def test_ranks_ties_gap_to_median_and_percentile(profiles: ml.Profiles) -> None:
    table = ml.compare_missions(profiles, period="2024")
    # pol 70, 50, 50, 80: D 1, A 2, B and C tie at 3 (ties.method = "min")
    assert _by(table, "pol", "rank") == {"A": 2, "B": 3, "C": 3, "D": 1}
    # median(70, 50, 50, 80) = 60
    assert _by(table, "pol", "gap_to_median") == {"A": 10, "B": -10, "C": -10, "D": 20}
    # share of the four scores at or below: A 3/4, B and C 2/4, D 4/4
    assert _by(table, "pol", "percentile") == {"A": 75, "B": 50, "C": 50, "D": 100}
    # sec 30, 80, 50, 30: B 1, C 2, A and D tie at 3; median(30, 30, 50, 80) = 40
    assert _by(table, "sec", "rank") == {"A": 3, "B": 1, "C": 2, "D": 3}
    assert _by(table, "sec", "gap_to_median") == {"A": -10, "B": 40, "C": 10, "D": -10}
    assert set(table["n_ranked"]) == {4}


def test_rank_missions_headline_sport_ranking(profiles: ml.Profiles) -> None:
    ranked = ml.rank_missions(profiles, period="2024")
    assert tuple(ranked.columns) == ml.analysis.peers.RANK_COLUMNS
    # index 50, 65, 50, 55: B 1, D 2, A and C 3 (1, 2, 3, 3)
    assert list(ranked["mission"]) == ["B", "D", "A", "C"]
    assert list(ranked["rank"]) == [1, 2, 3, 3]
    # median(50, 65, 50, 55) = 52.5
    assert list(ranked["gap_to_median"]) == [12.5, 2.5, -2.5, -2.5]


def test_align_by_phase_and_years_since_start(profiles: ml.Profiles) -> None:
    by_phase = ml.compare_missions(profiles, phase="start_up", nodes="root")
    assert by_phase.loc[
        by_phase["mission"] == "A", ["period", "score", "rank"]
    ].values.tolist() == [["2023", 20.0, 1]]
    missing = by_phase[by_phase["mission"] != "A"]
    assert missing["score"].isna().all() and missing["rank"].isna().all()
    assert set(missing["note"]) == {
        "no period in phase start_up (phases: implementation, start_up)"
    }
    # default starts: each mission's earliest period; A starts 2023-01-01, so its 2024 (midpoint
    # 2024-07-01, 1.50 years later) is in its year 1, B's 2024 (0.50) in its year 0
    with pytest.warns(ml.MixedPhasesWarning, match="start_up: A"):  # A's first year
        first = ml.compare_missions(profiles, years=0, nodes="root")
    assert dict(zip(first["mission"], first["period"], strict=True)) == {
        "A": "2023",
        "B": "2024",
        "C": "2024",
        "D": "2024-H2",
    }
    second = ml.compare_missions(profiles, years=1, nodes="root")
    assert second.loc[second["mission"] == "A", "period"].item() == "2024"
    assert second.loc[second["mission"] == "B", "period"].item() is None
    # a registry start date moves B's 2024 into its second year
    moved = ml.compare_missions(profiles, years=1, nodes="root", starts={"B": "2023-01-01"})
    assert moved.loc[moved["mission"] == "B", "period"].item() == "2024"
    assert moved.loc[moved["mission"] == "B", "years_since_start"].item() == 1.5


def test_mixed_phases_warn_and_show_the_phase(fw: ml.Framework) -> None:
    mixed = _score(fw, _entries(C="exit"))
    with pytest.warns(ml.MixedPhasesWarning, match=r"exit: C; implementation: A, B, D"):
        table = ml.compare_missions(mixed, period="2024")
    assert _by(table, "pol", "phase")["C"] == "exit"
    with pytest.warns(ml.MixedPhasesWarning):
        ml.rank_missions(mixed, period="2024")


def test_no_common_unit_is_an_error_not_an_empty_table(profiles: ml.Profiles) -> None:
    with pytest.raises(ml.ArgumentError, match="no mission has a period in this selection"):
        ml.compare_missions(profiles, period="1999")
    with pytest.raises(ml.ArgumentError, match="give one of period=, phase= and years="):
        ml.compare_missions(profiles, period="2024", phase="exit")
    with pytest.raises(ml.ArgumentError, match="nodes: nope not in this view"):
        ml.compare_missions(profiles, period="2024", nodes=["nope"])


def test_within_band_ranks_only_among_similar_contexts(profiles: ml.Profiles) -> None:
    # context indexes 20 (A 2023), 30, 60, 90, 10: tertile edges 23.33 and 50 (see
    # test_context_adjusted), so D is in band 1, A in band 2, B and C in band 3
    table = ml.compare_missions(profiles, period="2024", within_band=True)
    assert _by(table, "pol", "band") == {"A": 2, "B": 3, "C": 3, "D": 1}
    # pol within band 3: B 50 and C 50 tie at 1; A and D alone in theirs
    assert _by(table, "pol", "rank") == {"A": 1, "B": 1, "C": 1, "D": 1}
    assert _by(table, "sec", "rank") == {"A": 1, "B": 1, "C": 2, "D": 1}
    assert _by(table, "sec", "n_ranked") == {"A": 1, "B": 2, "C": 2, "D": 1}


def test_nearest_peers_distances_by_hand(profiles: ml.Profiles) -> None:
    peers = ml.nearest_peers(profiles, "A", period="2024", k=3)
    assert tuple(peers.columns) == ml.analysis.peers.PEER_COLUMNS
    # A = (70, 30); D = (80, 30): 10; C = (50, 50): sqrt(400 + 400); B = (50, 80): sqrt(2900)
    assert list(peers["peer"]) == ["D", "C", "B"]
    np.testing.assert_allclose(peers["distance"], [10, np.sqrt(800), np.sqrt(2900)])
    assert list(peers["rank"]) == [1, 2, 3] and set(peers["n_common"]) == {2}
    manhattan = ml.nearest_peers(profiles, "A", period="2024", k=1, metric="manhattan")
    assert list(manhattan["peer"]) == ["D"] and manhattan["distance"].item() == 10


def test_nearest_peers_scale_the_distance_over_common_nodes(fw: ml.Framework) -> None:
    data = _entries()
    data.loc[data["mission"] == "D", ["sec_1", "sec_2"]] = np.nan  # D: pol 80, no sec
    profiles = _score(fw, data)
    peers = ml.nearest_peers(profiles, "A", period="2024", k=3)
    d = peers.set_index("peer")
    # one common node of two: sqrt(2 / 1 * (70 - 80)^2) (Dixon 1979; R's dist)
    assert d.loc["D", "n_common"] == 1
    np.testing.assert_allclose(d.loc["D", "distance"], np.sqrt(200))
    with pytest.raises(ml.ArgumentError, match="mission 'Z' is not in these profiles"):
        ml.nearest_peers(profiles, "Z", period="2024")


def test_strengths_and_weaknesses_by_hand(profiles: ml.Profiles) -> None:
    # ranks in 2024: pol_1 80, 50, 60, 90 -> A 2; pol_2 60, 50, 40, 70 -> A 2;
    # sec_1 40, 70, 60, - -> A 3 of 3; sec_2 20, 90, 40, 30 -> A 4 of 4
    sw = ml.strengths_weaknesses(profiles, "A", n=2, period="2024")
    assert tuple(sw.columns) == ml.analysis.peers.STRENGTH_COLUMNS
    assert list(sw["kind"]) == ["strength", "strength", "weakness", "weakness"]
    assert list(sw["indicator"]) == ["pol_1", "pol_2", "sec_1", "sec_2"]
    assert list(sw["rank"]) == [2, 2, 3, 4]
    assert list(sw["n_units"]) == [4, 4, 3, 4]
    assert list(sw["dimension"]) == ["pol", "pol", "sec", "sec"]
    assert sw["name"].iloc[0] == "Strategy" and set(sw["period"]) == {"2024"}
    one = ml.strengths_weaknesses(profiles, "A", n=1, period="2024")
    assert list(one["indicator"]) == ["pol_1", "sec_2"]
    # COINr's min_discard drops the indicators A ranks last on (sec_1 and sec_2)
    discarded = ml.strengths_weaknesses(profiles, "A", n=2, period="2024", min_discard=True)
    assert list(discarded["indicator"]) == ["pol_1", "pol_2"]
    assert list(discarded["kind"]) == ["strength", "weakness"]
    # B: sec_1 1, sec_2 1, pol_2 3, pol_1 4
    b = ml.strengths_weaknesses(profiles, "B", n=1, period="2024", use="score")
    assert list(b["indicator"]) == ["sec_2", "pol_1"]  # by score: 90 first, 50 (rank 4) last


def test_strengths_leave_out_indicators_all_tie_on(fw: ml.Framework) -> None:
    data = _entries()
    data["pol_1"] = 50  # every mission the same: no strength, no weakness
    profiles = _score(fw, data)
    sw = ml.strengths_weaknesses(profiles, "A", n=5, period="2024")
    assert "pol_1" not in set(sw["indicator"])
    assert sorted(sw["indicator"]) == ["pol_2", "sec_1", "sec_2"]


def test_the_phase_warning_points_at_the_callers_line(fw: ml.Framework) -> None:
    mixed = _score(fw, _entries(C="exit"))
    for call in (
        lambda: ml.compare_missions(mixed, period="2024"),
        lambda: ml.rank_missions(mixed, period="2024"),
        lambda: ml.nearest_peers(mixed, "A", period="2024"),
        lambda: ml.strengths_weaknesses(mixed, "A", period="2024"),
    ):
        with pytest.warns(ml.MixedPhasesWarning) as caught:
            call()
        assert len(caught) == 1 and caught[0].filename == __file__


def test_bad_arguments_name_what_was_expected(profiles: ml.Profiles) -> None:
    with pytest.raises(ml.ArgumentError, match="starts: B: 'soon' is not a period"):
        ml.compare_missions(profiles, years=0, starts={"B": "soon"})
    with pytest.raises(ml.ArgumentError, match="years must be a number of years"):
        ml.compare_missions(profiles, years=-1)
    with pytest.raises(ml.ArgumentError, match="view: no view 'nope'; views: context, tree"):
        ml.compare_missions(profiles, period="2024", view="nope")
    with pytest.raises(ml.ArgumentError, match="align must be one of"):
        ml.compare_missions(profiles, period="2024", align="sideways")  # type: ignore[arg-type]
    with pytest.raises(ml.ArgumentError, match="metric must be"):
        ml.nearest_peers(profiles, "A", period="2024", metric="cosine")  # type: ignore[arg-type]
    with pytest.raises(ml.ArgumentError, match="n must be a whole number"):
        ml.strengths_weaknesses(profiles, "A", period="2024", n=0)


def test_intervals_are_carried_where_the_profiles_have_them(fw: ml.Framework) -> None:
    data = _entries()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        result = ml.uncertainty(data, framework=fw, spec={"weights": {"noise": 0.25}}, n=20, seed=1)
    table = ml.compare_missions(result.profiles, period="2024")
    bounds = result.profiles.to_frame()
    pol_a = bounds[(bounds["mission"] == "A") & (bounds["period"] == "2024")]
    pol_a = pol_a[pol_a["node"] == "pol"]
    row = table[(table["mission"] == "A") & (table["node"] == "pol")]
    assert row["lower"].item() == pol_a["lower"].item()
    assert row["upper"].item() == pol_a["upper"].item()
    assert row["lower"].item() <= row["score"].item() <= row["upper"].item()
    plain = ml.compare_missions(_score(fw, data), period="2024")
    assert plain["lower"].isna().all() and plain["upper"].isna().all()


def test_within_band_keeps_a_mission_without_context_unranked(fw: ml.Framework) -> None:
    data = _entries()
    data.loc[data["mission"] == "B", "env_c"] = np.nan
    table = ml.compare_missions(_score(fw, data), period="2024", within_band=True)
    b = table[table["mission"] == "B"]
    assert b["band"].isna().all() and b["rank"].isna().all() and (b["n_ranked"] == 0).all()
    assert set(b["note"]) == {"no context index: not ranked within a band"}
    assert list(b["score"]) == [50, 80]  # its scores are shown, not ranked


def test_missions_restricts_the_comparison_and_its_statistics() -> None:
    from scipy.stats import rankdata

    profiles = ml.score(ml.datasets.load_portfolio(), framework="whole-of-mission")
    chosen = ["UNIFIL", "UNMIL", "MINUSMA"]
    compared = ml.compare_missions(profiles, phase="implementation", missions=chosen)
    assert list(dict.fromkeys(compared["mission"])) == chosen  # in the order given
    ranked = ml.rank_missions(profiles, phase="implementation", missions=chosen)
    assert set(ranked["mission"]) == set(chosen) and (ranked["n_ranked"] == 3).all()
    # an independent computation on the three scores: ranks with ties "min" (COINr), the
    # median gap and the percentile
    every = ml.rank_missions(profiles, phase="implementation").set_index("mission")
    scores = every.loc[chosen, "score"].to_numpy()
    expected_rank = rankdata(-scores, method="min")
    got = ranked.set_index("mission").loc[chosen]
    assert got["rank"].tolist() == expected_rank.tolist()
    assert np.allclose(got["gap_to_median"], scores - np.median(scores))
    assert np.allclose(got["percentile"], [100 * np.mean(scores <= v) for v in scores])
    with pytest.raises(ml.ArgumentError, match="'XX' not in the profiles"):
        ml.compare_missions(profiles, phase="implementation", missions=["UNMIL", "XX"])
    with pytest.raises(ml.ArgumentError, match="list of mission names"):
        ml.rank_missions(profiles, phase="implementation", missions="UNMIL")
