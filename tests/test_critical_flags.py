"""Critical flags: a rating at the worst level of a critical indicator is flagged whatever the
averages (tests/data/frameworks/roles.yaml: pol_01 a 1-4 rubric, higher better; sec_01 yes/no,
yes better; sec_ctx1 a 1-4 rubric, lower better, a context indicator).

Expected values are read off the entries by hand: the worst level is the lowest value for
``direction: 1``, the highest for ``direction: -1``, "No" (0) on a yes/no scale where yes is
good; the consolidated value is the median of the raters (the default recipe).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.scoring.profiles import CRITICAL_COLUMNS

ROLES_YAML = Path(__file__).parent / "data" / "frameworks" / "roles.yaml"


@pytest.fixture(scope="module")
def fw() -> ml.Framework:
    return ml.load_framework(ROLES_YAML)


def _entries(rows: list[tuple[str, str, float, str, str | None]]) -> pd.DataFrame:
    """Long entries (mission, indicator, value, rater, evidence), period 2024, implementation."""
    frame = pd.DataFrame(rows, columns=["mission", "indicator", "value", "rater", "evidence"])
    frame.insert(1, "period", "2024")
    frame.insert(2, "phase", "implementation")
    return frame


def _flags(data: pd.DataFrame, fw: ml.Framework) -> tuple[ml.Profiles, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        profiles = ml.score(data, framework=fw)
    return profiles, profiles.critical_flags.set_index(["mission", "indicator"])


def test_consolidated_worst_is_flagged_with_raters_and_evidence(fw: ml.Framework) -> None:
    data = _entries(
        [
            ("A", "pol_01", 1, "amina", "No strategy document exists."),
            ("A", "pol_01", 1, "bruno", '=HYPERLINK("x")  kept as entered'),
            ("A", "pol_01", 3, "chen", "A draft circulates."),
            ("A", "pol_02", 2, "amina", None),
        ]
    )
    profiles, flags = _flags(data, fw)
    assert tuple(profiles.critical_flags.columns) == CRITICAL_COLUMNS
    row = flags.loc[("A", "pol_01")]
    assert row["value"] == 1.0 and row["level_label"] == "Critical"
    assert row["worst_label"] == "Critical" and row["consolidated_worst"]
    assert row["raters_at_worst"] == 2 and row["n_raters"] == 3
    assert row["raters"] == "amina, bruno"
    assert row["evidence"] == 'No strategy document exists.\n=HYPERLINK("x")  kept as entered'
    assert row["name"] == "Political strategy" and row["node"] == "pol"
    assert row["phase"] == "implementation" and row["period"] == "2024"
    assert len(flags) == 1  # pol_02 is not critical


def test_one_rater_at_worst_is_flagged_though_the_median_is_higher(fw: ml.Framework) -> None:
    data = _entries(
        [
            ("A", "pol_01", 1, "amina", "Talks collapsed in March."),
            ("A", "pol_01", 3, "bruno", "Some progress."),
            ("A", "pol_01", 4, "chen", ""),
            ("B", "pol_01", 1, "amina", None),
            ("B", "pol_01", 2, "bruno", "Weak."),
            ("C", "pol_01", 2, "amina", "Weak, not critical."),
            ("C", "pol_01", 3, "bruno", None),
        ]
    )
    profiles, flags = _flags(data, fw)
    a = flags.loc[("A", "pol_01")]
    assert a["value"] == 3.0 and a["level_label"] == "Adequate"  # median of 1, 3, 4
    assert not a["consolidated_worst"] and a["raters_at_worst"] == 1 and a["n_raters"] == 3
    assert a["raters"] == "amina" and a["evidence"] == "Talks collapsed in March."
    b = flags.loc[("B", "pol_01")]
    assert b["value"] == 1.5 and b["level_label"] == "between Critical and Weak"
    assert not b["consolidated_worst"] and b["raters_at_worst"] == 1
    assert b["evidence"] == ""  # amina gave no evidence: nothing joined
    assert ("C", "pol_01") not in flags.index  # nobody said Critical
    # the scores are whatever the averages give: the flag changes none of them
    pol_01 = profiles.to_frame().set_index(["mission", "node"]).loc[("A", "pol_01"), "score"]
    assert pol_01 == pytest.approx(100 * (3 - 1) / 3)
    summary = profiles.summary().set_index("mission")
    assert summary["n_critical"].to_dict() == {"A": 1, "B": 1, "C": 0}


def test_lower_is_better_and_binary_worst_levels(fw: ml.Framework) -> None:
    data = _entries(
        [
            ("A", "sec_ctx1", 4, "amina", "Daily attacks on the base."),  # direction -1: 4 worst
            ("A", "sec_01", 0, "amina", "No response to the attack."),  # yes/no: No worst
            ("B", "sec_ctx1", 1, "amina", None),  # the best level
            ("B", "sec_01", 1, "amina", None),
        ]
    )
    _, flags = _flags(data, fw)
    assert sorted(flags.index) == [("A", "sec_01"), ("A", "sec_ctx1")]
    threat = flags.loc[("A", "sec_ctx1")]
    assert threat["value"] == 4.0 and threat["worst_label"] == "Strong"
    assert threat["node"] == "sec"  # the dimension, not the sub-dimension
    protect = flags.loc[("A", "sec_01")]
    assert protect["value"] == 0.0 and protect["level_label"] == "No"
    assert protect["worst_label"] == "No" and protect["consolidated_worst"]


def test_wide_table_values_are_flagged_without_raters(fw: ml.Framework) -> None:
    data = pd.DataFrame(
        {"mission": ["A", "B"], "period": "2024", "pol_01": [1, 2], "sec_01": [1, 0]}
    )
    _, flags = _flags(data, fw)
    assert sorted(flags.index) == [("A", "pol_01"), ("B", "sec_01")]
    row = flags.loc[("A", "pol_01")]
    assert row["raters_at_worst"] == 1 and row["n_raters"] == 1
    assert row["raters"] == "" and row["evidence"] == ""


def test_no_flags_is_an_empty_table_with_the_columns(fw: ml.Framework) -> None:
    profiles, _ = _flags(_entries([("A", "pol_01", 4, "amina", None)]), fw)
    assert profiles.critical_flags.empty
    assert tuple(profiles.critical_flags.columns) == CRITICAL_COLUMNS


def test_a_numeric_critical_indicator_is_refused_by_the_framework(fw: ml.Framework) -> None:
    # a numeric scale has no worst level to flag: the framework check refuses it up front
    raw = fw.to_dict()
    for indicator in raw["indicators"]:
        if indicator["id"] == "sec_02":
            indicator["critical"] = True
    with pytest.raises(ml.FrameworkError) as info:
        ml.Framework.from_dict(raw)
    assert set(info.value.problems["check"]) == {"critical_scale"}


def test_flags_survive_save_and_load(fw: ml.Framework, tmp_path: Path) -> None:
    data = _entries(
        [
            ("A", "pol_01", 1, "amina", "line one\nline two, «ünïcödé»"),
            ("A", "pol_01", 2, "bruno", None),
            ("A", "sec_01", 0, "bruno", "+cmd"),
        ]
    )
    profiles, _ = _flags(data, fw)
    loaded = ml.Profiles.load(profiles.save(tmp_path / "p.zip"))
    pd.testing.assert_frame_equal(loaded.critical_flags, profiles.critical_flags)
    assert loaded.critical_flags["evidence"].tolist() == ["line one\nline two, «ünïcödé»", "+cmd"]
    pd.testing.assert_frame_equal(loaded.summary(), profiles.summary())


def test_flags_of_profiles_made_by_hand_are_recomputed(fw: ml.Framework) -> None:
    profiles, _ = _flags(_entries([("A", "pol_01", 1, "amina", "None at all.")]), fw)
    by_hand = ml.Profiles(
        table=profiles.to_frame(None),
        framework=profiles.framework,
        recipe=profiles.recipe,
        data=profiles.data,
    )
    pd.testing.assert_frame_equal(by_hand.critical_flags, profiles.critical_flags)
    assert np.array_equal(by_hand.critical_flags["value"].to_numpy(), [1.0])
