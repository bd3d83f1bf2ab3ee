"""Image comparison: each plot drawn on fixed data against a stored baseline PNG.

The baselines are in ``tests/baseline_images/`` (4 x 3 in at 60 dpi, so each is a few KB). A
plot that changes on purpose needs its baseline regenerated, then looked at before committing::

    MISSIONLENS_REGENERATE_BASELINES=1 pytest tests/test_plot_images.py

Rendering is made deterministic as matplotlib's own image tests do it
(``matplotlib.testing.decorators.image_comparison``): the default style, the bundled DejaVu
Sans with hinting off (:func:`matplotlib.testing.set_font_settings_for_testing`), the Agg
backend and a fixed dpi. Images are compared with
:func:`matplotlib.testing.compare.compare_images` (RMS of the pixel differences) at a tolerance
of :data:`TOL`, which absorbs anti-aliasing differences between FreeType builds but not a
moved or missing artist. Captions are fixed text (fingerprints would change with the data
format).
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.testing import set_font_settings_for_testing
from matplotlib.testing.compare import compare_images

import missionlens as ml
from missionlens import plot

BASELINES = Path(__file__).parent / "baseline_images"
#: RMS tolerance of :func:`compare_images` (0-255 grey levels).
TOL = 8.0
SIZE = (4.0, 3.0)
DPI = 60
REGENERATE = os.environ.get("MISSIONLENS_REGENERATE_BASELINES") == "1"

#: The matplotlib release (major.minor) the baselines were drawn with, recorded beside them.
#: Text rasterisation and marker antialiasing change between releases (matplotlib's own image
#: tests pin their FreeType build for the same reason), so images are compared only on that
#: release: the README's test command on Python 3.11 compares them; the Python 3.10 run of CI,
#: which gets an older matplotlib, checks the same plots by what they draw (test_plots_new.py).
BASELINE_RELEASE_FILE = Path(__file__).parent / "baseline_images" / "MATPLOTLIB_VERSION"
CAPTION = "missionlens test baseline"


@pytest.fixture(autouse=True)
def _deterministic() -> Iterator[None]:
    with mpl.rc_context():
        mpl.style.use("default")
        set_font_settings_for_testing()
        mpl.rcParams["svg.hashsalt"] = "missionlens"
        yield


@pytest.fixture(scope="module")
def profiles(small_framework: ml.Framework) -> ml.Profiles:
    rows = pd.DataFrame(
        {
            "mission": ["A", "B", "C", "A", "B", "C"],
            "period": ["2023"] * 3 + ["2024"] * 3,
            "phase": ["implementation"] * 3 + ["drawdown"] * 3,
            "pol_01": [5, 2, np.nan, np.nan, np.nan, np.nan],
            "pol_02": [4, 1, 3, 5, 2, 3],
            "env_01": [0.5, 2.0, 4.0, 0.2, 1.5, 3.0],
            "env_02": [1, 0, 1, 1, 1, 0],
            "env_03": [np.nan, np.nan, np.nan, 4, 2, 5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(rows, framework=small_framework)


RUNS = pd.DataFrame(
    {
        "mission": ["A", "B", "C"],
        "rank_median": [2.0, 1.0, 3.0],
        "rank_lower": [1.0, 1.0, 2.0],
        "rank_upper": [3.0, 2.0, 3.0],
        "rank_nominal": [1, 2, 3],
        "score_median": [55.0, 60.0, 30.0],
        "score_lower": [45.0, 50.0, 20.0],
        "score_upper": [62.0, 68.0, 41.0],
        "score_nominal": [57.0, 59.0, 33.0],
    }
)


def _axes(polar: bool = False) -> plt.Axes:
    _, ax = plt.subplots(
        figsize=SIZE,
        layout="constrained",
        subplot_kw={"projection": "polar"} if polar else None,
    )
    return ax


def _draws(
    profiles: ml.Profiles, framework: ml.Framework
) -> dict[str, Callable[[], plt.Axes | Figure]]:
    lifecycle = pd.DataFrame(
        {
            "mission": ["A"] * 3,
            "period": ["2021", "2022", "2023"],
            "phase": ["implementation", "drawdown", "drawdown"],
            "score": [40.0, 50.0, 55.0],
            "lower": [30.0, 42.0, 50.0],
            "upper": [48.0, 58.0, 61.0],
        }
    )
    agreement = pd.DataFrame(
        {
            "scope": "indicator",
            "id": ["pol_01", "pol_02", "env_03"],
            "alpha": [0.9, 0.55, 0.75],
            "alpha_low": [0.8, 0.3, 0.6],
            "alpha_high": [0.97, 0.7, 0.85],
        }
    )
    entries = pd.DataFrame(
        {
            "indicator": ["pol_01"] * 3 + ["pol_02"] * 3,
            "rater": ["r1", "r2", "r3"] * 2,
            "value": [1, 4, 5, 3, 3, 4],
        }
    )
    return {
        "profile": lambda: plot.plot_profile(
            profiles, mission="A", compare="B", period="2023", caption=CAPTION, ax=_axes()
        ),
        "radar": lambda: plot.plot_radar(
            profiles,
            mission="A",
            compare="C",
            node_type="level",
            period="2024",
            caption=False,
            ax=_axes(polar=True),
        ),
        "comparison": lambda: plot.plot_comparison(
            profiles, period="2023", caption=False, ax=_axes()
        ),
        "lifecycle": lambda: plot.plot_lifecycle(
            lifecycle,
            benchmarks=pd.DataFrame({"target": [60.0]}),
            events=pd.DataFrame({"period": ["2022"], "label": ["renewal"]}),
            caption=False,
            ax=_axes(),
        ),
        "facets": lambda: plot.plot_facets(
            profiles, mission="B", view="finding", period="2023", caption=False, ax=_axes()
        ),
        "levels": lambda: plot.plot_levels(
            profiles, mission="C", period="2024", caption=False, ax=_axes()
        ),
        "rank_intervals": lambda: plot.plot_rank_intervals(RUNS, caption=False, ax=_axes()),
        "score_intervals": lambda: plot.plot_score_intervals(RUNS, caption=False, ax=_axes()),
        "waterfall": lambda: plot.plot_waterfall(
            pd.DataFrame({"indicator": ["a", "b", "c"], "contribution": [4.0, -1.5, 2.0]}),
            start=50.0,
            caption=False,
            ax=_axes(),
        ),
        "quadrant": lambda: plot.plot_quadrant(
            pd.DataFrame(
                {
                    "mission": ["A", "B", "C"],
                    "context": [20.0, 40.0, 70.0],
                    "performance": [30.0, 80.0, 50.0],
                }
            ),
            caption=False,
            ax=_axes(),
        ),
        "framework": lambda: plot.plot_framework(framework, caption=False, ax=_axes()),
        "agreement": lambda: plot.plot_agreement(agreement, caption=False, ax=_axes()),
        "rater_spread": lambda: plot.plot_rater_spread(entries, caption=False, ax=_axes()),
        "small_multiples": lambda: plot.plot_small_multiples(
            profiles, col="mission", col_wrap=2, panel_size=(2.0, 1.5), caption=False
        ),
    }


NAMES = [
    "profile",
    "radar",
    "comparison",
    "lifecycle",
    "facets",
    "levels",
    "rank_intervals",
    "score_intervals",
    "waterfall",
    "quadrant",
    "framework",
    "agreement",
    "rater_spread",
    "small_multiples",
]


@pytest.mark.parametrize("name", NAMES)
def test_plot_matches_its_baseline(
    name: str, profiles: ml.Profiles, small_framework: ml.Framework, tmp_path: Path
) -> None:
    out = _draws(profiles, small_framework)[name]()
    figure = out if isinstance(out, Figure) else out.get_figure(root=True)
    assert figure is not None
    actual = tmp_path / f"{name}.png"
    figure.savefig(actual, dpi=DPI)
    expected = BASELINES / f"{name}.png"
    release = ".".join(mpl.__version__.split(".")[:2])
    if REGENERATE:
        BASELINES.mkdir(exist_ok=True)
        shutil.copyfile(actual, expected)
        BASELINE_RELEASE_FILE.write_text(release + "\n", encoding="utf-8")
        return
    drawn_with = BASELINE_RELEASE_FILE.read_text(encoding="utf-8").strip()
    if release != drawn_with:
        pytest.skip(f"baselines drawn with matplotlib {drawn_with}, this is {mpl.__version__}")
    assert expected.exists(), (
        f"no baseline {expected}; run MISSIONLENS_REGENERATE_BASELINES=1 pytest "
        "tests/test_plot_images.py and look at the image before committing it"
    )
    problem = compare_images(str(expected), str(actual), tol=TOL)
    assert problem is None, problem


def test_every_plot_has_a_baseline_test() -> None:
    """A new plot function gets its image test: every ``plot_*`` of the package is here."""
    functions = {n.removeprefix("plot_") for n in plot.__all__ if n.startswith("plot_")}
    assert functions == set(NAMES)
