"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import matplotlib
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
    return ml.load_framework("whole-of-mission")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
