"""The treat_outliers step uses the COINr kernel: distinct points counted, untested logged."""

from __future__ import annotations

import pandas as pd

import missionlens as ml


def _data(values: list[float]) -> pd.DataFrame:
    missions = [f"M{i:02d}" for i in range(len(values))]
    return pd.DataFrame({"mission": missions, "period": "2024", "env_01": values})


def test_step_winsorises_four_distinct_points_with_the_default_limit(
    small_framework: ml.Framework,
) -> None:
    # 1..30, 200, 300, 400, 500: COINr treats the 4 top points in 4 passes (nwin 1, 2, 3, 4 < 5;
    # worked pass by pass in test_kernels_outliers.py); counting repeats would fall back to log.
    values = [*range(1, 31), 200.0, 300, 400, 500]
    recipe = ml.Recipe.default().with_step("treat_outliers", index=0)
    p = ml.score(_data(values), framework=small_framework, recipe=recipe)
    entry = p.log[p.log["step"] == "treat_outliers"].iloc[0]
    assert entry["message"] == "env_01: winsorised"
    assert entry["winsorised"] == 4


def test_step_logs_a_column_it_cannot_test(small_framework: ml.Framework) -> None:
    # 3 values: kurtosis needs 4 (COINr stops with an error); the step leaves the column as it
    # is and says so in the log
    recipe = ml.Recipe.default().with_step("treat_outliers", index=0)
    p = ml.score(_data([1.0, 2.0, 1000.0]), framework=small_framework, recipe=recipe)
    messages = p.log.loc[p.log["step"] == "treat_outliers", "message"].tolist()
    assert messages == ["env_01: untested"]
