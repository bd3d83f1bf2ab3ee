"""Benchmark: the peer and context tables on many missions and periods.

The grid of ``bench_roles.py`` (missions x 60 indicators x 40 half-years x 5 raters, 2 % of
the entries left out; in every sub-dimension one context indicator) is scored once; then each
case reads the profiles:

``compare``        ``ml.compare_missions(period="2010")``: every mission's 2010-H2 (overlapping
                   2010), the 4 dimensions, ranks, gaps to the median and percentiles
``compare_band``   the same with ``within_band=True`` (difficulty bands of all mission-periods)
``rank_root``      ``ml.rank_missions(period="2010")``: the headline ranked
``nearest``        ``ml.nearest_peers(mission, period="2010", k=5)``
``strengths``      ``ml.strengths_weaknesses(mission, period="2010", n=5)`` over 48 indicators
``versus``         ``ml.performance_vs_context``: every mission-period
``adjusted``       ``ml.context_adjusted``: the OLS fit over every mission-period

The cases alternate in rounds (the shared machine's speed drifts); the table gives the median.
No target: the issue asks for the figures only.

Usage::

    python benchmarks/bench_peers.py [--rounds 3] [--missions 100] [--quick]

``--quick`` reads 20 missions with two rounds.
"""

from __future__ import annotations

import argparse
import warnings

from _common import alternate, machine, peak_rss_mb, show, timing_table
from bench_roles import roles_framework
from bench_scoring import make_data

import missionlens as ml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--missions", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.missions, args.rounds = 20, 2
    print(machine())
    fw = roles_framework()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ml.IncompleteScoreWarning)
        profiles = ml.score(make_data(args.missions), framework=fw)
    profiles.to_frame(None)  # the score table is built lazily: not part of the cases
    first = "M000"
    cases = {
        "compare": lambda: ml.compare_missions(profiles, period="2010"),
        "compare_band": lambda: ml.compare_missions(profiles, period="2010", within_band=True),
        "rank_root": lambda: ml.rank_missions(profiles, period="2010"),
        "nearest": lambda: ml.nearest_peers(profiles, first, period="2010", k=5),
        "strengths": lambda: ml.strengths_weaknesses(profiles, first, period="2010", n=5),
        "versus": lambda: ml.performance_vs_context(profiles),
        "adjusted": lambda: ml.context_adjusted(profiles),
    }
    for fn in cases.values():  # warm-up
        fn()
    timings = alternate(cases, args.rounds)
    units = len(profiles.summary())
    print(
        f"\n{args.missions} missions x 40 half-years = {units:,} mission-periods; "
        f"median of {args.rounds} rounds"
    )
    show(timing_table(list(timings.values()), baseline="compare"))
    print(f"peak resident memory {peak_rss_mb():,.0f} MB (scoring included)")


if __name__ == "__main__":
    main()
