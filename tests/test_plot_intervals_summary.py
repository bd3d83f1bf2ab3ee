"""The interval plots take the rows of ``UncertaintyResult.summary`` as they are.

Found writing notebook 04: ``plot_score_intervals(result.summary...)`` raised a KeyError
(``score_median`` ...) and ``plot_rank_intervals`` silently left out the nominal ranks (the
summary calls them ``nominal_rank``), although both documented the uncertainty analysis's
columns as their defaults.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import missionlens as ml


@pytest.fixture(scope="module")
def summary(small_framework: ml.Framework) -> pd.DataFrame:
    rows = [
        (mission, "2024", "implementation", indicator, value, rater, "low")
        for mission, base in [("A", 2), ("B", 3), ("C", 4)]
        for indicator in ("pol_01", "pol_02")
        for rater, value in [("amina", base), ("bruno", base + 1)]
    ]
    data = pd.DataFrame(
        rows, columns=["mission", "period", "phase", "indicator", "value", "rater", "confidence"]
    )
    result = ml.uncertainty(
        data, framework=small_framework, spec={"jitter": {}}, n=16, seed=3, progress=False
    )
    table = result.summary
    return table[table["node"] == "pol"].reset_index(drop=True)


def _points(ax: plt.Axes, gid: str) -> dict[str, float]:
    line = next(line for line in ax.lines if line.get_gid() == gid)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ys = np.asarray(line.get_ydata(), dtype=float).astype(int)
    return {labels[y]: float(x) for x, y in zip(line.get_xdata(), ys, strict=True)}


def test_score_intervals_read_the_summary(summary: pd.DataFrame) -> None:
    fig, ax = plt.subplots()
    ml.plot_score_intervals(summary, ax=ax, caption=False)
    # the reference is the summary itself: the dots are its medians, the diamonds its nominal
    assert _points(ax, "median") == dict(zip(summary["mission"], summary["median"], strict=True))
    assert _points(ax, "nominal") == dict(zip(summary["mission"], summary["nominal"], strict=True))
    plt.close(fig)


def test_rank_intervals_show_the_summarys_nominal_rank(summary: pd.DataFrame) -> None:
    fig, ax = plt.subplots()
    ml.plot_rank_intervals(summary, ax=ax, caption=False)
    assert _points(ax, "nominal") == dict(
        zip(summary["mission"], summary["nominal_rank"], strict=True)
    )
    plt.close(fig)


def test_named_columns_still_win(summary: pd.DataFrame) -> None:
    renamed = summary.rename(columns={"median": "centre"})
    fig, ax = plt.subplots()
    with pytest.raises(KeyError, match="score_median"):
        ml.plot_score_intervals(renamed, ax=ax)  # no median under either name: still refused
    ml.plot_score_intervals(renamed, score="centre", ax=ax, caption=False)
    plt.close(fig)


def test_a_long_caption_is_wrapped_to_the_figure(summary: pd.DataFrame) -> None:
    """Found in the notebooks: the portfolio's sources made a one-line caption several times
    wider than the figure, and the inline figure with it."""
    words = ["source"] * 120  # 839 characters, no line break
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    ml.plot_score_intervals(summary, ax=ax, caption=" ".join(words))
    lines = fig.get_supxlabel().split("\n")
    # the reference: 6 inches of 6.5 pt text at 0.6 em a character hold 110 characters
    assert len(lines) > 1 and max(len(line) for line in lines) <= 110
    assert " ".join(lines).split() == words  # nothing cut, nothing lost
    ml.plot_score_intervals(summary, ax=ax, caption=" ".join(words))
    assert len(fig.get_supxlabel().split("\n")) == len(lines)  # a repeat is still skipped
    plt.close(fig)
