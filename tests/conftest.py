"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

import missionlens as ml

matplotlib.use("Agg")

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of test data files."""
    return DATA


@pytest.fixture(scope="session")
def small_framework() -> ml.Framework:
    """A small valid framework with rubric, numeric and binary indicators."""
    return ml.load_framework(DATA / "frameworks" / "small.yaml")


@pytest.fixture(scope="session")
def wom() -> ml.Framework:
    """The built-in whole-of-mission framework."""
    return ml.load_framework("whole-of-mission@1")


@pytest.fixture
def wide() -> pd.DataFrame:
    """Three missions, one period, small framework (values worked by hand in
    tests/test_scoring.py).

    No phase: every indicator applies (pol_01 and env_03 apply in no common phase).
    """
    return pd.DataFrame(
        {
            "mission": ["A", "B", "C"],
            "period": ["2024"] * 3,
            "pol_01": [5, 2, np.nan],
            "pol_02": [4, 1, 3],
            "env_01": [0.5, 2.0, 4.0],
            "env_02": [1, 0, 1],
            "env_03": [3, 3, 5],
        }
    )


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
