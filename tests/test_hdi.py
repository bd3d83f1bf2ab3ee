"""Reproduce a published composite index: the UNDP Human Development Index 2021.

Reference values: UNDP, Human Development Report 2021/2022, statistical annex Table 1 (HDI and
its components, 191 countries), as described in tests/data/hdi/README.md. The HDI is published
to three decimals, so every recomputed value must lie within 0.0005 of the published one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import missionlens as ml

HDI = Path(__file__).parent / "data" / "hdi"
COMPONENTS = ["life_expectancy", "expected_schooling", "mean_schooling", "gni_per_capita"]


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(HDI / "hdi_2021.csv", keep_default_na=False, na_values=[""])


def _wide(published: pd.DataFrame) -> pd.DataFrame:
    wide = published[["iso3", *COMPONENTS]].rename(columns={"iso3": "mission"})
    wide.insert(1, "period", "2021")
    return wide


def _check(profiles: ml.Profiles, published: pd.DataFrame) -> None:
    scores = profiles.wide(node_type="root")["hdi"] / 100
    got = scores.droplevel("period").reindex(published["iso3"]).to_numpy()
    diff = np.abs(got - published["hdi"].to_numpy())
    assert len(diff) == 191
    worst = published.loc[np.argmax(diff), "country"]
    assert diff.max() <= 0.0005 + 1e-12, f"worst: {worst} off by {diff.max():.6f}"
    # every value also rounds to the published three decimals
    assert (np.round(got, 3) == published["hdi"].round(3).to_numpy()).all()


def test_hdi_from_framework_file(published: pd.DataFrame) -> None:
    fw = ml.load_framework(HDI / "hdi.yaml")
    _check(ml.score(_wide(published), framework=fw), published)


def test_hdi_from_coinr_metadata_table(published: pd.DataFrame) -> None:
    meta = pd.DataFrame(
        {
            "iCode": [*COMPONENTS, "health", "education", "income", "hdi"],
            "iName": ["LE", "EYS", "MYS", "GNIpc", "Health", "Education", "Income", "HDI"],
            "Parent": ["health", "education", "education", "income", "hdi", "hdi", "hdi", None],
            "Level": [1, 1, 1, 1, 2, 2, 2, 3],
            "Direction": [1, 1, 1, 1, None, None, None, None],
            "Weight": [1, 1, 1, 1, 1, 1, 1, 1],
            "Type": ["Indicator"] * 4 + ["Aggregate"] * 4,
            "Goalposts": ["[20, 85]", "[0, 18]", "[0, 15]", "[100, 75000]", None, None, None, None],
            "Aggregation": [None] * 4 + ["arithmetic", "arithmetic", "arithmetic", "geometric"],
        }
    )
    fw = ml.Framework.from_frame(meta, id="hdi-table", title="HDI from a metadata table")
    recipe = ml.Recipe.default().with_params(
        "normalise", overrides={"gni_per_capita": {"transform": "log"}}
    )
    _check(ml.score(_wide(published), framework=fw, recipe=recipe), published)


def test_hdi_caps_matter(published: pd.DataFrame) -> None:
    """Without capping at the upper goalposts the published values are not reproduced."""
    fw = ml.load_framework(HDI / "hdi.yaml")
    uncapped = ml.Recipe.default().with_params("normalise", cap=False)
    scores = ml.score(_wide(published), framework=fw, recipe=uncapped).wide(node_type="root")
    got = scores["hdi"].droplevel("period").reindex(published["iso3"]).to_numpy() / 100
    assert (np.abs(got - published["hdi"].to_numpy()) > 0.0005).sum() > 10
