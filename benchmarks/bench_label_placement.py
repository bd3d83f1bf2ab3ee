"""Time the point-label placement of ``plot_quadrant`` against the same plot's plain labels.

Each case draws a quadrant of ``n`` random points (labels "M000 2024", ...) on an 8.5 x 5.2 in
figure and saves it to PNG at 100 dpi (the labels are placed at draw time, so saving times
the placement); the baseline is the same scatter with labels at a fixed offset, as before the
placement (``Axes.annotate`` with ``xytext=(5, 4)``). No target: the figure shows what the
placement costs as the portfolio grows (ten missions in the example portfolio; UN
peacekeeping has run about 70 operations since 1948).

Usage::

    python benchmarks/bench_label_placement.py [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, show, timing_table

from missionlens import plot


def _table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "mission": [f"M{i:03d} 2024" for i in range(n)],
            "context": rng.uniform(0, 100, n),
            "performance": rng.uniform(0, 100, n),
        }
    )


def _save(fig: plt.Figure) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    plt.close(fig)


def _placed(table: pd.DataFrame) -> Callable[[], None]:
    def run() -> None:
        fig, ax = plt.subplots(figsize=(8.5, 5.2), layout="constrained")
        plot.plot_quadrant(table, caption=False, ax=ax)
        _save(fig)

    return run


def _fixed(table: pd.DataFrame) -> Callable[[], None]:
    def run() -> None:
        fig, ax = plt.subplots(figsize=(8.5, 5.2), layout="constrained")
        ax.scatter(table["context"], table["performance"], s=45)
        for name, x, y in zip(
            table["mission"], table["context"], table["performance"], strict=True
        ):
            ax.annotate(name, (x, y), xytext=(5, 4), textcoords="offset points", fontsize="small")
        _save(fig)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 and 70 points, 2 rounds")
    args = parser.parse_args()
    sizes = (10, 70) if args.quick else (10, 70, 200)
    rounds = 2 if args.quick else args.rounds
    print(machine())
    cases: dict[str, Callable[[], None]] = {}
    for n in sizes:
        table = _table(n)
        cases[f"fixed offset, n={n}"] = _fixed(table)
        cases[f"plot_quadrant placed, n={n}"] = _placed(table)
    timings = alternate(cases, rounds)
    show(timing_table(list(timings.values()), baseline=f"fixed offset, n={sizes[0]}"))
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
