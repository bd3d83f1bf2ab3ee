"""The demo's synthetic generator and helpers (``missionlens.demo``), on whole-of-mission v2.

The demo itself runs in ``tests/test_cli.py::test_demo_runs_and_writes_its_outputs``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import missionlens as ml
from missionlens.demo import (
    ILLUSTRATIVE,
    _recording,
    answer_not_applicable,
    fatality_table,
    synthetic_assessments,
)


@pytest.fixture(scope="module")
def v2() -> ml.Framework:
    return ml.load_framework("whole-of-mission")


@pytest.fixture(scope="module")
def entries(v2: ml.Framework) -> pd.DataFrame:
    return synthetic_assessments(v2)


def test_synthetic_entries_cover_context_and_numeric_companions(
    v2: ml.Framework, entries: pd.DataFrame
) -> None:
    rated = set(entries["indicator"])
    context = {i.id for i in v2.indicators if i.role == "context"}
    companions = {i.id for i in v2.indicators if i.weight == 0}
    assert context <= rated and companions <= rated
    assert entries["evidence"].str.startswith(ILLUSTRATIVE).all()
    numeric = entries[entries["rater"] == "data-officer"]
    for ind, values in numeric.groupby("indicator")["value"]:
        low, high = sorted(v2.goalposts(ind))
        assert values.between(low, high).all(), ind
    counts = numeric.loc[numeric["indicator"] == "env_fatalities_malicious_count", "value"]
    assert len(counts) and (counts == np.round(counts)).all()  # persons: whole numbers
    assert ml.validate(entries, framework=v2).ok


def test_synthetic_entries_still_work_for_version_1() -> None:
    v1 = ml.load_framework("whole-of-mission@1")
    table = synthetic_assessments(v1)
    assert ml.validate(table, framework=v1).ok
    assert answer_not_applicable(table, v1)["not_applicable"].sum() == 0  # no UN-AU ids in v1


def test_not_applicable_answers_replace_the_ratings(
    v2: ml.Framework, entries: pd.DataFrame
) -> None:
    out = answer_not_applicable(entries, v2)
    na = out[out["not_applicable"]]
    assert set(na["mission"]) == {"Mission A"}
    assert set(na["indicator"]) == {"unau_joint_work", "unau_council_consultations"}
    assert na["value"].isna().all() and na["not_applicable_reason"].str.contains("Africa").all()
    assert len(out) == len(entries)  # nothing dropped: the entries become N/A answers
    assert ml.validate(out, framework=v2).ok


def test_fatality_table_has_the_rate_and_the_count(v2: ml.Framework) -> None:
    table = fatality_table(v2)
    row = table[(table["mission"] == "MINUSMA") & (table["period"] == "2014")].iloc[0]
    # the shipped table (src/missionlens/data/README.md): 28 deaths, 2.949 per 1,000 per year
    assert row["env_fatalities_malicious"] == pytest.approx(2.949)
    assert row["env_fatalities_malicious_count"] == 28
    v1 = fatality_table(ml.load_framework("whole-of-mission@1"))
    assert "env_fatalities_malicious_count" not in v1.columns


def test_recording_keeps_one_category_and_raises_the_others_again() -> None:
    with pytest.warns(UserWarning, match="other"), _recording(ml.MixedPhasesWarning) as kept:
        warnings.warn("mixed", ml.MixedPhasesWarning, stacklevel=1)
        warnings.warn("other", UserWarning, stacklevel=1)
    assert [str(w.message) for w in kept] == ["mixed"]
