"""Draw the figures that the README and the docs show, from the example portfolio.

Usage::

    python docs/build_figures.py            # writes docs/images/*.png
    python docs/build_figures.py --out DIR  # somewhere else (the tests do that)

The figures are drawn by the library's own plot functions on the shipped example portfolio
(``ml.datasets.load_portfolio()``: ten real missions, real fatality data, **illustrative**
ratings that are not published judgements; every caption says so). They are committed as
PNG files so that the README shows them on any host; rerun this script when a plot or the
portfolio changes. The pixels depend on the matplotlib version, so the tests check that the
script runs and that the README points at the files, not the bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matplotlib.figure import Figure

import missionlens as ml

HERE = Path(__file__).parent

#: The figures: file name -> what it shows.
FIGURES: dict[str, str] = {
    "minusma-2018-profile.png": "MINUSMA in 2018 by dimension, with 5-95 % intervals",
    "portfolio-lifecycles.png": "the ten missions of the portfolio through their phases",
}


def build(out: Path) -> list[Path]:
    """Draw every figure of :data:`FIGURES` into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    entries = ml.datasets.load_portfolio()
    timelines = ml.datasets.portfolio_timelines()
    profiles = ml.score(entries, framework="whole-of-mission", timelines=timelines)
    spec = ml.Uncertainty.from_dict({"jitter": {}, "raters": True, "weights": {"noise": 0.25}})
    result = ml.uncertainty(entries, framework="whole-of-mission", spec=spec, n=200, seed=2018)
    written = []

    fig = Figure(figsize=(8.5, 5.4), layout="constrained")
    ml.plot_profile(
        profiles.with_intervals(result), mission="MINUSMA", period="2018", ax=fig.subplots()
    )
    path = out / "minusma-2018-profile.png"
    fig.savefig(path, dpi=100)
    written.append(path)

    grid = ml.plot_small_multiples(
        profiles, col="mission", kind="lifecycle", col_wrap=5, connect_absent=True
    )
    path = out / "portfolio-lifecycles.png"
    grid.savefig(path, dpi=70)
    written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "images")
    args = parser.parse_args()
    for path in build(args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
