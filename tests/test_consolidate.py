"""Several analysts: consolidation methods and Krippendorff's alpha against published examples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import missionlens as ml


# ------------------------------------------------------------------ alpha, computed by hand
def alpha_by_hand(units: Sequence[Sequence[float]], level: str) -> float:
    """Krippendorff's alpha from the coincidence matrix, as in Krippendorff (2011).

    ``units`` holds, for each unit, the values the raters gave it (missing ones left out).
    Written from the paper's definitions, independently of the ``krippendorff`` package:
    o_ck = sum over units of (number of c-k pairs) / (m_u - 1), n_c = sum_k o_ck,
    alpha = 1 - (n - 1) * sum o_ck delta2_ck / sum n_c n_k delta2_ck.
    """
    pairable = [list(map(float, u)) for u in units if len(u) >= 2]
    values = sorted({v for u in pairable for v in u})
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for unit in pairable:
        m = len(unit)
        for i, a in enumerate(unit):
            for j, b in enumerate(unit):
                if i != j:
                    o[index[a], index[b]] += 1.0 / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()

    def delta2(c: int, k: int) -> float:
        vc, vk = values[c], values[k]
        if level == "nominal":
            return float(vc != vk)
        if level == "interval":
            return (vc - vk) ** 2
        if level == "ratio":
            return ((vc - vk) / (vc + vk)) ** 2
        lo, hi = min(c, k), max(c, k)  # ordinal: ranks weighted by how often values are used
        return float((n_c[lo : hi + 1].sum() - (n_c[c] + n_c[k]) / 2) ** 2)

    d = np.array([[delta2(c, k) for k in range(len(values))] for c in range(len(values))])
    observed = (o * d).sum()
    expected = (np.outer(n_c, n_c) * d).sum() / (n - 1)
    return float(1 - observed / expected)


#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
#: twelve units, values 1-5 with missing data (unit 12 has one value and is not pairable).
PUBLISHED_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


@pytest.fixture
def krippendorff_2011(data_dir: Path, small_framework: ml.Framework) -> pd.DataFrame:
    return ml.read_assessments(
        data_dir / "assessments" / "krippendorff_2011.csv", framework=small_framework
    )


@pytest.mark.parametrize("level", list(PUBLISHED_ALPHA))
def test_alpha_reproduces_krippendorff_2011(
    krippendorff_2011: pd.DataFrame, small_framework: ml.Framework, level: str
) -> None:
    result = ml.agreement(krippendorff_2011, level=level, framework=small_framework)  # type: ignore[arg-type]
    assert list(result.columns) == [
        "scope",
        "id",
        "level",
        "alpha",
        "n_units",
        "n_raters",
        "n_pairable",
    ]
    assert list(result["scope"]) == ["overall", "dimension", "indicator"]
    row = result.set_index("scope").loc["indicator"]
    assert row["id"] == "pol_02"
    assert round(row["alpha"], 3) == PUBLISHED_ALPHA[level]
    assert (row["n_units"], row["n_raters"], row["n_pairable"]) == (11, 4, 40)
    units = krippendorff_2011.groupby("mission")["value"].apply(list).tolist()
    assert row["alpha"] == pytest.approx(alpha_by_hand(units, level), abs=1e-12)
    assert (result["alpha"] == row["alpha"]).all()  # one indicator: every scope agrees


def test_hand_computation_matches_the_paper_nominal_example() -> None:
    # the nominal coincidences of the paper's example give 0.743 independently of any library
    units = [
        [1, 1, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [5, 5, 5],
        [1, 1],
        [3],
    ]
    assert round(alpha_by_hand(units, "nominal"), 3) == 0.743


def _long(
    values: dict[str, list[float | None]], indicator: str = "pol_02", **extra: Any
) -> pd.DataFrame:
    """Long table of raters x units from {rater: [value per unit]} (None = not rated)."""
    rows = []
    for rater, per_unit in values.items():
        for unit, value in enumerate(per_unit):
            if value is not None:
                rows.append(
                    {
                        "mission": f"M{unit}",
                        "period": "2024",
                        "phase": "implementation",
                        "indicator": indicator,
                        "value": value,
                        "rater": rater,
                        **extra,
                    }
                )
    return pd.DataFrame(rows)


def test_agreement_undefined_cases(small_framework: ml.Framework) -> None:
    same = ml.read_assessments(_long({"a": [3, 3], "b": [3, 3]}), framework=small_framework)
    result = ml.agreement(same, framework=small_framework)
    assert np.isnan(result.loc[0, "alpha"]) and result.loc[0, "n_pairable"] == 4
    alone = ml.read_assessments(_long({"a": [1, 2, 3]}), framework=small_framework)
    result = ml.agreement(alone, framework=small_framework)
    assert np.isnan(result.loc[0, "alpha"])
    assert (result.loc[0, "n_units"], result.loc[0, "n_raters"]) == (0, 0)


def test_agreement_on_numeric_indicators(small_framework: ml.Framework) -> None:
    table = ml.read_assessments(
        _long({"a": [0.5, 1.0, 2.0], "b": [0.6, 1.2, 1.9]}, indicator="env_01"),
        framework=small_framework,
    )
    rubric_only = ml.agreement(table, framework=small_framework)
    assert list(rubric_only["scope"]) == ["overall"] and np.isnan(rubric_only.loc[0, "alpha"])
    result = ml.agreement(table, level="ratio", framework=small_framework, kinds=("numeric",))
    units = [[0.5, 0.6], [1.0, 1.2], [2.0, 1.9]]
    assert result.loc[0, "alpha"] == pytest.approx(alpha_by_hand(units, "ratio"))
    with pytest.raises(ValueError, match="kinds"):
        ml.agreement(table, framework=small_framework, kinds=("likert",))
    with pytest.raises(ValueError, match="unknown level"):
        ml.agreement(table, level="circular", framework=small_framework)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ consolidate
def _rate(
    values: Sequence[float], fw: ml.Framework, confidence: Sequence[str | None] | None = None
) -> pd.DataFrame:
    """One unit rated by len(values) raters on the numeric indicator env_01."""
    frame = pd.DataFrame(
        {
            "mission": "M",
            "period": "2024-Q1",
            "phase": "implementation",
            "indicator": "env_01",
            "value": list(values),
            "rater": [f"r{k:02d}" for k in range(len(values))],
        }
    )
    if confidence is not None:
        frame["confidence"] = list(confidence)
    return ml.read_assessments(frame, framework=fw)


@pytest.mark.parametrize(
    ("values", "trim", "expected"),
    [
        # R, mean(x, trim = 0.2) of twenty heights: 65 (a worked homework example)
        (
            [67, 68, 64, 61, 65, 64, 70, 67, 62, 63, 61, 64, 75, 67, 60, 59, 64, 68, 65, 71],
            0.2,
            65.0,
        ),
        # easycalculation.com: 20% trimmed mean of {8, 3, 7, 1, 3, 9}: floor(1.2) = 1 cut, 5.25
        ([8, 3, 7, 1, 3, 9], 0.2, 5.25),
        # scipy.stats.trim_mean documentation: trim_mean(np.arange(20), 0.1) == 9.5
        (list(range(20)), 0.1, 9.5),
        # fewer than five raters: 20% trims nothing
        ([1, 2, 9], 0.2, 4.0),
    ],
)
def test_trimmed_mean_published_examples(
    small_framework: ml.Framework, values: list[float], trim: float, expected: float
) -> None:
    result = ml.consolidate(
        _rate(values, small_framework), "trimmed_mean", trim=trim, framework=small_framework
    )
    assert result.loc[0, "value"] == pytest.approx(expected)
    assert result.loc[0, "n_raters"] == len(values)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=9),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.4]),
)
def test_trimmed_mean_agrees_with_scipy(
    small_framework: ml.Framework, groups: list[list[float]], trim: float
) -> None:
    stats = pytest.importorskip("scipy.stats")
    frame = pd.DataFrame(
        [
            {
                "mission": f"M{k}",
                "period": "2024",
                "phase": "exit",
                "indicator": "env_01",
                "value": v,
                "rater": f"r{j}",
            }
            for k, values in enumerate(groups)
            for j, v in enumerate(values)
        ]
    )
    table = ml.read_assessments(frame, framework=small_framework)
    result = ml.consolidate(table, "trimmed_mean", trim=trim, framework=small_framework)
    got = result.set_index("mission")["value"]
    for k, values in enumerate(groups):
        assert got[f"M{k}"] == pytest.approx(stats.trim_mean(values, trim), rel=1e-12, abs=1e-9)


def test_median_mean_and_spread(small_framework: ml.Framework) -> None:
    table = _rate([0.5, 2.0, 1.0, 1.5], small_framework)
    median = ml.consolidate(table, framework=small_framework)
    assert median.loc[0, "value"] == 1.25  # mean of the two middle values
    assert list(median.columns) == [
        "mission",
        "period",
        "period_start",
        "period_end",
        "phase",
        "indicator",
        "value",
        "n_raters",
        "min",
        "max",
        "spread",
        "std",
        "disagreement",
        "confidence",
        "method",
        "not_applicable",
        "n_not_applicable",
        "not_applicable_reason",
    ]
    assert (median.loc[0, "min"], median.loc[0, "max"], median.loc[0, "spread"]) == (0.5, 2.0, 1.5)
    assert median.loc[0, "std"] == pytest.approx(np.std([0.5, 2.0, 1.0, 1.5], ddof=1))
    assert bool(median.loc[0, "disagreement"])  # 1.5 >= 0.25 x goalpost range 3
    assert median.loc[0, "method"] == "median"
    assert median.loc[0, "period_start"] == pd.Timestamp("2024-01-01")
    assert ml.consolidate(table, "mean", framework=small_framework).loc[0, "value"] == 1.25
    single = ml.consolidate(_rate([2.0], small_framework), framework=small_framework)
    assert np.isnan(single.loc[0, "std"]) and not bool(single.loc[0, "disagreement"])


def test_rubric_disagreement_counts_levels(small_framework: ml.Framework) -> None:
    table = ml.read_assessments(
        _long({"a": [1, 2, 5], "b": [2, 4, 5], "c": [3, 4, 4]}), framework=small_framework
    )
    flags = ml.consolidate(table, framework=small_framework, steps=2)["disagreement"].tolist()
    assert flags == [True, True, False]
    assert ml.consolidate(table, framework=small_framework, steps=3)["disagreement"].tolist() == [
        False,
        False,
        False,
    ]


def test_numeric_without_range_has_no_disagreement_flag(small_framework: ml.Framework) -> None:
    data = small_framework.to_dict()
    data["scales"][1] = {"kind": "numeric", "id": "rate"}
    loose = ml.Framework.from_dict(data)
    table = _rate([0.0, 100.0], loose)
    assert pd.isna(ml.consolidate(table, framework=loose).loc[0, "disagreement"])


def test_confidence_weighted(small_framework: ml.Framework) -> None:
    table = _rate([1.0, 2.0, 3.0], small_framework, ["high", "low", None])
    result = ml.consolidate(table, "confidence_weighted", framework=small_framework)
    assert result.loc[0, "value"] == pytest.approx((3 * 1 + 1 * 2 + 1 * 3) / 5)
    custom = ml.consolidate(
        table,
        "confidence_weighted",
        framework=small_framework,
        weights={"low": 1, "medium": 5, "high": 10},
    )
    assert custom.loc[0, "value"] == pytest.approx((10 * 1 + 1 * 2 + 1 * 3) / 12)
    assert result.loc[0, "confidence"] == "low"  # lower median of high, low


def test_consolidate_refuses_bad_tables(small_framework: ml.Framework) -> None:
    table = _rate([1.0, 2.0], small_framework)
    twice = pd.concat([table, table.iloc[[0]]], ignore_index=True)
    with pytest.raises(ml.ValidationError, match="duplicate_entry") as info:
        ml.consolidate(twice, framework=small_framework)
    assert info.value.failures.loc[0, "row"] == 3
    phases = table.copy()
    phases.loc[1, "phase"] = "drawdown"
    with pytest.raises(ml.ValidationError, match="inconsistent_phase"):
        ml.agreement(phases, framework=small_framework)
    with pytest.raises(ValueError, match="pass framework="):
        ml.consolidate(table)
    with pytest.raises(ValueError, match="unknown method"):
        ml.consolidate(table, "mode", framework=small_framework)
    with pytest.raises(ValueError, match="trim"):
        ml.consolidate(table, "trimmed_mean", trim=0.5, framework=small_framework)
    with pytest.raises(ValueError, match="weights"):
        ml.consolidate(table, weights={"low": 1, "high": 2}, framework=small_framework)
    with pytest.raises(ml.ValidationError, match="there is no 'rater' column"):
        ml.consolidate(table.drop(columns="rater"), framework=small_framework)


def test_consolidate_takes_a_minimal_table(small_framework: ml.Framework) -> None:
    minimal = pd.DataFrame(
        {
            "mission": "M",
            "period": "2024",
            "phase": "implementation",
            "indicator": "pol_02",
            "value": [2, 4],
            "rater": ["a", "b"],
        }
    )
    result = ml.consolidate(minimal, framework=small_framework)
    assert result.loc[0, "value"] == 3.0 and result.loc[0, "phase"] == "implementation"


def test_consolidate_refuses_what_validate_refuses(small_framework: ml.Framework) -> None:
    # one contract: a table without a phase column fails validation, so consolidate refuses it
    # with the same problem rows
    minimal = pd.DataFrame(
        {"mission": "M", "period": "2024", "indicator": "pol_02", "value": [2, 4], "rater": "a"}
    )
    report = ml.validate(minimal, framework=small_framework)
    with pytest.raises(ml.ValidationError) as info:
        ml.consolidate(minimal, framework=small_framework)
    pd.testing.assert_frame_equal(info.value.failures, report.failures)


def test_counting_median_equals_the_sorted_median() -> None:
    """The counting median (rubric levels) gives numpy's median in every cell, odd and even."""
    from missionlens.assessments.consolidation import consolidate_cells

    rng = np.random.default_rng(11)
    cell = rng.integers(0, 300, 3000)
    levels = rng.integers(1, 6, 3000).astype(float)
    by_counting = consolidate_cells(cell, levels, 310, "median")
    by_numpy = np.array(
        [np.median(levels[cell == c]) if (cell == c).any() else np.nan for c in range(310)]
    )
    np.testing.assert_array_equal(by_counting, by_numpy)
    # values that are not whole numbers take the sort-based path, with the same definition
    halves = levels + 0.5 * rng.integers(0, 2, 3000)
    np.testing.assert_array_equal(
        consolidate_cells(cell, halves, 310, "median"),
        np.array(
            [np.median(halves[cell == c]) if (cell == c).any() else np.nan for c in range(310)]
        ),
    )
