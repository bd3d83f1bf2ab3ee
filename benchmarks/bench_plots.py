"""Time each plot of ``missionlens.plot``: drawing and saving a PNG, on the built-in framework.

Each case draws one plot on a fresh figure of the size docs/plotting.md uses and saves it to
PNG at 100 dpi (drawing happens at save time), for 12 missions x 3 years of the
whole-of-mission framework; the baseline is a bare matplotlib figure of the same size with one
line, saved the same way. No target: the figure is asked for in issue 11 ("plots ready for a
briefing") to show that no plot keeps an analyst waiting.

Usage::

    python benchmarks/bench_plots.py [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import io
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from _common import alternate, machine, peak_rss_mb, show, timing_table

import missionlens as ml
from missionlens import plot


def _profiles(n_missions: int) -> ml.Profiles:
    fw = ml.load_framework("whole-of-mission")
    rng = np.random.default_rng(11)
    phases = {"2021": "implementation", "2022": "implementation", "2023": "drawdown"}
    rows = []
    for m in range(n_missions):
        for year, phase in phases.items():
            ids = [
                i.id for i in fw.indicators_in_phase(phase) if fw.scale_of(i.id).kind == "rubric"
            ]
            rows.append(
                {"mission": f"M{m:02d}", "period": year, "phase": phase}
                | {i: int(rng.integers(1, 6)) for i in ids}
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ml.score(pd.DataFrame(rows), framework=fw)


def _saved(draw: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = draw()
        figure = out if isinstance(out, plt.Figure) else out.get_figure(root=True)
        figure.savefig(io.BytesIO(), format="png", dpi=100)
        plt.close("all")

    return run


def _ax(size: tuple[float, float], polar: bool = False) -> Any:
    _, ax = plt.subplots(
        figsize=size, layout="constrained", subplot_kw={"projection": "polar"} if polar else None
    )
    return ax


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 missions, 2 rounds")
    args = parser.parse_args()
    n = 3 if args.quick else 12
    rounds = 2 if args.quick else args.rounds
    print(machine())
    profiles = _profiles(n)
    fw = profiles.framework
    missions = [f"M{m:02d}" for m in range(n)]
    runs = pd.DataFrame(
        {
            "mission": missions,
            "rank_median": np.arange(1, n + 1, dtype=float),
            "rank_lower": np.maximum(np.arange(1, n + 1) - 1, 1).astype(float),
            "rank_upper": np.minimum(np.arange(1, n + 1) + 1, n).astype(float),
            "rank_nominal": np.arange(1, n + 1),
        }
    )
    cases: dict[str, Callable[[], None]] = {
        "matplotlib line (baseline)": _saved(lambda: _ax((7.5, 4)).plot([0, 1], [0, 1])[0].axes),
        "plot_profile": _saved(
            lambda: plot.plot_profile(
                profiles, mission="M00", compare=missions[1:3], ax=_ax((7.5, 4))
            )
        ),
        "plot_radar": _saved(
            lambda: plot.plot_radar(profiles, mission="M00", ax=_ax((6, 5.5), polar=True))
        ),
        "plot_comparison (findings)": _saved(
            lambda: plot.plot_comparison(profiles, node_type="finding", ax=_ax((8, 12)))
        ),
        "plot_lifecycle": _saved(
            lambda: plot.plot_lifecycle(profiles, missions=missions[:4], ax=_ax((8, 4.5)))
        ),
        "plot_facets (findings)": _saved(
            lambda: plot.plot_facets(profiles, mission="M00", view="finding", ax=_ax((7.5, 10)))
        ),
        "plot_levels": _saved(lambda: plot.plot_levels(profiles, mission="M00", ax=_ax((7.5, 5)))),
        "plot_rank_intervals": _saved(lambda: plot.plot_rank_intervals(runs, ax=_ax((6.5, 4)))),
        "plot_framework": _saved(lambda: plot.plot_framework(fw, ax=_ax((9, 8)))),
        "plot_small_multiples": _saved(
            lambda: plot.plot_small_multiples(profiles, values=missions[:6], col_wrap=3)
        ),
    }
    timings = alternate(cases, rounds)
    show(timing_table(list(timings.values()), baseline="matplotlib line (baseline)"))
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
